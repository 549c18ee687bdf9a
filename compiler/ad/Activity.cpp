#include "ad/Activity.h"

namespace diffc::ad {

using namespace ir;

bool differentiable(const Type &t) { return isFloat(t.elem); }

namespace {

/// Calls f(a, b) for every pair of values that must share activity because one is carried into
/// the other: loop inits, region arguments, yields and results of structured ops.
template <typename F> void forCarriedPairs(const Op &op, F &&f) {
  switch (op.kind) {
  case OpKind::If:
    for (size_t k = 0; k < op.results.size(); ++k)
      for (const auto &r : op.regions)
        if (Op *y = r->terminator(); y && k < y->operands.size())
          f(y->operands[k], op.results[k]);
    return;
  case OpKind::For:
  case OpKind::While: {
    // Carried value k flows from its init and from the body's yield into its argument in every
    // region (a while's condition sees it too) and into the loop's result.
    Op *y = loopBody(op).terminator();
    for (size_t k = 0; k < op.results.size(); ++k) {
      const Value *init = op.operands[carriedOperandBase(op) + k];
      auto reach = [&](const Value *to) {
        f(init, to);
        if (y && k < y->operands.size())
          f(y->operands[k], to);
      };
      for (const auto &r : op.regions)
        reach(r->args[carriedArgBase(op) + k]);
      reach(op.results[k]);
    }
    return;
  }
  default:
    return;
  }
}

} // namespace

const Value *Activity::tapeClass(const Value *v) const {
  auto it = parent_.find(v);
  if (it == parent_.end() || it->second == v)
    return v;
  const Value *root = tapeClass(it->second);
  parent_[v] = root;
  return root;
}

void Activity::unite(const Value *a, const Value *b) {
  const Value *ra = tapeClass(a), *rb = tapeClass(b);
  if (ra != rb)
    parent_[ra] = rb;
}

bool Activity::active(const Value *v) const {
  if (!v || !differentiable(v->type))
    return false;
  if (v->type.isTape)
    return activeTapes_.count(tapeClass(v)) != 0;
  return active_.count(v) != 0;
}

bool Activity::mark(const Value *v) {
  if (!v || !differentiable(v->type) || active(v))
    return false;
  if (v->type.isTape)
    activeTapes_.insert(tapeClass(v));
  else
    active_.insert(v);
  return true;
}

bool Activity::step(const Op &op) {
  bool changed = false;
  auto anyActive = [&](size_t from) {
    for (size_t i = from; i < op.operands.size(); ++i)
      if (active(op.operands[i]))
        return true;
    return false;
  };
  auto markResults = [&]() {
    for (const Value *r : op.results)
      changed |= mark(r);
  };
  switch (op.kind) {
  // No derivative flows through these.
  case OpKind::Const:
  case OpKind::DimValue:
  case OpKind::Eye:
  case OpKind::StopGradient:
  case OpKind::Argmax:
  case OpKind::TapeNew:
  case OpKind::Yield:
  case OpKind::Return:
    break;
  case OpKind::TapePush:
    if (anyActive(0))
      markResults();
    break;
  case OpKind::TapePop:
    if (active(op.operands[0]))
      markResults();
    break;
  case OpKind::If:
  case OpKind::For:
  case OpKind::While:
    forCarriedPairs(op, [&](const Value *from, const Value *to) {
      if (active(from))
        changed |= mark(to);
      else if (active(to) && from->type.isTape)
        changed |= mark(from);
    });
    break;
  case OpKind::Map:
    if (Op *y = op.region(0)->terminator(); y && !y->operands.empty() && active(y->operands[0]))
      markResults();
    break;
  default:
    if (anyActive(0))
      markResults();
    break;
  }
  return changed;
}

Activity::Activity(const Function &fn, const std::vector<const Value *> &seeds) {
  // Tapes connected by push/pop or carried through control flow form one class.
  walk(*fn.body, [&](const Op &op) {
    if (op.kind == OpKind::TapePush || op.kind == OpKind::TapePop)
      unite(op.operands[0], op.results[0]);
    forCarriedPairs(op, [&](const Value *a, const Value *b) {
      if (a->type.isTape && b->type.isTape)
        unite(a, b);
    });
  });
  for (const Value *s : seeds)
    mark(s);
  for (bool changed = true; changed;) {
    changed = false;
    walk(*fn.body, [&](const Op &op) { changed |= step(op); });
  }
}

} // namespace diffc::ad
