// Pushes onto a tape that is never popped store values nobody reads. The tapes a function builds
// form families of values (a tape, the tapes pushed or popped from it, the loop-carried and `if`
// values that carry it); a family without a pop, that does not leave the function, needs none of
// its pushes.
#include "passes/DeadCodeImpl.h"
#include "passes/Rewrite.h"

#include <numeric>

namespace diffc::passes::detail {

using namespace ir;

namespace {

class TapeFamilies {
public:
  explicit TapeFamilies(const Function &fn)
      : parent_(fn.numValues()), popped_(fn.numValues(), false), escapes_(fn.numValues(), false) {
    std::iota(parent_.begin(), parent_.end(), 0u);
    walk(*fn.body, [&](const Op &op) { visit(op); });
  }

  /// The id of the family v belongs to (one of its values' ids).
  uint32_t family(const Value *v) { return find(v->id); }

  /// Whether some value of v's family is popped or leaves the function.
  bool needed(const Value *v) {
    uint32_t r = find(v->id);
    return popped_[r] || escapes_[r];
  }

private:
  uint32_t find(uint32_t x) {
    while (parent_[x] != x)
      x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void unite(const Value *a, const Value *b) {
    uint32_t x = find(a->id), y = find(b->id);
    if (x == y)
      return;
    parent_[y] = x;
    popped_[x] = popped_[x] || popped_[y];
    escapes_[x] = escapes_[x] || escapes_[y];
  }
  void markPopped(const Value *v) { popped_[find(v->id)] = true; }
  void markEscapes(const Value *v) { escapes_[find(v->id)] = true; }

  /// Joins each tape result of an if/for/while with the values that carry it into and out of the
  /// op's regions (init operand, region arguments, yields).
  void structured(const Op &op) {
    size_t n = op.results.size();
    auto yieldOf = [&](size_t r) -> const Op * {
      const Op *y = r < op.regions.size() ? op.regions[r]->terminator() : nullptr;
      return y && y->kind == OpKind::Yield && y->operands.size() == n ? y : nullptr;
    };
    for (size_t k = 0; k < n; ++k) {
      const Value *res = op.results[k];
      if (!res->type.isTape)
        continue;
      if (op.kind == OpKind::If) {
        for (size_t r = 0; r < op.regions.size(); ++r)
          if (const Op *y = yieldOf(r))
            unite(res, y->operands[k]);
        continue;
      }
      size_t operand = carriedOperandBase(op) + k, arg = carriedArgBase(op) + k;
      if (operand < op.operands.size())
        unite(res, op.operands[operand]);
      for (const auto &r : op.regions)
        if (arg < r->args.size())
          unite(res, r->args[arg]);
      if (const Op *y = yieldOf(op.regions.size() - 1))
        unite(res, y->operands[k]);
    }
  }

  void visit(const Op &op) {
    switch (op.kind) {
    case OpKind::TapePush:
      if (op.operands.size() == 2 && op.results.size() == 1) {
        unite(op.operands[0], op.results[0]);
        if (op.operands[1]->type.isTape) // a tape of tapes: treat the inner one as escaping
          markEscapes(op.operands[1]);
        return;
      }
      break;
    case OpKind::TapePop:
      if (op.operands.size() == 1 && op.results.size() == 2) {
        unite(op.operands[0], op.results[0]);
        markPopped(op.operands[0]);
        return;
      }
      break;
    case OpKind::If:
    case OpKind::For:
    case OpKind::While:
      if (!op.regions.empty()) {
        structured(op); // every tape operand of these ops is carried, joined there
        return;
      }
      break;
    case OpKind::Yield: {
      const Op *owner = op.parent ? op.parent->parentOp : nullptr;
      if (owner &&
          (owner->kind == OpKind::If || owner->kind == OpKind::For || owner->kind == OpKind::While))
        return; // joined from the owner's side
      break;
    }
    default:
      break;
    }
    for (const Value *v : op.operands)
      if (v->type.isTape)
        markEscapes(v);
  }

  std::vector<uint32_t> parent_;
  std::vector<bool> popped_, escapes_;
};

} // namespace

std::vector<uint32_t> tapeFamilies(const Function &fn) {
  TapeFamilies families(fn);
  std::vector<uint32_t> out(fn.numValues());
  walk(*fn.body, [&](const Op &op) {
    for (const Value *r : op.results)
      if (r->type.isTape)
        out[r->id] = families.family(r);
  });
  return out;
}

bool forgetUnpoppedPushes(Function &fn) {
  TapeFamilies families(fn);
  Replacements repl;
  walk(*fn.body, [&](const Op &op) {
    if (op.kind == OpKind::TapePush && op.operands.size() == 2 && op.results.size() == 1 &&
        !families.needed(op.results[0]))
      repl[op.results[0]] = op.operands[0];
  });
  return replaceUses(fn, repl);
}

} // namespace diffc::passes::detail
