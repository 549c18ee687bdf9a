// A quiet `for` whose body adds to a carried vector at several offsets of its counter,
//   for i { ...; d[i] += r(i); d[i + 1] += s(i) }
// runs as one loop per offset, each computing the body but making only its own additions. Each
// such loop touches one element per iteration, so LLVM can vectorise it, where the single loop
// reads in iteration i + 1 what iteration i stored (Rosenbrock's reverse sweep: the scalar loop
// costs twice the hand-written gradient, the split one about the same).
//
// Results stay bit-equal to the interpreter: element k gets its additions in the order the single
// loop makes them. The loop adds s(k - 1) (iteration k - 1) before r(k) (iteration k), and in
// general, going up in i, the additions at larger offsets come first, those at one offset in body
// order; so the loops run from the largest offset down, each keeping body order. Errors stay the
// same because the body is quiet (LoopPairing.cpp): it cannot fail.
//
// Only bodies of cheap arithmetic are split (what is computed again would otherwise cost more
// than the vectorisation gains: a libm call does not vectorise), and only when every carried value
// is a scalar the loop passes on unchanged or a vector it only adds to, in place, at `i + c`.
#include "codegen/Lowering.h"

#include <algorithm>
#include <map>

namespace diffc::codegen {

using ir::OpKind;

namespace {

/// Ops LLVM vectorises without a call, so that running them once per piece costs little.
bool cheapOp(const ir::Op &op) {
  switch (op.kind) {
  case OpKind::Const:
  case OpKind::DimValue:
  case OpKind::Index:
  case OpKind::UpdateAdd:
  case OpKind::Yield:
  case OpKind::Select:
  case OpKind::Neg:
  case OpKind::Not:
  case OpKind::Abs:
  case OpKind::Sqrt:
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
  case OpKind::Min:
  case OpKind::Max:
  case OpKind::And:
  case OpKind::Or:
    return true;
  default:
    return ir::opClass(op.kind) == ir::OpClass::Compare;
  }
}

/// c when idx is the counter iv plus the constant c.
bool offsetOf(const ir::Value *idx, const ir::Value *iv, int64_t &c) {
  if (idx == iv) {
    c = 0;
    return true;
  }
  const ir::Op *op = idx->def;
  if (!op || (op->kind != OpKind::Add && op->kind != OpKind::Sub))
    return false;
  const ir::Value *a = op->operand(0), *b = op->operand(1);
  if (op->kind == OpKind::Add && a != iv)
    std::swap(a, b);
  if (a != iv || !b->def || b->def->kind != OpKind::Const)
    return false;
  c = op->kind == OpKind::Add ? b->def->ival : -b->def->ival;
  return true;
}

} // namespace

std::vector<std::vector<const ir::Op *>> FnLowering::loopPieces(const ir::Op &op) const {
  if (op.kind != OpKind::For || M.options().checkNonFinite || op.regions.size() != 1)
    return {};
  const ir::Block &body = *op.region(0);
  if (!quietBody(body, own) ||
      !std::all_of(body.ops.begin(), body.ops.end(), [](const auto &o) { return cheapOp(*o); }))
    return {};
  const ir::Value *iv = body.args.at(0);
  const ir::Op *yield = body.terminator();
  std::map<int64_t, std::vector<const ir::Op *>, std::greater<>> byOffset;
  bool conflict = false; // some vector gets additions at two offsets
  for (size_t k = 0; k + 1 < body.args.size(); ++k) {
    const ir::Value *arg = body.args[k + 1], *v = yield->operand(static_cast<unsigned>(k));
    if (arg->type.isScalar()) {
      if (v != arg)
        return {};
      continue;
    }
    if (arg->type.isTape || arg->type.rank() != 1 ||
        !own.mayConsume(op, static_cast<unsigned>(k + 2)) ||
        !own.keepsBuffer(op, static_cast<unsigned>(k)))
      return {};
    // From the yielded value back to the argument: additions, each read only by the next.
    int64_t first = 0;
    bool any = false;
    while (v != arg) {
      const ir::Op *u = v->def;
      int64_t c = 0;
      if (!u || u->kind != OpKind::UpdateAdd || u->parent != &body || u->operands.size() != 3 ||
          !offsetOf(u->operand(2), iv, c) || own.usesOf(v).size() != 1)
        return {};
      conflict = conflict || (any && c != first);
      first = any ? first : c;
      any = true;
      byOffset[c].push_back(u);
      v = u->operand(0);
    }
    if (own.usesOf(arg).size() != 1)
      return {};
  }
  if (!conflict)
    return {};
  std::vector<std::vector<const ir::Op *>> pieces;
  for (auto &[c, ups] : byOffset)
    pieces.push_back(std::move(ups));
  return pieces;
}

void FnLowering::lowerForSplit(const ir::Op *with, const ir::Op &op) {
  std::vector<std::vector<const ir::Op *>> pieces = loopPieces(op);
  if (pieces.empty()) {
    if (with)
      lowerForGroup({with, &op});
    else
      lowerForGroup({&op});
    return;
  }
  // Every piece updates the same buffers in place (keepsBuffer), so each starts where the one
  // before it ended; a paired loop runs with the first.
  for (size_t p = 0; p < pieces.size(); ++p) {
    skipUpdates_.clear();
    for (size_t q = 0; q < pieces.size(); ++q)
      if (q != p)
        skipUpdates_.insert(pieces[q].begin(), pieces[q].end());
    if (p == 0 && with)
      lowerForGroup({with, &op});
    else
      lowerForGroup({&op});
  }
  skipUpdates_.clear();
}

} // namespace diffc::codegen
