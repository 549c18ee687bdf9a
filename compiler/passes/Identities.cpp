// Algebraic identities, each exact in IEEE arithmetic (for every x, NaN and infinities included)
// unless its comment says otherwise. Deliberately absent: x * 0 -> 0 (NaN, inf), x - x -> 0
// (inf - inf), x / x -> 1.
#include "passes/SimplifyRules.h"

#include <cmath>

namespace diffc::passes::detail {

using namespace ir;

namespace {

bool isOne(const Value *v) {
  auto c = constantOf(v);
  return c && (isFloat(c->elem) ? c->f == 1.0 : c->elem == ElemType::I64 && c->i == 1);
}

/// +0.0, or the integer 0.
bool isPlusZero(const Value *v) {
  auto c = constantOf(v);
  return c && (isFloat(c->elem) ? c->f == 0.0 && !std::signbit(c->f)
                                : c->elem == ElemType::I64 && c->i == 0);
}

bool isMinusZero(const Value *v) {
  auto c = constantOf(v);
  return c && isFloat(c->elem) && c->f == 0.0 && std::signbit(c->f);
}

bool isBool(const Value *v, bool b) {
  auto c = constantOf(v);
  return c && c->elem == ElemType::Bool && (c->i != 0) == b;
}

/// The operand of v's defining op when that op has kind k.
Value *operandOfKind(const Value *v, OpKind k) {
  if (!v->def || v->def->kind != k || v->def->operands.size() != 1)
    return nullptr;
  return v->def->operands[0];
}

bool isFillOfScalar(const Value *v, Value *&scalar) {
  if (!v->def || v->type.isTape || v->type.isScalar() || v->def->operands.size() != 1)
    return false;
  if (v->def->kind != OpKind::Fill && v->def->kind != OpKind::Broadcast)
    return false;
  Value *s = v->def->operands[0];
  if (!s->type.isScalar() || s->type.elem != v->type.elem)
    return false;
  scalar = s;
  return true;
}

} // namespace

Value *identityFor(const Op &op) {
  if (op.results.size() != 1 || !op.regions.empty())
    return nullptr;
  const Type &rt = op.result()->type;
  // Only values of the result's exact type may replace it.
  auto same = [&](Value *v) { return v && v->type == rt ? v : nullptr; };
  auto in = [&](unsigned i) { return op.operands[i]; };
  size_t n = op.operands.size();

  switch (op.kind) {
  case OpKind::Mul:
    if (n == 2 && isOne(in(1)) && same(in(0)))
      return in(0); // x * 1 = x
    if (n == 2 && isOne(in(0)) && same(in(1)))
      return in(1); // 1 * x = x
    return nullptr;
  case OpKind::Div:
    if (n == 2 && isOne(in(1)) && same(in(0)))
      return in(0); // x / 1 = x
    return nullptr;
  case OpKind::Pow:
    // x ^ 1 = x (the exact result is representable, and pow is correctly rounded there)
    if (n == 2 && isOne(in(1)) && same(in(0)))
      return in(0);
    return nullptr;
  case OpKind::Sub:
    if (n == 2 && isPlusZero(in(1)) && same(in(0)))
      return in(0); // x - (+0) = x, also for x = -0
    return nullptr;
  case OpKind::Add:
    if (n != 2)
      return nullptr;
    if (isMinusZero(in(1)) && same(in(0)))
      return in(0); // x + (-0) = x
    if (isMinusZero(in(0)) && same(in(1)))
      return in(1); // (-0) + x = x
    // x + 0 = x up to the sign of zero: -0 + +0 is +0 in IEEE. Adjoint accumulations start at
    // +0, and dropping that start is worth a zero of the wrong sign.
    if (isPlusZero(in(1)) && same(in(0)))
      return in(0);
    if (isPlusZero(in(0)) && same(in(1)))
      return in(1); // 0 + x = x, likewise up to the sign of zero
    return nullptr;
  case OpKind::And:
    if (n == 2 && isBool(in(1), true) && same(in(0)))
      return in(0); // x && true = x
    if (n == 2 && isBool(in(0), true) && same(in(1)))
      return in(1); // true && x = x
    return nullptr;
  case OpKind::Or:
    if (n == 2 && isBool(in(1), false) && same(in(0)))
      return in(0); // x || false = x
    if (n == 2 && isBool(in(0), false) && same(in(1)))
      return in(1); // false || x = x
    return nullptr;
  case OpKind::Neg:
    if (n == 1)
      return same(operandOfKind(in(0), OpKind::Neg)); // -(-x) = x
    return nullptr;
  case OpKind::Not:
    if (n == 1)
      return same(operandOfKind(in(0), OpKind::Not)); // !!x = x
    return nullptr;
  case OpKind::Select:
    if (n != 3)
      return nullptr;
    if (isBool(in(0), true))
      return same(in(1)); // select(true, a, b) = a
    if (isBool(in(0), false))
      return same(in(2)); // select(false, a, b) = b
    if (in(1) == in(2))
      return same(in(1)); // select(c, a, a) = a
    return nullptr;
  case OpKind::Broadcast: // broadcast x to its own type = x
  case OpKind::SumTo:     // sum_to x to its own type = x
  case OpKind::Reshape:   // reshape x to its own shape = x
  case OpKind::Cast:      // cast x to its own type = x
    return n == 1 ? same(in(0)) : nullptr;
  case OpKind::Transpose:
    if (n == 1)
      return same(operandOfKind(in(0), OpKind::Transpose)); // (A^T)^T = A
    return nullptr;
  default:
    return nullptr;
  }
}

bool useScalarOperands(Op &op) {
  bool elementwise = opClass(op.kind) == OpClass::Binary || opClass(op.kind) == OpClass::Compare;
  if ((!elementwise && op.kind != OpKind::Select) || op.results.size() != 1)
    return false;
  const Type &rt = op.result()->type;
  if (rt.isScalar() || rt.isTape)
    return false;
  // At least one operand must keep the result's shape (the verifier asks that of binary ops).
  size_t full = 0;
  for (const Value *v : op.operands)
    full += !v->type.isTape && v->type.shape == rt.shape;
  bool changed = false;
  for (Value *&v : op.operands) {
    Value *s = nullptr;
    if (full < 2 || !isFillOfScalar(v, s))
      continue;
    // op(fill(s), y) = op(s, y): elementwise ops broadcast scalar operands themselves.
    v = s;
    --full;
    changed = true;
  }
  return changed;
}

} // namespace diffc::passes::detail
