#include "ir/SizeInference.h"

#include <fmt/format.h>

namespace diffc::ir {

std::string shapeStr(std::span<const int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::optional<std::vector<int64_t>> evalShape(const Shape &shape, std::span<const int64_t> sizes) {
  std::vector<int64_t> out;
  for (const Dim &d : shape) {
    auto v = d.evaluate(sizes);
    if (!v || *v < 0)
      return std::nullopt;
    out.push_back(*v);
  }
  return out;
}

SizeBindingResult inferSizes(const Function &fn, std::span<const std::vector<int64_t>> shapes) {
  SizeBindingResult r;
  const auto &params = fn.params();
  if (shapes.size() != params.size()) {
    r.error = fmt::format("function '{}' takes {} arguments, got {}", fn.name, params.size(),
                          shapes.size());
    return r;
  }
  std::vector<std::optional<int64_t>> bound(fn.sizeParams.size());
  std::vector<int> boundBy(fn.sizeParams.size(), -1);
  auto declared = [&](size_t i) { return params[i]->type.str(fn.sizeParams); };
  auto pname = [&](size_t i) {
    return params[i]->name.empty() ? fmt::format("#{}", i) : params[i]->name;
  };
  for (size_t i = 0; i < params.size(); ++i) {
    const Shape &want = params[i]->type.shape;
    if (want.size() != shapes[i].size()) {
      r.error = fmt::format("parameter '{}' expects {} ({}), got shape {}", pname(i), declared(i),
                            want.empty() ? "a scalar" : fmt::format("rank {}", want.size()),
                            shapeStr(shapes[i]));
      return r;
    }
    for (size_t a = 0; a < want.size(); ++a) {
      auto sym = want[a].asSymbol();
      if (!sym)
        continue;
      if (!bound[*sym]) {
        bound[*sym] = shapes[i][a];
        boundBy[*sym] = static_cast<int>(i);
      } else if (*bound[*sym] != shapes[i][a]) {
        size_t j = static_cast<size_t>(boundBy[*sym]);
        r.error = fmt::format("size {} is {} from parameter '{}' (shape {}) but {} from parameter "
                              "'{}' (shape {})",
                              fn.sizeParams[*sym], *bound[*sym], pname(j), shapeStr(shapes[j]),
                              shapes[i][a], pname(i), shapeStr(shapes[i]));
        return r;
      }
    }
  }
  for (size_t s = 0; s < bound.size(); ++s) {
    if (!bound[s]) {
      r.error = fmt::format("size {} cannot be inferred from the arguments of '{}'",
                            fn.sizeParams[s], fn.name);
      return r;
    }
    r.sizes.push_back(*bound[s]);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    auto want = evalShape(params[i]->type.shape, r.sizes);
    if (!want || *want != shapes[i]) {
      r.error = fmt::format("parameter '{}' expects {} = {}, got shape {}", pname(i), declared(i),
                            want ? shapeStr(*want) : std::string("an invalid shape"),
                            shapeStr(shapes[i]));
      r.sizes.clear();
      return r;
    }
  }
  return r;
}

} // namespace diffc::ir
