// Structured control flow (if, for, while, map), calls, return, and the op dispatcher.
//
// Loops keep each carried tensor in a buffer of its own (adopted from the initial value when that
// is dead afterwards, else a copy) plus a spare buffer. At the end of an iteration a yielded
// tensor that is the carried buffer itself (the body updated it in place, or passed it through)
// needs nothing; any other one is copied into the spare buffer and the two swap. The arena is then
// released to the mark taken at the start of the iteration, so a loop's memory does not grow
// with its trip count while element updates stay O(1).
#include "codegen/Lowering.h"

#include <limits>

#include "ir/NonFinite.h"

#include "support/Diagnostics.h"

#include <fmt/format.h>

namespace diffc::codegen {

using ir::ElemType;
using ir::OpKind;

namespace {
/// True when running the block may take temp-arena memory that outlives the op taking it (tensor
/// results or calls; small ones live on the stack, see allocTensor). The bodies of nested loops and
/// maps release their own memory every iteration; what a loop op itself takes is its carried
/// buffers (unless it adopts and keeps them) and a map its result. In-place updates and views take
/// nothing.
bool mayAllocate(const ir::Block &b, const Ownership &own) {
  for (const auto &o : b.ops) {
    const ir::Op &op = *o;
    switch (op.kind) {
    case OpKind::Call:
    case OpKind::While:
    case OpKind::Map:
      return true;
    case OpKind::TapePop: // a popped tensor is copied out of the tape; a scalar is a load
      if (op.results.size() > 1 && op.result(1)->type.isTensor())
        return true;
      continue;
    case OpKind::For:
      for (unsigned k = 2; k < op.operands.size(); ++k)
        if (op.operands[k]->type.isTensor() &&
            !(own.mayConsume(op, k) && own.keepsBuffer(op, k - 2)))
          return true;
      continue;
    case OpKind::Update:
    case OpKind::UpdateAdd:
      if (op.result()->type.isTensor() && !own.mayConsume(op, 0))
        return true;
      continue;
    case OpKind::If:
      for (const auto &r : op.regions)
        if (mayAllocate(*r, own))
          return true;
      break;
    default:
      break;
    }
    for (const ir::Value *r : op.results)
      if (r->type.isTensor() && !own.isView(op) && !FnLowering::onStack(r->type))
        return true;
  }
  return false;
}
} // namespace

void FnLowering::lowerBlockBody(const ir::Block &b) {
  auto lowerAt = [&](size_t i) {
    if (fusible(b, i)) {
      fused_.insert(b.ops[i]->result());
      return;
    }
    lowerOp(*b.ops[i]);
    if (M.options().checkNonFinite && ir::mayProduceNonFinite(*b.ops[i]) &&
        !ir::checkedWhileUpdating(*b.ops[i]))
      checkResult(*b.ops[i]);
  };
  for (size_t i = 0; i + 1 < b.ops.size(); ++i) {
    size_t j = loopPartner(b, i);
    if (j == 0) {
      lowerAt(i);
      continue;
    }
    // The ops between the two loops first, then both loops as one (LoopPairing.cpp).
    for (size_t k = i + 1; k < j; ++k)
      lowerAt(k);
    const ir::Op *saved = curOp;
    lowerForSplit(b.ops[i].get(), *b.ops[j]);
    curOp = saved;
    i = j;
  }
}

void FnLowering::lowerOp(const ir::Op &op) {
  const ir::Op *saved = curOp;
  curOp = &op;
  switch (ir::opClass(op.kind)) {
  case ir::OpClass::Unary:
  case ir::OpClass::Binary:
  case ir::OpClass::Compare:
    lowerElementwise(op);
    curOp = saved;
    return;
  case ir::OpClass::Other:
    break;
  }
  switch (op.kind) {
  case OpKind::Const:
    lowerConst(op);
    break;
  case OpKind::DimValue:
    set(op.result(), dim(op.dims.at(0)));
    break;
  case OpKind::Fill:
    lowerFill(op);
    break;
  case OpKind::Eye:
    lowerEye(op);
    break;
  case OpKind::Select:
    lowerSelect(op);
    break;
  case OpKind::Cast:
    lowerCast(op);
    break;
  case OpKind::StopGradient:
    set(op.result(), get(op.operand(0))); // a view (see Ownership)
    break;
  case OpKind::Broadcast:
    if (broadcastIntoNext(op))
      tensorBytes(op.result()->type); // its size checks, at its location
    else
      lowerBroadcast(op);
    break;
  case OpKind::SumTo:
    lowerSumTo(op);
    break;
  case OpKind::Reshape:
    lowerReshape(op);
    break;
  case OpKind::Transpose:
    lowerTransposeOf(op);
    break;
  case OpKind::Concat:
    lowerConcat(op);
    break;
  case OpKind::Pack:
    lowerPack(op);
    break;
  case OpKind::Diag:
    lowerDiag(op);
    break;
  case OpKind::Sum:
  case OpKind::Prod:
  case OpKind::ReduceMax:
  case OpKind::ReduceMin:
  case OpKind::Logsumexp:
  case OpKind::Norm:
    lowerReduce(op);
    break;
  case OpKind::Argmax:
    lowerArgmax(op);
    break;
  case OpKind::MatMul:
    lowerMatMul(op);
    break;
  case OpKind::Outer:
    lowerOuter(op);
    break;
  case OpKind::Softmax:
  case OpKind::LogSoftmax:
    lowerSoftmax(op);
    break;
  case OpKind::Index:
    lowerIndex(op);
    break;
  case OpKind::Update:
  case OpKind::UpdateAdd:
    lowerUpdate(op);
    break;
  case OpKind::Call:
    lowerCall(op);
    break;
  case OpKind::If:
    lowerIf(op);
    break;
  case OpKind::For:
    lowerFor(op);
    break;
  case OpKind::While:
    lowerWhile(op);
    break;
  case OpKind::Map:
    lowerMap(op);
    break;
  case OpKind::TapeNew:
    lowerTapeNew(op);
    break;
  case OpKind::TapePush:
    lowerTapePush(op);
    break;
  case OpKind::TapePop:
    lowerTapePop(op);
    break;
  case OpKind::Yield:
  case OpKind::Return:
    throw InternalError(fmt::format("codegen: '{}' in the middle of a block of '{}'",
                                    ir::opMnemonic(op.kind), fn.name));
  default:
    throw InternalError(fmt::format("codegen: no lowering for '{}'", ir::opMnemonic(op.kind)));
  }
  curOp = saved;
}

llvm::Value *FnLowering::yieldOperand(const ir::Op &yield, unsigned i) {
  const ir::Value *v = yield.operand(i);
  if (v->type.isScalar())
    return get(v);
  if (own.mayConsume(yield, i))
    return get(v);
  if (v->type.isTape)
    return B.CreateCall(M.runtime("diffc_rt_tape_clone"), {ctx, get(v), tapeEntryBytes(v->type)});
  return copyOf(v);
}

void FnLowering::lowerIf(const ir::Op &op) {
  llvm::Value *c = get(op.operand(0));
  llvm::BasicBlock *thenBB = newBlock("then"), *merge = newBlock("endif");
  llvm::BasicBlock *elseBB = op.regions.size() > 1 ? newBlock("else") : merge;
  B.CreateCondBr(c, thenBB, elseBB);
  std::vector<std::pair<llvm::BasicBlock *, std::vector<llvm::Value *>>> incoming;
  for (size_t r = 0; r < op.regions.size(); ++r) {
    B.SetInsertPoint(r == 0 ? thenBB : elseBB);
    const ir::Block &region = *op.region(static_cast<unsigned>(r));
    lowerBlockBody(region);
    const ir::Op *term = region.terminator();
    if (!term || term->kind != OpKind::Yield || term->operands.size() != op.results.size())
      throw InternalError("codegen: 'if' region does not yield its results");
    curOp = &op;
    std::vector<llvm::Value *> ys;
    for (unsigned i = 0; i < term->operands.size(); ++i)
      ys.push_back(yieldOperand(*term, i));
    incoming.push_back({B.GetInsertBlock(), ys});
    B.CreateBr(merge);
  }
  if (op.regions.size() < 2 && !op.results.empty())
    throw InternalError("codegen: 'if' with results but no else region");
  B.SetInsertPoint(merge);
  for (size_t i = 0; i < op.results.size(); ++i) {
    llvm::PHINode *phi = B.CreatePHI(typeOf(op.result(static_cast<unsigned>(i))->type), 2);
    for (auto &[bb, ys] : incoming)
      phi->addIncoming(ys[i], bb);
    set(op.result(static_cast<unsigned>(i)), phi);
  }
}

namespace {
/// Carried state of a loop: for each carried value its current LLVM value and, for tensors, the
/// spare buffer.
struct Carried {
  std::vector<llvm::Value *> cur, spare; // spare is null for scalars and tapes
};
} // namespace

/// The initial carried state of a loop op whose initial values are operands [first, ...).
static Carried initCarried(FnLowering &L, const ir::Op &op, size_t first) {
  Carried c;
  for (size_t k = first; k < op.operands.size(); ++k) {
    const ir::Value *v = op.operands[k];
    unsigned idx = static_cast<unsigned>(k);
    if (v->type.isScalar()) {
      c.cur.push_back(L.get(v));
      c.spare.push_back(nullptr);
    } else if (v->type.isTape) {
      c.cur.push_back(L.own.mayConsume(op, idx)
                          ? L.get(v)
                          : L.B.CreateCall(L.M.runtime("diffc_rt_tape_clone"),
                                           {L.ctx, L.get(v), L.tapeEntryBytes(v->type)}));
      c.spare.push_back(nullptr);
    } else {
      c.cur.push_back(L.own.mayConsume(op, idx) ? L.get(v) : L.copyOf(v));
      // A loop that keeps its buffer (updates it in place every iteration) needs no spare.
      bool keeps = L.own.keepsBuffer(op, static_cast<unsigned>(k - first));
      c.spare.push_back(keeps ? nullptr : L.allocTensor(v->type));
    }
  }
  return c;
}

/// The carried state after an iteration whose region ends in `yield` (see the file comment).
static Carried nextCarried(FnLowering &L, const ir::Op &yield, const Carried &c) {
  Carried n;
  // A small tensor on the stack keeps its buffer for the whole loop: the yielded value goes
  // through the spare back into it (all spares filled first, since a yield may read another
  // carried buffer), so no pointer changes and SROA can keep the elements in registers.
  auto fixed = [&](unsigned k) {
    return c.spare[k] && FnLowering::onStack(yield.operand(k)->type);
  };
  for (unsigned k = 0; k < yield.operands.size(); ++k)
    if (fixed(k))
      L.copy(yield.operand(k)->type.elem, c.spare[k], L.get(yield.operand(k)),
             L.numel(yield.operand(k)->type.shape));
  for (unsigned k = 0; k < yield.operands.size(); ++k)
    if (fixed(k))
      L.copy(yield.operand(k)->type.elem, c.cur[k], c.spare[k],
             L.numel(yield.operand(k)->type.shape));
  for (unsigned k = 0; k < yield.operands.size(); ++k) {
    const ir::Value *v = yield.operand(k);
    if (fixed(k)) {
      n.cur.push_back(c.cur[k]);
      n.spare.push_back(c.spare[k]);
      continue;
    }
    if (!c.spare[k]) {
      // Tapes live in the tape arena (never released in a call); a tape that is not the
      // loop's own must be copied before the next iteration pushes into it. A tensor here is
      // the carried buffer itself (Ownership::keepsBuffer).
      n.cur.push_back(v->type.isTape ? L.yieldOperand(yield, k) : L.get(v));
      n.spare.push_back(nullptr);
      continue;
    }
    llvm::Value *y = L.get(v);
    llvm::Value *same = L.B.CreateICmpEQ(y, c.cur[k]);
    llvm::BasicBlock *copyBB = L.newBlock("carry.copy"), *done = L.newBlock("carry.done");
    L.B.CreateCondBr(same, done, copyBB);
    L.B.SetInsertPoint(copyBB);
    L.copy(v->type.elem, c.spare[k], y, L.numel(v->type.shape));
    L.B.CreateBr(done);
    L.B.SetInsertPoint(done);
    n.cur.push_back(L.B.CreateSelect(same, c.cur[k], c.spare[k]));
    n.spare.push_back(L.B.CreateSelect(same, c.spare[k], c.cur[k]));
  }
  return n;
}

static std::vector<llvm::Value *> flatten(const Carried &c) {
  std::vector<llvm::Value *> out = c.cur;
  for (llvm::Value *s : c.spare)
    if (s)
      out.push_back(s);
  return out;
}

static Carried unflatten(const Carried &shape, const std::vector<llvm::Value *> &flat) {
  Carried c;
  size_t n = shape.cur.size(), next = n;
  for (size_t k = 0; k < n; ++k) {
    c.cur.push_back(flat[k]);
    c.spare.push_back(shape.spare[k] ? flat[next++] : nullptr);
  }
  return c;
}

void FnLowering::lowerFor(const ir::Op &op) { lowerForSplit(nullptr, op); }

void FnLowering::lowerForGroup(const std::vector<const ir::Op *> &ops) {
  const ir::Op &op = *ops.front();
  llvm::Value *lo = get(op.operand(0)), *hi = get(op.operand(1));
  std::vector<Carried> inits;
  std::vector<size_t> offsets; // where each loop's carried values start in the flat list
  std::vector<llvm::Value *> flat;
  bool release = false;
  for (const ir::Op *o : ops) {
    inits.push_back(initCarried(*this, *o, 2));
    offsets.push_back(flat.size());
    std::vector<llvm::Value *> f = flatten(inits.back());
    flat.insert(flat.end(), f.begin(), f.end());
    release = release || mayAllocate(*o->region(0), own);
  }
  // The trip count, saturated at INT64_MAX when hi - lo overflows (the tape reservation then
  // reports the size as too large instead of reserving a wrapped-around count).
  llvm::Value *diff = B.CreateIntrinsic(llvm::Intrinsic::ssub_with_overflow, {i64}, {hi, lo});
  llvm::Value *span =
      B.CreateSelect(B.CreateExtractValue(diff, 1), constI64(std::numeric_limits<int64_t>::max()),
                     B.CreateExtractValue(diff, 0));
  llvm::Value *trips = B.CreateSelect(B.CreateICmpSGT(hi, lo), span, constI64(0), "trips");
  // Paired loops have quiet bodies (no tapes), so only a single loop has counted tapes.
  std::vector<CountedTape> counted;
  if (ops.size() == 1) {
    counted = reserveCountedTapes(op, inits[0].cur, trips);
    reserveNestedTapes(op, inits[0].cur, trips);
  }
  auto finals =
      loopCarried(lo, hi, flat, [&](llvm::Value *iv, const std::vector<llvm::Value *> &all) {
        Mark m{};
        if (release)
          m = mark();
        llvm::Value *step = B.CreateSub(iv, lo);
        placeCountedPushes(counted, step);
        std::vector<llvm::Value *> nextFlat;
        for (size_t g = 0; g < ops.size(); ++g) {
          const ir::Op &o = *ops[g];
          const ir::Block &body = *o.region(0);
          size_t end = g + 1 < ops.size() ? offsets[g + 1] : all.size();
          Carried cur = unflatten(
              inits[g], std::vector<llvm::Value *>(all.begin() + offsets[g], all.begin() + end));
          set(body.args.at(0), iv);
          for (size_t k = 0; k < cur.cur.size(); ++k)
            set(body.args.at(k + 1), cur.cur[k]);
          lowerBlockBody(body);
          curOp = &o;
          const ir::Op *term = body.terminator();
          if (!term || term->kind != OpKind::Yield || term->operands.size() != cur.cur.size())
            throw InternalError("codegen: 'for' body does not yield its carried values");
          if (g == 0)
            storeCountedTapes(counted, cur.cur, step);
          std::vector<llvm::Value *> f = flatten(nextCarried(*this, *term, cur));
          nextFlat.insert(nextFlat.end(), f.begin(), f.end());
        }
        if (release)
          this->release(m);
        return nextFlat;
      });
  for (size_t g = 0; g < ops.size(); ++g) {
    size_t end = g + 1 < ops.size() ? offsets[g + 1] : finals.size();
    Carried out = unflatten(
        inits[g], std::vector<llvm::Value *>(finals.begin() + offsets[g], finals.begin() + end));
    for (size_t k = 0; k < ops[g]->results.size(); ++k)
      set(ops[g]->result(static_cast<unsigned>(k)), out.cur.at(k));
  }
}

void FnLowering::lowerWhile(const ir::Op &op) {
  const ir::Block &cond = *op.region(0), &body = *op.region(1);
  Carried init = initCarried(*this, op, 0);
  std::vector<llvm::Value *> flat = flatten(init);
  bool release = mayAllocate(cond, own) || mayAllocate(body, own);

  llvm::BasicBlock *pre = B.GetInsertBlock();
  llvm::BasicBlock *header = newBlock("while"), *bodyBB = newBlock("while.body"),
                   *exit = newBlock("while.done");
  B.CreateBr(header);
  B.SetInsertPoint(header);
  ++loopDepth_;
  std::vector<llvm::PHINode *> phis;
  std::vector<llvm::Value *> phiVals;
  for (llvm::Value *v : flat) {
    llvm::PHINode *p = B.CreatePHI(v->getType(), 2);
    p->addIncoming(v, pre);
    phis.push_back(p);
    phiVals.push_back(p);
  }
  Carried cur = unflatten(init, phiVals);
  Mark m{};
  if (release)
    m = mark();
  for (size_t k = 0; k < cur.cur.size(); ++k)
    set(cond.args.at(k), cur.cur[k]);
  lowerBlockBody(cond);
  curOp = &op;
  const ir::Op *condTerm = cond.terminator();
  if (!condTerm || condTerm->kind != OpKind::Yield || condTerm->operands.size() != 1)
    throw InternalError("codegen: 'while' cond region must yield one bool");
  llvm::Value *c = get(condTerm->operand(0));
  if (release)
    this->release(m);
  B.CreateCondBr(c, bodyBB, exit);

  B.SetInsertPoint(bodyBB);
  for (size_t k = 0; k < cur.cur.size(); ++k)
    set(body.args.at(k), cur.cur[k]);
  lowerBlockBody(body);
  curOp = &op;
  const ir::Op *term = body.terminator();
  if (!term || term->kind != OpKind::Yield || term->operands.size() != cur.cur.size())
    throw InternalError("codegen: 'while' body does not yield its carried values");
  Carried next = nextCarried(*this, *term, cur);
  if (release)
    this->release(m);
  std::vector<llvm::Value *> nextFlat = flatten(next);
  llvm::BasicBlock *latch = B.GetInsertBlock();
  for (size_t i = 0; i < phis.size(); ++i)
    phis[i]->addIncoming(nextFlat[i], latch);
  B.CreateBr(header);
  --loopDepth_;

  B.SetInsertPoint(exit);
  for (size_t k = 0; k < op.results.size(); ++k)
    set(op.result(static_cast<unsigned>(k)), cur.cur.at(k));
}

void FnLowering::lowerMap(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  const ir::Block &body = *op.region(0);
  size_t nExt = op.dims.size();
  if (rt.rank() < nExt || body.args.size() != nExt)
    throw InternalError("codegen: 'map' extents do not match its result and region");
  llvm::Value *out = allocTensor(rt);
  std::vector<llvm::Value *> ext = dims(op.dims);
  std::vector<llvm::Value *> st = strides(ext);
  ir::Shape elemShape(rt.shape.begin() + static_cast<long>(nExt), rt.shape.end());
  bool scalarElem = elemShape.empty();
  llvm::Value *elemN = numel(elemShape);
  bool release = mayAllocate(body, own);
  loopNest(ext, [&](const std::vector<llvm::Value *> &ivs) {
    Mark m{};
    if (release)
      m = mark();
    llvm::Value *k = constI64(0);
    for (size_t a = 0; a < nExt; ++a) {
      set(body.args[a], ivs[a]);
      k = B.CreateAdd(k, B.CreateMul(ivs[a], st[a]));
    }
    lowerBlockBody(body);
    curOp = &op;
    const ir::Op *term = body.terminator();
    if (!term || term->kind != OpKind::Yield || term->operands.size() != 1)
      throw InternalError("codegen: 'map' region must yield one value");
    const ir::Value *y = term->operand(0);
    if (scalarElem)
      store(rt.elem, out, k, get(y));
    else
      copy(rt.elem, elemPtr(rt.elem, out, B.CreateMul(k, elemN)), get(y), elemN);
    if (release)
      this->release(m);
  });
  set(op.result(), out);
}

void FnLowering::lowerCall(const ir::Op &op) {
  const ir::Function *callee = M.irModule().lookup(op.callee);
  if (!callee)
    throw InternalError(fmt::format("codegen: call of unknown function '{}'", op.callee));
  if (op.dims.size() != callee->sizeParams.size() ||
      op.operands.size() != callee->params().size() ||
      op.results.size() != callee->resultTypes.size())
    throw InternalError(
        fmt::format("codegen: call of '{}' does not match its signature", callee->name));
  std::vector<llvm::Value *> args{ctx};
  for (const ir::Dim &d : op.dims) {
    llvm::Value *v = dim(d);
    if (!d.isConstant() || d.constantValue() < 0)
      check(B.CreateICmpSGE(v, constI64(0)), DIFFC_ERR_NEGATIVE_SIZE, v);
    args.push_back(v);
  }
  for (const ir::Value *a : op.operands)
    args.push_back(get(a));
  // Result storage belongs to the caller; the callee's temporaries are released after it.
  std::vector<llvm::Value *> slots;
  for (const ir::Value *r : op.results) {
    llvm::Value *slot;
    if (r->type.isTensor()) {
      slot = allocTensor(r->type);
    } else {
      llvm::IRBuilderBase::InsertPointGuard guard(B);
      toPrologue();
      slot = B.CreateAlloca(r->type.isTape ? ptr : memTy(r->type.elem));
    }
    slots.push_back(slot);
    args.push_back(slot);
  }
  // Calls of recursive functions are counted, as the interpreter counts its call depth (the
  // top-level call is depth 1 there), so unbounded recursion is an error, not a stack overflow.
  llvm::Value *depthSlot = nullptr, *depth = nullptr;
  if (M.isRecursive(*callee)) {
    constexpr int64_t kMaxDepth = 1000;
    depthSlot = B.CreateConstInBoundsGEP1_64(i8, ctx, offsetof(diffc_ctx, depth));
    depth = B.CreateLoad(i64, depthSlot);
    check(B.CreateICmpSLT(depth, constI64(kMaxDepth - 1)), DIFFC_ERR_DEPTH, constI64(kMaxDepth));
    B.CreateStore(B.CreateAdd(depth, constI64(1)), depthSlot);
  }
  Mark m = mark();
  propagate(B.CreateCall(M.implOf(*callee), args));
  release(m);
  if (depthSlot)
    B.CreateStore(depth, depthSlot);
  for (size_t i = 0; i < op.results.size(); ++i) {
    const ir::Type &t = op.result(static_cast<unsigned>(i))->type;
    llvm::Value *v = slots[i];
    if (t.isTape)
      v = B.CreateLoad(ptr, slots[i]);
    else if (t.isScalar())
      v = load(t.elem, slots[i], constI64(0));
    set(op.result(static_cast<unsigned>(i)), v);
  }
}

bool FnLowering::builtInPlace(const ir::Value *v, unsigned r) const {
  const ir::Op *loop = v->def;
  if (!loop || loop->kind != OpKind::For || v->index + 2 >= loop->operands.size())
    return false;
  auto it = directResult_.find(loop->operand(v->index + 2));
  return it != directResult_.end() && it->second == r;
}

void FnLowering::copyUnlessSame(ElemType e, llvm::Value *dst, llvm::Value *src,
                                llvm::Value *count) {
  // The loop normally ends in dst itself (findDirectResults); copying a buffer onto itself
  // would be undefined for memcpy.
  llvm::BasicBlock *copyBB = newBlock("result.copy"), *done = newBlock("result.done");
  B.CreateCondBr(B.CreateICmpEQ(dst, src), done, copyBB);
  B.SetInsertPoint(copyBB);
  copy(e, dst, src, count);
  B.CreateBr(done);
  B.SetInsertPoint(done);
}

void FnLowering::lowerReturn(const ir::Op &op) {
  if (op.operands.size() != fn.resultTypes.size())
    throw InternalError(fmt::format("codegen: '{}' returns {} values for {} results", fn.name,
                                    op.operands.size(), fn.resultTypes.size()));
  unsigned first = 1 + static_cast<unsigned>(fn.sizeParams.size() + fn.params().size());
  for (unsigned i = 0; i < op.operands.size(); ++i) {
    const ir::Value *v = op.operand(i);
    llvm::Value *out = F->getArg(first + i);
    if (v->type.isTape)
      B.CreateStore(get(v), out);
    else if (v->type.isScalar())
      store(v->type.elem, out, constI64(0), get(v));
    else if (builtInPlace(v, i))
      copyUnlessSame(v->type.elem, out, get(v), numel(v->type.shape));
    else
      copy(v->type.elem, out, get(v), numel(v->type.shape));
  }
  B.CreateRet(llvm::ConstantInt::get(i32, 0));
}

} // namespace diffc::codegen
