// Binding a function's size parameters from the shapes of actual arguments: every parameter dim
// that is exactly one size symbol binds it (the first binding wins, later ones must agree); then,
// until nothing changes, a dim affine in exactly one unbound size (`2 * N + M` with M bound) binds
// it as (extent - rest) / coefficient; then every dim of every parameter is evaluated and
// compared with the actual extent. Used wherever a
// function is entered from outside: the interpreter, JSON inputs, the JIT host API.
#pragma once

#include "ir/IR.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace diffc::ir {

struct SizeBindingResult {
  std::vector<int64_t> sizes; // one per size parameter, when ok
  std::string error;          // otherwise a message naming the parameter and both shapes
  bool ok() const { return error.empty(); }
};

/// shapes[i] is the actual shape of parameter i (empty for a scalar).
SizeBindingResult inferSizes(const Function &fn, std::span<const std::vector<int64_t>> shapes);

/// Which size parameters of `fn` the parameter shapes determine (the same rules as inferSizes).
std::vector<bool> inferableSizes(const Function &fn);

/// The symbolic counterpart of inferSizes, for calls inside a module: binds each size of `fn` to a
/// dim of the caller from the argument shapes (nullopt where it cannot be bound, e.g. when an
/// affine dim's extent is not divisible by its coefficient). Ranks are not checked.
std::vector<std::optional<Dim>> bindSizesSymbolic(const Function &fn,
                                                  std::span<const Shape> argShapes);

/// `[2, 3]` style rendering of a concrete shape, `scalar` for rank 0.
std::string shapeStr(std::span<const int64_t> shape);

/// Evaluates a symbolic shape for concrete sizes; nullopt on overflow or a negative extent.
std::optional<std::vector<int64_t>> evalShape(const Shape &shape, std::span<const int64_t> sizes);

} // namespace diffc::ir
