#include "codegen/Ownership.h"

#include <algorithm>

namespace diffc::codegen {

using ir::OpKind;

namespace {
/// The part an index op takes is one contiguous run of its operand (row-major): points on the
/// leading axes, then any one axis, then whole axes.
bool contiguousPart(const ir::Op &op) {
  size_t rank = op.operand(0)->type.rank();
  size_t a = 0;
  auto mode = [&](size_t i) { return i < op.ints.size() ? op.ints[i] : ir::kFull; };
  while (a < rank && mode(a) == ir::kPoint)
    ++a;
  for (++a; a < rank; ++a)
    if (mode(a) != ir::kFull)
      return false;
  return true;
}
} // namespace

Ownership::Ownership(const ir::Function &fn) {
  collect(*fn.body);
  collectViews(*fn.body);
}

bool Ownership::isView(const ir::Op &op) const {
  if (op.kind == OpKind::StopGradient || op.kind == OpKind::Reshape)
    return true;
  if (op.kind != OpKind::Index || op.results.size() != 1 || op.operands.empty())
    return false;
  const ir::Value *x = op.operand(0);
  return op.result()->type.isTensor() && x->type.isTensor() && !consumable_.count(x) &&
         contiguousPart(op);
}

const std::vector<const ir::Op *> &Ownership::usesOf(const ir::Value *v) const {
  static const std::vector<const ir::Op *> none;
  auto it = uses_.find(v);
  return it == uses_.end() ? none : it->second;
}

bool Ownership::keepsBuffer(const ir::Op &forOp, unsigned k) const {
  if (forOp.kind != OpKind::For || forOp.regions.empty())
    return false;
  const ir::Block &body = *forOp.region(0);
  const ir::Op *term = body.terminator();
  if (k + 1 >= body.args.size() || !term || term->kind != OpKind::Yield ||
      k >= term->operands.size() || !body.args[k + 1]->type.isTensor())
    return false;
  const ir::Value *arg = body.args[k + 1];
  auto [it, fresh] = keeps_.try_emplace(arg, false);
  if (fresh)
    it->second = inPlaceFrom(term->operand(k), arg);
  return it->second;
}

/// v is arg's buffer: arg itself, or an in-place update of it, or the result of a loop that adopted
/// it and kept it.
bool Ownership::inPlaceFrom(const ir::Value *v, const ir::Value *arg) const {
  for (;;) {
    if (v == arg)
      return true;
    const ir::Op *d = v->def;
    if (!d)
      return false;
    if ((d->kind == OpKind::Update || d->kind == OpKind::UpdateAdd) && mayConsume(*d, 0)) {
      v = d->operand(0);
      continue;
    }
    unsigned init = v->index + 2;
    if (d->kind == OpKind::For && init < d->operands.size() && mayConsume(*d, init) &&
        keepsBuffer(*d, v->index)) {
      v = d->operand(init);
      continue;
    }
    return false;
  }
}

void Ownership::collect(const ir::Block &b) {
  for (size_t i = 0; i < b.ops.size(); ++i) {
    const ir::Op &op = *b.ops[i];
    pos_[&op] = i;
    for (const ir::Value *v : op.operands)
      uses_[v].push_back(&op);
    switch (op.kind) {
    case OpKind::Update:
    case OpKind::UpdateAdd:
      consumable_.insert(op.operand(0));
      break;
    case OpKind::For:
      for (size_t k = 2; k < op.operands.size(); ++k)
        consumable_.insert(op.operands[k]);
      break;
    case OpKind::While:
      consumable_.insert(op.operands.begin(), op.operands.end());
      break;
    case OpKind::Yield:
      if (b.parentOp && b.parentOp->kind == OpKind::If)
        consumable_.insert(op.operands.begin(), op.operands.end());
      break;
    default:
      break;
    }
    for (const auto &r : op.regions)
      collect(*r);
  }
}

void Ownership::collectViews(const ir::Block &b) {
  for (const auto &op : b.ops) {
    if (isView(*op) && !op->operands.empty())
      views_[op->operands[0]].push_back(op->result());
    for (const auto &r : op->regions)
      collectViews(*r);
  }
}

bool Ownership::isOwned(const ir::Value *v) const {
  if (v->def)
    return !isView(*v->def);
  const ir::Op *parent = v->ownerBlock ? v->ownerBlock->parentOp : nullptr;
  if (!parent)
    return false; // a parameter: the caller's memory
  if (parent->kind == OpKind::While)
    return v->ownerBlock == parent->region(1); // the cond region only borrows
  return parent->kind == OpKind::For && v->index > 0;
}

bool Ownership::usedAfter(const ir::Value *x, const ir::Op &at, bool inRegions) const {
  const ir::Block *b = at.parent;
  std::vector<const ir::Value *> work{x};
  while (!work.empty()) {
    const ir::Value *v = work.back();
    work.pop_back();
    if (auto it = views_.find(v); it != views_.end())
      work.insert(work.end(), it->second.begin(), it->second.end());
    auto it = uses_.find(v);
    if (it == uses_.end())
      continue;
    for (const ir::Op *w : it->second) {
      if (w == &at && v == x)
        continue; // the consuming use itself (duplicates are checked by the caller)
      // Lift the use to the op of block b that contains it.
      const ir::Op *a = w;
      while (a && a->parent != b)
        a = a->parent ? a->parent->parentOp : nullptr;
      if (!a)
        continue; // outside b: the caller checks the enclosing blocks
      if (a == &at ? inRegions : pos_.at(a) > pos_.at(&at))
        return true;
    }
  }
  return false;
}

bool Ownership::mayConsume(const ir::Op &op, unsigned index) const {
  const ir::Value *x = op.operands.at(index);
  if (!isOwned(x))
    return false;
  for (unsigned j = 0; j < op.operands.size(); ++j)
    if (j != index && op.operands[j] == x)
      return false;
  const ir::Op *at = &op;
  // The consumer's own regions count; an enclosing `if`'s regions were covered by the level below
  // (the branch holding the consumer) or are other branches, which do not run.
  for (bool first = true;; first = false) {
    if (usedAfter(x, *at, first))
      return false;
    const ir::Block *b = at->parent;
    bool definedHere = x->def ? x->def->parent == b : x->ownerBlock == b;
    if (definedHere)
      return true;
    const ir::Op *p = b->parentOp;
    if (!p || p->kind != OpKind::If)
      return false; // a loop body (runs again) or the function body (x is a parameter)
    at = p;
  }
}

} // namespace diffc::codegen
