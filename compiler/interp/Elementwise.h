// Elementwise semantics of the IR: one element at a time (the single definition every tensor
// kernel uses), and the tensor-level elementwise ops with broadcasting.
//
// Per element type: f64 in double; f32 computed in float (so every op rounds to float); i64 exact
// in int64_t, a result beyond +-2^53 being a runtime error (see Tensor.h); bool as 0/1.
#pragma once

#include "interp/Tensor.h"
#include "ir/IR.h"

#include <cstddef>
#include <vector>

namespace diffc::interp::detail {

/// Unary op k (Unary class) on one element of type e.
double unaryElem(ir::OpKind k, ir::ElemType e, double x);
/// Binary op k (Binary class) on two elements of type e.
double binaryElem(ir::OpKind k, ir::ElemType e, double a, double b);
/// Comparison op k (Compare class); 1 or 0.
double compareElem(ir::OpKind k, double a, double b);
/// Conversion of one element (f64 -> i64 truncates toward zero; NaN, inf and values beyond 2^53
/// are a runtime error; anything -> bool is `!= 0`).
double castElem(ir::ElemType from, ir::ElemType to, double v);
/// a + b in type e (used by reductions, sum_to, update_add, matmul).
inline double addElem(ir::ElemType e, double a, double b) {
  return binaryElem(ir::OpKind::Add, e, a, b);
}
inline double mulElem(ir::ElemType e, double a, double b) {
  return binaryElem(ir::OpKind::Mul, e, a, b);
}
/// v represented in type e: rounded to float for f32, else unchanged.
double roundToElem(ir::ElemType e, double v);
/// An i64 element as an exact double; a runtime error beyond +-2^53.
double intResult(__int128 v);

/// True when `in` broadcasts to `out` NumPy-style (aligned right, each dim equal or 1).
bool broadcastable(const std::vector<int64_t> &in, const std::vector<int64_t> &out);

/// Maps each flat index of a broadcast result to the flat index of one operand.
class BroadcastMap {
public:
  /// Requires broadcastable(in, out) (an InternalError otherwise).
  BroadcastMap(const std::vector<int64_t> &in, const std::vector<int64_t> &out);
  size_t operator()(size_t outFlat) const {
    return kind_ == Kind::Same ? outFlat : kind_ == Kind::Scalar ? 0 : table_[outFlat];
  }

private:
  enum class Kind { Same, Scalar, Table } kind_;
  std::vector<size_t> table_;
};

/// An elementwise Unary/Binary/Compare op on operands broadcast to `shape`.
Tensor elementwise(const ir::Op &op, ir::ElemType resultElem, const std::vector<int64_t> &shape,
                   const std::vector<const Tensor *> &ins);
/// select(c, a, b), operands broadcast to `shape`.
Tensor select(const Tensor &c, const Tensor &a, const Tensor &b, ir::ElemType resultElem,
              const std::vector<int64_t> &shape);
Tensor cast(const Tensor &x, ir::ElemType to);
/// A tensor of `shape` with every element v (a scalar).
Tensor fill(const Tensor &v, ir::ElemType e, const std::vector<int64_t> &shape);
Tensor broadcastTo(const Tensor &x, const std::vector<int64_t> &shape);
/// The inverse of broadcastTo: sums x down to `shape`.
Tensor sumTo(const Tensor &x, const std::vector<int64_t> &shape);

} // namespace diffc::interp::detail
