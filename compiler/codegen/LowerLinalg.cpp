// matmul (matrix/vector in all four combinations) and outer.
//
// Each result element is 0 + a0*b0 + a1*b1 + ... in increasing k, the interpreter's order. The
// matrix-matrix and vector-matrix cases loop i, k, j: every out[i, j] still receives its products
// in increasing k, but the innermost loop runs along rows of b and out, which LLVM vectorises
// without reassociating anything.
#include "codegen/Lowering.h"

namespace diffc::codegen {

using ir::ElemType;
using ir::OpKind;

void FnLowering::lowerMatMul(const ir::Op &op) {
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
