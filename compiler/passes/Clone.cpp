#include "passes/Clone.h"

#include "support/Diagnostics.h"

namespace diffc::passes {

using namespace ir;

Value *mapValue(const ValueMap &map, Value *v) {
  auto it = map.find(v);
  return it == map.end() ? v : it->second;
}

Type mapType(const Type &t, const CloneOptions &opts) {
  if (!opts.dimSubst)
    return t;
  Type out = t;
  for (Dim &d : out.shape)
    d = d.substitute(*opts.dimSubst);
  return out;
}

namespace {

std::unique_ptr<Block> cloneRegion(const Block &src, Op *parentOp, Function &fn, ValueMap &map,
                                   const CloneOptions &opts) {
  auto b = std::make_unique<Block>();
  b->parentOp = parentOp;
  b->function = &fn;
  for (unsigned i = 0; i < src.args.size(); ++i) {
    const Value *old = src.args[i];
    Value *v = fn.newValue(mapType(old->type, opts), opts.keepNames ? old->name : std::string());
    v->ownerBlock = b.get();
    v->index = i;
    b->args.push_back(v);
    map[old] = v;
  }
  cloneOpsInto(src, *b, map, opts, /*includeTerminator=*/true);
  return b;
}

} // namespace

std::unique_ptr<Op> cloneOp(const Op &op, Function &fn, ValueMap &map, const CloneOptions &opts) {
  auto copy = std::make_unique<Op>();
  copy->kind = op.kind;
  copy->loc = op.loc;
  copy->origin = op.origin;
  copy->fval = op.fval;
  copy->ival = op.ival;
  copy->ints = op.ints;
  copy->callee = op.callee;
  copy->note = op.note;
  copy->dims.reserve(op.dims.size());
  for (const Dim &d : op.dims)
    copy->dims.push_back(opts.dimSubst ? d.substitute(*opts.dimSubst) : d);
  copy->operands.reserve(op.operands.size());
  for (Value *v : op.operands)
    copy->operands.push_back(mapValue(map, v));
  // Regions before results: an op's results are not visible inside its own regions, so the
  // order does not matter for correctness, but it keeps value ids in printing order.
  for (const auto &r : op.regions) {
    if (!r)
      throw InternalError(std::string("clone: null region in '") + opMnemonic(op.kind) + "'");
    copy->regions.push_back(cloneRegion(*r, copy.get(), fn, map, opts));
  }
  for (unsigned i = 0; i < op.results.size(); ++i) {
    const Value *old = op.results[i];
    Value *v = fn.newValue(mapType(old->type, opts), opts.keepNames ? old->name : std::string());
    v->def = copy.get();
    v->index = i;
    copy->results.push_back(v);
    map[old] = v;
  }
  return copy;
}

Op *appendClone(const Op &op, Block &dest, ValueMap &map, const CloneOptions &opts) {
  if (!dest.function)
    throw InternalError("clone: destination block belongs to no function");
  auto copy = cloneOp(op, *dest.function, map, opts);
  copy->parent = &dest;
  Op *raw = copy.get();
  dest.ops.push_back(std::move(copy));
  return raw;
}

size_t cloneOpsAt(const Block &src, Block &dest, size_t pos, ValueMap &map,
                  const CloneOptions &opts, bool includeTerminator) {
  if (&src == &dest)
    throw InternalError("clone: a block cannot be copied into itself");
  if (!dest.function)
    throw InternalError("clone: destination block belongs to no function");
  if (pos > dest.ops.size())
    throw InternalError("clone: insertion position past the end of the block");
  std::vector<std::unique_ptr<Op>> copies;
  for (const auto &op : src.ops) {
    if (!includeTerminator && isTerminator(op->kind))
      continue;
    copies.push_back(cloneOp(*op, *dest.function, map, opts));
    copies.back()->parent = &dest;
  }
  size_t n = copies.size();
  dest.ops.insert(dest.ops.begin() + static_cast<std::ptrdiff_t>(pos),
                  std::make_move_iterator(copies.begin()), std::make_move_iterator(copies.end()));
  return pos + n;
}

void cloneOpsInto(const Block &src, Block &dest, ValueMap &map, const CloneOptions &opts,
                  bool includeTerminator) {
  cloneOpsAt(src, dest, dest.ops.size(), map, opts, includeTerminator);
}

Function *cloneFunction(Module &m, const Function &src, std::string name, ValueMap &map) {
  if (m.lookup(name))
    throw InternalError("clone: the module already has a function @" + name);
  Function *fn = m.addFunction(std::move(name));
  fn->sizeParams = src.sizeParams;
  fn->resultTypes = src.resultTypes;
  fn->resultNames = src.resultNames;
  fn->resultIsTuple = src.resultIsTuple;
  fn->loc = src.loc;
  fn->vjpRule = src.vjpRule;
  for (const Value *p : src.params())
    map[p] = fn->addParam(p->type, p->name);
  cloneOpsInto(*src.body, *fn->body, map, {}, /*includeTerminator=*/true);
  return fn;
}

} // namespace diffc::passes
