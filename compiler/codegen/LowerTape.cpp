// Tapes: LIFO stacks of fixed-size entries that carry values from AD's forward sweep to its
// reverse sweep. A tape value is a pointer to a diffc_tape header in the tape arena; push and pop
// mutate it in place when the old tape value is dead afterwards (the normal, linear use), else
// they work on a copy. Popped tensors are copied out, so a later push cannot overwrite them.
#include "codegen/Lowering.h"

namespace diffc::codegen {

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

void FnLowering::lowerTapePush(const ir::Op &op) {
  const ir::Value *v = op.operand(1);
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
    B.CreateMemCpy(dst, llvm::MaybeAlign(1), get(v), llvm::MaybeAlign(1), eb);
  B.CreateStore(B.CreateAdd(count, constI64(1)), countSlot);
  set(op.result(), hdr);
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
  } else {
    v = allocTensor(et);
    B.CreateMemCpy(v, llvm::MaybeAlign(1), src, llvm::MaybeAlign(1), eb);
  }
  set(op.result(0), hdr);
  set(op.result(1), v);
}

} // namespace diffc::codegen
