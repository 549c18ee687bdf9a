// One sweep of local rewrites and CSE over a function, in program order. Replacing a value records
// old -> new; every later operand is mapped before the rules look at its op, and in SSA every use
// comes after the definition, so one sweep updates all uses.
#include "passes/Rewrite.h"
#include "passes/Simplify.h"
#include "passes/SimplifyRules.h"

#include <bit>
#include <unordered_map>
#include <unordered_set>

namespace diffc::passes {

using namespace ir;
using detail::constantOf;

namespace {

/// Ops CSE may merge: pure, no regions. Tape ops are left alone: each tape is its own stack, and
/// merging two would make the reverse sweep copy it.
bool cseCandidate(const Op &op) {
  if (!op.regions.empty() || op.results.empty() || isTerminator(op.kind))
    return false;
  return op.kind != OpKind::TapeNew && op.kind != OpKind::TapePush && op.kind != OpKind::TapePop;
}

size_t mix(size_t h, size_t v) { return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)); }

size_t hashOp(const Op &op) {
  size_t h = static_cast<size_t>(op.kind);
  for (const Value *v : op.operands)
    h = mix(h, std::hash<const Value *>()(v));
  h = mix(h, std::bit_cast<uint64_t>(op.fval));
  h = mix(h, static_cast<size_t>(op.ival));
  for (int64_t i : op.ints)
    h = mix(h, static_cast<size_t>(i));
  h = mix(h, op.dims.size());
  h = mix(h, std::hash<std::string>()(op.callee));
  for (const Value *v : op.results)
    h = mix(h, v->type.shape.size() * 8 + static_cast<size_t>(v->type.elem));
  return h;
}

/// Same kind, operands, attributes and result types. Float attributes compare by their bits, so
/// `const -0.0` and `const 0.0` stay apart.
bool sameOp(const Op &a, const Op &b) {
  if (a.kind != b.kind || a.operands != b.operands || a.results.size() != b.results.size() ||
      std::bit_cast<uint64_t>(a.fval) != std::bit_cast<uint64_t>(b.fval) || a.ival != b.ival ||
      a.ints != b.ints || a.dims != b.dims || a.callee != b.callee)
    return false;
  for (size_t i = 0; i < a.results.size(); ++i)
    if (a.results[i]->type != b.results[i]->type)
      return false;
  return true;
}

class Canonicalizer {
public:
  explicit Canonicalizer(Function &fn) : fn_(fn) {}

  bool run() {
    block(*fn_.body);
    return changed_;
  }

private:
  Value *resolve(Value *v) const { return passes::resolve(repl_, v); }

  /// Every later use of old becomes a use of now; a source name goes with the value.
  void replace(Value *old, Value *now) {
    if (old == now)
      return;
    repl_[old] = now;
    if (!anonymous_.count(now))
      moveName(old, now);
    changed_ = true;
  }

  /// Looks op up in the enclosing scopes (every entry there dominates op); records it when new.
  Op *lookupOrInsert(Op &op) {
    size_t h = hashOp(op);
    for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) {
      auto [lo, hi] = s->equal_range(h);
      for (auto it = lo; it != hi; ++it)
        if (sameOp(*it->second, op))
          return it->second;
    }
    scopes_.back().emplace(h, &op);
    return nullptr;
  }

  /// A constant named after one variable (`var acc = 0.0`) that also stands for another's
  /// (`var err = 0.0`) or for a plain literal (`acc -= 1.0`) would mislead at its uses: it loses
  /// its name, and takes no other.
  void mergeConstantNames(const Value *old, Value *now) {
    if (old->name == now->name)
      return;
    now->name.clear();
    anonymous_.insert(now);
  }

  /// The region `if` takes on a constant condition, or null.
  static Block *constantBranch(const Op &op) {
    if (op.kind != OpKind::If || op.operands.size() != 1 || op.regions.size() != 2)
      return nullptr;
    auto c = constantOf(op.operands[0]);
    if (!c || c->elem != ElemType::Bool)
      return nullptr;
    return op.regions[c->i != 0 ? 0 : 1].get();
  }

  void block(Block &b) {
    scopes_.emplace_back();
    std::vector<std::unique_ptr<Op>> ops = std::move(b.ops);
    b.ops.clear();
    for (size_t i = 0; i < ops.size(); ++i) {
      std::unique_ptr<Op> op = std::move(ops[i]);
      for (Value *&v : op->operands)
        v = resolve(v);
      if (Block *taken = constantBranch(*op)) {
        // if true {A} else {B} = A: the taken branch's ops run here, in order, next.
        spliceBranch(*op, *taken, ops, i + 1);
        continue;
      }
      rewrite(*op);
      for (auto &r : op->regions)
        block(*r);
      b.ops.push_back(std::move(op));
    }
    scopes_.pop_back();
  }

  void rewrite(Op &op) {
    if (isTerminator(op.kind) || !op.regions.empty())
      return;
    if (detail::useScalarOperands(op))
      changed_ = true;
    if (detail::composeIndex(op))
      changed_ = true;
    if (detail::foldConstant(op))
      changed_ = true;
    else if (Value *v = detail::identityFor(op)) {
      replace(op.result(), v);
      return; // op is now unused
    }
    if (!cseCandidate(op))
      return;
    Op *prev = lookupOrInsert(op);
    if (!prev)
      return;
    if (op.kind == OpKind::Const)
      mergeConstantNames(op.result(), prev->result());
    for (size_t r = 0; r < op.results.size(); ++r)
      replace(op.results[r], prev->results[r]);
  }

  /// Moves the ops of `taken` (but its yield) into the op list at position at, and maps the
  /// `if`'s results to the yielded values.
  void spliceBranch(Op &ifOp, Block &taken, std::vector<std::unique_ptr<Op>> &ops, size_t at) {
    Op *yield = taken.terminator();
    std::vector<std::unique_ptr<Op>> moved;
    for (auto &inner : taken.ops)
      if (inner.get() != yield) {
        inner->parent = ifOp.parent;
        moved.push_back(std::move(inner));
      }
    for (size_t r = 0; r < ifOp.results.size() && yield && r < yield->operands.size(); ++r)
      replace(ifOp.results[r], resolve(yield->operands[r]));
    ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(at),
               std::make_move_iterator(moved.begin()), std::make_move_iterator(moved.end()));
    changed_ = true;
  }

  Function &fn_;
  Replacements repl_;
  std::unordered_set<const Value *> anonymous_; // constants that must stay unnamed
  std::vector<std::unordered_multimap<size_t, Op *>> scopes_;
  bool changed_ = false;
};

} // namespace

bool canonicalize(Function &fn) { return Canonicalizer(fn).run(); }

} // namespace diffc::passes
