// Loop-invariant code motion. An op moved in front of a loop runs even when the loop runs zero
// times, so only ops that cannot fail at run time move: no indexing (but reads at indices that
// are in range by construction, see indexInBounds), no integer arithmetic
// (overflow, division by zero), no conversion to i64, no reductions that reject empty tensors, no
// calls, and no result shape that could be negative for some sizes.
//
// One exception: a loop nest that only counts (integer scalars through +, -, *, comparisons and
// nested loops, no memory) and depends on nothing the loop changes, such as the replay of the
// GMM's packed-triangle index `idx` that the reverse sweep runs for every point and component to
// find where the index ended. It moves in front of a `for` loop guarded by the loop running, so
// it runs exactly the computation the loop's first iteration would have run, once.
#include "passes/Rewrite.h"
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

bool scalarCount(const Type &t) {
  return !t.isTape && t.isScalar() && (t.elem == ElemType::I64 || t.elem == ElemType::Bool);
}

/// A `for` (or an `if` guarding one, once moved) computing integer scalars from integer scalars
/// only: +, -, * (which the interpreter fails beyond 2^53, so it needs the guard), comparisons,
/// select and such nested loops. No reads, no division.
bool countingNest(const Op &op, bool top = true) {
  bool nest = op.kind == OpKind::For || op.kind == OpKind::If;
  if (top && !nest)
    return false;
  if (!nest)
    switch (op.kind) {
    case OpKind::Const:
    case OpKind::DimValue:
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Neg:
    case OpKind::Select:
    case OpKind::Yield:
      break;
    default:
      if (opClass(op.kind) != OpClass::Compare)
        return false;
    }
  if (top && op.results.empty())
    return false;
  for (const Value *r : op.results)
    if (!scalarCount(r->type))
      return false;
  for (const Value *o : op.operands)
    if (!scalarCount(o->type))
      return false;
  for (const auto &r : op.regions)
    for (const auto &inner : r->ops)
      if (!countingNest(*inner, false))
        return false;
  return true;
}

/// Values op reads (its operands and those of the ops in its regions) that it does not define.
void freeValues(const Op &op, std::unordered_set<const Value *> &defs,
                std::vector<const Value *> &out) {
  for (const Value *v : op.operands)
    if (!defs.count(v))
      out.push_back(v);
  for (const auto &r : op.regions) {
    for (const Value *a : r->args)
      defs.insert(a);
    for (const auto &inner : r->ops) {
      freeValues(*inner, defs, out);
      for (const Value *v : inner->results)
        defs.insert(v);
    }
  }
}

/// Moves counting nest `inner` of loop `loop`'s body into `out`, as `if lo < hi { inner } else
/// { 0... }`; records the if's results as the replacements of inner's.
void hoistGuarded(Function &fn, const Op &loop, std::unique_ptr<Op> inner, Block &out,
                  Replacements &repl, std::unordered_set<const Op *> &keep) {
  Builder b(fn);
  b.setInsertionBlock(&out);
  b.setLoc(inner->loc);
  b.setOrigin(inner->origin);
  Value *runs = b.value(OpKind::Lt, {loop.operands[0], loop.operands[1]}, Type(ElemType::Bool));
  std::vector<Type> types;
  for (const Value *r : inner->results)
    types.push_back(r->type);
  Op *guard = b.create(OpKind::If, {runs}, types);
  Block *then = b.addRegion(guard, {});
  Op *moved = inner.get();
  moved->parent = then;
  then->ops.push_back(std::move(inner));
  b.setInsertionBlock(then);
  keep.insert(b.create(OpKind::Yield,
                       std::vector<Value *>(moved->results.begin(), moved->results.end()), {}));
  b.setInsertionBlock(b.addRegion(guard, {}));
  std::vector<Value *> zeros; // the loop does not run: nothing reads these
  for (const Type &t : types)
    zeros.push_back(t.elem == ElemType::Bool
                        ? b.value(OpKind::Lt, {b.constI64(0), b.constI64(0)}, Type(ElemType::Bool))
                        : b.constI64(0));
  b.create(OpKind::Yield, zeros, {});
  for (size_t i = 0; i < types.size(); ++i) {
    guard->results[i]->name = moved->results[i]->name;
    repl[moved->results[i]] = guard->results[i];
  }
}

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

/// replaceUses, but for the operands of the ops in `keep` (a guard's yield of the moved nest).
void replaceExcept(Block &b, const Replacements &repl, const std::unordered_set<const Op *> &keep) {
  for (auto &op : b.ops) {
    if (!keep.count(op.get()))
      for (Value *&v : op->operands)
        v = resolve(repl, v);
    for (auto &r : op->regions)
      replaceExcept(*r, repl, keep);
  }
}

bool hoistBlock(Function &fn, Block &b, Replacements &repl, std::unordered_set<const Op *> &keep) {
  bool changed = false;
  std::vector<std::unique_ptr<Op>> ops = std::move(b.ops);
  b.ops.clear();
  for (auto &op : ops) {
    for (auto &r : op->regions)
      changed |= hoistBlock(fn, *r, repl, keep); // inner loops first: their invariants land here
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
          bool guarded = false;
          if (!invariant && op->kind == OpKind::For && countingNest(*inner)) {
            std::unordered_set<const Value *> defs;
            std::vector<const Value *> free;
            freeValues(*inner, defs, free);
            guarded = true;
            for (const Value *v : free)
              guarded = guarded && !inside.count(v);
          }
          if (!invariant && !guarded) {
            kept.push_back(std::move(inner));
            continue;
          }
          if (guarded) {
            Block out;
            out.function = &fn;
            hoistGuarded(fn, *op, std::move(inner), out, repl, keep);
            for (auto &g : out.ops) {
              g->parent = &b;
              b.ops.push_back(std::move(g));
            }
            changed = true;
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

bool hoistLoopInvariants(Function &fn) {
  Replacements repl;
  std::unordered_set<const Op *> keep;
  bool changed = hoistBlock(fn, *fn.body, repl, keep);
  if (!repl.empty())
    replaceExcept(*fn.body, repl, keep);
  return changed;
}

} // namespace diffc::passes
