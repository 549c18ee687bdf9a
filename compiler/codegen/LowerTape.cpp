// Tapes: LIFO stacks of fixed-size entries that carry values from AD's forward sweep to its
// reverse sweep. A tape value is a pointer to a diffc_tape header in the tape arena; push and pop
// mutate it in place when the old tape value is dead afterwards (the normal, linear use), else
// they work on a copy. A popped tensor is read in place, in the tape, when nothing can push onto
// a tape before its last read (popInPlace); otherwise it is copied out, so that a later push
// cannot overwrite or move it.
// A counted `for` loop that only pushes onto a tape reserves all its entries before it runs and
// stores each at an index computed from the loop counter: no grow check, and no count kept in
// memory per push (while loops and mixed uses keep the growable path).
#include "codegen/Lowering.h"

#include <set>

namespace diffc::codegen {

using ir::OpKind;

namespace {
constexpr uint64_t kData = offsetof(diffc_tape, data);
constexpr uint64_t kCount = offsetof(diffc_tape, count);
constexpr uint64_t kCap = offsetof(diffc_tape, cap);
} // namespace

llvm::Value *FnLowering::tapeEntryBytes(const ir::Type &t) {
  return B.CreateMul(numel(t.shape), constI64(elemBytes(t.elem)));
}

void FnLowering::lowerTapeNew(const ir::Op &op) {
  llvm::Value *arena = B.CreateConstInBoundsGEP1_64(i8, ctx, offsetof(diffc_ctx, tape));
  llvm::Value *hdr = allocBytes(constI64(sizeof(diffc_tape)), arena);
  B.CreateStore(llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr)),
                B.CreateConstInBoundsGEP1_64(i8, hdr, kData));
  B.CreateStore(constI64(0), B.CreateConstInBoundsGEP1_64(i8, hdr, kCount));
  B.CreateStore(constI64(0), B.CreateConstInBoundsGEP1_64(i8, hdr, kCap));
  set(op.result(), hdr);
}

static llvm::Value *ownTape(FnLowering &L, const ir::Op &op) {
  const ir::Value *t = op.operand(0);
  if (L.own.mayConsume(op, 0))
    return L.get(t);
  llvm::Value *c = L.B.CreateCall(L.M.runtime("diffc_rt_tape_clone"),
                                  {L.ctx, L.get(t), L.tapeEntryBytes(t->type)});
  L.check(L.B.CreateIsNotNull(c), DIFFC_ERR_OUT_OF_MEMORY);
  return c;
}

/// Whether an op of b (not counting `skip`), or of a region inside it, reads a value of `vals`.
static bool usesAny(const ir::Block &b, const std::set<const ir::Value *> &vals,
                    const std::set<const ir::Op *> &skip) {
  for (const auto &o : b.ops) {
    if (skip.count(o.get()))
      continue;
    for (const ir::Value *v : o->operands)
      if (vals.count(v))
        return true;
    for (const auto &r : o->regions)
      if (usesAny(*r, vals, skip))
        return true;
  }
  return false;
}

/// The pushes of a `for` body onto its carried tape k when the body does nothing else with that
/// tape (each push consuming it, the yield passing it on); empty otherwise.
static std::vector<const ir::Op *> pushOnlyChain(const FnLowering &L, const ir::Block &body,
                                                 unsigned k) {
  const ir::Value *cur = body.args.at(k + 1);
  std::set<const ir::Value *> chain{cur};
  std::vector<const ir::Op *> pushes;
  for (const auto &o : body.ops) {
    if (o->kind != OpKind::TapePush || o->operand(0) != cur || !L.own.mayConsume(*o, 0))
      continue;
    pushes.push_back(o.get());
    cur = o->result(0);
    chain.insert(cur);
  }
  const ir::Op *term = body.terminator();
  if (pushes.empty() || !term || term->kind != OpKind::Yield || term->operand(k) != cur ||
      !L.own.mayConsume(*term, k))
    return {};
  std::set<const ir::Op *> skip(pushes.begin(), pushes.end());
  skip.insert(term);
  for (unsigned m = 0; m < term->operands.size(); ++m)
    if (m != k && chain.count(term->operand(m)))
      return {};
  return usesAny(body, chain, skip) ? std::vector<const ir::Op *>{} : pushes;
}

std::vector<FnLowering::CountedTape>
FnLowering::reserveCountedTapes(const ir::Op &forOp, const std::vector<llvm::Value *> &init,
                                llvm::Value *trips) {
  std::vector<CountedTape> out;
  const ir::Block &body = *forOp.region(0);
  for (unsigned k = 0; k < init.size(); ++k) {
    const ir::Value *t = forOp.operand(k + 2);
    if (!t->type.isTape)
      continue;
    CountedTape c;
    c.carried = k;
    c.pushes = pushOnlyChain(*this, body, k);
    if (c.pushes.empty())
      continue;
    llvm::Value *hdr = init[k];
    c.entryBytes = tapeEntryBytes(t->type);
    c.base = B.CreateLoad(i64, B.CreateConstInBoundsGEP1_64(i8, hdr, kCount));
    // count + trips * pushes, checked: a wrapped product would reserve too little and let the
    // unchecked pushes below write past the tape.
    llvm::Value *prod = B.CreateIntrinsic(llvm::Intrinsic::smul_with_overflow, {i64},
                                          {trips, constI64(static_cast<int64_t>(c.pushes.size()))});
    check(B.CreateNot(B.CreateExtractValue(prod, 1)), DIFFC_ERR_TOO_LARGE);
    llvm::Value *sum = B.CreateIntrinsic(llvm::Intrinsic::sadd_with_overflow, {i64},
                                         {c.base, B.CreateExtractValue(prod, 0)});
    check(B.CreateNot(B.CreateExtractValue(sum, 1)), DIFFC_ERR_TOO_LARGE);
    llvm::Value *need = B.CreateExtractValue(sum, 0);
    llvm::Value *bytes =
        B.CreateIntrinsic(llvm::Intrinsic::smul_with_overflow, {i64}, {need, c.entryBytes});
    check(B.CreateNot(B.CreateExtractValue(bytes, 1)), DIFFC_ERR_TOO_LARGE);
    llvm::Value *cap = B.CreateLoad(i64, B.CreateConstInBoundsGEP1_64(i8, hdr, kCap));
    llvm::BasicBlock *grow = newBlock("tape.reserve"), *ready = newBlock("tape.reserved");
    llvm::MDBuilder md(C);
    B.CreateCondBr(B.CreateICmpSGT(need, cap), grow, ready, md.createUnlikelyBranchWeights());
    B.SetInsertPoint(grow);
    llvm::Value *status =
        B.CreateCall(M.runtime("diffc_rt_tape_reserve"), {ctx, hdr, c.entryBytes, need});
    check(B.CreateICmpEQ(status, llvm::ConstantInt::get(i32, 0)), DIFFC_ERR_OUT_OF_MEMORY,
          B.CreateExtractValue(bytes, 0));
    B.CreateBr(ready);
    B.SetInsertPoint(ready);
    c.data = B.CreateLoad(ptr, B.CreateConstInBoundsGEP1_64(i8, hdr, kData));
    out.push_back(std::move(c));
  }
  return out;
}

/// Whether v is computed outside op (so it has one value for all of op's iterations).
static bool definedOutside(const ir::Value *v, const ir::Op &op) {
  const ir::Block *b = v->def ? v->def->parent : v->ownerBlock;
  for (; b && b->parentOp; b = b->parentOp->parent)
    if (b->parentOp == &op)
      return false;
  return true;
}

void FnLowering::reserveNestedTapes(const ir::Op &forOp, const std::vector<llvm::Value *> &init,
                                    llvm::Value *trips) {
  // A tape the loop only hands to an inner counted loop that pushes onto it (the LSTM's per-layer
  // tapes inside the loop over characters) gets all the entries of all iterations reserved here,
  // instead of growing by doubling (and copying) as each inner loop reserves its own. Only a
  // hint: when the product overflows or the memory is not there, the inner reservations run as
  // before and report any failure themselves.
  const ir::Block &body = *forOp.region(0);
  for (unsigned k = 0; k < init.size(); ++k) {
    const ir::Value *arg = body.args.at(k + 1);
    if (!arg->type.isTape)
      continue;
    for (const auto &o : body.ops) {
      const ir::Op &inner = *o;
      if (inner.kind != OpKind::For || inner.operands.size() < 3 ||
          !definedOutside(inner.operand(0), forOp) || !definedOutside(inner.operand(1), forOp))
        continue;
      unsigned m = 2;
      while (m < inner.operands.size() && inner.operands[m] != arg)
        ++m;
      if (m == inner.operands.size())
        continue;
      size_t n = pushOnlyChain(*this, *inner.region(0), m - 2).size();
      if (n == 0)
        continue;
      llvm::Value *lo = get(inner.operand(0)), *hi = get(inner.operand(1));
      llvm::Value *innerTrips =
          B.CreateSelect(B.CreateICmpSGT(hi, lo), B.CreateSub(hi, lo), constI64(0));
      llvm::Value *hdr = init[k];
      llvm::Value *entryBytes = tapeEntryBytes(arg->type);
      llvm::Value *count = B.CreateLoad(i64, B.CreateConstInBoundsGEP1_64(i8, hdr, kCount));
      llvm::Value *overflow = constI64(0);
      auto checked = [&](llvm::Intrinsic::ID id, llvm::Value *a, llvm::Value *b) {
        llvm::Value *r = B.CreateIntrinsic(id, {i64}, {a, b});
        overflow = B.CreateOr(overflow, B.CreateZExt(B.CreateExtractValue(r, 1), i64));
        return B.CreateExtractValue(r, 0);
      };
      llvm::Value *entries = checked(llvm::Intrinsic::smul_with_overflow, trips, innerTrips);
      entries =
          checked(llvm::Intrinsic::smul_with_overflow, entries, constI64(static_cast<int64_t>(n)));
      llvm::Value *need = checked(llvm::Intrinsic::sadd_with_overflow, count, entries);
      checked(llvm::Intrinsic::smul_with_overflow, need, entryBytes);
      llvm::Value *cap = B.CreateLoad(i64, B.CreateConstInBoundsGEP1_64(i8, hdr, kCap));
      llvm::Value *want =
          B.CreateAnd(B.CreateICmpEQ(overflow, constI64(0)), B.CreateICmpSGT(need, cap));
      llvm::BasicBlock *grow = newBlock("tape.prereserve"), *ready = newBlock("tape.prereserved");
      B.CreateCondBr(want, grow, ready);
      B.SetInsertPoint(grow);
      B.CreateCall(M.runtime("diffc_rt_tape_reserve"), {ctx, hdr, entryBytes, need});
      B.CreateBr(ready);
      B.SetInsertPoint(ready);
      break;
    }
  }
}

void FnLowering::placeCountedPushes(const std::vector<CountedTape> &tapes, llvm::Value *step) {
  for (const CountedTape &c : tapes) {
    int64_t n = static_cast<int64_t>(c.pushes.size());
    llvm::Value *first = B.CreateAdd(c.base, B.CreateMul(step, constI64(n)));
    for (int64_t j = 0; j < n; ++j) {
      llvm::Value *idx = B.CreateAdd(first, constI64(j));
      pushDest_[c.pushes[static_cast<size_t>(j)]] =
          B.CreateGEP(i8, c.data, B.CreateMul(idx, c.entryBytes));
    }
  }
}

void FnLowering::storeCountedTapes(const std::vector<CountedTape> &tapes,
                                   const std::vector<llvm::Value *> &cur, llvm::Value *step) {
  for (const CountedTape &c : tapes) {
    int64_t n = static_cast<int64_t>(c.pushes.size());
    llvm::Value *count =
        B.CreateAdd(c.base, B.CreateMul(B.CreateAdd(step, constI64(1)), constI64(n)));
    B.CreateStore(count, B.CreateConstInBoundsGEP1_64(i8, cur.at(c.carried), kCount));
  }
}

llvm::Value *FnLowering::pushedInPlace(const ir::Value *v) const {
  // A tensor a counted loop's iteration computes and then pushes (the GMM's stored map of
  // [element, vector] rows per point) is computed in its tape slot, which is known before the
  // iteration runs (placeCountedPushes), when nothing updates it in place afterwards and it does
  // not leave the iteration: the slot is not written again until the reverse sweep pops it, so
  // reads of v after the push see v.
  llvm::Value *slot = nullptr;
  for (const ir::Op *u : own.usesOf(v)) {
    bool takesOver =
        ((u->kind == OpKind::Update || u->kind == OpKind::UpdateAdd) && u->operand(0) == v) ||
        u->kind == OpKind::For || u->kind == OpKind::While || u->kind == OpKind::Call ||
        ir::isTerminator(u->kind);
    if (takesOver) // or leaves the iteration, past pushes that may move the tape
      return nullptr;
    if (u->kind == OpKind::TapePush && u->operand(1) == v && u->parent == v->def->parent)
      if (auto it = pushDest_.find(u); it != pushDest_.end())
        slot = it->second;
  }
  return slot;
}

void FnLowering::lowerTapePush(const ir::Op &op) {
  const ir::Value *v = op.operand(1);
  if (auto it = pushDest_.find(&op); it != pushDest_.end()) {
    // A counted loop's push: room reserved before the loop, the slot fixed by the loop counter.
    llvm::Value *dst = it->second;
    if (v->type.isScalar())
      store(v->type.elem, dst, constI64(0), get(v));
    else if (get(v) != dst) // else computed in the slot (pushedInPlace)
      copyBytes(dst, get(v), tapeEntryBytes(op.operand(0)->type));
    set(op.result(), get(op.operand(0)));
    return;
  }
  llvm::Value *hdr = ownTape(*this, op);
  llvm::Value *eb = tapeEntryBytes(op.operand(0)->type);
  llvm::Value *countSlot = B.CreateConstInBoundsGEP1_64(i8, hdr, kCount);
  llvm::Value *count = B.CreateLoad(i64, countSlot);
  llvm::Value *cap = B.CreateLoad(i64, B.CreateConstInBoundsGEP1_64(i8, hdr, kCap));
  llvm::BasicBlock *grow = newBlock("tape.grow"), *ready = newBlock("tape.ready");
  llvm::MDBuilder md(C);
  B.CreateCondBr(B.CreateICmpEQ(count, cap), grow, ready, md.createUnlikelyBranchWeights());
  B.SetInsertPoint(grow);
  llvm::Value *status = B.CreateCall(M.runtime("diffc_rt_tape_grow"), {ctx, hdr, eb});
  check(B.CreateICmpEQ(status, llvm::ConstantInt::get(i32, 0)), DIFFC_ERR_OUT_OF_MEMORY, eb);
  B.CreateBr(ready);
  B.SetInsertPoint(ready);
  llvm::Value *data = B.CreateLoad(ptr, B.CreateConstInBoundsGEP1_64(i8, hdr, kData));
  llvm::Value *dst = B.CreateGEP(i8, data, B.CreateMul(count, eb));
  if (v->type.isScalar())
    store(v->type.elem, dst, constI64(0), get(v));
  else
    copyBytes(dst, get(v), eb);
  B.CreateStore(B.CreateAdd(count, constI64(1)), countSlot);
  set(op.result(), hdr);
}

namespace {

bool usesAny(const ir::Op &op, const std::set<const ir::Value *> &vals) {
  for (const ir::Value *v : op.operands)
    if (vals.count(v))
      return true;
  for (const auto &r : op.regions)
    for (const auto &inner : r->ops)
      if (usesAny(*inner, vals))
        return true;
  return false;
}

/// Whether op may push onto some tape (or grow one): a push, or a region or call that holds one.
bool mayPush(const ir::Op &op) {
  if (op.kind == OpKind::TapePush || op.kind == OpKind::Call)
    return true;
  for (const auto &r : op.regions)
    for (const auto &inner : r->ops)
      if (mayPush(*inner))
        return true;
  return false;
}

} // namespace

bool FnLowering::popInPlace(const ir::Op &op) const {
  // The popped entry stays where it is until a push reuses its slot or grows the tape, which only
  // a push can do: the reverse sweep reads a popped row (the GMM's [K, D + 1] per point) where it
  // is, if no push can run between the pop and the last read of the row or of a view of it, the
  // row does not leave the block, and nothing takes it over to update in place.
  const ir::Value *v = op.result(1);
  const ir::Block &b = *op.parent;
  std::set<const ir::Value *> reads{v};
  size_t at = 0;
  while (at < b.ops.size() && b.ops[at].get() != &op)
    ++at;
  size_t last = at;
  for (size_t j = at + 1; j < b.ops.size(); ++j) {
    const ir::Op &o = *b.ops[j];
    if (!usesAny(o, reads))
      continue;
    if (ir::isTerminator(o.kind))
      return false;
    last = j;
    if (own.isView(o))
      reads.insert(o.results.begin(), o.results.end());
  }
  for (const ir::Op *u : own.usesOf(v)) {
    bool takesOver =
        ((u->kind == OpKind::Update || u->kind == OpKind::UpdateAdd) && u->operand(0) == v) ||
        u->kind == OpKind::For || u->kind == OpKind::While || u->kind == OpKind::Yield ||
        u->kind == OpKind::Call;
    if (takesOver)
      return false;
  }
  for (size_t j = at + 1; j <= last; ++j)
    if (mayPush(*b.ops[j]))
      return false;
  return true;
}

void FnLowering::lowerTapePop(const ir::Op &op) {
  const ir::Type &et = op.result(1)->type;
  llvm::Value *hdr = ownTape(*this, op);
  llvm::Value *eb = tapeEntryBytes(op.operand(0)->type);
  llvm::Value *countSlot = B.CreateConstInBoundsGEP1_64(i8, hdr, kCount);
  llvm::Value *count = B.CreateLoad(i64, countSlot);
  check(B.CreateICmpSGT(count, constI64(0)), DIFFC_ERR_TAPE_EMPTY);
  llvm::Value *last = B.CreateSub(count, constI64(1));
  B.CreateStore(last, countSlot);
  llvm::Value *data = B.CreateLoad(ptr, B.CreateConstInBoundsGEP1_64(i8, hdr, kData));
  llvm::Value *src = B.CreateGEP(i8, data, B.CreateMul(last, eb));
  llvm::Value *v;
  if (et.isScalar()) {
    v = load(et.elem, src, constI64(0));
  } else if (popInPlace(op)) {
    v = src;
  } else {
    v = allocTensor(et);
    copyBytes(v, src, eb);
  }
  set(op.result(0), hdr);
  set(op.result(1), v);
}

} // namespace diffc::codegen
