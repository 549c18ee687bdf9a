// Small IR-building helpers for derivative code: typed constants, elementwise arithmetic that
// works out result types (a scalar operand broadcasts), reductions back to an operand's shape,
// and the tensor ops the rules need. Everything appends at the builder's insertion point.
#pragma once

#include "ir/IR.h"

#include <string>
#include <vector>

namespace diffc::ad {

/// The index part of an `index` / `update` / `update_add`: per-axis modes, the point / slice
/// start operands (new values) and the slice lengths.
struct IndexSpec {
  std::vector<int64_t> modes;
  std::vector<ir::Value *> operands;
  std::vector<ir::Dim> lengths;
};

class Emitter {
public:
  explicit Emitter(ir::Builder &b) : b(b) {}
  ir::Builder &b;

  ir::Value *cst(double v, ir::ElemType e);
  ir::Value *i64(int64_t v) { return b.constI64(v); }
  /// Zero of type t (a const for scalars, a fill otherwise).
  ir::Value *zeros(const ir::Type &t);
  /// The value of a dim as an i64 (a const when the dim is constant).
  ir::Value *dim(const ir::Dim &d);

  ir::Value *un(ir::OpKind k, ir::Value *a);
  /// Elementwise binary op; one operand may be a scalar (the result takes the other's shape).
  ir::Value *bin(ir::OpKind k, ir::Value *a, ir::Value *c);
  ir::Value *cmp(ir::OpKind k, ir::Value *a, ir::Value *c);
  ir::Value *select(ir::Value *c, ir::Value *a, ir::Value *alt);
  ir::Value *add(ir::Value *a, ir::Value *c) { return bin(ir::OpKind::Add, a, c); }
  ir::Value *sub(ir::Value *a, ir::Value *c) { return bin(ir::OpKind::Sub, a, c); }
  ir::Value *mul(ir::Value *a, ir::Value *c) { return bin(ir::OpKind::Mul, a, c); }
  ir::Value *div(ir::Value *a, ir::Value *c) { return bin(ir::OpKind::Div, a, c); }
  ir::Value *neg(ir::Value *a) { return un(ir::OpKind::Neg, a); }
  /// a * c, with a constant factor given as a double of a's element type.
  ir::Value *scale(ir::Value *a, double c) { return mul(a, cst(c, a->type.elem)); }
  /// select(v == 0, 0, p * v): the product of a partial and an adjoint that is exactly 0 where
  /// the adjoint is 0, even when the partial is inf or NaN there (an untaken select side).
  ir::Value *guardedMul(ir::Value *p, ir::Value *v);
  /// As guardedMul for v / q.
  ir::Value *guardedDiv(ir::Value *v, ir::Value *q);

  /// Whole-tensor sum (a scalar is returned as it is).
  ir::Value *sum(ir::Value *x);
  ir::Value *fill(ir::Value *scalar, const ir::Type &t);
  /// Converts v to type t: scalar -> tensor by fill, tensor -> scalar by sum, a broadcast shape
  /// back to t's by sum_to, and a float element type by cast.
  ir::Value *coerce(ir::Value *v, const ir::Type &t);
  /// v broadcast to t's shape (fill for a scalar).
  ir::Value *expand(ir::Value *v, const ir::Type &t);
  ir::Value *cast(ir::Value *v, ir::ElemType e);

  ir::Value *reshape(ir::Value *x, const ir::Shape &s);
  ir::Value *transpose(ir::Value *x);
  ir::Value *matmul(ir::Value *a, ir::Value *c);
  ir::Value *outer(ir::Value *a, ir::Value *c);
  ir::Value *unop(ir::OpKind k, ir::Value *x, const ir::Type &t);

  /// The type of x[spec].
  static ir::Type indexedType(const ir::Type &x, const IndexSpec &spec);
  ir::Value *index(ir::Value *x, const IndexSpec &spec);
  ir::Value *update(ir::Value *x, ir::Value *v, const IndexSpec &spec);
  ir::Value *updateAdd(ir::Value *x, ir::Value *v, const IndexSpec &spec);

  /// Sum over the last axis of x, kept as an axis of length 1 and broadcast back to x's shape
  /// (for a vector: a scalar, which elementwise ops broadcast themselves).
  ir::Value *rowSum(ir::Value *x);
  /// Element count of a shape, as a Dim.
  static ir::Dim count(const ir::Shape &s);
};

/// "d_name" / "t_name" for a named primal value, else empty.
std::string derivName(const char *prefix, const ir::Value *v);

/// Bytes of one value of type t, as text (`8`, `8*N`), for the notes on stored values.
std::string byteSize(const ir::Type &t, const ir::Function &fn);

} // namespace diffc::ad
