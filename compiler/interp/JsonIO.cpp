#include "interp/JsonIO.h"

#include "interp/Elementwise.h"
#include "ir/SizeInference.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace diffc::interp {

using ir::ElemType;
using nlohmann::json;

namespace {

const char *kindOf(const json &j) {
  switch (j.type()) {
  case json::value_t::null:
    return "null";
  case json::value_t::boolean:
    return "a boolean";
  case json::value_t::string:
    return "a string";
  case json::value_t::array:
    return "an array";
  case json::value_t::object:
    return "an object";
  default:
    return "a number";
  }
}

/// Reads one parameter's nested arrays into a row-major tensor.
class ValueParser {
public:
  ValueParser(const ir::Function &fn, const ir::Value &param)
      : fn_(fn), type_(param.type), name_(param.name) {
    shape_.assign(type_.rank(), -1);
    setBy_.resize(type_.rank());
  }

  /// The parsed tensor; extents under an empty array are left -1.
  Tensor parse(const json &j) {
    walk(j, 0, name_);
    Tensor t;
    t.elem = type_.elem;
    t.shape = shape_;
    t.data = std::move(data_);
    return t;
  }

private:
  [[noreturn]] void fail(const std::string &msg) const {
    throw InputError(fmt::format("input '{}' ({}): {}", name_, type_.str(fn_.sizeParams), msg));
  }

  void walk(const json &j, size_t depth, const std::string &path) {
    if (depth == type_.rank()) {
      data_.push_back(element(j, path));
      return;
    }
    if (!j.is_array())
      fail(fmt::format("{} is {}, expected an array (the parameter has rank {})", path, kindOf(j),
                       type_.rank()));
    auto n = static_cast<int64_t>(j.size());
    if (shape_[depth] < 0) {
      shape_[depth] = n;
      setBy_[depth] = path;
    } else if (shape_[depth] != n) {
      fail(fmt::format("ragged array: {} has {} entries but {} has {}", path, n, setBy_[depth],
                       shape_[depth]));
    }
    for (size_t k = 0; k < j.size(); ++k)
      walk(j[k], depth + 1, fmt::format("{}[{}]", path, k));
  }

  double element(const json &j, const std::string &path) const {
    const bool scalarParam = type_.rank() == 0;
    auto wrongKind = [&](const char *want) {
      fail(fmt::format("{} is {}, expected {}{}", path, kindOf(j), want,
                       j.is_array() && scalarParam ? " (the parameter is a scalar)" : ""));
    };
    switch (type_.elem) {
    case ElemType::F64:
    case ElemType::F32: {
      double v;
      if (j.is_number()) {
        v = j.get<double>();
      } else if (j.is_string()) {
        const auto &s = j.get_ref<const std::string &>();
        if (s == "NaN")
          v = std::numeric_limits<double>::quiet_NaN();
        else if (s == "Infinity")
          v = std::numeric_limits<double>::infinity();
        else if (s == "-Infinity")
          v = -std::numeric_limits<double>::infinity();
        else
          fail(fmt::format("{} is the string \"{}\", expected a number (or \"NaN\", "
                           "\"Infinity\", \"-Infinity\")",
                           path, s));
      } else {
        wrongKind("a number");
      }
      return detail::roundToElem(type_.elem, v);
    }
    case ElemType::I64: {
      double v;
      if (j.is_number_unsigned()) {
        uint64_t u = j.get<uint64_t>();
        if (u > static_cast<uint64_t>(kMaxExactInt))
          fail(fmt::format("{} is {}, outside the i64 range |v| <= 2^53", path, u));
        v = static_cast<double>(u);
      } else if (j.is_number_integer()) {
        int64_t i = j.get<int64_t>();
        if (i > kMaxExactInt || i < -kMaxExactInt)
          fail(fmt::format("{} is {}, outside the i64 range |v| <= 2^53", path, i));
        v = static_cast<double>(i);
      } else if (j.is_number_float()) {
        v = j.get<double>();
        // 3.0 is accepted as 3; 2.5 is not an integer.
        if (std::trunc(v) != v)
          fail(fmt::format("{} is {}, expected an integer", path, j.dump()));
        if (std::fabs(v) > static_cast<double>(kMaxExactInt))
          fail(fmt::format("{} is {}, outside the i64 range |v| <= 2^53", path, j.dump()));
        v += 0.0; // -0.0 -> 0.0
      } else {
        wrongKind("an integer");
      }
      return v;
    }
    case ElemType::Bool:
      if (!j.is_boolean())
        wrongKind("true or false");
      return j.get<bool>() ? 1 : 0;
    }
    fail("unsupported element type");
  }

  const ir::Function &fn_;
  const ir::Type &type_;
  std::string name_;
  std::vector<int64_t> shape_;
  std::vector<std::string> setBy_; // the path whose length fixed each extent
  std::vector<double> data_;
};

/// Fills extents left unknown by empty arrays (`[]` for an `f64[N, D]`): from the sizes bound by
/// fully known shapes where possible, else 0. inferSizes then checks the result as usual.
void completeShapes(const ir::Function &fn, std::vector<Tensor> &args) {
  std::vector<std::optional<int64_t>> bound(fn.sizeParams.size());
  auto known = [](const Tensor &t) {
    return std::all_of(t.shape.begin(), t.shape.end(), [](int64_t d) { return d >= 0; });
  };
  for (size_t i = 0; i < args.size(); ++i) {
    if (!known(args[i]))
      continue;
    const ir::Shape &want = fn.params()[i]->type.shape;
    for (size_t a = 0; a < want.size(); ++a)
      if (auto s = want[a].asSymbol(); s && !bound[*s])
        bound[*s] = args[i].shape[a];
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (known(args[i]))
      continue;
    const ir::Shape &want = fn.params()[i]->type.shape;
    for (size_t a = 0; a < want.size(); ++a) {
      if (args[i].shape[a] >= 0)
        continue;
      std::vector<int64_t> vals(fn.sizeParams.size(), 0);
      bool all = true;
      for (uint32_t s : want[a].symbols()) {
        if (s < bound.size() && bound[s])
          vals[s] = *bound[s];
        else
          all = false;
      }
      std::optional<int64_t> v = all ? want[a].evaluate(vals) : std::nullopt;
      args[i].shape[a] = v && *v >= 0 ? *v : 0;
    }
  }
}

void appendElement(std::string &out, ElemType e, double v) {
  switch (e) {
  case ElemType::I64:
    out += std::to_string(static_cast<int64_t>(v));
    return;
  case ElemType::Bool:
    out += v != 0 ? "true" : "false";
    return;
  case ElemType::F64:
  case ElemType::F32:
    break;
  }
  if (std::isnan(v)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char buf[64];
  // Shortest text that reads back as the same value (as a float for f32).
  auto r = e == ElemType::F32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v))
                              : std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  out += s;
  if (s.find_first_of(".e") == std::string_view::npos)
    out += ".0";
}

void appendTensor(std::string &out, const Tensor &t, size_t axis, size_t &pos) {
  if (axis == t.shape.size()) {
    appendElement(out, t.elem, t.data[pos++]);
    return;
  }
  out += '[';
  for (int64_t k = 0; k < t.shape[axis]; ++k) {
    if (k)
      out += ", ";
    appendTensor(out, t, axis + 1, pos);
  }
  out += ']';
}

} // namespace

std::vector<Tensor> bindInputs(const ir::Function &fn, const json &obj,
                               std::vector<std::string> *ignored) {
  const auto &params = fn.params();
  if (!obj.is_object())
    throw InputError(fmt::format("inputs must be a JSON object mapping the parameters of '{}' to "
                                 "values, got {}",
                                 fn.name, kindOf(obj)));
  const auto &sizes = fn.sizeParams;
  for (const auto &[key, value] : obj.items()) {
    bool found = std::any_of(params.begin(), params.end(),
                             [&](const ir::Value *p) { return p->name == key; }) ||
                 std::find(sizes.begin(), sizes.end(), key) != sizes.end();
    if (!found && ignored) {
      ignored->push_back(key);
    } else if (!found) {
      std::string names;
      for (const ir::Value *p : params)
        names += (names.empty() ? "" : ", ") + p->name;
      throw InputError(fmt::format("unknown input '{}': function '{}' has parameters {}", key,
                                   fn.name, names.empty() ? "(none)" : names));
    }
  }
  std::vector<Tensor> args;
  for (const ir::Value *p : params) {
    if (p->type.isTape)
      throw InputError(
          fmt::format("parameter '{}' is a tape and cannot be given as input", p->name));
    auto it = obj.find(p->name);
    if (it == obj.end())
      throw InputError(fmt::format("missing input '{}' ({})", p->name, p->type.str(fn.sizeParams)));
    args.push_back(ValueParser(fn, *p).parse(*it));
  }
  completeShapes(fn, args);
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor &t : args)
    shapes.push_back(t.shape);
  ir::SizeBindingResult r = ir::inferSizes(fn, shapes);
  if (!r.ok())
    throw InputError(r.error);
  // A size given as an input (`"N": 3`) is not needed, but it must agree with the shapes.
  for (size_t i = 0; i < sizes.size(); ++i) {
    auto it = obj.find(sizes[i]);
    if (it == obj.end())
      continue;
    double given = it->is_number() ? it->get<double>() : std::nan("");
    if (i < r.sizes.size() && given != static_cast<double>(r.sizes[i]))
      throw InputError(fmt::format("input '{}' is {}, but the shapes of the inputs give {} = {}",
                                   sizes[i], it->dump(), sizes[i], r.sizes[i]));
  }
  return args;
}

std::string formatValue(const Tensor &t) {
  if (numElements(t.shape) != t.data.size())
    throw std::invalid_argument(
        fmt::format("formatValue: shape {} with {} values", ir::shapeStr(t.shape), t.data.size()));
  std::string out;
  size_t pos = 0;
  appendTensor(out, t, 0, pos);
  return out;
}

} // namespace diffc::interp
