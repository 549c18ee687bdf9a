// Loop-carried integers the reverse sweep runs backwards instead of storing. A counter such as
// the packed-triangle index of the GMM's qdiff (`idx += 1` inside a triangular loop nest) is
// needed at every iteration of the reverse loop; storing it costs a push and a pop per iteration
// and a tape per enclosing iteration. But an update by a known amount can be undone: the reverse
// loop carries the counter, starting from the forward loop's final value, and each reverse
// iteration gets the value of its forward iteration by subtracting the amount again.
//
//   for i .. iter(%idx.4 = %idx.2) { ... %idx.5 = add %idx.4, %c; yield %idx.5 }
//   reverses into
//   for j .. iter(%idx.5 = <the loop's result>) { %idx.4 = sub %idx.5, %c; ...; yield %idx.4 }
//
// An induction is a chain from the value the body yields back to the carried block argument.
// Each step adds or subtracts an amount independent of the chain (defined outside the loop, a
// constant, the loop index or index arithmetic on those), or is a nested loop whose own slot is
// an induction: its reverse loop ends with the value the chain had before it (its init), so the
// outer qdiff loop `idx` goes through the inner loop's reverse. Values before a nested step are
// only known once that loop's reverse has run, so they may be used by the chain alone.
//
// The analysis is structural and the same in both runs; whether an induction is carried depends
// on the dry run: it is when the reverse sweep needs one of its values, or when it is a nested
// step of another one (whose reverse is then always emitted, adjoints or not).
#include "ad/Reverse.h"

#include "ad/Prepare.h"

#include "support/Diagnostics.h"

#include <functional>

namespace diffc::ad::rev {

using namespace ir;

namespace {

bool isLoop(const Op &op) { return op.kind == OpKind::For || op.kind == OpKind::While; }

/// Whether c has the same value at every iteration of loop, or is the loop's index or index
/// arithmetic on such values: what the reverse loop can compute without the chain.
bool amountOk(const Value *c, const Op &loop, int depth = 0) {
  if (c->type != Type::i64())
    return false;
  const Block *db = defBlock(c);
  if (!isInside(db, &loop))
    return true;
  const Block &body = loopBody(loop);
  if (db != &body || depth > 8)
    return false;
  if (!c->def)
    return loop.kind == OpKind::For && c == body.args[0];
  switch (c->def->kind) {
  case OpKind::Const:
  case OpKind::DimValue:
    return true;
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Neg:
    for (const Value *o : c->def->operands)
      if (!amountOk(o, loop, depth + 1))
        return false;
    return true;
  default:
    return false;
  }
}

std::vector<const Value *> chainValues(const Induction &ind) {
  std::vector<const Value *> vs{ind.arg, ind.yielded};
  for (const auto &st : ind.steps)
    vs.push_back(st.before);
  return vs;
}

} // namespace

void Reverse::findInductions() {
  std::unordered_map<const Value *, std::vector<const Op *>> uses;
  std::vector<const Op *> loops;
  walk(*src_.body, [&](const Op &op) {
    for (const Value *o : op.operands)
      uses[o].push_back(&op);
    if (isLoop(op))
      loops.push_back(&op);
  });
  std::map<SlotKey, bool> memo;
  std::function<bool(const Op &, size_t)> analyze = [&](const Op &loop, size_t k) -> bool {
    auto [it, fresh] = memo.try_emplace({&loop, k}, false);
    if (!fresh)
      return it->second;
    const Block &body = loopBody(loop);
    if (k + carriedArgBase(loop) >= body.args.size() || k >= body.terminator()->operands.size())
      return false;
    Induction ind;
    ind.arg = body.args[k + carriedArgBase(loop)];
    ind.yielded = body.terminator()->operands[k];
    if (ind.arg->type != Type::i64())
      return false;
    bool lazy = false; // past a nested step: values set only after that loop's reverse
    for (const Value *cur = ind.yielded; cur != ind.arg;) {
      if (!cur->def || defBlock(cur) != &body || ind.steps.size() > 256)
        return false;
      const Op &d = *cur->def;
      Induction::Step st;
      st.after = cur;
      if ((d.kind == OpKind::Add || d.kind == OpKind::Sub) && cur->type == Type::i64()) {
        st.add = d.kind == OpKind::Add;
        if (amountOk(d.operands[1], loop)) {
          st.before = d.operands[0];
          st.amount = d.operands[1];
        } else if (st.add && amountOk(d.operands[0], loop)) {
          st.before = d.operands[1];
          st.amount = d.operands[0];
        } else {
          return false;
        }
      } else if (isLoop(d) && d.ival != kRecomputeLoop && analyze(d, cur->index)) {
        // (A recompute loop's reverse runs it forwards again from its init: not a step.)
        st.loop = &d;
        st.slot = cur->index;
        st.before = d.operands[carriedOperandBase(d) + cur->index];
        lazy = true;
      } else {
        return false;
      }
      // A value known only after a nested loop's reverse has run may feed the chain alone
      // (once: not as a bound of the loop, which its reverse reads first).
      if (lazy && uses[st.before].size() != 1)
        return false;
      ind.steps.push_back(st);
      cur = st.before;
    }
    for (const auto &st : ind.steps)
      if (st.loop)
        stepSlots_.insert({st.loop, st.slot});
    inductions_[{&loop, k}] = std::move(ind);
    memo[{&loop, k}] = true;
    return true;
  };
  for (const Op *loop : loops)
    for (size_t k = 0; k < loop->results.size(); ++k)
      analyze(*loop, k);
  for (const SlotKey &key : stepSlots_)
    stepLoops_.insert(key.first);
}

void Reverse::chooseInductions() {
  for (const auto &[key, ind] : inductions_) {
    bool carried = stepSlots_.count(key) != 0;
    for (const Value *v : chainValues(ind))
      carried = carried || needed(v);
    if (!carried)
      continue;
    carried_.insert(key);
    for (const Value *v : chainValues(ind))
      inductionVals_.insert(v);
  }
}

const Induction *Reverse::carriedInduction(const Op &op, size_t k) const {
  auto it = inductions_.find({&op, k});
  if (it == inductions_.end())
    return nullptr;
  if (!dry() && !carried_.count({&op, k}))
    return nullptr;
  return &it->second;
}

bool Reverse::recordInduction(Scope &s, const Op &op, size_t k) {
  const Induction &ind = inductions_.at({&op, k});
  bool carried = stepSlots_.count({&op, k}) != 0;
  for (const Value *v : chainValues(ind))
    carried = carried || recorded_.count(v);
  if (!carried)
    return false;
  for (const auto &st : ind.steps)
    if (st.amount)
      lookup(s, st.amount);
  return true;
}

Value *Reverse::inductionAmount(Scope &s, const Value *c) {
  if (auto it = s.vals.find(c); it != s.vals.end())
    return it->second;
  if (!c->def || defBlock(c) != s.block)
    return lookup(s, c);
  for (const Value *o : c->def->operands)
    inductionAmount(s, o);
  return recompute(s, c);
}

void Reverse::runInduction(Scope &s, const Induction &ind, Value *after) {
  s.vals[ind.yielded] = after;
  walkInduction(s, ind, 0);
}

void Reverse::walkInduction(Scope &s, const Induction &ind, size_t from) {
  for (size_t i = from; i < ind.steps.size(); ++i) {
    const Induction::Step &st = ind.steps[i];
    if (st.loop) {
      pendingStep_[st.loop] = {&ind, i, &s};
      return;
    }
    Value *after = s.vals.at(st.after);
    Value *c = inductionAmount(s, st.amount);
    Value *before = st.add ? e_.sub(after, c) : e_.add(after, c);
    if (before->name.empty() && before->def && before->def->kind != OpKind::Const)
      before->name = st.before->name;
    s.vals[st.before] = before;
  }
}

void Reverse::inductionLoopDone(Scope &s, const Op &loop, size_t slot, Value *init) {
  auto it = pendingStep_.find(&loop);
  if (it == pendingStep_.end())
    return;
  auto [ind, i, scope] = it->second;
  if (scope != &s || ind->steps[i].slot != slot)
    return;
  pendingStep_.erase(it);
  s.vals[ind->steps[i].before] = init;
  walkInduction(s, *ind, i + 1);
}

} // namespace diffc::ad::rev
