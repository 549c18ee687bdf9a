// Elementwise ops, select, cast, fill, broadcast and sum_to. Operands of elementwise ops have the
// result's shape or are scalars (the verifier's rule), so each is one flat loop over the result,
// which LLVM's loop vectoriser handles when the element operation is plain arithmetic.
#include "codegen/Lowering.h"

#include "support/Diagnostics.h"

#include <fmt/format.h>

#include <algorithm>

namespace diffc::codegen {

using ir::ElemType;
using ir::OpKind;

namespace {
void requireSameShape(const ir::Op &op, const ir::Type &result) {
  for (const ir::Value *v : op.operands)
    if (!v->type.isScalar() && v->type.shape != result.shape)
      throw InternalError(fmt::format("codegen: operand of '{}' is neither a scalar nor of the "
                                      "result's shape",
                                      ir::opMnemonic(op.kind)));
}
} // namespace

static llvm::Value *broadcastOffset(FnLowering &L, const ir::Shape &small, const ir::Shape &big,
                                    const std::vector<llvm::Value *> &ivs);

bool FnLowering::broadcastIntoNext(const ir::Op &bc) const {
  // With --check-nan the broadcast's result is checked in its own buffer.
  if (M.options().checkNonFinite || bc.operand(0)->type.rank() > bc.result()->type.rank())
    return false;
  const ir::Op *next = nextOp(bc);
  if (!next || next->results.size() != 1 || next->result()->type.isScalar() ||
      next->result()->type.shape != bc.result()->type.shape)
    return false;
  ir::OpClass cls = ir::opClass(next->kind);
  if (cls != ir::OpClass::Unary && cls != ir::OpClass::Binary && cls != ir::OpClass::Compare)
    return false;
  return onlyUsedBy(bc.result(), *next);
}

void FnLowering::lowerElementwise(const ir::Op &op) {
  if (const ir::Value *x = op.operand(0); op.kind == OpKind::Add && x->def &&
                                          x->def->kind == OpKind::MatMul &&
                                          biasAddAfter(*x->def) == &op)
    return; // done by the matmul (lowerMatMulKernel)
  const ir::Type &rt = op.result()->type;
  requireSameShape(op, rt);
  ElemType e = op.operand(0)->type.elem;
  ir::OpClass cls = ir::opClass(op.kind);
  auto folded = [&](const ir::Value *v) {
    return v->def && v->def->kind == OpKind::Broadcast && broadcastIntoNext(*v->def);
  };
  // Operand element at flat index idx, or (from a broadcast folded in here) at indices ivs.
  const std::vector<llvm::Value *> *ivs = nullptr;
  auto operandAt = [&](const ir::Value *v, llvm::Value *idx) -> llvm::Value * {
    if (!folded(v))
      return read(v, idx);
    const ir::Value *x = v->def->operand(0);
    if (x->type.isScalar())
      return get(x);
    return load(x->type.elem, get(x), broadcastOffset(*this, x->type.shape, rt.shape, *ivs));
  };
  auto elem = [&](llvm::Value *idx) -> llvm::Value * {
    llvm::Value *a = operandAt(op.operand(0), idx);
    if (cls == ir::OpClass::Unary)
      return unaryElem(op.kind, e, a);
    llvm::Value *b = operandAt(op.operand(1), idx);
    if (cls == ir::OpClass::Compare)
      return compareElem(op.kind, e, a, b);
    return binaryElem(op.kind, e, a, b);
  };
  if (rt.isScalar()) {
    set(op.result(), elem(nullptr));
    return;
  }
  llvm::Value *out = allocTensor(rt);
  if (std::any_of(op.operands.begin(), op.operands.end(), folded)) {
    // A loop nest over the result, so the broadcast operand is indexed per axis.
    std::vector<llvm::Value *> ext = dims(rt.shape), st = strides(ext);
    loopNest(ext, [&](const std::vector<llvm::Value *> &at) {
      llvm::Value *flat = constI64(0);
      for (size_t a = 0; a < at.size(); ++a)
        flat = B.CreateAdd(flat, B.CreateMul(at[a], st[a]));
      ivs = &at;
      store(rt.elem, out, flat, elem(flat));
    });
  } else {
    loop(constI64(0), numel(rt.shape), [&](llvm::Value *i) { store(rt.elem, out, i, elem(i)); });
  }
  set(op.result(), out);
}

void FnLowering::lowerSelect(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  requireSameShape(op, rt);
  auto elem = [&](llvm::Value *i) {
    return B.CreateSelect(read(op.operand(0), i), read(op.operand(1), i), read(op.operand(2), i));
  };
  if (rt.isScalar()) {
    set(op.result(), elem(nullptr));
    return;
  }
  llvm::Value *out = allocTensor(rt);
  loop(constI64(0), numel(rt.shape), [&](llvm::Value *i) { store(rt.elem, out, i, elem(i)); });
  set(op.result(), out);
}

void FnLowering::lowerCast(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  ElemType from = op.operand(0)->type.elem;
  if (rt.isScalar()) {
    set(op.result(), castElem(from, rt.elem, get(op.operand(0))));
    return;
  }
  llvm::Value *out = allocTensor(rt);
  loop(constI64(0), numel(rt.shape), [&](llvm::Value *i) {
    store(rt.elem, out, i, castElem(from, rt.elem, read(op.operand(0), i)));
  });
  set(op.result(), out);
}

void FnLowering::lowerFill(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  llvm::Value *v = get(op.operand(0));
  if (rt.isScalar()) {
    set(op.result(), v);
    return;
  }
  llvm::Value *out;
  if (auto it = directResult_.find(op.result()); it != directResult_.end()) {
    tensorBytes(rt); // allocTensor's checks, for the same errors
    out = resultArg(it->second);
  } else {
    out = allocTensor(rt);
  }
  loop(constI64(0), numel(rt.shape), [&](llvm::Value *i) { store(rt.elem, out, i, v); });
  set(op.result(), out);
}

/// Offset into a tensor of shape `small` of the element that broadcasts to position `ivs` of a
/// tensor of shape `big` (dims aligned right; a dim of `small` is `big`'s or 1).
static llvm::Value *broadcastOffset(FnLowering &L, const ir::Shape &small, const ir::Shape &big,
                                    const std::vector<llvm::Value *> &ivs) {
  size_t off = big.size() - small.size();
  llvm::Value *offset = L.constI64(0), *stride = L.constI64(1);
  for (size_t a = small.size(); a-- > 0;) {
    llvm::Value *d = L.dim(small[a]);
    llvm::Value *term = L.B.CreateMul(ivs[off + a], stride);
    if (small[a] != big[off + a]) // a 1 that is broadcast (checked at run time to be safe)
      term = L.B.CreateSelect(L.B.CreateICmpEQ(d, L.constI64(1)), L.constI64(0), term);
    offset = L.B.CreateAdd(offset, term);
    stride = L.B.CreateMul(stride, d);
  }
  return offset;
}

void FnLowering::lowerBroadcast(const ir::Op &op) {
  const ir::Type &rt = op.result()->type;
  const ir::Value *x = op.operand(0);
  if (x->type.shape.size() > rt.shape.size())
    throw InternalError("codegen: 'broadcast' to a lower rank");
  llvm::Value *out = allocTensor(rt);
  if (x->type.isScalar()) {
    llvm::Value *v = get(x);
    loop(constI64(0), numel(rt.shape), [&](llvm::Value *i) { store(rt.elem, out, i, v); });
    set(op.result(), out);
    return;
  }
  std::vector<llvm::Value *> ext = dims(rt.shape);
  std::vector<llvm::Value *> st = strides(ext);
  llvm::Value *src = get(x);
  loopNest(ext, [&](const std::vector<llvm::Value *> &ivs) {
    llvm::Value *o = constI64(0);
    for (size_t a = 0; a < ivs.size(); ++a)
      o = B.CreateAdd(o, B.CreateMul(ivs[a], st[a]));
    llvm::Value *from = broadcastOffset(*this, x->type.shape, rt.shape, ivs);
    store(rt.elem, out, o, load(rt.elem, src, from));
  });
  set(op.result(), out);
}

void FnLowering::lowerSumTo(const ir::Op &op) {
  // out starts at +0 and each element of x is added to its target in x's row-major order,
  // exactly the interpreter's order of additions.
  const ir::Type &rt = op.result()->type;
  const ir::Value *x = op.operand(0);
  ElemType e = rt.elem;
  if (x->type.isScalar()) {
    set(op.result(), rt.isScalar() ? binaryElem(OpKind::Add, e, zeroOf(e), get(x)) : nullptr);
    if (!rt.isScalar())
      throw InternalError("codegen: 'sum_to' from a scalar to a tensor");
    return;
  }
  llvm::Value *src = get(x);
  if (rt.isScalar()) {
    auto acc = loopCarried(constI64(0), numel(x->type.shape), {zeroOf(e)},
                           [&](llvm::Value *i, const std::vector<llvm::Value *> &c) {
                             return std::vector<llvm::Value *>{
                                 binaryElem(OpKind::Add, e, c[0], load(e, src, i))};
                           });
    set(op.result(), acc[0]);
    return;
  }
  llvm::Value *out = allocTensor(rt);
  zero(e, out, numel(rt.shape));
  std::vector<llvm::Value *> ext = dims(x->type.shape);
  std::vector<llvm::Value *> st = strides(ext);
  loopNest(ext, [&](const std::vector<llvm::Value *> &ivs) {
    llvm::Value *flat = constI64(0);
    for (size_t a = 0; a < ivs.size(); ++a)
      flat = B.CreateAdd(flat, B.CreateMul(ivs[a], st[a]));
    llvm::Value *to = broadcastOffset(*this, rt.shape, x->type.shape, ivs);
    llvm::Value *sum = binaryElem(OpKind::Add, e, load(e, out, to), load(e, src, flat));
    store(e, out, to, sum);
  });
  set(op.result(), out);
}

} // namespace diffc::codegen
