// The reverse of a map (a comprehension): a loop nest over the same extents that, per element,
// recomputes the element (the map body is its own root: loops inside it get their own tapes),
// seeds it with its part of the result's adjoint and runs the body backwards. The adjoints of
// the outer values the body reads are carried through the nest and accumulated in place, so a
// body reading x[i] costs O(1) per element in reverse.
#include "ad/Reverse.h"

#include "support/Diagnostics.h"

namespace diffc::ad::rev {

using namespace ir;

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
    forwardOps(body, rs);
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
