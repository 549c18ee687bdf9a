// Infrastructure of function lowering: values, dims, element access, arena allocation, runtime
// checks and loops. The per-op lowerings live in the other Lower*.cpp files.
#include "codegen/Lowering.h"

#include "support/Diagnostics.h"

#include <fmt/format.h>

#include <algorithm>

namespace diffc::codegen {

using ir::ElemType;

namespace {
// Offsets into diffc_ctx / diffc_arena (diffc/abi.h).
constexpr uint64_t kTempArena = offsetof(diffc_ctx, temp);
constexpr uint64_t kTapeArena = offsetof(diffc_ctx, tape);
constexpr uint64_t kArenaCur = offsetof(diffc_arena, cur);
constexpr uint64_t kArenaEnd = offsetof(diffc_arena, end);
constexpr uint64_t kArenaChunk = offsetof(diffc_arena, chunk);
} // namespace

FnLowering::FnLowering(ModuleLowering &m, const ir::Function &f, llvm::Function *target)
    : M(m), fn(f), F(target ? target : m.implOf(f)), C(m.context()), B(m.context()), own(f) {
  i1 = llvm::Type::getInt1Ty(C);
  i8 = llvm::Type::getInt8Ty(C);
  i32 = llvm::Type::getInt32Ty(C);
  i64 = llvm::Type::getInt64Ty(C);
  f32 = llvm::Type::getFloatTy(C);
  f64 = llvm::Type::getDoubleTy(C);
  ptr = compat::ptrTy(C);
}

void FnLowering::begin() {
  prologue_ = llvm::BasicBlock::Create(C, "prologue", F);
  llvm::BasicBlock *body = llvm::BasicBlock::Create(C, "entry", F);
  B.SetInsertPoint(prologue_);
  B.CreateBr(body);
  B.SetInsertPoint(body);
  fnName_ = M.cstring(fn.name);

  auto arg = F->arg_begin();
  ctx = &*arg++;
  arg += static_cast<long>(fn.sizeParams.size());
  for (const ir::Value *p : fn.params())
    set(p, &*arg++);
}

void FnLowering::findDirectResults() {
  // A result the function builds by filling a tensor and updating it in place through one loop
  // (a gradient's d_x: `fill 0`, then the reverse loop's update_adds) is built in the caller's
  // result buffer from the start, which saves copying it there at the end. The ABI promises that
  // result buffers overlap nothing else (abi.h; the host API checks it).
  const ir::Op *ret = fn.body->terminator();
  if (!ret || ret->kind != ir::OpKind::Return)
    return;
  for (unsigned r = 0; r < ret->operands.size(); ++r) {
    const ir::Value *v = ret->operand(r);
    const ir::Op *loop = v->def;
    if (!v->type.isTensor() || !loop || loop->kind != ir::OpKind::For ||
        loop->parent != fn.body.get())
      continue;
    unsigned k = v->index, slot = k + 2;
    if (slot >= loop->operands.size() || !own.mayConsume(*loop, slot) || !own.keepsBuffer(*loop, k))
      continue;
    const ir::Value *init = loop->operand(slot);
    if (!init->def || init->def->kind != ir::OpKind::Fill || init->def->parent != fn.body.get() ||
        directResult_.count(init) || !onlyUsedBy(init, *loop))
      continue;
    directResult_[init] = r;
  }
}

llvm::Value *FnLowering::resultArg(unsigned r) const {
  return F->getArg(1 + static_cast<unsigned>(fn.sizeParams.size() + fn.params().size()) + r);
}

void FnLowering::run() {
  begin();
  findDirectResults();
  lowerBlockBody(*fn.body);
  const ir::Op *term = fn.body->terminator();
  if (!term || term->kind != ir::OpKind::Return)
    throw InternalError(fmt::format("codegen: body of '{}' does not end in return", fn.name));
  curOp = term;
  lowerReturn(*term);
}

llvm::Value *FnLowering::get(const ir::Value *v) const {
  auto it = vals_.find(v);
  if (it == vals_.end())
    throw InternalError(
        fmt::format("codegen: value %{} of '{}' used before its definition", v->id, fn.name));
  return it->second;
}

void FnLowering::set(const ir::Value *v, llvm::Value *x) { vals_[v] = x; }

// ---- Dims -------------------------------------------------------------------------------------

llvm::Value *FnLowering::dim(const ir::Dim &d) {
  if (d.isConstant())
    return constI64(d.constantValue());
  if (auto it = dimCache_.find(d); it != dimCache_.end())
    return it->second;
  // Computed in the prologue (dominates every use) with wrapping arithmetic; extents are checked
  // where tensors are allocated, so a dim that is only a scalar value may be anything.
  llvm::IRBuilderBase::InsertPointGuard guard(B);
  toPrologue();
  llvm::IRBuilderBase &pb = B;
  llvm::Value *sum = nullptr;
  for (const auto &[mono, coef] : d.terms()) {
    llvm::Value *term = llvm::ConstantInt::get(i64, coef);
    for (uint32_t s : mono) {
      llvm::Value *size = F->getArg(1 + s);
      term =
          (coef == 1 && term == llvm::ConstantInt::get(i64, 1)) ? size : pb.CreateMul(term, size);
    }
    sum = sum ? pb.CreateAdd(sum, term) : term;
  }
  dimCache_[d] = sum;
  return sum;
}

std::vector<llvm::Value *> FnLowering::dims(const ir::Shape &s) {
  std::vector<llvm::Value *> out;
  for (const ir::Dim &d : s)
    out.push_back(dim(d));
  return out;
}

bool FnLowering::nonNegative(const ir::Dim &d) {
  // A size parameter is checked non-negative where the function is entered (entry point, call).
  if (d.isConstant())
    return d.constantValue() >= 0;
  const auto &t = d.terms();
  return t.size() == 1 && t.begin()->first.size() == 1 && t.begin()->second == 1;
}

bool FnLowering::fitsLikeParam(const ir::Shape &s, int64_t bytesPerElem) {
  // A parameter of the same extents (in any order) and elements at least as wide exists, so this
  // byte count fits in int64 too; and with a zero extent the product is 0 even when it wraps.
  auto sorted = [](ir::Shape x) {
    std::sort(x.begin(), x.end());
    return x;
  };
  ir::Shape want = sorted(s);
  for (const ir::Value *p : fn.params())
    if (p->type.isTensor() && elemBytes(p->type.elem) >= bytesPerElem &&
        p->type.shape.size() == s.size() && sorted(p->type.shape) == want)
      return true;
  return false;
}

llvm::Value *FnLowering::numel(const ir::Shape &s) {
  // The element count must fit in int64 (a fused loop over a shape that is never allocated still
  // counts its elements): checked, except for products of constants that fit and shapes that
  // fit like a parameter's.
  if (fitsLikeParam(s, 1)) {
    llvm::Value *n = constI64(1);
    for (const ir::Dim &d : s)
      n = B.CreateMul(n, dim(d));
    return n;
  }
  llvm::Value *n = constI64(1);
  int64_t constant = 1;
  bool allConstant = true;
  for (const ir::Dim &d : s) {
    llvm::Value *x = dim(d);
    if (d.isConstant() && allConstant && d.constantValue() >= 0 &&
        !__builtin_mul_overflow(constant, d.constantValue(), &constant)) {
      n = constI64(constant);
      continue;
    }
    allConstant = false;
    llvm::Value *r = B.CreateIntrinsic(llvm::Intrinsic::smul_with_overflow, {i64}, {n, x});
    check(B.CreateNot(B.CreateExtractValue(r, 1)), DIFFC_ERR_TOO_LARGE);
    n = B.CreateExtractValue(r, 0);
  }
  return n;
}

// ---- Elements ---------------------------------------------------------------------------------

llvm::Type *FnLowering::memTy(ElemType e) {
  switch (e) {
  case ElemType::F64:
    return f64;
  case ElemType::F32:
    return f32;
  case ElemType::I64:
    return i64;
  case ElemType::Bool:
    return i8;
  }
  return f64;
}

llvm::Type *FnLowering::valTy(ElemType e) { return e == ElemType::Bool ? i1 : memTy(e); }

llvm::Type *FnLowering::typeOf(const ir::Type &t) { return t.isScalar() ? valTy(t.elem) : ptr; }

int64_t FnLowering::elemBytes(ElemType e) {
  return e == ElemType::Bool ? 1 : e == ElemType::F32 ? 4 : 8;
}

llvm::Value *FnLowering::elemPtr(ElemType e, llvm::Value *base, llvm::Value *idx) {
  return B.CreateInBoundsGEP(memTy(e), base, idx);
}

llvm::Value *FnLowering::load(ElemType e, llvm::Value *base, llvm::Value *idx) {
  llvm::Value *v = B.CreateLoad(memTy(e), elemPtr(e, base, idx));
  return e == ElemType::Bool ? B.CreateICmpNE(v, llvm::ConstantInt::get(i8, 0)) : v;
}

void FnLowering::store(ElemType e, llvm::Value *base, llvm::Value *idx, llvm::Value *v) {
  if (e == ElemType::Bool)
    v = B.CreateZExt(v, i8);
  B.CreateStore(v, elemPtr(e, base, idx));
}

llvm::Value *FnLowering::read(const ir::Value *v, llvm::Value *idx) {
  if (v->type.isScalar())
    return get(v);
  if (fused_.count(v))
    return fusedElem(v, idx);
  return load(v->type.elem, get(v), idx);
}

void FnLowering::copy(ElemType e, llvm::Value *dst, llvm::Value *src, llvm::Value *count) {
  copyBytes(dst, src, B.CreateMul(count, constI64(elemBytes(e))));
}

void FnLowering::copyBytes(llvm::Value *dst, llvm::Value *src, llvm::Value *bytes) {
  // LLVM expands a memcpy of known size itself. A symbolic size becomes a libc call, which
  // costs more than the copy for the small tensors loops push to and pop from tapes (a vector of
  // B = 14 doubles in the LSTM): 16 to 128 bytes are copied inline, as overlapping 8- or 32-byte
  // pieces (the buffers never overlap each other, so neither do the pieces' reads and writes).
  if (llvm::isa<llvm::ConstantInt>(bytes)) {
    B.CreateMemCpy(dst, llvm::MaybeAlign(1), src, llvm::MaybeAlign(1), bytes);
    return;
  }
  llvm::BasicBlock *small = newBlock("copy.small"), *call = newBlock("copy.call"),
                   *done = newBlock("copy.done");
  llvm::Value *inRange = B.CreateICmpULE(B.CreateSub(bytes, constI64(16)), constI64(128 - 16));
  B.CreateCondBr(inRange, small, call);
  B.SetInsertPoint(call);
  B.CreateMemCpy(dst, llvm::MaybeAlign(1), src, llvm::MaybeAlign(1), bytes);
  B.CreateBr(done);
  // Copies [from, from + w) and [bytes - from - w, bytes - from) in w-byte pieces.
  auto pieces = [&](unsigned w, int64_t from) {
    llvm::Type *t = llvm::FixedVectorType::get(i64, w / 8);
    llvm::Value *tailAt = B.CreateSub(bytes, constI64(from + w));
    llvm::Value *a = B.CreateAlignedLoad(t, B.CreateConstGEP1_64(i8, src, from), llvm::Align(1));
    llvm::Value *b = B.CreateAlignedLoad(t, B.CreateGEP(i8, src, tailAt), llvm::Align(1));
    B.CreateAlignedStore(a, B.CreateConstGEP1_64(i8, dst, from), llvm::Align(1));
    B.CreateAlignedStore(b, B.CreateGEP(i8, dst, tailAt), llvm::Align(1));
  };
  B.SetInsertPoint(small);
  llvm::BasicBlock *wide = newBlock("copy.32"), *narrow = newBlock("copy.16"),
                   *more = newBlock("copy.64");
  B.CreateCondBr(B.CreateICmpUGE(bytes, constI64(32)), wide, narrow);
  // 16 to 31 bytes in four overlapping 8-byte pieces: the source is often a vector the loop body
  // has just written element by element (a packed tape entry), and a 16-byte load spanning two
  // 8-byte stores cannot be forwarded from the store buffer and waits for them to retire (perf
  // put a tenth of the GMM gradient's samples at D = 2 on such loads; the run got ~1% faster).
  B.SetInsertPoint(narrow);
  pieces(8, 0);
  pieces(8, 8);
  B.CreateBr(done);
  B.SetInsertPoint(wide); // 32 to 64 bytes, then the middle of up to 128
  pieces(32, 0);
  B.CreateCondBr(B.CreateICmpUGT(bytes, constI64(64)), more, done);
  B.SetInsertPoint(more);
  pieces(32, 32);
  B.CreateBr(done);
  B.SetInsertPoint(done);
}

void FnLowering::zero(ElemType e, llvm::Value *dst, llvm::Value *count) {
  // All-zero bytes are +0.0, 0 and false.
  llvm::Value *bytes = B.CreateMul(count, constI64(elemBytes(e)));
  B.CreateMemSet(dst, llvm::ConstantInt::get(i8, 0), bytes, llvm::MaybeAlign(1));
}

llvm::Value *FnLowering::zeroOf(ElemType e) { return llvm::Constant::getNullValue(valTy(e)); }

llvm::Value *FnLowering::oneOf(ElemType e) {
  llvm::Type *t = valTy(e);
  return t->isFloatingPointTy() ? llvm::ConstantFP::get(t, 1.0) : llvm::ConstantInt::get(t, 1);
}

void FnLowering::setFastMath(llvm::Value *v) {
  if (!M.options().fastMath)
    return;
  auto *i = llvm::dyn_cast<llvm::Instruction>(v);
  if (!i || !llvm::isa<llvm::FPMathOperator>(i))
    return;
  i->setFast(true);
  // Checked code must not let LLVM assume that NaN and inf never happen.
  if (M.options().checkNonFinite) {
    i->setHasNoNaNs(false);
    i->setHasNoInfs(false);
  }
}

// ---- Memory -----------------------------------------------------------------------------------

llvm::Value *FnLowering::allocBytes(llvm::Value *bytes, llvm::Value *arena) {
  // diffc_rt_alloc fills the error record when it fails, so every allocation of the function
  // shares one failure block.
  auto runtimeAlloc = [&] {
    SourceLoc loc = curOp ? curOp->loc : fn.loc;
    llvm::Value *p = B.CreateCall(M.runtime("diffc_rt_alloc"),
                                  {arena, bytes, fnName_, llvm::ConstantInt::get(i32, loc.line),
                                   llvm::ConstantInt::get(i32, loc.col)});
    llvm::BasicBlock *cont = newBlock("alloc.ok");
    B.CreateCondBr(B.CreateIsNotNull(p), cont, recordedFailure(),
                   llvm::MDBuilder(C).createLikelyBranchWeights());
    B.SetInsertPoint(cont);
    return p;
  };
  // Code that runs once per call from outside calls the runtime: as fast as the inline bump
  // below to within a few nanoseconds, and four blocks and a dozen instructions less for LLVM to
  // compile (cold JIT compile, tests/bench/compile/README.md).
  if (loopDepth_ == 0 && !M.isCalled(fn))
    return runtimeAlloc();
  llvm::Value *rounded = B.CreateAnd(B.CreateAdd(bytes, constI64(63)), constI64(~int64_t(63)));
  llvm::Value *curSlot = B.CreateConstInBoundsGEP1_64(i8, arena, kArenaCur);
  llvm::Value *endSlot = B.CreateConstInBoundsGEP1_64(i8, arena, kArenaEnd);
  llvm::Value *cur = B.CreateLoad(ptr, curSlot);
  llvm::Value *end = B.CreateLoad(ptr, endSlot);
  llvm::Value *avail = B.CreateSub(B.CreatePtrToInt(end, i64), B.CreatePtrToInt(cur, i64));
  llvm::BasicBlock *fast = newBlock("alloc.fast"), *slow = newBlock("alloc.slow"),
                   *join = newBlock("alloc.done");
  llvm::MDBuilder md(C);
  B.CreateCondBr(B.CreateICmpULE(rounded, avail), fast, slow, md.createLikelyBranchWeights());
  B.SetInsertPoint(fast);
  B.CreateStore(B.CreateInBoundsGEP(i8, cur, rounded), curSlot);
  B.CreateBr(join);
  B.SetInsertPoint(slow);
  llvm::Value *p = runtimeAlloc(); // finds the arena full again, and takes a new chunk
  llvm::BasicBlock *slowEnd = B.GetInsertBlock();
  B.CreateBr(join);
  B.SetInsertPoint(join);
  llvm::PHINode *phi = B.CreatePHI(ptr, 2);
  phi->addIncoming(cur, fast);
  phi->addIncoming(p, slowEnd);
  return phi;
}

namespace {
constexpr int64_t kStackTensorBytes = 64;

/// The byte count of a tensor of t when its shape is constant and it is at most
/// kStackTensorBytes, else -1.
int64_t smallConstantBytes(const ir::Type &t) {
  int64_t bytes = FnLowering::elemBytes(t.elem);
  for (const ir::Dim &d : t.shape) {
    // A product past int64 is not small (zeros(4611686018427387904, 4): 2^62 * 8 overflowed).
    if (!d.isConstant() || d.constantValue() < 0 || bytes > kStackTensorBytes ||
        __builtin_mul_overflow(bytes, d.constantValue(), &bytes))
      return -1;
  }
  return bytes <= kStackTensorBytes ? bytes : -1;
}
} // namespace

bool FnLowering::onStack(const ir::Type &t) { return t.isTensor() && smallConstantBytes(t) >= 0; }

llvm::Value *FnLowering::allocTensor(const ir::Type &t) {
  // A tensor of a few elements of constant shape (a velocity f64[2]) lives in a stack slot of
  // the function: no arena traffic, and SROA can keep it in registers. One slot per allocation
  // site is enough: a value never outlives the next run of the op that made it (a loop copies
  // what it yields into its own buffers, a call its results into the caller's).
  if (int64_t bytes = smallConstantBytes(t); bytes >= 0) {
    llvm::IRBuilderBase::InsertPointGuard guard(B);
    toPrologue();
    llvm::AllocaInst *a = B.CreateAlloca(llvm::ArrayType::get(i8, std::max<int64_t>(bytes, 1)));
    a->setAlignment(llvm::Align(16));
    return a;
  }
  return allocBytes(tensorBytes(t), B.CreateConstInBoundsGEP1_64(i8, ctx, kTempArena));
}

llvm::Value *FnLowering::tensorBytes(const ir::Type &t) {
  // Every extent non-negative and the byte count within int64 (the interpreter's checks), where
  // that is not known already.
  const bool fits = fitsLikeParam(t.shape, elemBytes(t.elem));
  llvm::Value *n = constI64(elemBytes(t.elem));
  for (const ir::Dim &d : t.shape) {
    llvm::Value *x = dim(d);
    if (!nonNegative(d))
      check(d.isConstant() ? B.getFalse() : B.CreateICmpSGE(x, constI64(0)),
            DIFFC_ERR_NEGATIVE_SIZE, x);
    if (fits) {
      n = B.CreateMul(n, x);
      continue;
    }
    llvm::Value *r = B.CreateIntrinsic(llvm::Intrinsic::smul_with_overflow, {i64}, {n, x});
    check(B.CreateNot(B.CreateExtractValue(r, 1)), DIFFC_ERR_TOO_LARGE);
    n = B.CreateExtractValue(r, 0);
  }
  return n;
}

llvm::Value *FnLowering::copyOf(const ir::Value *v) {
  llvm::Value *out = allocTensor(v->type);
  copy(v->type.elem, out, get(v), numel(v->type.shape));
  return out;
}

FnLowering::Mark FnLowering::mark() {
  llvm::Value *arena = B.CreateConstInBoundsGEP1_64(i8, ctx, kTempArena);
  return {B.CreateLoad(ptr, B.CreateConstInBoundsGEP1_64(i8, arena, kArenaChunk)),
          B.CreateLoad(ptr, B.CreateConstInBoundsGEP1_64(i8, arena, kArenaCur))};
}

void FnLowering::release(Mark m) {
  llvm::Value *arena = B.CreateConstInBoundsGEP1_64(i8, ctx, kTempArena);
  llvm::Value *chunk = B.CreateLoad(ptr, B.CreateConstInBoundsGEP1_64(i8, arena, kArenaChunk));
  llvm::BasicBlock *same = newBlock("release.same"), *other = newBlock("release.other"),
                   *done = newBlock("release.done");
  llvm::MDBuilder md(C);
  B.CreateCondBr(B.CreateICmpEQ(chunk, m.chunk), same, other, md.createLikelyBranchWeights());
  B.SetInsertPoint(same);
  B.CreateStore(m.cur, B.CreateConstInBoundsGEP1_64(i8, arena, kArenaCur));
  B.CreateBr(done);
  B.SetInsertPoint(other);
  B.CreateCall(M.runtime("diffc_rt_release_slow"), {arena, m.chunk, m.cur});
  B.CreateBr(done);
  B.SetInsertPoint(done);
}

// ---- Checks -----------------------------------------------------------------------------------

llvm::BasicBlock *FnLowering::recordedFailure() {
  if (!recordedFailure_) {
    recordedFailure_ = newBlock("fail.recorded");
    llvm::IRBuilder<> b(recordedFailure_);
    b.CreateRet(
        b.CreateLoad(i32, b.CreateConstInBoundsGEP1_64(
                              i8, ctx, offsetof(diffc_ctx, error) + offsetof(diffc_error, code))));
  }
  return recordedFailure_;
}

void FnLowering::check(llvm::Value *ok, int code, llvm::Value *a, llvm::Value *b, llvm::Value *c,
                       llvm::Value *d) {
  if (auto *k = llvm::dyn_cast<llvm::ConstantInt>(ok); k && k->isOne())
    return;
  SourceLoc loc = curOp ? curOp->loc : fn.loc;
  // Checks that report the same thing share one failure block (the ops of one source location
  // check the same sizes): less code for LLVM to compile. Each reported value is an operand of
  // every check sharing the block, so it dominates them all and the block too. Values that need
  // a conversion get a block of their own, which converts them off the hot path.
  std::array<llvm::Value *, 4> vals{a, b, c, d};
  bool shareable = true;
  for (llvm::Value *&v : vals) {
    if (!v)
      v = constI64(0);
    shareable = shareable && v->getType() == i64;
  }
  llvm::BasicBlock *cont = newBlock("ok");
  llvm::MDBuilder md(C);
  llvm::BasicBlock *fail = nullptr;
  if (shareable) {
    auto [it, fresh] = failBlocks_.try_emplace(FailKey{code, loc.line, loc.col, vals}, nullptr);
    if (!fresh) {
      B.CreateCondBr(ok, cont, it->second, md.createLikelyBranchWeights());
      B.SetInsertPoint(cont);
      return;
    }
    fail = it->second = newBlock("fail");
  } else {
    fail = newBlock("fail");
  }
  B.CreateCondBr(ok, cont, fail, md.createLikelyBranchWeights());
  B.SetInsertPoint(fail);
  for (llvm::Value *&v : vals)
    v = v->getType() == i64 ? v : B.CreateSExtOrTrunc(v, i64);
  llvm::Value *status = B.CreateCall(
      M.runtime("diffc_rt_fail"),
      {ctx, llvm::ConstantInt::get(i32, code), fnName_, llvm::ConstantInt::get(i32, loc.line),
       llvm::ConstantInt::get(i32, loc.col), vals[0], vals[1], vals[2], vals[3]});
  B.CreateRet(status);
  B.SetInsertPoint(cont);
}

void FnLowering::propagate(llvm::Value *status) {
  llvm::BasicBlock *fail = newBlock("callfail"), *cont = newBlock("callok");
  llvm::MDBuilder md(C);
  B.CreateCondBr(B.CreateICmpEQ(status, llvm::ConstantInt::get(i32, 0)), cont, fail,
                 md.createLikelyBranchWeights());
  B.SetInsertPoint(fail);
  B.CreateRet(status);
  B.SetInsertPoint(cont);
}

// ---- Loops ------------------------------------------------------------------------------------

llvm::BasicBlock *FnLowering::newBlock(const char *name) {
  return llvm::BasicBlock::Create(C, name, F);
}

std::vector<llvm::Value *> FnLowering::loopCarried(
    llvm::Value *lo, llvm::Value *hi, std::vector<llvm::Value *> init,
    const std::function<std::vector<llvm::Value *>(llvm::Value *,
                                                   const std::vector<llvm::Value *> &)> &body) {
  llvm::BasicBlock *pre = B.GetInsertBlock();
  llvm::BasicBlock *header = newBlock("loop"), *bodyBB = newBlock("loop.body"),
                   *exit = newBlock("loop.done");
  B.CreateBr(header);
  B.SetInsertPoint(header);
  llvm::PHINode *iv = B.CreatePHI(i64, 2, "i");
  iv->addIncoming(lo, pre);
  std::vector<llvm::PHINode *> phis;
  std::vector<llvm::Value *> carried;
  for (llvm::Value *v : init) {
    llvm::PHINode *p = B.CreatePHI(v->getType(), 2);
    p->addIncoming(v, pre);
    phis.push_back(p);
    carried.push_back(p);
  }
  B.CreateCondBr(B.CreateICmpSLT(iv, hi), bodyBB, exit);
  B.SetInsertPoint(bodyBB);
  ++loopDepth_;
  std::vector<llvm::Value *> next = body(iv, carried);
  --loopDepth_;
  if (next.size() != phis.size())
    throw InternalError("codegen: loop body yields the wrong number of values");
  llvm::Value *ivNext = B.CreateAdd(iv, constI64(1), "", /*HasNUW=*/false, /*HasNSW=*/true);
  llvm::BasicBlock *latch = B.GetInsertBlock();
  iv->addIncoming(ivNext, latch);
  for (size_t k = 0; k < phis.size(); ++k)
    phis[k]->addIncoming(next[k], latch);
  B.CreateBr(header);
  B.SetInsertPoint(exit);
  return carried;
}

void FnLowering::loop(llvm::Value *lo, llvm::Value *hi,
                      const std::function<void(llvm::Value *)> &body) {
  loopCarried(lo, hi, {}, [&](llvm::Value *iv, const std::vector<llvm::Value *> &) {
    body(iv);
    return std::vector<llvm::Value *>{};
  });
}

void FnLowering::loopNest(const std::vector<llvm::Value *> &extents,
                          const std::function<void(const std::vector<llvm::Value *> &)> &body) {
  std::vector<llvm::Value *> ivs;
  std::function<void(size_t)> level = [&](size_t a) {
    if (a == extents.size()) {
      body(ivs);
      return;
    }
    loop(constI64(0), extents[a], [&](llvm::Value *iv) {
      ivs.push_back(iv);
      level(a + 1);
      ivs.pop_back();
    });
  };
  level(0);
}

std::vector<llvm::Value *> FnLowering::strides(const std::vector<llvm::Value *> &extents) {
  std::vector<llvm::Value *> s(extents.size());
  llvm::Value *acc = constI64(1);
  for (size_t a = extents.size(); a-- > 0;) {
    s[a] = acc;
    acc = B.CreateMul(acc, extents[a]);
  }
  return s;
}

} // namespace diffc::codegen
