// The derivative rules: one table for every op without regions, used by both modes.
//
// Elementwise ops have one partial per operand, and both modes only ever multiply by it: forward
// mode computes t_y = sum_i (dy/dx_i) * t_i, reverse mode d_i += (dy/dx_i) * d_y. So the table
// entry is scaleByPartial(op, i, v) = (dy/dx_i) * v, written once with the math beside it.
// Tensor ops are linear maps (or bilinear, or have a closed-form Jacobian-vector product): forward
// mode applies the map to the tangents and reverse mode applies its transpose, both written
// beside each other per op in Rules.cpp at the highest level that exists (matmul -> matmuls,
// reductions -> broadcasts, logsumexp -> softmax, index -> update_add into the adjoint).
#pragma once

#include "ad/Emit.h"

#include <functional>
#include <vector>

namespace diffc::ad {

/// What a rule sees: the primal op, its values in the function being built, which operands need
/// a derivative, and whether incoming adjoints may hold zeros from an untaken select side (then
/// products with partials are guarded so that 0 * inf gives 0, not NaN).
struct RuleCtx {
  Emitter &e;
  const ir::Op &op;
  /// The value standing for a primal operand or result at the current insertion point.
  std::function<ir::Value *(const ir::Value *)> primal;
  /// Whether operand i needs a derivative (active); rules compute nothing for the others.
  std::function<bool(unsigned)> wants;
  bool guard = false;

  ir::Value *x(unsigned i) const { return primal(op.operands.at(i)); }
  ir::Value *y(unsigned i = 0) const { return primal(op.results.at(i)); }
  ir::ElemType elem() const { return op.results.at(0)->type.elem; }
  ir::Value *c(double v) const { return e.cst(v, elem()); }
  /// p * v, guarded when `guard`.
  ir::Value *times(ir::Value *p, ir::Value *v) const;
  /// v / q, guarded when `guard`.
  ir::Value *over(ir::Value *v, ir::Value *q) const;
  /// The index part of an index-like op whose index operands start at `first`.
  IndexSpec indexSpec(unsigned first) const;
};

/// Elementwise ops: (dy/dx_i) * v, or null where the partial is identically zero (floor, sign,
/// comparisons, integer and boolean ops). v has the result's shape or operand i's shape.
ir::Value *scaleByPartial(RuleCtx &c, unsigned i, ir::Value *v);

/// Forward mode for ops without regions other than elementwise ones, calls and tape ops: the
/// tangent of each result given the operands' tangents (null = zero); null where it is zero.
std::vector<ir::Value *> tangentRule(RuleCtx &c, const std::vector<ir::Value *> &t);

/// Where reverse-mode rules send their contributions.
class AdjointSink {
public:
  virtual ~AdjointSink() = default;
  /// Adds contrib (shape of operand i, or a shape that sums down to it) to operand i's adjoint.
  /// `masked`: contrib may hold zeros standing for an untaken side.
  virtual void add(unsigned i, ir::Value *contrib, bool masked) = 0;
  /// Adds v into the part spec of operand i's adjoint, in place (update_add).
  virtual void addIndexed(unsigned i, ir::Value *v, const IndexSpec &spec, bool masked) = 0;
};

/// Reverse mode for the same ops as tangentRule and for elementwise ones: sends each wanted
/// operand's adjoint contribution given the results' adjoints dy (null = zero).
void adjointRule(RuleCtx &c, const std::vector<ir::Value *> &dy, AdjointSink &sink);

/// Whether the op's adjoint rule sends zeros standing for unselected lanes (select, relu, max,
/// update, ...): adjoints downstream of it guard their products.
bool masksAdjoint(ir::OpKind k);

} // namespace diffc::ad
