// Reading straight-line scalar IR back as one formula. Every value becomes a (shared) subtree, so
// a value used twice is simply written twice: the output is one expression, not a program.
#include "passes/SymExpr.h"

#include <fmt/format.h>

#include <unordered_map>

namespace diffc::sym {

namespace {

const char *cmpOperator(ir::OpKind k) {
  switch (k) {
  case ir::OpKind::Eq:
    return "==";
  case ir::OpKind::Ne:
    return "!=";
  case ir::OpKind::Lt:
    return "<";
  case ir::OpKind::Le:
    return "<=";
  case ir::OpKind::Gt:
    return ">";
  default:
    return ">=";
  }
}

ExprP constant(const ir::Op &op) {
  const ir::Type &t = op.result()->type;
  if (t.elem == ir::ElemType::Bool)
    return var(op.ival ? "true" : "false");
  if (t.isFloat())
    return num(op.fval);
  return num(static_cast<double>(op.ival));
}

ExprP translate(const ir::Op &op, const std::vector<ExprP> &in) {
  using ir::OpKind;
  switch (op.kind) {
  case OpKind::Const:
    return constant(op);
  case OpKind::Neg:
    return neg(in[0]);
  case OpKind::Add:
    return add({in[0], in[1]});
  case OpKind::Sub:
    return sub(in[0], in[1]);
  case OpKind::Mul:
    return mul({in[0], in[1]});
  case OpKind::Div:
    return div(in[0], in[1]);
  case OpKind::Pow:
    return pow(in[0], in[1]);
  case OpKind::Select:
    return call("select", in);
  case OpKind::StopGradient:
    return call("stop_gradient", in);
  case OpKind::Cast:
    // Integer values converting to float are the same number in a formula.
    if (op.result()->type.isFloat())
      return in[0];
    return call(ir::elemTypeName(op.result()->type.elem), in);
  default:
    break;
  }
  switch (ir::opClass(op.kind)) {
  case ir::OpClass::Unary:
  case ir::OpClass::Binary:
    return call(ir::opMnemonic(op.kind), in);
  case ir::OpClass::Compare:
    return cmp(cmpOperator(op.kind), in[0], in[1]);
  default:
    throw NotAFormula(
        fmt::format("'{}' cannot be written as a scalar formula", ir::opMnemonic(op.kind)));
  }
}

} // namespace

ExprP fromIR(const ir::Function &fn, unsigned resultIndex,
             const std::vector<std::pair<unsigned, double>> &constants) {
  std::unordered_map<const ir::Value *, ExprP> env;
  const auto &params = fn.params();
  for (unsigned i = 0; i < params.size(); ++i) {
    if (!params[i]->type.isScalar())
      throw NotAFormula(fmt::format("parameter '{}' is not a scalar", params[i]->name));
    env[params[i]] = var(params[i]->name);
  }
  for (const auto &[index, value] : constants)
    env[params.at(index)] = num(value);
  for (const auto &op : fn.body->ops) {
    if (op->kind == ir::OpKind::Return)
      return env.at(op->operand(resultIndex));
    if (!op->regions.empty())
      throw NotAFormula(fmt::format("'{}' (control flow) cannot be written as a formula",
                                    ir::opMnemonic(op->kind)));
    std::vector<ExprP> in;
    for (const ir::Value *v : op->operands)
      in.push_back(env.at(v));
    for (const ir::Value *r : op->results)
      if (!r->type.isScalar())
        throw NotAFormula("the expression uses tensors; derive works on scalar formulas");
    env[op->result()] = translate(*op, in);
  }
  throw NotAFormula("function without a return");
}

} // namespace diffc::sym
