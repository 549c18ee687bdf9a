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

} // namespace

std::vector<bool> liveCarried(const Op &loop,
                              const std::function<uint32_t(const Value *)> &useCount) {
  size_t n = loop.results.size();
  std::vector<bool> live(n, true);
  if (!wellFormed(loop))
    return live;
  for (const auto &r : loop.regions) {
    const Op *y = r->terminator();
    if (!y || y->kind != OpKind::Yield)
      return live;
  }
  size_t argOffset = loop.kind == OpKind::For ? 1 : 0; // a for's first argument is the index
  for (size_t k = 0; k < n; ++k)
    live[k] = useCount(loop.results[k]) > 0;

  // Grow the needed set until no further carried value turns out to be read by it.
  for (;;) {
    std::unordered_set<const Value *> needed;
    for (size_t ri = 0; ri < loop.regions.size(); ++ri) {
      const Block &b = *loop.regions[ri];
      bool body = ri + 1 == loop.regions.size();
      const Op *y = b.terminator();
      for (size_t j = 0; j < y->operands.size(); ++j)
        if (!body || (j < n && live[j]))
          needed.insert(y->operands[j]);
      for (size_t i = b.ops.size() - 1; i-- > 0;) {
        const Op &op = *b.ops[i];
        bool any = false;
        for (const Value *v : op.results)
          any = any || needed.count(v);
        if (any)
          markOperands(op, needed);
      }
    }
    bool grew = false;
    for (size_t k = 0; k < n; ++k) {
      if (live[k])
        continue;
      for (const auto &r : loop.regions)
        if (needed.count(r->args[argOffset + k])) {
          live[k] = true;
          grew = true;
          break;
        }
    }
    if (!grew)
      return live;
  }
}

} // namespace diffc::passes::detail
