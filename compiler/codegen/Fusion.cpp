// Elementwise fusion: a float elementwise op whose only consumer is another elementwise op of the
// same shape, later in the same block, is not given a buffer; the consumer's loop computes its
// element from the producer's operands (FnLowering::read), so `sigmoid(x * w + b)` is one loop
// and no temporaries instead of three loops and two. Each element goes through the same
// operations in the same order, so results are bit-identical. A whole-tensor sum, product or
// norm consumes a producer the same way (`sum(d ^ 2)` is one loop), and so does an update or
// update_add whose new value it is (`d_m = update_add d_m[k, :], -(a + q * z)` adds each element
// where it is computed, with no temporary for the value).
//
// The producer's operands are then read where the consumer runs, so nothing between the two may
// update a buffer in place: only ops that never consume an operand (see Ownership) may sit
// between them. Off under --check-nan, which checks each op's result buffer.
#include "codegen/Lowering.h"

#include "support/Diagnostics.h"

namespace diffc::codegen {

using ir::OpKind;

namespace {

bool floatElementwise(const ir::Op &op) {
  ir::OpClass c = ir::opClass(op.kind);
  if ((c != ir::OpClass::Unary && c != ir::OpClass::Binary) || op.results.size() != 1)
    return false;
  if (!op.result()->type.isTensor() || !ir::isFloat(op.result()->type.elem))
    return false;
  for (const ir::Value *v : op.operands)
    if (v->type.isTape || !ir::isFloat(v->type.elem))
      return false;
  return true;
}

/// Consumers that read each operand element through FnLowering::read at the flat index of their
/// own (same-shaped) result.
bool readsByElement(const ir::Op &op) {
  switch (ir::opClass(op.kind)) {
  case ir::OpClass::Unary:
  case ir::OpClass::Binary:
  case ir::OpClass::Compare:
    return true;
  case ir::OpClass::Other:
    return op.kind == OpKind::Select || op.kind == OpKind::Cast;
  }
  return false;
}

/// Ops that never take over an operand's buffer, nor run code that could.
bool consumesNothing(const ir::Op &op) {
  if (ir::opClass(op.kind) != ir::OpClass::Other)
    return true;
  switch (op.kind) {
  case OpKind::Update:
  case OpKind::UpdateAdd:
  case OpKind::For:
  case OpKind::While:
  case OpKind::If:
  case OpKind::Map:
  case OpKind::Call:
  case OpKind::TapeNew:
  case OpKind::TapePush:
  case OpKind::TapePop:
  case OpKind::Yield:
  case OpKind::Return:
    return false;
  default:
    return op.regions.empty();
  }
}

/// Whole-tensor reductions that read each operand element once, in order, through
/// FnLowering::read at its flat index (LowerReduce.cpp): `sum(d ^ 2)` then needs no buffer for
/// `d ^ 2`. Logsumexp and the max / min reductions read elements more than once, which would
/// compute a fused producer again.
bool reducesByElement(const ir::Op &op) {
  return op.kind == OpKind::Sum || op.kind == OpKind::Prod || op.kind == OpKind::Norm;
}

/// An update / update_add reads its new value (operand 1, of the updated part's type) through
/// FnLowering::read at each element's row-major position in the part (LowerIndex.cpp). Writing
/// the part while the producer's operands are read is safe: a value that can share the updated
/// buffer is the buffer itself or a whole-tensor view of it (Ownership: an index of a tensor
/// updated in place is a copy), and an operand of the part's shape that covers the whole buffer
/// is read at the very element written, before it is written.
bool updatesWith(const ir::Op &user, const ir::Value *v) {
  return (user.kind == OpKind::Update || user.kind == OpKind::UpdateAdd) &&
         user.operands.size() > 1 && user.operand(1) == v && user.operand(0) != v;
}

} // namespace

bool FnLowering::fusible(const ir::Block &b, size_t i) const {
  const ir::Op &op = *b.ops[i];
  if (M.options().checkNonFinite || !floatElementwise(op))
    return false;
  // An operand broadcast in place (broadcastIntoNext) is read with the op's own loop indices,
  // which a consumer's flat-index read does not have: such an op keeps its loop.
  for (const ir::Value *x : op.operands)
    if (x->def && x->def->kind == OpKind::Broadcast && broadcastIntoNext(*x->def))
      return false;
  const std::vector<const ir::Op *> &uses = own.usesOf(op.result());
  if (uses.size() != 1)
    return false;
  const ir::Op *user = uses[0];
  bool sameShape = readsByElement(*user) && user->results.size() == 1 &&
                   user->result()->type.shape == op.result()->type.shape;
  if (user->parent != &b ||
      !(sameShape || reducesByElement(*user) || updatesWith(*user, op.result())))
    return false;
  for (size_t j = i + 1; j < b.ops.size(); ++j) {
    const ir::Op &between = *b.ops[j];
    if (&between == user)
      return true;
    if (!consumesNothing(between) && !sparesOperands(between, op))
      return false;
  }
  return false;
}

void FnLowering::fusedLeaves(const ir::Op &op, std::vector<const ir::Value *> &out) const {
  for (const ir::Value *v : op.operands) {
    if (fused_.count(v))
      fusedLeaves(*v->def, out);
    else
      out.push_back(v);
  }
}

/// An update or update_add between a fused op and its consumer (the adjoint updates of one loop
/// body sit between each other's values) writes only its operand 0's buffer, and only when it
/// takes that buffer over; values sharing that buffer are it and its views. It may sit there when
/// none of them is read by the fused op (or the fused ops it reads), whose reads happen later.
bool FnLowering::sparesOperands(const ir::Op &between, const ir::Op &fusedOp) const {
  if (between.kind != OpKind::Update && between.kind != OpKind::UpdateAdd)
    return false;
  if (!own.mayConsume(between, 0))
    return true; // writes into a copy
  const ir::Value *written = between.operand(0);
  std::vector<const ir::Value *> leaves;
  fusedLeaves(fusedOp, leaves);
  for (const ir::Value *v : leaves) {
    while (v != written && v->def && !v->def->operands.empty() && own.isView(*v->def))
      v = v->def->operand(0);
    if (v == written)
      return false;
  }
  return true;
}

llvm::Value *FnLowering::fusedElem(const ir::Value *v, llvm::Value *idx) {
  const ir::Op &op = *v->def;
  ir::ElemType e = op.operand(0)->type.elem;
  llvm::Value *a = read(op.operand(0), idx);
  if (ir::opClass(op.kind) == ir::OpClass::Unary)
    return unaryElem(op.kind, e, a);
  return binaryElem(op.kind, e, a, read(op.operand(1), idx));
}

} // namespace diffc::codegen
