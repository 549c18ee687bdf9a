// Loop-invariant code motion. An op moved in front of a loop runs even when the loop runs zero
// times, so only ops that cannot fail at run time move: no indexing (but reads at indices that
// are in range by construction, see indexInBounds), no integer arithmetic
// (overflow, division by zero), no conversion to i64, no reductions that reject empty tensors, no
// calls, and no result shape that could be negative for some sizes.
#include "passes/Simplify.h"

#include <unordered_set>

namespace diffc::passes {

using namespace ir;

namespace {

/// d is never negative: every term has a positive coefficient (sizes are never negative).
bool nonNegative(const Dim &d) {
  for (const auto &[mono, coeff] : d.terms())
    if (coeff < 0)
      return false;
  return true;
}

/// Evaluating op's result types cannot fail: each dim is non-negative or already the dim of an
/// operand (which exists, so it was evaluated without failing).
bool safeShapes(const Op &op) {
  for (const Value *r : op.results)
    for (const Dim &d : r->type.shape) {
      if (nonNegative(d))
        continue;
      bool known = false;
      for (const Value *v : op.operands)
        for (const Dim &od : v->type.shape)
          known = known || od == d;
      if (!known)
        return false;
    }
  return true;
}

/// Whether the i64 value v lies in [0, d) wherever it exists: a constant in range, the index of
/// a map over extent d, or the index of a `for` from a constant >= 0 to the value of d (or a
/// constant <= d).
bool inRange(const Value *v, const Dim &d) {
  if (v->def) {
    const Op &c = *v->def;
    return c.kind == OpKind::Const && v->type == Type::i64() && d.isConstant() && c.ival >= 0 &&
           c.ival < d.constantValue();
  }
  const Op *p = v->ownerBlock ? v->ownerBlock->parentOp : nullptr;
  if (!p)
    return false;
  if (p->kind == OpKind::Map)
    return v->index < p->dims.size() && p->dims[v->index] == d;
  if (p->kind != OpKind::For || v->index != 0 || v->ownerBlock != p->regions[0].get())
    return false;
  const Op *lo = p->operands[0]->def, *hi = p->operands[1]->def;
  if (!lo || lo->kind != OpKind::Const || lo->ival < 0 || !hi)
    return false;
  if (hi->kind == OpKind::DimValue)
    return hi->dims.size() == 1 && hi->dims[0] == d;
  return hi->kind == OpKind::Const && d.isConstant() && hi->ival <= d.constantValue();
}

/// An element or row read whose point indices are all provably in range (see inRange): x[j]
/// with j the index of `for j in 0..D` and x of length D, which an inner loop reads every
/// iteration.
bool indexInBounds(const Op &op) {
  const Type &x = op.operands.at(0)->type;
  size_t next = 1;
  for (size_t a = 0; a < op.ints.size(); ++a) {
    if (op.ints[a] == kFull)
      continue;
    if (op.ints[a] != kPoint || a >= x.rank() || next >= op.operands.size() ||
        !inRange(op.operands[next++], x.shape[a]))
      return false;
  }
  return true;
}

bool cannotFail(const Op &op) {
  if (op.results.empty() || !op.regions.empty())
    return false;
  ElemType e = op.result()->type.elem;
  bool intResult = e == ElemType::I64;
  switch (opClass(op.kind)) {
  case OpClass::Unary:
  case OpClass::Binary:
    return !intResult;
  case OpClass::Compare:
    return true;
  case OpClass::Other:
    break;
  }
  switch (op.kind) {
  case OpKind::Const:
  case OpKind::DimValue:
  case OpKind::Eye:
  case OpKind::Fill:
  case OpKind::Select:
  case OpKind::StopGradient:
  case OpKind::Broadcast:
  case OpKind::SumTo:
  case OpKind::Transpose:
  case OpKind::Concat:
  case OpKind::Pack:
  case OpKind::Diag:
  case OpKind::Softmax:
  case OpKind::LogSoftmax:
  case OpKind::Logsumexp:
  case OpKind::Norm:
    return true;
  case OpKind::Sum:
  case OpKind::Prod:
  case OpKind::MatMul:
  case OpKind::Outer:
    return !intResult; // i64 arithmetic may overflow
  case OpKind::Cast:
    return !(intResult && isFloat(op.operands.at(0)->type.elem)); // NaN or huge -> i64 fails
  case OpKind::Index:
    return indexInBounds(op);
  default:
    return false;
  }
}

bool hoistable(const Op &op) {
  for (const Value *r : op.results)
    if (r->type.isTape)
      return false;
  return cannotFail(op) && safeShapes(op);
}

bool isLoop(OpKind k) { return k == OpKind::For || k == OpKind::While || k == OpKind::Map; }

void collectDefs(const Block &b, std::unordered_set<const Value *> &out) {
  for (const Value *v : b.args)
    out.insert(v);
  for (const auto &op : b.ops) {
    for (const Value *v : op->results)
      out.insert(v);
    for (const auto &r : op->regions)
      collectDefs(*r, out);
  }
}

bool hoistBlock(Block &b) {
  bool changed = false;
  std::vector<std::unique_ptr<Op>> ops = std::move(b.ops);
  b.ops.clear();
  for (auto &op : ops) {
    for (auto &r : op->regions)
      changed |= hoistBlock(*r); // inner loops first: their invariants land in this body
    if (isLoop(op->kind)) {
      std::unordered_set<const Value *> inside;
      for (const auto &r : op->regions)
        collectDefs(*r, inside);
      for (auto &r : op->regions) {
        std::vector<std::unique_ptr<Op>> kept;
        for (auto &inner : r->ops) {
          bool invariant = !isTerminator(inner->kind) && hoistable(*inner);
          for (const Value *v : inner->operands)
            invariant = invariant && !inside.count(v);
          if (!invariant) {
            kept.push_back(std::move(inner));
            continue;
          }
          for (const Value *v : inner->results)
            inside.erase(v);
          inner->parent = &b;
          b.ops.push_back(std::move(inner));
          changed = true;
        }
        r->ops = std::move(kept);
      }
    }
    b.ops.push_back(std::move(op));
  }
  return changed;
}

} // namespace

bool hoistLoopInvariants(Function &fn) { return hoistBlock(*fn.body); }

} // namespace diffc::passes
