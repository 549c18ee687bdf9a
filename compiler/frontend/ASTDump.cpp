#include "frontend/ASTDump.h"

#include <fmt/format.h>

namespace diffc::ast {

namespace {

std::string floatText(double v) {
  std::string s = fmt::format("{}", v);
  // Keep floats recognizable next to integers: `3.0`, not `3`.
  if (s.find_first_of(".eEin") == std::string::npos)
    s += ".0";
  return s;
}

std::string iterText(const Iterator &it) {
  return fmt::format("({} {} {})", it.var.name, dump(*it.lo), dump(*it.hi));
}

std::string subscriptText(const Subscript &s) {
  if (!s.isSlice)
    return dump(*s.lo);
  return fmt::format("(: {} {})", s.lo ? dump(*s.lo) : "_", s.hi ? dump(*s.hi) : "_");
}

std::string attrsText(const std::vector<Attribute> &attrs) {
  std::string out;
  for (const Attribute &a : attrs) {
    out += "@" + a.name.name;
    if (!a.args.empty()) {
      out += "(";
      for (size_t i = 0; i < a.args.size(); ++i)
        out += (i ? ", " : "") + a.args[i].name;
      out += ")";
    }
    out += " ";
  }
  return out;
}

} // namespace

std::string dump(const Expr &e) {
  auto list = [&](std::string head, size_t from) {
    for (size_t i = from; i < e.args.size(); ++i)
      head += " " + dump(*e.args[i]);
    return "(" + head + ")";
  };
  switch (e.kind) {
  case ExprKind::IntLit:
    return std::to_string(e.ival);
  case ExprKind::FloatLit:
    return floatText(e.fval);
  case ExprKind::BoolLit:
    return e.bval ? "true" : "false";
  case ExprKind::Name:
    return e.name;
  case ExprKind::Unary:
  case ExprKind::Binary:
    return list(tokSpelling(e.op), 0);
  case ExprKind::Call:
    return list("call " + e.name, 0);
  case ExprKind::Index: {
    std::string out = "(index " + dump(*e.args[0]);
    for (const Subscript &s : e.subs)
      out += " " + subscriptText(s);
    return out + ")";
  }
  case ExprKind::Transpose:
    return list("T", 0);
  case ExprKind::TensorLit:
    return list("tensor", 0);
  case ExprKind::Tuple:
    return list("tuple", 0);
  case ExprKind::Comprehension:
  case ExprKind::Generator: {
    std::string out = (e.kind == ExprKind::Generator ? "(gen " : "(comp ") + dump(*e.args[0]);
    for (const Iterator &it : e.iters)
      out += " " + iterText(it);
    return out + ")";
  }
  case ExprKind::If: {
    std::string out = "(if " + dump(*e.args[0]) + " " + dump(*e.thenBlock);
    if (e.elseBlock)
      out += " " + dump(*e.elseBlock);
    return out + ")";
  }
  }
  return "?";
}

std::string dump(const Block &b) {
  std::string out = "{";
  for (const StmtPtr &s : b.stmts)
    out += (out.size() > 1 ? " " : "") + dump(*s);
  if (b.result)
    out += (out.size() > 1 ? " => " : "=> ") + dump(*b.result);
  return out + "}";
}

std::string dump(const Stmt &s) {
  switch (s.kind) {
  case StmtKind::Let:
    return fmt::format("(let {} {})", s.names[0].name, dump(*s.value));
  case StmtKind::LetTuple: {
    std::string names;
    for (size_t i = 0; i < s.names.size(); ++i)
      names += (i ? " " : "") + s.names[i].name;
    return fmt::format("(let ({}) {})", names, dump(*s.value));
  }
  case StmtKind::Var:
    return fmt::format("(var {} {})", s.names[0].name, dump(*s.value));
  case StmtKind::Assign:
    return fmt::format("({} {} {})", tokSpelling(s.op), dump(*s.target), dump(*s.value));
  case StmtKind::For:
    return fmt::format("({}for {} {})", attrsText(s.attrs), iterText(s.iter), dump(*s.body));
  case StmtKind::While:
    return fmt::format("(while {} {})", dump(*s.value), dump(*s.body));
  case StmtKind::Expr:
    return fmt::format("(expr {})", dump(*s.value));
  }
  return "?";
}

std::string dump(const TypeExpr &t) {
  switch (t.kind) {
  case TypeExpr::Kind::Scalar:
    return t.scalar;
  case TypeExpr::Kind::Tensor: {
    std::string out = t.scalar + "[";
    for (size_t i = 0; i < t.dims.size(); ++i)
      out += (i ? ", " : "") + dump(*t.dims[i]);
    return out + "]";
  }
  case TypeExpr::Kind::Tuple: {
    std::string out = "(";
    for (size_t i = 0; i < t.elements.size(); ++i)
      out += (i ? ", " : "") + dump(t.elements[i]);
    return out + ")";
  }
  }
  return "?";
}

std::string dump(const Function &f) {
  std::string out = attrsText(f.attrs) + "fn " + f.name.name;
  if (!f.sizeParams.empty()) {
    out += "[";
    for (size_t i = 0; i < f.sizeParams.size(); ++i)
      out += (i ? ", " : "") + f.sizeParams[i].name;
    out += "]";
  }
  out += "(";
  for (size_t i = 0; i < f.params.size(); ++i)
    out += (i ? ", " : "") + f.params[i].name.name + ": " + dump(f.params[i].type);
  out += ") -> " + dump(f.result) + " ";
  return out + (f.body ? dump(*f.body) : "<no body>");
}

std::string dump(const Module &m) {
  std::string out;
  for (const Function &f : m.functions)
    out += dump(f) + "\n";
  return out;
}

} // namespace diffc::ast
