// Two `for` loops over the same range that share no data run as one loop: iteration k of the
// first, then iteration k of the second. The typical pair is a gradient's forward sweep that only
// computes the value (`acc += f(x[i], x[i + 1])`) and its reverse sweep (`d_x[...] += ...`): apart
// they are one latency-bound loop after a throughput-bound one; together the processor overlaps
// them, as in a hand-written gradient.
//
// Results stay bit-equal to the interpreter: each loop's own operations keep their order, and the
// loops touch disjoint data. Errors stay the same too, because both bodies are "quiet": they cannot
// fail (no calls, no allocation, no integer division, only indexes proven in range) so the first
// error reported, if any, still comes from the ops before or after the pair.
#include "codegen/IndexRange.h"
#include "codegen/Lowering.h"

namespace diffc::codegen {

using ir::OpKind;

namespace {

/// Every point index of op (operands from `first`) is proven in range.
bool pointsProven(const ir::Op &op, size_t first) {
  const ir::Type &xt = op.operand(0)->type;
  if (op.operands.size() - first != xt.rank() || op.ints.size() != xt.rank())
    return false;
  for (size_t a = 0; a < xt.rank(); ++a)
    if (op.ints[a] != ir::kPoint || !provenInRange(op.operands[first + a], xt.shape[a]))
      return false;
  return true;
}

/// op computes a scalar and can never fail.
bool quietScalarOp(const ir::Op &op) {
  if (op.results.size() != 1 || !op.result()->type.isScalar())
    return false;
  if (op.kind == OpKind::Const || op.kind == OpKind::DimValue)
    return true;
  if (!ir::isElementwise(op.kind))
    return false;
  if (op.operands.empty() || ir::isFloat(op.operand(0)->type.elem))
    return true;
  // Integer division and remainder fail on zero; the rest of integer arithmetic wraps.
  return op.kind == OpKind::Add || op.kind == OpKind::Sub || op.kind == OpKind::Mul ||
         op.kind == OpKind::Neg || ir::opClass(op.kind) == ir::OpClass::Compare;
}

} // namespace

bool quietBody(const ir::Block &b, const Ownership &own) {
  for (const auto &o : b.ops) {
    const ir::Op &op = *o;
    if (op.kind == OpKind::Yield)
      continue;
    if (!op.regions.empty())
      return false;
    if (quietScalarOp(op))
      continue;
    if (op.kind == OpKind::Index && op.result()->type.isScalar() && pointsProven(op, 1))
      continue;
    if ((op.kind == OpKind::Update || op.kind == OpKind::UpdateAdd) &&
        op.operand(1)->type.isScalar() && own.mayConsume(op, 0) && pointsProven(op, 2))
      continue;
    return false;
  }
  return true;
}

namespace {

/// f(v) for every value `op` and the ops nested in it read.
template <typename F> void forEachUse(const ir::Op &op, const F &f) {
  for (const ir::Value *v : op.operands)
    f(v);
  for (const auto &r : op.regions)
    for (const auto &inner : r->ops)
      forEachUse(*inner, f);
}

bool uses(const ir::Op &op, const ir::Value *v) {
  bool found = false;
  forEachUse(op, [&](const ir::Value *u) { found = found || u == v; });
  return found;
}

} // namespace

size_t FnLowering::loopPartner(const ir::Block &b, size_t i) const {
  const ir::Op &a = *b.ops[i];
  if (a.kind != OpKind::For || M.options().checkNonFinite || a.operands.size() < 2 ||
      !quietBody(*a.region(0), own))
    return 0;
  for (size_t j = i + 1; j + 1 < b.ops.size(); ++j) {
    const ir::Op &op = *b.ops[j];
    bool fromA = false;
    forEachUse(op, [&](const ir::Value *v) { fromA = fromA || v->def == &a; });
    if (fromA)
      return 0;
    if (op.kind == OpKind::For) {
      if (op.operands.size() < 2 || op.operand(0) != a.operand(0) ||
          op.operand(1) != a.operand(1) || !quietBody(*op.region(0), own))
        return 0;
      // A buffer the second loop starts from may be updated in place: the first must not read it.
      for (size_t k = 2; k < op.operands.size(); ++k)
        if (op.operands[k]->type.isTensor() && uses(a, op.operands[k]))
          return 0;
      return j;
    }
    // Ops between the loops are computed before both; they must not read what the first loop
    // changes in place (they only make scalars and fresh buffers).
    if (!quietScalarOp(op) && op.kind != OpKind::Fill)
      return 0;
  }
  return 0;
}

} // namespace diffc::codegen
