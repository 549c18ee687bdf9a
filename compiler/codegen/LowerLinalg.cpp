// matmul (matrix/vector in all four combinations) and outer.
//
// Each result element is 0 + a0*b0 + a1*b1 + ... in increasing k, the interpreter's order. Float
// matmuls other than a dot product call the runtime's kernel (diffc_rt_matmul_*, abi.h), which
// keeps that order: a call instead of a loop nest LLVM would optimise and compile on every cold
// JIT compile. A transpose whose one use is the matmul after it is not materialised (the kernel
// reads its operand with swapped strides; only other transposes may come in between), nor one
// right after the matmul that makes its only operand (the kernel writes the transposed product,
// B^T A^T, directly). A bias row added to the product right after it, `add(matmul(x, w),
// broadcast(b))` as in every dense layer, is added by the runtime too (diffc_rt_add_row_*, in the
// product's buffer): prod[i, j] + b[j] like the add, and no loop nest for LLVM to compile. Integer
// matmuls loop i, k, j: every out[i, j] still receives its products in increasing k, and the
// innermost loop runs along rows of b and out, which LLVM vectorises.
#include "codegen/Lowering.h"

#include <algorithm>

namespace diffc::codegen {

using ir::ElemType;
using ir::OpKind;

namespace {
// Also the gate of the folds that look at the op a transpose reads (any op): only a matmul.
bool usesKernel(const ir::Op &matmul) {
  ElemType e = matmul.result()->type.elem;
  return matmul.kind == OpKind::MatMul && (e == ElemType::F64 || e == ElemType::F32) &&
         (matmul.operand(0)->type.rank() == 2 || matmul.operand(1)->type.rank() == 2);
}

} // namespace

const ir::Op *nextOp(const ir::Op &op) {
  if (!op.parent)
    return nullptr;
  const auto &ops = op.parent->ops;
  for (size_t i = 0; i + 1 < ops.size(); ++i)
    if (ops[i].get() == &op)
      return ops[i + 1].get();
  return nullptr;
}

bool FnLowering::onlyUsedBy(const ir::Value *v, const ir::Op &user) const {
  const std::vector<const ir::Op *> &uses = own.usesOf(v);
  return !uses.empty() &&
         std::all_of(uses.begin(), uses.end(), [&](const ir::Op *u) { return u == &user; });
}

bool FnLowering::transposeIntoMatMul(const ir::Op &t) {
  // With --check-nan a matmul's check reads its result in its own layout.
  if (M.options().checkNonFinite || !t.parent)
    return false;
  // The matmul comes next, or after other transposes (which write nothing in place), so t's
  // operand still holds the same values when the matmul reads it.
  const ir::Op *next = nextOp(t);
  while (next && next->kind == OpKind::Transpose)
    next = nextOp(*next);
  return next && next->kind == OpKind::MatMul && usesKernel(*next) && onlyUsedBy(t.result(), *next);
}

bool FnLowering::matMulTransposed(const ir::Op &mm) {
  if (M.options().checkNonFinite || !mm.parent || !usesKernel(mm) ||
      mm.operand(0)->type.rank() != 2 || mm.operand(1)->type.rank() != 2)
    return false;
  // Not when that transpose feeds a matmul itself (transposeIntoMatMul): the next matmul then
  // reads mm's product with swapped strides, so the product must be in its own layout.
  const ir::Op *next = nextOp(mm);
  return next && next->kind == OpKind::Transpose && onlyUsedBy(mm.result(), *next) &&
         !transposeIntoMatMul(*next);
}

const ir::Op *FnLowering::biasAddAfter(const ir::Op &mm) {
  if (M.options().checkNonFinite || !mm.parent || !usesKernel(mm) || mm.result()->type.rank() != 2)
    return nullptr;
  // matmul, broadcast of a row [n] to the product's [m, n], then add(product, broadcast): the
  // broadcast is folded into the add (broadcastIntoNext), and its row is defined before mm.
  const ir::Op *bc = nextOp(mm);
  const ir::Op *add = bc ? nextOp(*bc) : nullptr;
  if (!add || bc->kind != OpKind::Broadcast || add->kind != OpKind::Add ||
      !broadcastIntoNext(*bc) || add->operand(0) != mm.result() ||
      add->operand(1) != bc->result() || !onlyUsedBy(mm.result(), *add))
    return nullptr;
  const ir::Type &row = bc->operand(0)->type, &rt = add->result()->type;
  if (row.rank() != 1 || row.elem != rt.elem || rt.shape != mm.result()->type.shape ||
      row.shape[0] != rt.shape[1])
    return nullptr;
  return add;
}

void FnLowering::lowerTransposeOf(const ir::Op &op) {
  if (transposeIntoMatMul(op))
    return; // the matmul reads op's operand in place
  if (op.operand(0)->def && matMulTransposed(*op.operand(0)->def)) {
    set(op.result(), get(op.operand(0))); // the matmul wrote the transposed product
    return;
  }
  lowerTranspose(op);
}

void FnLowering::lowerMatMulKernel(const ir::Op &op) {
  struct Operand {
    llvm::Value *base, *rs, *cs;
  };
  // A(i,p) or B(p,j) of a matrix operand [r, c] (or of the transpose feeding it), or of a vector
  // (a row on the left, a column on the right).
  auto operand = [&](const ir::Value *v, bool left) -> Operand {
    if (v->def && v->def->kind == OpKind::Transpose && transposeIntoMatMul(*v->def)) {
      const ir::Value *src = v->def->operand(0); // [c, r]: element (x, y) at y*r + x
      return {get(src), constI64(1), dim(src->type.shape[1])};
    }
    if (v->type.rank() == 2)
      return {get(v), dim(v->type.shape[1]), constI64(1)};
    return left ? Operand{get(v), constI64(0), constI64(1)}
                : Operand{get(v), constI64(1), constI64(0)};
  };
  const ir::Value *a = op.operand(0), *b = op.operand(1);
  Operand pa = operand(a, true), pb = operand(b, false);
  llvm::Value *m = a->type.rank() == 1 ? constI64(1) : dim(a->type.shape[0]);
  llvm::Value *k = dim(a->type.shape.back());
  llvm::Value *n = b->type.rank() == 1 ? constI64(1) : dim(b->type.shape[1]);
  const char *kernel =
      op.result()->type.elem == ElemType::F64 ? "diffc_rt_matmul_f64" : "diffc_rt_matmul_f32";
  llvm::Value *out = allocTensor(op.result()->type);
  if (matMulTransposed(op)) // (A B)^T = B^T A^T: the same products, summed in the same order
    B.CreateCall(M.runtime(kernel), {out, pb.base, pa.base, n, k, m, pb.cs, pb.rs, pa.cs, pa.rs});
  else
    B.CreateCall(M.runtime(kernel), {out, pa.base, pb.base, m, k, n, pa.rs, pa.cs, pb.rs, pb.cs});
  set(op.result(), out);
  if (const ir::Op *add = biasAddAfter(op)) {
    const char *addRow =
        op.result()->type.elem == ElemType::F64 ? "diffc_rt_add_row_f64" : "diffc_rt_add_row_f32";
    B.CreateCall(M.runtime(addRow), {out, get(nextOp(op)->operand(0)), m, n});
    set(add->result(), out); // the add itself emits nothing (lowerElementwise)
  }
}

void FnLowering::lowerMatMul(const ir::Op &op) {
  if (usesKernel(op)) {
    lowerMatMulKernel(op);
    return;
  }
  const ir::Value *a = op.operand(0), *b = op.operand(1);
  const ir::Type &rt = op.result()->type;
  ElemType e = rt.elem;
  bool aVec = a->type.rank() == 1, bVec = b->type.rank() == 1;
  llvm::Value *k = dim(a->type.shape.back());
  llvm::Value *pa = get(a), *pb = get(b);
  auto mul = [&](llvm::Value *x, llvm::Value *y) { return binaryElem(OpKind::Mul, e, x, y); };
  auto add = [&](llvm::Value *x, llvm::Value *y) { return binaryElem(OpKind::Add, e, x, y); };
  // Sequential dot product of a row of a (at aOff, stride 1) and a column of b (at bOff).
  auto dot = [&](llvm::Value *aOff, llvm::Value *bOff, llvm::Value *bStride) {
    return loopCarried(constI64(0), k, {zeroOf(e)},
                       [&](llvm::Value *p, const std::vector<llvm::Value *> &c) {
                         llvm::Value *x = load(e, pa, B.CreateAdd(aOff, p));
                         llvm::Value *y = load(e, pb, B.CreateAdd(bOff, B.CreateMul(p, bStride)));
                         return std::vector<llvm::Value *>{add(c[0], mul(x, y))};
                       })[0];
  };
  if (aVec && bVec) {
    set(op.result(), dot(constI64(0), constI64(0), constI64(1)));
    return;
  }
  llvm::Value *out = allocTensor(rt);
  if (!aVec && bVec) {
    llvm::Value *m = dim(a->type.shape[0]);
    loop(constI64(0), m, [&](llvm::Value *i) {
      store(e, out, i, dot(B.CreateMul(i, k), constI64(0), constI64(1)));
    });
    set(op.result(), out);
    return;
  }
  llvm::Value *n = dim(b->type.shape[1]);
  llvm::Value *m = aVec ? constI64(1) : dim(a->type.shape[0]);
  zero(e, out, numel(rt.shape));
  loop(constI64(0), m, [&](llvm::Value *i) {
    llvm::Value *row = B.CreateMul(i, n);
    loop(constI64(0), k, [&](llvm::Value *p) {
      llvm::Value *x = load(e, pa, B.CreateAdd(B.CreateMul(i, k), p));
      llvm::Value *brow = B.CreateMul(p, n);
      loop(constI64(0), n, [&](llvm::Value *j) {
        llvm::Value *o = B.CreateAdd(row, j);
        llvm::Value *y = load(e, pb, B.CreateAdd(brow, j));
        store(e, out, o, add(load(e, out, o), mul(x, y)));
      });
    });
  });
  set(op.result(), out);
}

void FnLowering::lowerOuter(const ir::Op &op) {
  const ir::Value *x = op.operand(0), *y = op.operand(1);
  const ir::Type &rt = op.result()->type;
  llvm::Value *m = dim(x->type.shape.at(0)), *n = dim(y->type.shape.at(0));
  llvm::Value *out = allocTensor(rt), *px = get(x), *py = get(y);
  loop(constI64(0), m, [&](llvm::Value *i) {
    llvm::Value *xi = load(rt.elem, px, i);
    llvm::Value *row = B.CreateMul(i, n);
    loop(constI64(0), n, [&](llvm::Value *j) {
      store(rt.elem, out, B.CreateAdd(row, j),
            binaryElem(OpKind::Mul, rt.elem, xi, load(rt.elem, py, j)));
    });
  });
  set(op.result(), out);
}

} // namespace diffc::codegen
