// The reverse of a map (a comprehension): a loop nest over the same extents that, per element,
// recomputes the element (the map body is its own root: loops inside it get their own tapes),
// seeds it with its part of the result's adjoint and runs the body backwards. The adjoints of
// the outer values the body reads are carried through the nest and accumulated in place, so a
// body reading x[i] costs O(1) per element in reverse.
//
// A map whose result the forward sweep stores (it runs in a loop: the GMM's lse_terms per point)
// and whose body computes a vector by a loop nest (the GMM's Q d, a triangular loop) stores that
// vector with each element, packed as [element, vector...]: the reverse of the body reads it
// instead of running the nest a second time, for a tape that grows by the vector's length.
#include "ad/Reverse.h"

#include "ad/Util.h"
#include "support/Diagnostics.h"

namespace diffc::ad::rev {

using namespace ir;

namespace {

bool hasLoop(const Op &op) {
  for (const auto &r : op.regions)
    for (const auto &o : r->ops)
      if (o->kind == OpKind::For || o->kind == OpKind::While || hasLoop(*o))
        return true;
  return false;
}

/// A vector of body that a loop nest computes and a later op reads, with elem's element type.
const Value *nestVector(const Block &body, const Value *elem) {
  for (size_t i = 0; i < body.ops.size(); ++i) {
    const Op &op = *body.ops[i];
    if (op.kind != OpKind::For || !hasLoop(op))
      continue;
    for (const Value *r : op.results) {
      if (r->type.rank() != 1 || r->type.elem != elem->type.elem)
        continue;
      for (size_t j = i + 1; j + 1 < body.ops.size(); ++j)
        for (const Value *o : body.ops[j]->operands)
          if (o == r)
            return r;
    }
  }
  return nullptr;
}

} // namespace

void Reverse::choosePacked() {
  for (const Value *v : taped_) {
    if (!v->def || v->def->kind != OpKind::Map)
      continue;
    const Block &body = *v->def->region(0);
    const Value *elem = body.terminator()->operands.at(0);
    if (!elem->type.isScalar() || !elem->type.isFloat())
      continue;
    const Value *vec = nestVector(body, elem);
    if (!vec)
      continue;
    Shape shape = v->type.shape;
    shape.push_back(Dim::constant(1) + vec->type.shape[0]);
    packed_[v] = {vec, Type(elem->type.elem, shape)};
  }
}

Value *Reverse::packedPart(Value *p, const std::vector<Value *> &idx, const Dim *vecLen) {
  IndexSpec spec;
  size_t m = p->type.rank() - 1;
  for (size_t l = 0; l < m; ++l) {
    spec.modes.push_back(idx.empty() ? kFull : kPoint);
    if (!idx.empty())
      spec.operands.push_back(idx[l]);
  }
  spec.modes.push_back(vecLen ? kSlice : kPoint);
  spec.operands.push_back(e_.i64(vecLen ? 1 : 0));
  if (vecLen)
    spec.lengths.push_back(*vecLen);
  return e_.index(p, spec);
}

void Reverse::forwardPackedMap(const Op &op, Scope &s) {
  const Packed &pk = packed_.at(op.result());
  const Block &body = *op.region(0);
  Op *n = b_.create(OpKind::Map, {}, {pk.type});
  n->dims = op.dims;
  std::vector<Type> idxTypes(body.args.size(), Type::i64());
  std::vector<std::string> idxNames;
  for (const Value *a : body.args)
    idxNames.push_back(a->name);
  Block *outer = b_.insertionBlock();
  Block *blk = b_.addRegion(n, idxTypes, idxNames);
  Scope ms{Scope::Kind::Forward, &s, &body, {}, {}, {}};
  for (size_t i = 0; i < body.args.size(); ++i)
    ms.vals[body.args[i]] = blk->args[i];
  b_.setInsertionBlock(blk);
  for (const auto &o : body.ops) {
    if (isTerminator(o->kind))
      continue;
    Op *c = clonePlain(b_, *o, lookupIn(ms));
    for (size_t i = 0; i < o->results.size(); ++i)
      ms.vals[o->results[i]] = c->results[i];
  }
  Value *elem = lookup(ms, body.terminator()->operands.at(0));
  ElemType et = elem->type.elem;
  IndexSpec rest;
  rest.modes = {kSlice};
  rest.operands = {e_.i64(1)};
  rest.lengths = {pk.vec->type.shape[0]};
  Value *both =
      e_.update(e_.fill(elem, Type(et, {pk.type.shape.back()})), lookup(ms, pk.vec), rest);
  b_.create(OpKind::Yield, {both}, {});
  b_.setInsertionBlock(outer);
  packedNow_[op.result()] = n->result();
  Value *elems = packedPart(n->result(), {}, nullptr);
  elems->name = op.result()->name;
  s.vals[op.result()] = elems;
}

void Reverse::reverseMap(const Op &op, Scope &s, const std::vector<Value *> &dys) {
  Value *dR = dys.at(0);
  const Block &body = *op.region(0);
  const auto &freeVals = activeFree(op);
  if (freeVals.empty())
    return; // nothing outside the map gets a derivative through it

  Block *outer = b_.insertionBlock();
  std::vector<Value *> inits;
  std::vector<Type> types;
  std::vector<std::string> names;
  std::vector<bool> masked;
  for (const Value *f : freeVals) {
    inits.push_back(orZeros(findAdj(s, f), f->type));
    types.push_back(f->type);
    names.push_back(derivName("d_", f));
    masked.push_back(isMasked(inits.back()));
  }
  // Builds the loop nest (see reverseLoop for why it may be built twice); returns the outermost.
  auto build = [&](std::vector<bool> &yieldMasked) {
    std::vector<Op *> loops;
    std::vector<Value *> idx, carried = inits;
    for (size_t l = 0; l < op.dims.size(); ++l) {
      std::vector<Value *> operands{e_.i64(0), e_.dim(op.dims[l])};
      operands.insert(operands.end(), carried.begin(), carried.end());
      Op *n = b_.create(OpKind::For, operands, types);
      std::vector<Type> argTypes{Type::i64()};
      argTypes.insert(argTypes.end(), types.begin(), types.end());
      std::vector<std::string> argNames{body.args[l]->name};
      argNames.insert(argNames.end(), names.begin(), names.end());
      Block *blk = b_.addRegion(n, argTypes, argNames);
      idx.push_back(blk->args[0]);
      carried.assign(blk->args.begin() + 1, blk->args.end());
      loops.push_back(n);
      b_.setInsertionBlock(blk);
    }
    Scope rs{Scope::Kind::Root, &s, &body, {}, {}, {}};
    for (size_t l = 0; l < idx.size(); ++l)
      rs.vals[body.args[l]] = idx[l];
    for (size_t j = 0; j < freeVals.size(); ++j) {
      rs.adj[freeVals[j]] = carried[j];
      if (masked[j])
        masked_.insert(carried[j]);
    }
    // Recompute the element (the forward sweep of the body, with its own tapes).
    bool wasReverse = inReverse_;
    inReverse_ = false;
    createTapes(&body, rs);
    auto pk = packed_.find(op.result());
    auto stored = packedNow_.find(op.result());
    bool fromTape = pk != packed_.end() && stored != packedNow_.end();
    for (const auto &o : body.ops) {
      if (isTerminator(o->kind))
        continue;
      forwardOp(*o, rs);
      // The nest's float part is left without uses; dead-code elimination drops it.
      if (fromTape && o.get() == pk->second.vec->def)
        rs.vals[pk->second.vec] = packedPart(stored->second, idx, &pk->second.vec->type.shape[0]);
    }
    inReverse_ = true;
    // Its adjoint is the element's part of the result's adjoint.
    const Value *elem = body.terminator()->operands.at(0);
    IndexSpec spec;
    spec.modes.assign(dR->type.rank(), kFull);
    for (size_t l = 0; l < idx.size(); ++l) {
      spec.modes[l] = kPoint;
      spec.operands.push_back(idx[l]);
    }
    accumulate(rs, elem, e_.index(dR, spec), isMasked(dR));
    reverseOps(body, rs);
    inReverse_ = wasReverse;

    std::vector<Value *> out;
    for (size_t j = 0; j < freeVals.size(); ++j) {
      out.push_back(findAdj(rs, freeVals[j]));
      yieldMasked[j] = isMasked(out.back());
    }
    for (size_t l = loops.size(); l-- > 0;) {
      b_.setInsertionBlock(loops[l]->regions[0].get());
      b_.create(OpKind::Yield, out, {});
      out = loops[l]->results;
    }
    b_.setInsertionBlock(outer);
    return loops.front();
  };
  Op *n = nullptr;
  for (int attempt = 0;; ++attempt) {
    std::vector<bool> yieldMasked(freeVals.size());
    n = build(yieldMasked);
    bool grew = false;
    for (size_t i = 0; i < masked.size(); ++i)
      if (yieldMasked[i] && !masked[i])
        masked[i] = grew = true;
    if (!grew || attempt == 2)
      break;
    // The loop nest's bounds were emitted just before it; only the nest itself is dropped.
    if (outer->ops.back().get() != n)
      throw InternalError("reverse: map loop rebuilt out of order");
    outer->ops.pop_back();
  }
  for (size_t j = 0; j < freeVals.size(); ++j)
    setAdj(s, freeVals[j], n->results[j], masked[j]);
}

} // namespace diffc::ad::rev
