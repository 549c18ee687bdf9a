// Whole-tensor reductions, argmax, and softmax / log_softmax along the last axis, with the
// interpreter's formulas and orders of operations (interp/TensorOps.cpp). Without fast-math the
// floating-point reductions stay sequential (LLVM may not reassociate them), so the sums are the
// interpreter's bit for bit; integer reductions still vectorise.
#include "codegen/Lowering.h"

#include "support/Diagnostics.h"

#include <fmt/format.h>
#include <limits>

namespace diffc::codegen {

using ir::ElemType;
using ir::OpKind;

void FnLowering::lowerReduce(const ir::Op &op) {
  const ir::Value *x = op.operand(0);
  ElemType e = x->type.elem;
  llvm::Value *n = numel(x->type.shape);
  auto fold = [&](llvm::Value *init, llvm::Value *from,
                  const std::function<llvm::Value *(llvm::Value *, llvm::Value *)> &step) {
    return loopCarried(from, n, {init}, [&](llvm::Value *i, const std::vector<llvm::Value *> &acc) {
      return std::vector<llvm::Value *>{step(acc[0], read(x, i))};
    })[0];
  };
  switch (op.kind) {
  case OpKind::Sum:
    set(op.result(), fold(zeroOf(e), constI64(0), [&](llvm::Value *a, llvm::Value *v) {
          return binaryElem(OpKind::Add, e, a, v);
        }));
    return;
  case OpKind::Prod:
    set(op.result(), fold(oneOf(e), constI64(0), [&](llvm::Value *a, llvm::Value *v) {
          return binaryElem(OpKind::Mul, e, a, v);
        }));
    return;
  case OpKind::ReduceMax:
  case OpKind::ReduceMin: {
    bool isMax = op.kind == OpKind::ReduceMax;
    // a: which reduction, for the message (0 max, 1 min, 2 argmax; see diffc_error_message)
    check(B.CreateICmpSGT(n, constI64(0)), DIFFC_ERR_EMPTY, constI64(isMax ? 0 : 1));
    // Starts from x[0] and folds every element, x[0] included, as the interpreter does.
    set(op.result(), fold(read(x, constI64(0)), constI64(0), [&](llvm::Value *a, llvm::Value *v) {
          return isMax ? maxElem(e, a, v) : minElem(e, a, v);
        }));
    return;
  }
  case OpKind::Norm: {
    llvm::Value *s = fold(zeroOf(e), constI64(0), [&](llvm::Value *a, llvm::Value *v) {
      return binaryElem(OpKind::Add, e, a, binaryElem(OpKind::Mul, e, v, v));
    });
    set(op.result(), B.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, s));
    return;
  }
  case OpKind::Logsumexp: {
    // Empty: -inf. A NaN or infinite max is the answer itself (shifting by it gives NaN).
    // Otherwise m + log(sum(exp(x - m))).
    llvm::Type *t = valTy(e);
    llvm::Value *negInf = llvm::ConstantFP::getInfinity(t, true);
    llvm::BasicBlock *start = B.GetInsertBlock();
    llvm::BasicBlock *compute = newBlock("lse"), *sumBB = newBlock("lse.sum"),
                     *done = newBlock("lse.done");
    B.CreateCondBr(B.CreateICmpEQ(n, constI64(0)), done, compute);
    B.SetInsertPoint(compute);
    llvm::Value *m = fold(read(x, constI64(0)), constI64(0),
                          [&](llvm::Value *a, llvm::Value *v) { return maxElem(e, a, v); });
    llvm::Value *special = B.CreateFCmpUEQ(B.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, m),
                                           llvm::ConstantFP::getInfinity(t));
    llvm::BasicBlock *computeEnd = B.GetInsertBlock();
    B.CreateCondBr(special, done, sumBB);
    B.SetInsertPoint(sumBB);
    llvm::Value *s = fold(zeroOf(e), constI64(0), [&](llvm::Value *a, llvm::Value *v) {
      return binaryElem(OpKind::Add, e, a, call1("exp", binaryElem(OpKind::Sub, e, v, m)));
    });
    llvm::Value *r = binaryElem(OpKind::Add, e, m, call1("log", s));
    llvm::BasicBlock *sumEnd = B.GetInsertBlock();
    B.CreateBr(done);
    B.SetInsertPoint(done);
    llvm::PHINode *phi = B.CreatePHI(t, 3);
    phi->addIncoming(negInf, start);
    phi->addIncoming(m, computeEnd);
    phi->addIncoming(r, sumEnd);
    set(op.result(), phi);
    return;
  }
  default:
    throw InternalError(fmt::format("codegen: '{}' is not a reduction", ir::opMnemonic(op.kind)));
  }
}

void FnLowering::lowerArgmax(const ir::Op &op) {
  // The first maximum; a NaN counts as the maximum (the first NaN wins).
  const ir::Value *x = op.operand(0);
  ElemType e = x->type.elem;
  llvm::Value *n = numel(x->type.shape);
  check(B.CreateICmpSGT(n, constI64(0)), DIFFC_ERR_EMPTY, constI64(2));
  auto r = loopCarried(constI64(1), n, {constI64(0), read(x, constI64(0))},
                       [&](llvm::Value *i, const std::vector<llvm::Value *> &c) {
                         llvm::Value *v = read(x, i);
                         llvm::Value *better = compareElem(OpKind::Gt, e, v, c[1]);
                         if (ir::isFloat(e))
                           better =
                               B.CreateAnd(B.CreateNot(isNaN(c[1])), B.CreateOr(isNaN(v), better));
                         return std::vector<llvm::Value *>{B.CreateSelect(better, i, c[0]),
                                                           B.CreateSelect(better, v, c[1])};
                       });
  set(op.result(), r[0]);
}

void FnLowering::lowerSoftmax(const ir::Op &op) {
  const ir::Value *x = op.operand(0);
  const ir::Type &rt = op.result()->type;
  ElemType e = rt.elem;
  bool logForm = op.kind == OpKind::LogSoftmax;
  // One row: m = max, s = sum exp(x - m); softmax exp(x - m) / s, log_softmax (x - m) - log s.
  // Given `stored` (a read of the row's output), the sum loop also writes each exp(x - m) there
  // and the last loop divides it in place: one exp per element instead of two (the values are
  // the same, so still the interpreter's bit for bit).
  auto row = [&](llvm::Value *cols, const std::function<llvm::Value *(llvm::Value *)> &in,
                 const std::function<void(llvm::Value *, llvm::Value *)> &out,
                 const std::function<llvm::Value *(llvm::Value *)> &stored) {
    bool keepExp = !logForm && stored;
    llvm::Value *m = loopCarried(constI64(0), cols, {in(constI64(0))},
                                 [&](llvm::Value *j, const std::vector<llvm::Value *> &c) {
                                   return std::vector<llvm::Value *>{maxElem(e, c[0], in(j))};
                                 })[0];
    llvm::Value *s = loopCarried(
        constI64(0), cols, {zeroOf(e)}, [&](llvm::Value *j, const std::vector<llvm::Value *> &c) {
          llvm::Value *d = binaryElem(OpKind::Sub, e, in(j), m);
          llvm::Value *ex = call1("exp", d);
          if (keepExp)
            out(j, ex);
          return std::vector<llvm::Value *>{binaryElem(OpKind::Add, e, c[0], ex)};
        })[0];
    llvm::Value *ls = logForm ? call1("log", s) : nullptr;
    loop(constI64(0), cols, [&](llvm::Value *j) {
      if (keepExp) {
        out(j, binaryElem(OpKind::Div, e, stored(j), s));
        return;
      }
      llvm::Value *d = binaryElem(OpKind::Sub, e, in(j), m);
      out(j, logForm ? binaryElem(OpKind::Sub, e, d, ls)
                     : binaryElem(OpKind::Div, e, call1("exp", d), s));
    });
  };
  if (rt.isScalar()) {
    llvm::Value *v = get(x), *result = nullptr;
    row(
        constI64(1), [&](llvm::Value *) { return v; },
        [&](llvm::Value *, llvm::Value *r) { result = r; }, nullptr);
    set(op.result(), result);
    return;
  }
  llvm::Value *out = allocTensor(rt), *src = get(x);
  llvm::Value *cols = dim(rt.shape.back());
  ir::Shape lead(rt.shape.begin(), rt.shape.end() - 1);
  // No rows at all when a row is empty (the first element of a row is read unconditionally).
  llvm::Value *rows = B.CreateSelect(B.CreateICmpEQ(cols, constI64(0)), constI64(0), numel(lead));
  loop(constI64(0), rows, [&](llvm::Value *r) {
    llvm::Value *base = B.CreateMul(r, cols);
    row(
        cols, [&](llvm::Value *j) { return load(e, src, B.CreateAdd(base, j)); },
        [&](llvm::Value *j, llvm::Value *v) { store(e, out, B.CreateAdd(base, j), v); },
        [&](llvm::Value *j) { return load(e, out, B.CreateAdd(base, j)); });
  });
  set(op.result(), out);
}

} // namespace diffc::codegen
