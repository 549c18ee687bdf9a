// Dead code elimination. Every op but the terminators is pure (a call too: functions are pure), so
// an op is dead when none of its results is used. Structured ops also lose the parts nobody needs:
// loop-carried values whose final value is unused and that feed nothing but themselves, `if`
// results nobody reads, and pushes onto tapes that are never popped.
#include "passes/Simplify.h"

#include "passes/DeadCodeImpl.h"

namespace diffc::passes {

using namespace ir;

namespace {

/// uses[v->id]: how many operands (anywhere in the function) are v.
class UseCounts {
public:
  explicit UseCounts(const Function &fn) : n_(fn.numValues(), 0) {
    walk(*fn.body, [&](const Op &op) {
      for (const Value *v : op.operands)
        ++n_[v->id];
    });
  }
  uint32_t operator[](const Value *v) const { return n_[v->id]; }
  void drop(const Value *v) { --n_[v->id]; }
  /// Forgets the uses of op's operands and of everything nested in it.
  void dropAll(const Op &op) {
    for (const Value *v : op.operands)
      drop(v);
    for (const auto &r : op.regions)
      for (const auto &inner : r->ops)
        dropAll(*inner);
  }

private:
  std::vector<uint32_t> n_;
};

bool unused(const Op &op, const UseCounts &uses) {
  for (const Value *v : op.results)
    if (uses[v])
      return false;
  return true;
}

/// Removes dead ops of b (last to first, so that a removed use can make an earlier op dead).
bool sweep(Block &b, UseCounts &uses) {
  bool changed = false;
  std::vector<bool> keep(b.ops.size(), true);
  for (size_t i = b.ops.size(); i-- > 0;) {
    Op &op = *b.ops[i];
    if (!isTerminator(op.kind) && unused(op, uses)) {
      uses.dropAll(op);
      keep[i] = false;
      changed = true;
      continue;
    }
    for (auto r = op.regions.rbegin(); r != op.regions.rend(); ++r)
      changed |= sweep(**r, uses);
  }
  if (changed) {
    size_t out = 0;
    for (size_t i = 0; i < b.ops.size(); ++i)
      if (keep[i])
        b.ops[out++] = std::move(b.ops[i]);
    b.ops.resize(out);
  }
  return changed;
}

void renumber(std::vector<Value *> &vs) {
  for (unsigned i = 0; i < vs.size(); ++i)
    vs[i]->index = i;
}

/// Removes element i of v.
template <typename T> void eraseAt(std::vector<T> &v, size_t i) {
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
}

/// Removes result r of an `if` and the values its branches yield for it.
void dropIfResult(Op &op, size_t r, UseCounts &uses) {
  for (auto &region : op.regions) {
    Op *y = region->terminator();
    uses.drop(y->operands.at(r));
    eraseAt(y->operands, r);
  }
  eraseAt(op.results, r);
  renumber(op.results);
}

/// Removes carried value k of a for/while and the uses its init and yield held.
void dropCarried(Op &op, size_t k, UseCounts &uses) {
  ir::ErasedCarried erased = ir::eraseCarried(op, k);
  uses.drop(erased.init);
  uses.drop(erased.yielded);
}

/// Both branches of an `if` end in a yield of one value per result.
bool wellFormedIf(const Op &op) {
  if (op.kind != OpKind::If || op.regions.size() != 2)
    return false;
  for (const auto &r : op.regions) {
    const Op *y = r->terminator();
    if (!y || y->kind != OpKind::Yield || y->operands.size() != op.results.size())
      return false;
  }
  return true;
}

/// Prunes unused `if` results and dead loop-carried values of every op in b (pre-order).
bool pruneStructured(Block &b, UseCounts &uses) {
  bool changed = false;
  for (auto &op : b.ops) {
    if (wellFormedIf(*op)) {
      for (size_t r = op->results.size(); r-- > 0;)
        if (!uses[op->results[r]]) {
          dropIfResult(*op, r, uses);
          changed = true;
        }
    } else if (op->kind == OpKind::For || op->kind == OpKind::While) {
      std::vector<bool> live = detail::liveCarried(*op, [&](const Value *v) { return uses[v]; });
      for (size_t k = live.size(); k-- > 0;)
        if (!live[k]) {
          dropCarried(*op, k, uses);
          changed = true;
        }
    }
    for (auto &r : op->regions)
      changed |= pruneStructured(*r, uses);
  }
  return changed;
}

} // namespace

bool eliminateDeadCode(Function &fn) {
  bool changed = detail::forgetUnpoppedPushes(fn);
  UseCounts uses(fn);
  changed |= pruneStructured(*fn.body, uses);
  changed |= sweep(*fn.body, uses);
  return changed;
}

} // namespace diffc::passes
