#include "ir/NonFinite.h"

namespace diffc::ir {

bool mayProduceNonFinite(const Op &op) {
  if (op.results.size() != 1 || !op.result()->type.isFloat())
    return false;
  switch (op.kind) {
  // Domain errors and poles.
  case OpKind::Log:
  case OpKind::Log1p:
  case OpKind::Sqrt:
  case OpKind::Asin:
  case OpKind::Acos:
  case OpKind::Lgamma:
  case OpKind::Div:
  case OpKind::Mod:
  case OpKind::Pow:
  // Overflow.
  case OpKind::Exp:
  case OpKind::Expm1:
  case OpKind::Sinh:
  case OpKind::Cosh:
  case OpKind::Tan:
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Hypot:
  case OpKind::Cast: // f64 -> f32
  case OpKind::Sum:
  case OpKind::SumTo:
  case OpKind::Prod:
  case OpKind::Norm:
  case OpKind::Logsumexp:
  case OpKind::MatMul:
  case OpKind::Outer:
  case OpKind::UpdateAdd:
  case OpKind::Softmax:
  case OpKind::LogSoftmax: // x - max underflows to -inf for |x| near the largest double
    return true;
  default:
    return false;
  }
}

unsigned reportedOperands(const Op &op) {
  OpClass c = opClass(op.kind);
  if (c == OpClass::Unary || op.kind == OpKind::Cast)
    return 1;
  if (c == OpClass::Binary || op.kind == OpKind::UpdateAdd)
    return 2;
  return 0;
}

std::string originText(const Origin &o) {
  std::string role = o.role == Role::Forward   ? "forward"
                     : o.role == Role::Adjoint ? "adjoint"
                                               : "tangent";
  if (o.role != Role::Forward && o.primal)
    role += std::string(" of ") + opMnemonic(*o.primal);
  return role;
}

} // namespace diffc::ir
