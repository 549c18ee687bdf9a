// sum(map (i < N, j < M) { e }) -> for i { for j { acc = acc + e } }: the same additions in the
// same (row-major) order as `sum`, starting from +0 as `sum` does, without the N*M temporary.
#include "passes/Clone.h"
#include "passes/Rewrite.h"
#include "passes/Simplify.h"

#include <unordered_map>

namespace diffc::passes {

using namespace ir;

namespace {

/// The map whose result x is, when the rewrite applies: x is used only by the sum, in the same
/// block, its elements are scalars, and sum can add them (floats or i64).
const Op *fusableMap(const Op &sum, const std::unordered_map<const Value *, unsigned> &uses) {
  if (sum.kind != OpKind::Sum || sum.operands.size() != 1 || sum.results.size() != 1)
    return nullptr;
  const Value *x = sum.operands[0];
  const Op *map = x->def;
  if (!map || map->kind != OpKind::Map || map->results.size() != 1 || map->regions.size() != 1)
    return nullptr;
  // A map outside a loop and its sum inside would be recomputed on every iteration.
  if (map->parent != sum.parent)
    return nullptr;
  auto it = uses.find(x);
  if (it == uses.end() || it->second != 1)
    return nullptr;
  ElemType e = x->type.elem;
  if (e == ElemType::Bool || x->type.isTape || x->type.rank() != map->dims.size())
    return nullptr;
  const Block &body = *map->regions[0];
  const Op *y = body.terminator();
  if (!y || y->kind != OpKind::Yield || y->operands.size() != 1 ||
      !y->operands[0]->type.isScalar() || body.args.size() != map->dims.size())
    return nullptr;
  return map;
}

/// Builds the loops for sum(map) into tmp; returns the total.
Value *buildLoops(Function &fn, const Op &map, const Op &sum, Block &tmp) {
  Builder b(fn);
  b.setInsertionBlock(&tmp);
  b.setLoc(sum.loc);
  b.setOrigin(sum.origin);
  ElemType e = sum.result()->type.elem;
  Value *acc = e == ElemType::I64 ? b.constI64(0) : b.constF64(0.0, e);
  Value *lo = b.constI64(0);
  const Block &body = *map.regions[0];
  ValueMap vmap;
  std::vector<Op *> loops;
  for (size_t k = 0; k < map.dims.size(); ++k) {
    Value *hi = b.dimValue(map.dims[k]);
    Op *loop = b.create(OpKind::For, {lo, hi, acc}, {Type(e)});
    const Value *index = body.args[k];
    Block *inner = b.addRegion(loop, {Type::i64(), Type(e)}, {index->name, ""});
    vmap[index] = inner->args[0];
    acc = inner->args[1];
    loops.push_back(loop);
    b.setInsertionBlock(inner);
  }
  cloneOpsInto(body, *b.insertionBlock(), vmap);
  Value *elem = mapValue(vmap, body.terminator()->operands[0]);
  Value *next = b.value(OpKind::Add, {acc, elem}, Type(e));
  // Each loop yields the new total; the outer ones yield what their inner loop returns.
  for (size_t k = loops.size(); k-- > 0;) {
    b.create(OpKind::Yield, {next}, {});
    next = loops[k]->result();
    b.setInsertionBlock(loops[k]->parent);
  }
  return next;
}

bool fuseBlock(Function &fn, Block &b, const std::unordered_map<const Value *, unsigned> &uses,
               Replacements &repl) {
  bool changed = false;
  std::vector<std::unique_ptr<Op>> ops = std::move(b.ops);
  b.ops.clear();
  for (auto &op : ops) {
    for (auto &r : op->regions)
      changed |= fuseBlock(fn, *r, uses, repl);
    if (const Op *map = fusableMap(*op, uses)) {
      Block tmp;
      tmp.function = &fn;
      tmp.parentOp = b.parentOp;
      Value *total = buildLoops(fn, *map, *op, tmp);
      total->name = op->result()->name;
      repl[op->result()] = total;
      for (auto &moved : tmp.ops) {
        moved->parent = &b;
        b.ops.push_back(std::move(moved));
      }
      changed = true; // the sum stays, unused, for dead code elimination (and the map with it)
    }
    b.ops.push_back(std::move(op));
  }
  return changed;
}

} // namespace

bool fuseMapReductions(Function &fn) {
  std::unordered_map<const Value *, unsigned> uses;
  walk(*fn.body, [&](const Op &op) {
    for (const Value *v : op.operands)
      ++uses[v];
  });
  Replacements repl;
  if (!fuseBlock(fn, *fn.body, uses, repl))
    return false;
  replaceUses(fn, repl);
  return true;
}

} // namespace diffc::passes
