#include "ad/Util.h"

#include "support/Diagnostics.h"

#include <algorithm>

namespace diffc::ad {

using namespace ir;

namespace {

Op *cloneRec(Builder &b, const Op &op, const Lookup &look,
             std::unordered_map<const Value *, Value *> &local) {
  std::vector<Value *> operands;
  for (const Value *v : op.operands)
    operands.push_back(look(v));
  std::vector<Type> types;
  for (const Value *r : op.results)
    types.push_back(r->type);
  Op *n = b.create(op.kind, operands, types);
  n->fval = op.fval;
  n->ival = op.ival;
  n->ints = op.ints;
  n->dims = op.dims;
  n->callee = op.callee;
  n->loc = op.loc;
  n->origin = op.origin;
  for (size_t i = 0; i < op.results.size(); ++i)
    n->results[i]->name = op.results[i]->name;
  Block *outer = b.insertionBlock();
  for (const auto &r : op.regions) {
    std::vector<Type> argTypes;
    std::vector<std::string> argNames;
    for (const Value *a : r->args) {
      argTypes.push_back(a->type);
      argNames.push_back(a->name);
    }
    Block *nb = b.addRegion(n, argTypes, argNames);
    for (size_t i = 0; i < r->args.size(); ++i)
      local[r->args[i]] = nb->args[i];
    b.setInsertionBlock(nb);
    for (const auto &inner : r->ops) {
      Op *c = cloneRec(b, *inner, look, local);
      for (size_t i = 0; i < inner->results.size(); ++i)
        local[inner->results[i]] = c->results[i];
    }
    b.setInsertionBlock(outer);
  }
  return n;
}

} // namespace

Op *clonePlain(Builder &b, const Op &op, const Lookup &outer) {
  std::unordered_map<const Value *, Value *> local;
  Lookup look = [&](const Value *v) -> Value * {
    auto it = local.find(v);
    return it != local.end() ? it->second : outer(v);
  };
  return cloneRec(b, op, look, local);
}

Value *addResult(Function &fn, Op *op, Type t, std::string name) {
  Value *v = fn.newValue(std::move(t), std::move(name));
  v->def = op;
  v->index = static_cast<unsigned>(op->results.size());
  op->results.push_back(v);
  return v;
}

const Block *defBlock(const Value *v) { return v->def ? v->def->parent : v->ownerBlock; }

bool isInside(const Block *b, const Op *op) {
  while (b && b->parentOp) {
    if (b->parentOp == op)
      return true;
    b = b->parentOp->parent;
  }
  return false;
}

void moveLastTo(Block &b, size_t pos) {
  if (b.ops.empty() || pos >= b.ops.size())
    return;
  std::rotate(b.ops.begin() + static_cast<std::ptrdiff_t>(pos), b.ops.end() - 1, b.ops.end());
}

} // namespace diffc::ad
