// The forward sweep of reverse mode: the primal ops copied in order, and, inside loops and
// branches, each value the reverse sweep needs pushed onto its own tape right after it is
// defined. The reverse side of the same bookkeeping (pops, recomputation) is materialize().
#include "ad/Reverse.h"

#include "ad/Prepare.h"

#include "support/Diagnostics.h"

#include <algorithm>
#include <functional>

namespace diffc::ad::rev {

using namespace ir;

namespace {

std::string tapeName(const Value *v) { return v->name.empty() ? "tape" : "tape_" + v->name; }

void sortById(std::vector<const Value *> &vs) {
  std::sort(vs.begin(), vs.end(), [](const Value *a, const Value *b) { return a->id < b->id; });
}

} // namespace

bool Reverse::isRootBlock(const Block *b) const {
  return b == src_.body.get() || (b->parentOp && b->parentOp->kind == OpKind::Map);
}

bool Reverse::recomputable(const Value *v) const {
  if (!v->def) // the index of a for loop is recomputed from the reverse loop's counter
    return v->index == 0 && v->ownerBlock && v->ownerBlock->parentOp &&
           v->ownerBlock->parentOp->kind == OpKind::For;
  switch (v->def->kind) {
  case OpKind::Const:
  case OpKind::DimValue:
    return true;
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Neg:
  case OpKind::Min:
  case OpKind::Max:
  case OpKind::Div:
    // Index arithmetic (`i - 1`) is cheaper to redo than to store.
    if (v->type == Type::i64())
      return true;
    [[fallthrough]];
  case OpKind::Cast:
  case OpKind::Abs:
  case OpKind::Select:
  case OpKind::Eq:
  case OpKind::Ne:
  case OpKind::Lt:
  case OpKind::Le:
  case OpKind::Gt:
  case OpKind::Ge:
  case OpKind::Not:
  case OpKind::And:
  case OpKind::Or:
    // A few scalar instructions on values the reverse sweep has for free cost less than a push
    // and a pop (and the memory traffic of the tape between them).
    return v->type.isScalar() && operandsFree(*v->def, 0);
  case OpKind::Index:
    // A read of an element of a tensor that never changes while the loop runs (defined where
    // the reverse sweep keeps it anyway), at indices it can look up: Rosenbrock's x[i + 1]; or
    // of a row or slice of it (the GMM's x[n, :]), which costs a copy at most, as the push and
    // pop it replaces do. A read of a tensor the loop updates (carried, so defined in the body)
    // is stored instead.
    return operandsFree(*v->def, 0, 1);
  default:
    return false;
  }
}

bool Reverse::operandsFree(const Op &op, size_t from, size_t to) const {
  to = std::min(to, op.operands.size());
  for (size_t k = from; k < to; ++k) {
    const Value *o = op.operands[k];
    auto [it, fresh] = freeOperand_.try_emplace(o, false);
    if (fresh)
      it->second = isRootBlock(defBlock(o)) || recomputable(o);
    if (!it->second)
      return false;
  }
  return true;
}

bool Reverse::cheapFromNeeded(const Value *v) const {
  if (!v->def || !v->type.isScalar() || !v->type.isFloat())
    return false;
  const Op &op = *v->def;
  switch (op.kind) {
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Neg:
  case OpKind::Min:
  case OpKind::Max:
  case OpKind::Div:
  case OpKind::Abs:
  case OpKind::Sqrt:
  case OpKind::Cast:
    break;
  case OpKind::Sum:
  case OpKind::Norm: {
    // Of a tensor of a few elements only (a velocity's speed), so that recomputing it costs
    // O(1) per iteration like the push and pop it replaces.
    int64_t n = 1;
    for (const Dim &d : op.operand(0)->type.shape) {
      if (!d.isConstant())
        return false;
      n *= d.constantValue();
    }
    if (n > 16)
      return false;
    break;
  }
  default:
    return false;
  }
  for (const Value *o : op.operands)
    if (!availableAt(o, defBlock(v)))
      return false;
  return true;
}

bool Reverse::availableAt(const Value *o, const Block *blk) const {
  // Kept at a root, or needed by the reverse sweep anyway (so stored or recomputed at the start
  // of its block's reverse, before anything defined after it).
  if (isRootBlock(defBlock(o)) || needed(o))
    return true;
  // Or recomputable on demand in the same reverse block from values available there.
  if (!o->def || defBlock(o) != blk || !recomputable(o))
    return false;
  auto [it, fresh] = availableAt_.try_emplace(o, false);
  if (fresh) {
    bool all = true;
    for (const Value *p : o->def->operands)
      all = all && availableAt(p, blk);
    it->second = all;
  }
  return it->second;
}

Value *Reverse::recompute(Scope &s, const Value *v) {
  if (auto it = s.vals.find(v); it != s.vals.end())
    return it->second;
  // Operands recomputable in this block that nothing else needed are recomputed first.
  for (const Value *o : v->def->operands)
    if (defBlock(o) == s.block && !s.vals.count(o) && !taped(o) && o->def && !needed(o))
      recompute(s, o);
  Op *c = clonePlain(b_, *v->def, lookupIn(s));
  s.vals[v] = c->results.at(v->index);
  return s.vals[v];
}

const void *Reverse::rootKey(const Block *b) const {
  while (!isRootBlock(b))
    b = b->parentOp->parent;
  return b;
}

const std::vector<const Value *> &Reverse::tapesIn(const Op &op) {
  auto [it, fresh] = tapesIn_.try_emplace(&op);
  if (!fresh)
    return it->second;
  const void *key = rootKey(op.parent);
  std::vector<const Value *> out;
  std::function<void(const Block &)> visit = [&](const Block &blk) {
    bool mine = rootKey(&blk) == key;
    for (const Value *a : blk.args)
      if (mine && taped(a))
        out.push_back(a);
    for (const auto &o : blk.ops) {
      for (const Value *r : o->results)
        if (mine && taped(r))
          out.push_back(r);
      for (const auto &r : o->regions)
        visit(*r);
    }
  };
  for (const auto &r : op.regions)
    visit(*r);
  sortById(out);
  it->second = std::move(out);
  return it->second;
}

void Reverse::createTapes(const void *key, Scope &s) {
  std::vector<const Value *> vs;
  for (const Value *v : taped_)
    if (rootKey(defBlock(v)) == key)
      vs.push_back(v);
  sortById(vs);
  for (const Value *v : vs)
    s.tape[v] = b_.value(OpKind::TapeNew, {}, tapeType(v), tapeName(v));
}

Type Reverse::tapeType(const Value *v) const {
  auto p = packed_.find(v);
  const Type &t = p != packed_.end() ? p->second.type : v->type;
  return Type(t.elem, t.shape, true);
}

Value *Reverse::curTape(Scope &s, const Value *v) {
  for (Scope *p = &s; p; p = p->parent)
    if (auto it = p->tape.find(v); it != p->tape.end())
      return it->second;
  throw InternalError("reverse: no tape for %" + v->name);
}

void Reverse::pushIfTaped(const Value *v, Scope &s) {
  if (!taped(v))
    return;
  Value *t = curTape(s, v);
  Value *x = packed_.count(v) ? packedNow_.at(v) : lookup(s, v);
  Op *push = b_.create(OpKind::TapePush, {t, x}, {t->type});
  push->note = "stored for reverse: " + byteSize(x->type, dst_) + " bytes per entry";
  push->result()->name = tapeName(v);
  s.tape[v] = push->result();
}

void Reverse::forwardOps(const Block &blk, Scope &s) {
  for (const auto &op : blk.ops)
    if (!isTerminator(op->kind))
      forwardOp(*op, s);
}

void Reverse::forwardOp(const Op &op, Scope &s) {
  b_.setLoc(op.loc);
  b_.setOrigin(op.origin);
  // A recompute loop stores nothing now: its reverse runs it again (reverseRecompute).
  bool deferred = op.kind == OpKind::For && op.ival == kRecomputeLoop && recomputing_ != &op;
  bool threaded = (op.kind == OpKind::For || op.kind == OpKind::While || op.kind == OpKind::If) &&
                  !deferred && !tapesIn(op).empty();
  if (op.kind == OpKind::Map && packed_.count(op.result())) {
    forwardPackedMap(op, s);
  } else if (threaded && op.kind == OpKind::If) {
    forwardIf(op, s);
  } else if (threaded) {
    forwardLoop(op, s);
  } else {
    Op *c = clonePlain(b_, op, lookupIn(s));
    if (deferred)
      c->ival = 0;
    for (size_t i = 0; i < op.results.size(); ++i)
      s.vals[op.results[i]] = c->results[i];
  }
  for (const Value *r : op.results)
    pushIfTaped(r, s);
}

void Reverse::forwardLoop(const Op &op, Scope &s) {
  const auto &tapes = tapesIn(op);
  bool isFor = op.kind == OpKind::For;
  std::vector<Value *> operands;
  for (const Value *o : op.operands)
    operands.push_back(lookup(s, o));
  std::vector<Type> types;
  for (const Value *r : op.results)
    types.push_back(r->type);
  for (const Value *t : tapes) {
    operands.push_back(curTape(s, t));
    types.push_back(operands.back()->type);
  }
  Op *n = b_.create(op.kind, operands, types);
  Block *outer = b_.insertionBlock();

  // A region copy whose arguments are the primal ones followed by the tapes.
  auto region = [&](const Block &srcBlk, Scope &rs) {
    std::vector<Type> argTypes;
    std::vector<std::string> names;
    for (const Value *a : srcBlk.args) {
      argTypes.push_back(a->type);
      names.push_back(a->name);
    }
    for (const Value *t : tapes) {
      argTypes.push_back(tapeType(t));
      names.push_back(tapeName(t));
    }
    Block *blk = b_.addRegion(n, argTypes, names);
    for (size_t i = 0; i < srcBlk.args.size(); ++i)
      rs.vals[srcBlk.args[i]] = blk->args[i];
    for (size_t j = 0; j < tapes.size(); ++j)
      rs.tape[tapes[j]] = blk->args[srcBlk.args.size() + j];
    b_.setInsertionBlock(blk);
  };

  if (!isFor) {
    const Block &cond = *op.region(0);
    Scope cs{Scope::Kind::Forward, &s, &cond, {}, {}, {}};
    region(cond, cs);
    for (const auto &o : cond.ops)
      if (!isTerminator(o->kind)) {
        Op *c = clonePlain(b_, *o, lookupIn(cs));
        for (size_t i = 0; i < o->results.size(); ++i)
          cs.vals[o->results[i]] = c->results[i];
      }
    b_.create(OpKind::Yield, {lookup(cs, cond.terminator()->operands.at(0))}, {});
  }
  const Block &body = loopBody(op);
  Scope fs{Scope::Kind::Forward, &s, &body, {}, {}, {}};
  region(body, fs);
  for (const Value *a : body.args)
    pushIfTaped(a, fs);
  forwardOps(body, fs);
  std::vector<Value *> ys;
  for (const Value *y : body.terminator()->operands)
    ys.push_back(lookup(fs, y));
  for (const Value *t : tapes)
    ys.push_back(curTape(fs, t));
  b_.create(OpKind::Yield, ys, {});
  b_.setInsertionBlock(outer);

  for (size_t i = 0; i < op.results.size(); ++i) {
    n->results[i]->name = op.results[i]->name;
    s.vals[op.results[i]] = n->results[i];
  }
  for (size_t j = 0; j < tapes.size(); ++j)
    s.tape[tapes[j]] = n->results[op.results.size() + j];
}

void Reverse::forwardIf(const Op &op, Scope &s) {
  const auto &tapes = tapesIn(op);
  std::vector<Type> types;
  for (const Value *r : op.results)
    types.push_back(r->type);
  for (const Value *t : tapes)
    types.push_back(curTape(s, t)->type);
  Op *n = b_.create(OpKind::If, {lookup(s, op.operands[0])}, types);
  Block *outer = b_.insertionBlock();
  for (const auto &r : op.regions) {
    Block *blk = b_.addRegion(n, {});
    Scope fs{Scope::Kind::Forward, &s, r.get(), {}, {}, {}};
    b_.setInsertionBlock(blk);
    forwardOps(*r, fs);
    std::vector<Value *> ys;
    for (const Value *y : r->terminator()->operands)
      ys.push_back(lookup(fs, y));
    for (const Value *t : tapes)
      ys.push_back(curTape(fs, t));
    b_.create(OpKind::Yield, ys, {});
  }
  b_.setInsertionBlock(outer);
  for (size_t i = 0; i < op.results.size(); ++i) {
    n->results[i]->name = op.results[i]->name;
    s.vals[op.results[i]] = n->results[i];
  }
  for (size_t j = 0; j < tapes.size(); ++j)
    s.tape[tapes[j]] = n->results[op.results.size() + j];
}

void Reverse::materialize(Scope &s) {
  if (dry())
    return;
  for (const Value *v : neededIn_[s.block]) {
    // Values of an induction not set yet come after a nested loop's reverse (runInduction).
    if (s.vals.count(v) || inductionProvided(v))
      continue;
    if (taped(v)) {
      Value *t = curTape(s, v);
      auto p = packed_.find(v);
      const Type &vt = p != packed_.end() ? p->second.type : v->type;
      Op *pop = b_.create(OpKind::TapePop, {t}, {t->type, vt});
      pop->results[0]->name = tapeName(v);
      // Named, so that the simplifier does not hand it the name of an adjoint equal to it.
      pop->results[1]->name = v->name.empty() ? "saved" : v->name;
      s.tape[v] = pop->results[0];
      s.vals[v] = pop->results[1];
      if (p != packed_.end()) {
        packedNow_[v] = pop->results[1];
        s.vals[v] = packedPart(pop->results[1], {}, nullptr);
      }
    } else if ((recomputable(v) || fromNeeded_.count(v)) && v->def) {
      recompute(s, v);
    } else {
      throw InternalError("reverse: needed value %" + v->name +
                          " is neither stored nor "
                          "recomputable");
    }
  }
}

} // namespace diffc::ad::rev
