// index, update and update_add: a rectangular part of a tensor chosen per axis by a point, a
// slice or the whole axis (ir::IndexMode). Every index is checked against its extent, except
// where the IR already proves it in range (a map index or a `for 0..N` counter used on an axis of
// extent N, or an affine index of counters and sizes, see IndexRange.h): those checks would
// otherwise be loop exits that keep LLVM from vectorising.
//
// A contiguous part is a view into the operand rather than a copy when Ownership says so.
//
// update / update_add write into their operand when Ownership allows it, so an element update in
// a loop costs O(1); otherwise they write into a copy.
#include "codegen/IndexRange.h"
#include "codegen/Lowering.h"

#include "support/Diagnostics.h"

#include <fmt/format.h>
#include <optional>

namespace diffc::codegen {

using ir::ElemType;
using ir::OpKind;

namespace {

/// A dim D such that 0 <= v < D is known from the IR, when there is one.
std::optional<ir::Dim> knownBound(const ir::Value *v) {
  if (v->def || !v->ownerBlock || !v->ownerBlock->parentOp)
    return std::nullopt;
  const ir::Op &p = *v->ownerBlock->parentOp;
  if (p.kind == OpKind::Map && v->index < p.dims.size())
    return p.dims[v->index];
  if (p.kind == OpKind::For && v->index == 0 && p.operands.size() >= 2) {
    const ir::Value *lo = p.operands[0], *hi = p.operands[1];
    bool loOk = lo->def && lo->def->kind == OpKind::Const && lo->def->ival >= 0;
    if (loOk && hi->def && hi->def->kind == OpKind::DimValue)
      return hi->def->dims.at(0);
    if (loOk && hi->def && hi->def->kind == OpKind::Const)
      return ir::Dim::constant(hi->def->ival);
  }
  return std::nullopt;
}

bool provenBelow(const ir::Value *v, const ir::Dim &extent) {
  auto bound = knownBound(v);
  if (bound && *bound == extent)
    return true;
  if (bound && bound->isConstant() && extent.isConstant() &&
      bound->constantValue() <= extent.constantValue())
    return true;
  return provenInRange(v, extent);
}

struct Part {
  std::vector<llvm::Value *> start, len; // per axis of x
  std::vector<bool> kept;
};

} // namespace

/// Resolves and checks the per-axis ranges of an index/update op; indices start at `first`.
static Part resolve(FnLowering &L, const ir::Op &op, size_t first) {
  const ir::Type &xt = op.operand(0)->type;
  Part part;
  size_t nextIndex = first, nextLen = 0;
  for (size_t a = 0; a < xt.rank(); ++a) {
    int64_t mode = a < op.ints.size() ? op.ints[a] : ir::kFull;
    llvm::Value *size = L.dim(xt.shape[a]);
    llvm::Value *axis = L.constI64(static_cast<int64_t>(a));
    if (mode == ir::kFull) {
      part.start.push_back(L.constI64(0));
      part.len.push_back(size);
      part.kept.push_back(true);
      continue;
    }
    if (nextIndex >= op.operands.size())
      throw InternalError("codegen: too few index operands");
    const ir::Value *iv = op.operands[nextIndex++];
    llvm::Value *i = L.get(iv);
    if (mode == ir::kPoint) {
      if (!provenBelow(iv, xt.shape[a]))
        L.check(L.B.CreateICmpULT(i, size), DIFFC_ERR_INDEX, i, size, axis);
      part.start.push_back(i);
      part.len.push_back(L.constI64(1));
      part.kept.push_back(false);
      continue;
    }
    if (mode != ir::kSlice || nextLen >= op.dims.size())
      throw InternalError(fmt::format("codegen: bad index mode {}", mode));
    llvm::Value *len = L.dim(op.dims[nextLen++]);
    // One check for a negative length and a range outside the axis: the runtime's message
    // tells them apart, as the interpreter's does.
    llvm::Value *ok = L.B.CreateAnd(
        L.B.CreateAnd(L.B.CreateICmpSGE(i, L.constI64(0)), L.B.CreateICmpSLE(len, size)),
        L.B.CreateAnd(L.B.CreateICmpSLE(i, L.B.CreateSub(size, len)),
                      L.B.CreateICmpSGE(len, L.constI64(0))));
    L.check(ok, DIFFC_ERR_SLICE, i, len, axis, size);
    part.start.push_back(i);
    part.len.push_back(len);
    part.kept.push_back(true);
  }
  if (nextIndex != op.operands.size() || nextLen != op.dims.size())
    throw InternalError("codegen: index operands or slice lengths do not match the modes");
  return part;
}

/// Calls f(k, flat) for the k-th element (row-major) of the part, flat being its index in x.
static void forEachInPart(FnLowering &L, const ir::Type &xt, const Part &part,
                          const std::function<void(llvm::Value *, llvm::Value *)> &f) {
  std::vector<llvm::Value *> st = L.strides(L.dims(xt.shape));
  llvm::Value *base = L.constI64(0);
  std::vector<size_t> keptAxes;
  for (size_t a = 0; a < xt.rank(); ++a) {
    base = L.B.CreateAdd(base, L.B.CreateMul(part.start[a], st[a]));
    if (part.kept[a])
      keptAxes.push_back(a);
  }
  std::vector<llvm::Value *> ext;
  for (size_t a : keptAxes)
    ext.push_back(part.len[a]);
  std::vector<llvm::Value *> partStrides = L.strides(ext);
  L.loopNest(ext, [&](const std::vector<llvm::Value *> &ivs) {
    llvm::Value *flat = base, *k = L.constI64(0);
    for (size_t j = 0; j < ivs.size(); ++j) {
      flat = L.B.CreateAdd(flat, L.B.CreateMul(ivs[j], st[keptAxes[j]]));
      k = L.B.CreateAdd(k, L.B.CreateMul(ivs[j], partStrides[j]));
    }
    f(k, flat);
  });
}

void FnLowering::lowerIndex(const ir::Op &op) {
  const ir::Value *x = op.operand(0);
  const ir::Type &rt = op.result()->type;
  ElemType e = rt.elem;
  if (x->type.isScalar()) {
    set(op.result(), get(x));
    return;
  }
  Part part = resolve(*this, op, 1);
  llvm::Value *src = get(x);
  if (rt.isScalar()) {
    llvm::Value *scalar = nullptr;
    forEachInPart(*this, x->type, part,
                  [&](llvm::Value *, llvm::Value *flat) { scalar = load(e, src, flat); });
    set(op.result(), scalar);
    return;
  }
  if (own.isView(op)) {
    // A contiguous part (see Ownership): its first element's address, no copy.
    std::vector<llvm::Value *> st = strides(dims(x->type.shape));
    llvm::Value *base = constI64(0);
    for (size_t a = 0; a < x->type.rank(); ++a)
      base = B.CreateAdd(base, B.CreateMul(part.start[a], st[a]));
    set(op.result(), elemPtr(e, src, base));
    return;
  }
  llvm::Value *out = allocTensor(rt);
  forEachInPart(*this, x->type, part,
                [&](llvm::Value *k, llvm::Value *flat) { store(e, out, k, load(e, src, flat)); });
  set(op.result(), out);
}

void FnLowering::lowerUpdate(const ir::Op &op) {
  const ir::Value *x = op.operand(0), *v = op.operand(1);
  if (skipUpdates_.count(&op)) { // another piece of a split loop makes it (LoopSplit.cpp)
    set(op.result(), get(x));
    return;
  }
  ElemType e = x->type.elem;
  bool add = op.kind == OpKind::UpdateAdd;
  if (x->type.isScalar()) {
    set(op.result(), add ? binaryElem(OpKind::Add, e, get(x), get(v)) : get(v));
    return;
  }
  Part part = resolve(*this, op, 2);
  llvm::Value *dst = own.mayConsume(op, 0) ? get(x) : copyOf(x);
  bool checked = add && M.options().checkNonFinite;
  forEachInPart(*this, x->type, part, [&](llvm::Value *k, llvm::Value *flat) {
    llvm::Value *val = read(v, k);
    if (!add) {
      store(e, dst, flat, val);
      return;
    }
    llvm::Value *old = load(e, dst, flat);
    llvm::Value *sum = binaryElem(OpKind::Add, e, old, val);
    if (checked) // only the updated elements (ir::checkedWhileUpdating)
      checkAddedElement(op, flat, sum, old, val);
    store(e, dst, flat, sum);
  });
  set(op.result(), dst);
}

} // namespace diffc::codegen
