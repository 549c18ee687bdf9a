// The reverse of structured control flow. An `if` reverses into an `if` on the same condition,
// so an untaken branch contributes nothing (not zero times something that may be NaN). A `for`
// reverses into a `for` over the same range run backwards (i = lo + hi - 1 - j), a `while` into
// a `for` over its counted iterations. Each carries the adjoints of its loop-carried values,
// the adjoints of the outer values its body uses (accumulated in place, e.g. update_add for
// indexed reads) and the tapes its body pops.
//
// A `for` whose reverse iterations do not depend on each other runs forwards instead (i = j):
// nothing popped, no induction run backwards, and every carried adjoint passed on unchanged
// (`acc += f(x[i])` leaves d_acc as it is), so each iteration only adds to the adjoints of outer
// values. The order of those additions is the reverse sweep's own choice; running forwards, the
// loop has the same index as the forward sweep's loop over the same range, which codegen then
// runs as one loop (LoopPairing.cpp) where both halves share their reads and arithmetic, like a
// hand-written gradient.
#include "ad/Reverse.h"

#include "ad/Prepare.h"
#include "ad/Rules.h"
#include "support/Diagnostics.h"

#include <algorithm>

namespace diffc::ad::rev {

using namespace ir;

const std::vector<const Value *> &Reverse::activeFree(const Op &op) {
  auto [it, fresh] = free_.try_emplace(&op);
  if (!fresh)
    return it->second;
  std::vector<const Value *> out;
  auto consider = [&](const Value *o) {
    if (act_.active(o) && !o->type.isTape && !isInside(defBlock(o), &op) &&
        std::find(out.begin(), out.end(), o) == out.end())
      out.push_back(o);
  };
  for (size_t r = op.kind == OpKind::While ? 1 : 0; r < op.regions.size(); ++r)
    walk(*op.regions[r], [&](const Op &inner) {
      for (const Value *o : inner.operands)
        consider(o);
    });
  std::sort(out.begin(), out.end(), [](const Value *a, const Value *b) { return a->id < b->id; });
  it->second = std::move(out);
  return it->second;
}

void Reverse::reverseIf(const Op &op, Scope &s, const std::vector<Value *> &dys) {
  const auto &tapes = tapesIn(op);
  Op *n = b_.create(OpKind::If, {lookup(s, op.operands[0])}, {});
  Block *outer = b_.insertionBlock();
  std::vector<std::unique_ptr<Scope>> scopes;
  std::vector<Block *> blocks;
  for (const auto &r : op.regions) {
    blocks.push_back(b_.addRegion(n, {}));
    scopes.push_back(std::make_unique<Scope>(Scope{Scope::Kind::Reverse, &s, r.get(), {}, {}, {}}));
    Scope &bs = *scopes.back();
    b_.setInsertionBlock(blocks.back());
    materialize(bs);
    const Op *y = r->terminator();
    for (size_t k = 0; k < dys.size(); ++k)
      if (dys[k])
        accumulate(bs, y->operands[k], dys[k], isMasked(dys[k]));
    reverseOps(*r, bs);
  }
  // The outer adjoints either branch changed become the reverse if's results.
  std::vector<const Value *> changed;
  for (size_t r = 0; r < scopes.size(); ++r)
    for (const auto &[v, a] : scopes[r]->adj)
      if (defBlock(v) != op.regions[r].get() &&
          std::find(changed.begin(), changed.end(), v) == changed.end())
        changed.push_back(v);
  std::sort(changed.begin(), changed.end(),
            [](const Value *a, const Value *b) { return a->id < b->id; });
  std::vector<bool> masked(changed.size(), false);
  for (size_t r = 0; r < scopes.size(); ++r) {
    b_.setInsertionBlock(blocks[r]);
    std::vector<Value *> ys;
    for (size_t i = 0; i < changed.size(); ++i) {
      const Value *v = changed[i];
      auto it = scopes[r]->adj.find(v);
      Value *a = it != scopes[r]->adj.end() ? it->second : orZeros(findAdj(s, v), v->type);
      masked[i] = masked[i] || isMasked(a);
      ys.push_back(a);
    }
    for (const Value *t : tapes)
      ys.push_back(curTape(*scopes[r], t));
    b_.create(OpKind::Yield, ys, {});
  }
  b_.setInsertionBlock(outer);
  for (size_t i = 0; i < changed.size(); ++i)
    setAdj(s, changed[i], addResult(dst_, n, changed[i]->type, derivName("d_", changed[i])),
           masked[i]);
  for (const Value *t : tapes)
    s.tape[t] = addResult(dst_, n, curTape(s, t)->type, curTape(s, t)->name);
}

void Reverse::reverseLoop(const Op &op, Scope &s, const std::vector<Value *> &dys) {
  bool isFor = op.kind == OpKind::For;
  const Block &body = loopBody(op);
  size_t argBase = carriedArgBase(op), operandBase = carriedOperandBase(op);
  std::vector<size_t> slots; // carried values that can carry a derivative
  for (size_t k = 0; k < op.results.size(); ++k)
    if (act_.active(op.results[k]))
      slots.push_back(k);
  const auto &freeVals = activeFree(op);
  const auto &tapes = tapesIn(op);
  std::vector<size_t> ints; // inductions carried backwards (ReverseInduction.cpp)
  for (size_t k = 0; k < op.results.size(); ++k)
    if (carriedInduction(op, k))
      ints.push_back(k);

  // Bounds: the same range; a while runs as many times as its forward counter says.
  Value *lo = isFor ? lookup(s, op.operands[0]) : e_.i64(0);
  Value *hi = isFor ? lookup(s, op.operands[1]) : lookup(s, whileCount(op));
  Value *last = nullptr;
  if (isFor && needed(body.args[0]))
    last = e_.sub(e_.add(lo, hi), e_.i64(1));

  // Carried: adjoints of the carried values, of the outer values the body uses, the tapes.
  std::vector<Value *> operands{lo, hi};
  std::vector<std::string> names{"j"};
  for (size_t k : slots) {
    operands.push_back(orZeros(dys[k], op.results[k]->type));
    names.push_back(derivName("d_", body.args[k + argBase]));
  }
  for (const Value *f : freeVals) {
    operands.push_back(orZeros(findAdj(s, f), f->type));
    names.push_back(derivName("d_", f));
  }
  for (const Value *t : tapes) {
    operands.push_back(curTape(s, t));
    names.push_back(operands.back()->name);
  }
  // An induction starts from the loop's final value (the dry run decides later whether it is
  // carried, see recordInduction, and looks the value up only then).
  for (size_t k : ints) {
    const Value *y = carriedInduction(op, k)->yielded;
    operands.push_back(dry() ? dst_.newValue(Type::i64(), y->name) : lookup(s, op.results[k]));
    names.push_back(y->name);
  }
  std::vector<bool> dryCarried(ints.size());
  std::vector<Type> types;
  for (size_t i = 2; i < operands.size(); ++i)
    types.push_back(operands[i]->type);
  size_t nAdj = slots.size() + freeVals.size();
  std::vector<bool> masked(nAdj);
  for (size_t i = 0; i < nAdj; ++i)
    masked[i] = isMasked(operands[2 + i]);

  Block *outer = b_.insertionBlock();
  // Forwards if the iterations turn out independent (checked on the loop built that way).
  bool forwards = isFor && !dry() && tapes.empty() && ints.empty();
  // Builds the reverse loop with the given adjoints marked as possibly masked; returns which
  // yielded adjoints are, and whether every carried adjoint is yielded unchanged. When a yield is
  // masked but its argument was not, the loop is built again with that argument marked (so
  // products in the body are guarded).
  auto build = [&](std::vector<bool> &yieldMasked, bool &carriedSame) -> Op * {
    Op *n = b_.create(OpKind::For, operands, types);
    std::vector<Type> argTypes{Type::i64()};
    argTypes.insert(argTypes.end(), types.begin(), types.end());
    names[0] = forwards ? body.args[0]->name : "j";
    Block *blk = b_.addRegion(n, argTypes, names);
    b_.setInsertionBlock(blk);
    Scope ls{Scope::Kind::Reverse, &s, &body, {}, {}, {}};
    for (size_t i = 0; i < nAdj; ++i)
      if (masked[i])
        masked_.insert(blk->args[1 + i]);
    for (size_t j = 0; j < freeVals.size(); ++j)
      ls.adj[freeVals[j]] = blk->args[1 + slots.size() + j];
    for (size_t j = 0; j < tapes.size(); ++j)
      ls.tape[tapes[j]] = blk->args[1 + nAdj + j];
    if (forwards) {
      ls.vals[body.args[0]] = blk->args[0];
    } else if (last) {
      Value *i = e_.sub(last, blk->args[0]);
      i->name = body.args[0]->name;
      ls.vals[body.args[0]] = i;
    }
    if (!dry())
      for (size_t j = 0; j < ints.size(); ++j)
        runInduction(ls, *carriedInduction(op, ints[j]), blk->args[1 + nAdj + tapes.size() + j]);
    materialize(ls);
    // The adjoints of what this iteration yielded, then the body backwards.
    const Op *y = body.terminator();
    for (size_t j = 0; j < slots.size(); ++j)
      accumulate(ls, y->operands[slots[j]], blk->args[1 + j], masked[j]);
    reverseOps(body, ls);
    std::vector<Value *> ys;
    for (size_t k : slots) {
      const Value *arg = body.args[k + argBase];
      ys.push_back(orZeros(findAdj(ls, arg), arg->type));
    }
    for (const Value *f : freeVals)
      ys.push_back(findAdj(ls, f));
    for (size_t i = 0; i < nAdj; ++i)
      yieldMasked[i] = isMasked(ys[i]);
    carriedSame = true;
    for (size_t j = 0; j < slots.size(); ++j)
      carriedSame = carriedSame && ys[j] == blk->args[1 + j];
    for (const Value *t : tapes)
      ys.push_back(curTape(ls, t));
    for (size_t j = 0; j < ints.size(); ++j) {
      const Value *arg = carriedInduction(op, ints[j])->arg;
      if (dry()) {
        dryCarried[j] = recordInduction(ls, op, ints[j]);
        ys.push_back(blk->args[1 + nAdj + tapes.size() + j]);
      } else if (auto it = ls.vals.find(arg); it != ls.vals.end()) {
        ys.push_back(it->second);
      } else {
        throw InternalError("reverse: induction %" + arg->name + " was not run backwards");
      }
    }
    b_.create(OpKind::Yield, ys, {});
    b_.setInsertionBlock(outer);
    return n;
  };
  Op *n = nullptr;
  for (int attempt = 0;; ++attempt) {
    std::vector<bool> yieldMasked(nAdj);
    bool carriedSame = false;
    n = build(yieldMasked, carriedSame);
    bool grew = false;
    for (size_t i = 0; i < nAdj; ++i)
      if (yieldMasked[i] && !masked[i])
        masked[i] = grew = true;
    // An iteration that changes a carried adjoint depends on the ones after it: run backwards.
    bool reorder = forwards && !carriedSame;
    if (reorder)
      forwards = false;
    if (!reorder && (!grew || attempt >= 2))
      break;
    if (outer->ops.back().get() != n)
      throw InternalError("reverse: loop rebuilt out of order");
    outer->ops.pop_back();
  }

  size_t a = 0;
  std::vector<std::pair<const Value *, Value *>> inits;
  for (size_t k : slots) {
    inits.push_back({op.operands[operandBase + k], n->results[a]});
    if (masked[a])
      masked_.insert(n->results[a]);
    ++a;
  }
  for (size_t j = 0; j < freeVals.size(); ++j, ++a)
    setAdj(s, freeVals[j], n->results[a], masked[a]);
  for (const Value *t : tapes)
    s.tape[t] = n->results[a++];
  for (size_t j = 0; j < ints.size(); ++j, ++a) {
    if (dry() && dryCarried[j])
      lookup(s, op.results[ints[j]]);
    else if (!dry()) {
      n->results[a]->name = carriedInduction(op, ints[j])->arg->name;
      inductionLoopDone(s, op, ints[j], n->results[a]);
    }
  }
  for (auto &[init, d] : inits)
    accumulate(s, init, d, isMasked(d));
}

void Reverse::reverseRecompute(const Op &op, Scope &s, const std::vector<Value *> &dys) {
  // The forward sweep of this loop again, from the values it started from (which the enclosing
  // scope stored: one snapshot per segment), now storing what its reverse needs. Its tapes come
  // from the root, threaded through the loops around it, and are empty again after its reverse,
  // so every segment reuses the same storage: the tapes hold one segment, not the whole loop.
  const Op *saved = recomputing_;
  bool wasReverse = inReverse_;
  recomputing_ = &op;
  inReverse_ = false;
  forwardLoop(op, s);
  inReverse_ = wasReverse;
  recomputing_ = saved;
  reverseLoop(op, s, dys);
}

} // namespace diffc::ad::rev
