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

std::vector<bool> inferableSizes(const Function &fn) {
  std::vector<bool> known(fn.sizeParams.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    for (const Value *p : fn.params())
      for (const Dim &d : p->type.shape)
        if (auto lin = d.linearIn(known); lin && !known[lin->sym])
          known[lin->sym] = changed = true;
  }
  return known;
}

std::vector<std::optional<Dim>> bindSizesSymbolic(const Function &fn,
                                                  std::span<const Shape> argShapes) {
  const auto &params = fn.params();
  std::vector<std::optional<Dim>> bound(fn.sizeParams.size());
  std::vector<bool> known(bound.size(), false);
  for (size_t i = 0; i < params.size() && i < argShapes.size(); ++i)
    for (size_t a = 0; a < params[i]->type.shape.size() && a < argShapes[i].size(); ++a)
      if (auto s = params[i]->type.shape[a].asSymbol(); s && !bound[*s]) {
        bound[*s] = argShapes[i][a];
        known[*s] = true;
      }
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<Dim> subst(bound.size());
    for (size_t s = 0; s < bound.size(); ++s)
      if (bound[s])
        subst[s] = *bound[s];
    for (size_t i = 0; i < params.size() && i < argShapes.size(); ++i)
      for (size_t a = 0; a < params[i]->type.shape.size() && a < argShapes[i].size(); ++a) {
        auto lin = params[i]->type.shape[a].linearIn(known);
        if (!lin || bound[lin->sym])
          continue;
        auto v = (argShapes[i][a] - lin->rest.substitute(subst)).divExact(lin->coeff);
        if (!v)
          continue;
        bound[lin->sym] = *v;
        subst[lin->sym] = *v;
        known[lin->sym] = changed = true;
      }
  }
  return bound;
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
  // Affine dims in one unbound size, until nothing new is bound.
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<bool> known(bound.size());
    std::vector<int64_t> vals(bound.size(), 0);
    for (size_t s = 0; s < bound.size(); ++s) {
      known[s] = bound[s].has_value();
      vals[s] = bound[s].value_or(0);
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const Shape &want = params[i]->type.shape;
      for (size_t a = 0; a < want.size(); ++a) {
        auto lin = want[a].linearIn(known);
        if (!lin || bound[lin->sym])
          continue;
        auto rest = lin->rest.evaluate(vals);
        int64_t num = 0;
        bool okDiv = rest && !__builtin_sub_overflow(shapes[i][a], *rest, &num) &&
                     num % lin->coeff == 0 && num / lin->coeff >= 0;
        if (!okDiv) {
          r.error = fmt::format("parameter '{}' expects {}, got shape {}: extent {} does not fit "
                                "dimension {} for any size {} >= 0",
                                pname(i), declared(i), shapeStr(shapes[i]), shapes[i][a],
                                want[a].str(fn.sizeParams), fn.sizeParams[lin->sym]);
          return r;
        }
        bound[lin->sym] = num / lin->coeff;
        vals[lin->sym] = num / lin->coeff;
        boundBy[lin->sym] = static_cast<int>(i);
        known[lin->sym] = changed = true;
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
    if (!want) { // `f64[N - 1]` with N = 0 from another argument
      std::string sizes;
      for (size_t k = 0; k < r.sizes.size(); ++k)
        sizes += fmt::format("{}{} = {}", k ? ", " : "", fn.sizeParams[k], r.sizes[k]);
      r.error = fmt::format("parameter '{}' expects {}, which has a negative extent for {}, got "
                            "shape {}",
                            pname(i), declared(i), sizes, shapeStr(shapes[i]));
      r.sizes.clear();
      return r;
    }
    if (*want != shapes[i]) {
      r.error = fmt::format("parameter '{}' expects {} = {}, got shape {}", pname(i), declared(i),
                            shapeStr(*want), shapeStr(shapes[i]));
      r.sizes.clear();
      return r;
    }
  }
  return r;
}

} // namespace diffc::ir
