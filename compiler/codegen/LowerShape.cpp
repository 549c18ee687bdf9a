// Constants and the ops that only move elements: eye, reshape, transpose, concat, pack, diag.
#include "codegen/Lowering.h"

#include "support/Diagnostics.h"

namespace diffc::codegen {

using ir::ElemType;

void FnLowering::lowerConst(const ir::Op &op) {
  ElemType e = op.result()->type.elem;
  llvm::Value *v = nullptr;
  switch (e) {
  case ElemType::F64:
    v = llvm::ConstantFP::get(f64, op.fval);
    break;
  case ElemType::F32:
    v = llvm::ConstantFP::get(f32, static_cast<double>(static_cast<float>(op.fval)));
    break;
  case ElemType::I64:
    v = constI64(op.ival);
    break;
  case ElemType::Bool:
    v = llvm::ConstantInt::get(i1, op.ival != 0);
    break;
  }
  if (!op.result()->type.isScalar())
    throw InternalError("codegen: 'const' with a tensor result");
  set(op.result(), v);
}

void FnLowering::lowerEye(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  llvm::Value *out = allocTensor(rt);
  llvm::Value *n = dim(rt.shape.at(0));
  zero(rt.elem, out, numel(rt.shape));
  llvm::Value *one = oneOf(rt.elem);
  loop(constI64(0), n, [&](llvm::Value *i) {
    store(rt.elem, out, B.CreateAdd(B.CreateMul(i, n), i), one);
  });
  set(op.result(), out);
}

void FnLowering::lowerReshape(const ir::Op &op) {
  // A view: the same buffer with another shape (Ownership knows it shares the buffer).
  const ir::Type &rt = op.result()->type;
  const ir::Value *x = op.operand(0);
  for (const ir::Dim &d : rt.shape)
    if (!d.isConstant())
      check(B.CreateICmpSGE(dim(d), constI64(0)), DIFFC_ERR_NEGATIVE_SIZE, dim(d));
  llvm::Value *have = numel(x->type.shape), *want = numel(rt.shape);
  check(B.CreateICmpEQ(have, want), DIFFC_ERR_RESHAPE, have, want);
  if (x->type.isScalar()) { // a scalar becomes a one-element tensor
    llvm::Value *out = allocTensor(rt);
    store(rt.elem, out, constI64(0), get(x));
    set(op.result(), out);
    return;
  }
  if (rt.isScalar()) {
    set(op.result(), load(rt.elem, get(x), constI64(0)));
    return;
  }
  set(op.result(), get(x));
}

void FnLowering::lowerTranspose(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  const ir::Value *a = op.operand(0);
  llvm::Value *m = dim(a->type.shape.at(0)), *n = dim(a->type.shape.at(1));
  llvm::Value *out = allocTensor(rt), *src = get(a);
  loop(constI64(0), m, [&](llvm::Value *i) {
    loop(constI64(0), n, [&](llvm::Value *j) {
      llvm::Value *v = load(rt.elem, src, B.CreateAdd(B.CreateMul(i, n), j));
      store(rt.elem, out, B.CreateAdd(B.CreateMul(j, m), i), v);
    });
  });
  set(op.result(), out);
}

void FnLowering::lowerConcat(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  llvm::Value *out = allocTensor(rt);
  llvm::Value *at = constI64(0);
  for (const ir::Value *x : op.operands) {
    llvm::Value *n = numel(x->type.shape);
    copy(rt.elem, elemPtr(rt.elem, out, at), get(x), n);
    at = B.CreateAdd(at, n);
  }
  set(op.result(), out);
}

void FnLowering::lowerPack(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  llvm::Value *out = allocTensor(rt);
  for (size_t k = 0; k < op.operands.size(); ++k) {
    const ir::Value *x = op.operand(static_cast<unsigned>(k));
    if (x->type.isScalar()) {
      store(rt.elem, out, constI64(static_cast<int64_t>(k)), get(x));
      continue;
    }
    llvm::Value *n = numel(x->type.shape);
    llvm::Value *at = B.CreateMul(n, constI64(static_cast<int64_t>(k)));
    copy(rt.elem, elemPtr(rt.elem, out, at), get(x), n);
  }
  set(op.result(), out);
}

void FnLowering::lowerDiag(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  const ir::Value *x = op.operand(0);
  llvm::Value *n = dim(x->type.shape.at(0));
  llvm::Value *out = allocTensor(rt), *src = get(x);
  zero(rt.elem, out, numel(rt.shape));
  loop(constI64(0), n, [&](llvm::Value *i) {
    store(rt.elem, out, B.CreateAdd(B.CreateMul(i, n), i), load(rt.elem, src, i));
  });
  set(op.result(), out);
}

} // namespace diffc::codegen
