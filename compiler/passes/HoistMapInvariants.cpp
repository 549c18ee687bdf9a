// Map-invariant code motion: a value computed in the body of a map that a `for` loop runs on
// every iteration, from the map's indices and values defined outside the loop only, is the same
// for every iteration of the loop. The GMM computes exp(icf[k, 0:D]) for every point n and
// component k; it needs it once per k. Such a value moves in front of the loop as a map of its
// own over the same extents (one tensor, the map's extents in front of the value's shape), and
// the body reads its element instead.
//
// hoistLoopInvariants cannot do this: the value depends on the map's index, and its computation
// may fail (an index out of range). The new map runs exactly the computations the loop's first
// iteration would have run, so it is guarded by the loop running at all (lo < hi): a loop that
// runs zero times fails nowhere, as before. Only values that cost more than the read replacing
// them move (a transcendental function, a reduction: see worthMoving), and only scalars and
// vectors (the new tensor holds the values of every element of the map at once).
#include "passes/Clone.h"
#include "passes/Rewrite.h"
#include "passes/Simplify.h"

#include <unordered_set>

namespace diffc::passes {

using namespace ir;

namespace {

/// Whether v is defined inside one of op's regions (at any depth).
bool definedIn(const Value *v, const Op &op) {
  const Block *b = v->def ? v->def->parent : v->ownerBlock;
  for (; b && b->parentOp; b = b->parentOp->parent)
    if (b->parentOp == &op)
      return true;
  return false;
}

/// Whether op computes more than an element read would: anything but index arithmetic, reads and
/// cheap elementwise ops.
bool worthMoving(const Op &op) {
  switch (op.kind) {
  case OpKind::Index:
  case OpKind::Const:
  case OpKind::DimValue:
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Neg:
  case OpKind::Not:
  case OpKind::Abs:
  case OpKind::Min:
  case OpKind::Max:
  case OpKind::Select:
  case OpKind::Cast:
  case OpKind::Fill:
  case OpKind::Broadcast:
  case OpKind::StopGradient:
    return false;
  default:
    return opClass(op.kind) != OpClass::Compare;
  }
}

/// Ops that may move at all: plain computations (no regions, tapes or calls).
bool movable(const Op &op) {
  if (isTerminator(op.kind) || !op.regions.empty() || op.results.size() != 1 ||
      op.kind == OpKind::Call)
    return false;
  const Type &t = op.result()->type;
  return !t.isTape && t.elem != ElemType::Bool;
}

/// Collects the operands of every op in b (regions included) except the ops in `skip`.
void usedOutside(const Block &b, const std::unordered_set<const Op *> &skip,
                 std::unordered_set<const Value *> &used) {
  for (const auto &op : b.ops) {
    if (!skip.count(op.get()))
      for (const Value *v : op->operands)
        used.insert(v);
    for (const auto &r : op->regions)
      usedOutside(*r, skip, used);
  }
}

/// Builds, into `out`, the guarded maps for the invariants of map m in loop l; records in repl
/// the element reads that replace them. True when it moved anything.
bool hoistFromMap(Function &fn, const Op &l, Op &m, Block &out, Replacements &repl) {
  Block &body = *m.regions[0];
  if (body.args.size() != m.dims.size())
    return false;
  std::unordered_set<const Value *> invariant, indexed; // indexed: depends on the map's indices
  std::unordered_set<const Op *> moved;
  for (const Value *a : body.args) {
    invariant.insert(a);
    indexed.insert(a);
  }
  for (const auto &op : body.ops) {
    if (!movable(*op))
      continue;
    bool inv = true, dep = false;
    for (const Value *o : op->operands) {
      bool outside = !definedIn(o, l);
      inv = inv && (outside || invariant.count(o));
      dep = dep || indexed.count(o);
    }
    if (!inv)
      continue;
    invariant.insert(op->result());
    moved.insert(op.get());
    if (dep)
      indexed.insert(op->result());
  }
  // The values to move: computed from the indices with some real work, used by what stays.
  std::unordered_set<const Value *> used;
  usedOutside(body, moved, used);
  std::vector<Op *> frontier;
  std::unordered_set<const Op *> worth; // ops whose value took real work
  for (const auto &op : body.ops) {
    if (!moved.count(op.get()))
      continue;
    bool w = worthMoving(*op);
    for (const Value *o : op->operands)
      w = w || (o->def && worth.count(o->def));
    if (w)
      worth.insert(op.get());
    // Scalars and vectors only: all of them are kept at once now (the map's extents times the
    // value), where a matrix per element could take far more memory than the loop did.
    if (w && indexed.count(op->result()) && used.count(op->result()) &&
        op->result()->type.rank() <= 1)
      frontier.push_back(op.get());
  }
  if (frontier.empty())
    return false;

  Builder b(fn);
  b.setInsertionBlock(&out);
  b.setLoc(m.loc);
  b.setOrigin(m.origin);
  Value *runs = b.value(OpKind::Lt, {l.operands[0], l.operands[1]}, Type(ElemType::Bool));
  std::vector<Value *> reads;
  for (Op *f : frontier) {
    Value *v = f->result();
    Shape shape(m.dims.begin(), m.dims.end());
    shape.insert(shape.end(), v->type.shape.begin(), v->type.shape.end());
    Type all(v->type.elem, shape);
    Op *guard = b.create(OpKind::If, {runs}, {all});
    guard->result()->name = v->name;
    // Then: the map of the value, with the ops it needs (in their order) copied in.
    b.setInsertionBlock(b.addRegion(guard, {}));
    Op *hm = b.create(OpKind::Map, {}, {all});
    hm->dims = m.dims;
    std::vector<Type> idxTypes(body.args.size(), Type::i64());
    std::vector<std::string> idxNames;
    for (const Value *a : body.args)
      idxNames.push_back(a->name);
    Block *hb = b.addRegion(hm, idxTypes, idxNames);
    ValueMap vmap;
    for (size_t i = 0; i < body.args.size(); ++i)
      vmap[body.args[i]] = hb->args[i];
    std::unordered_set<const Value *> needs{v};
    for (auto it = body.ops.rbegin(); it != body.ops.rend(); ++it)
      if (moved.count(it->get()) && needs.count((*it)->result()))
        for (const Value *o : (*it)->operands)
          needs.insert(o);
    for (const auto &op : body.ops)
      if (moved.count(op.get()) && needs.count(op->result())) {
        Op *c = appendClone(*op, *hb, vmap);
        c->parent = hb;
      }
    b.setInsertionBlock(hb);
    b.create(OpKind::Yield, {mapValue(vmap, v)}, {});
    b.setInsertionBlock(guard->region(0));
    b.create(OpKind::Yield, {hm->result()}, {});
    // Else: the loop does not run, nothing reads the value.
    b.setInsertionBlock(b.addRegion(guard, {}));
    Value *zero = v->type.elem == ElemType::I64 ? b.constI64(0) : b.constF64(0.0, v->type.elem);
    b.create(OpKind::Yield, {b.value(OpKind::Fill, {zero}, all)}, {});
    b.setInsertionBlock(&out);
    // The element the body reads instead (put first in the body below).
    Block tmp;
    tmp.function = &fn;
    b.setInsertionBlock(&tmp);
    std::vector<Value *> operands{guard->result()};
    operands.insert(operands.end(), body.args.begin(), body.args.end());
    Op *read = b.create(OpKind::Index, operands, {v->type});
    read->ints.assign(body.args.size(), kPoint);
    read->ints.resize(all.rank(), kFull);
    read->result()->name = v->name;
    read->parent = &body;
    body.ops.insert(body.ops.begin(), std::move(tmp.ops.back()));
    repl[v] = read->result();
    b.setInsertionBlock(&out);
  }
  return true;
}

bool hoistBlock(Function &fn, Block &b, Replacements &repl) {
  bool changed = false;
  std::vector<std::unique_ptr<Op>> ops = std::move(b.ops);
  b.ops.clear();
  for (auto &op : ops) {
    for (auto &r : op->regions)
      changed |= hoistBlock(fn, *r, repl);
    if (op->kind == OpKind::For) {
      Block out;
      out.function = &fn;
      for (auto &inner : op->regions[0]->ops)
        if (inner->kind == OpKind::Map && inner->regions.size() == 1 && inner->results.size() == 1)
          changed |= hoistFromMap(fn, *op, *inner, out, repl);
      for (auto &moved : out.ops) {
        moved->parent = &b;
        b.ops.push_back(std::move(moved));
      }
    }
    b.ops.push_back(std::move(op));
  }
  return changed;
}

} // namespace

bool hoistMapInvariants(Function &fn) {
  Replacements repl;
  if (!hoistBlock(fn, *fn.body, repl))
    return false;
  replaceUses(fn, repl);
  return true;
}

} // namespace diffc::passes
