// A runtime value of the interpreter as seen from outside: a scalar (empty shape) or a row-major
// tensor of one element type. Every element type is stored as double: f32 values are exactly
// representable, and i64 / bool values are kept exact by restricting i64 to |v| <= 2^53 (the
// interpreter reports a runtime error rather than lose an integer bit).
#pragma once

#include "ir/Type.h"

#include <cstdint>
#include <vector>

namespace diffc::interp {

using ir::kMaxExactInt; // largest i64 magnitude the interpreter holds (2^53; ir/Type.h)

struct Tensor {
  ir::ElemType elem = ir::ElemType::F64;
  std::vector<int64_t> shape;
  std::vector<double> data; // i64 and bool are stored exactly as doubles (|i64| <= 2^53)

  static Tensor scalar(double v, ir::ElemType e = ir::ElemType::F64);
  static Tensor zeros(ir::ElemType e, std::vector<int64_t> shape);
  /// A tensor of the given shape holding `values` (row-major); sizes must agree.
  static Tensor of(ir::ElemType e, std::vector<int64_t> shape, std::vector<double> values);

  size_t size() const { return data.size(); }
  bool isScalar() const { return shape.empty(); }
  /// The single element of a scalar (or of a one-element tensor).
  double item() const;

  bool operator==(const Tensor &o) const = default;
};

/// Number of elements of a shape (1 for a scalar). Throws std::length_error on overflow.
size_t numElements(const std::vector<int64_t> &shape);

} // namespace diffc::interp
