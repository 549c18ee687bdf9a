#include "passes/DeadCodeImpl.h"

#include <unordered_set>

namespace diffc::passes::detail {

using namespace ir;

namespace {

/// Everything op reads, its regions included.
void markOperands(const Op &op, std::unordered_set<const Value *> &needed) {
  for (const Value *v : op.operands)
    needed.insert(v);
  for (const auto &r : op.regions)
    for (const auto &inner : r->ops)
      markOperands(*inner, needed);
}

bool wellFormed(const Op &loop) {
  size_t n = loop.results.size();
  if (loop.kind == OpKind::For)
    return loop.regions.size() == 1 && loop.regions[0]->args.size() == n + 1 &&
           loop.operands.size() == n + 2;
  if (loop.kind == OpKind::While)
    return loop.regions.size() == 2 && loop.regions[0]->args.size() == n &&
           loop.regions[1]->args.size() == n && loop.operands.size() == n;
  return false;
}

struct Liveness {
  std::vector<bool> live;
  std::unordered_set<const Value *> reads; // what the live part reads (all of it if !precise)
  bool precise = false;
};

Liveness analyze(const Op &loop, const std::function<uint32_t(const Value *)> &useCount);

/// Marks what op reads to give its needed results: a nested loop only what its needed carried
/// values read (so that a value carried through a nest for a result nobody uses dies with it),
/// anything else all its operands.
void markUsed(const Op &op, std::unordered_set<const Value *> &needed) {
  if (op.kind == OpKind::For || op.kind == OpKind::While) {
    Liveness l = analyze(op, [&](const Value *v) { return needed.count(v) ? 1u : 0u; });
    if (l.precise) {
      size_t off = carriedOperandBase(op);
      for (size_t i = 0; i < off; ++i)
        needed.insert(op.operands[i]);
      for (size_t k = 0; k < l.live.size(); ++k)
        if (l.live[k])
          needed.insert(op.operands[off + k]);
      needed.insert(l.reads.begin(), l.reads.end());
      return;
    }
  }
  markOperands(op, needed);
}

Liveness analyze(const Op &loop, const std::function<uint32_t(const Value *)> &useCount) {
  size_t n = loop.results.size();
  Liveness l;
  l.live.assign(n, true);
  if (!wellFormed(loop))
    return l;
  for (const auto &r : loop.regions) {
    const Op *y = r->terminator();
    if (!y || y->kind != OpKind::Yield)
      return l;
  }
  size_t argOffset = carriedArgBase(loop);
  for (size_t k = 0; k < n; ++k)
    l.live[k] = useCount(loop.results[k]) > 0;

  // Grow the needed set until no further carried value turns out to be read by it.
  for (;;) {
    std::unordered_set<const Value *> needed;
    for (size_t ri = 0; ri < loop.regions.size(); ++ri) {
      const Block &b = *loop.regions[ri];
      bool body = ri + 1 == loop.regions.size();
      const Op *y = b.terminator();
      for (size_t j = 0; j < y->operands.size(); ++j)
        if (!body || (j < n && l.live[j]))
          needed.insert(y->operands[j]);
      for (size_t i = b.ops.size() - 1; i-- > 0;) {
        const Op &op = *b.ops[i];
        bool any = false;
        for (const Value *v : op.results)
          any = any || needed.count(v);
        if (any)
          markUsed(op, needed);
      }
    }
    bool grew = false;
    for (size_t k = 0; k < n; ++k) {
      if (l.live[k])
        continue;
      for (const auto &r : loop.regions)
        if (needed.count(r->args[argOffset + k])) {
          l.live[k] = true;
          grew = true;
          break;
        }
    }
    if (!grew) {
      l.reads = std::move(needed);
      l.precise = true;
      return l;
    }
  }
}

} // namespace

std::vector<bool> liveCarried(const Op &loop,
                              const std::function<uint32_t(const Value *)> &useCount) {
  return analyze(loop, useCount).live;
}

} // namespace diffc::passes::detail
