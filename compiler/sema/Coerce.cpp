// Promotion, broadcasting and size expressions: the typing rules shared by every construct.
#include "sema/Lowerer.h"

#include <fmt/format.h>

namespace diffc::sema {

using namespace ir;

std::string Lowerer::typeStr(const Type &t) const {
  return t.str(cur_ ? std::span<const std::string>(cur_->fn->sizeParams)
                    : std::span<const std::string>());
}

std::optional<Shape> Lowerer::broadcastShapes(const Shape &a, const Shape &b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    // Align from the right.
    const Dim *da = i < n - a.size() ? nullptr : &a[i - (n - a.size())];
    const Dim *db = i < n - b.size() ? nullptr : &b[i - (n - b.size())];
    if (!da)
      out[i] = *db;
    else if (!db)
      out[i] = *da;
    else if (*da == *db)
      out[i] = *da;
    else if (da->isConstant() && da->constantValue() == 1)
      out[i] = *db;
    else if (db->isConstant() && db->constantValue() == 1)
      out[i] = *da;
    else
      return std::nullopt;
  }
  return out;
}

std::optional<ElemType> Lowerer::arithElem(Value *a, Value *b, Span span, const char *what) {
  ElemType ea = a->type.elem, eb = b->type.elem;
  if (ea == ElemType::Bool || eb == ElemType::Bool) {
    diags_.error(span, fmt::format("{} needs numbers, got {} and {}", what, typeStr(a->type),
                                   typeStr(b->type)));
    return std::nullopt;
  }
  if (ea == eb)
    return ea;
  if (ea == ElemType::I64)
    return eb;
  if (eb == ElemType::I64)
    return ea;
  // f32 with f64: a constant adopts the other side's type; otherwise compute in f64.
  if (isConst(a))
    return eb;
  if (isConst(b))
    return ea;
  return ElemType::F64;
}

Value *Lowerer::convertElem(Value *v, ElemType e) {
  if (!v || v->type.elem == e)
    return v;
  if (isConst(v) && v->type.isScalar()) {
    Op *c = v->def;
    double x = v->type.elem == ElemType::I64 || v->type.elem == ElemType::Bool
                   ? static_cast<double>(c->ival)
                   : c->fval;
    // `1 / 2` where a float is expected is 0.5: its literals adopt f64 (foldIntLiterals). Not
    // once it has a name: `let k = 7 / 2;` is the i64 3 wherever k is used.
    if (auto it = literalFloat_.find(v); it != literalFloat_.end() && v->name.empty())
      x = it->second;
    if (!isFloat(e))
      return builder_->value(OpKind::Cast, {v}, v->type.withElem(e));
    double f = e == ElemType::F32 ? static_cast<float>(x) : x;
    // A literal just lowered (unnamed, the last op so far) has no uses yet: retype it in place
    // rather than leave a dead integer constant behind ("an integer literal adopts f64").
    Block *b = builder_->insertionBlock();
    if (v->name.empty() && b && !b->ops.empty() && b->ops.back().get() == c) {
      c->fval = f;
      c->ival = 0;
      v->type = Type(e);
      return v;
    }
    return builder_->constF64(f, e);
  }
  return builder_->value(OpKind::Cast, {v}, v->type.withElem(e));
}

Value *Lowerer::broadcastTo(Value *v, const Shape &s) {
  if (!v || v->type.isScalar() || v->type.shape == s)
    return v;
  return builder_->value(OpKind::Broadcast, {v}, Type(v->type.elem, s));
}

Value *Lowerer::coerce(Value *v, const Type &t, Span span, const std::string &what) {
  if (!v)
    return nullptr;
  if (v->type == t)
    return v;
  bool elemOk = v->type.elem == t.elem || (isFloat(t.elem) && v->type.elem == ElemType::I64) ||
                (isFloat(t.elem) && isFloat(v->type.elem) && isConst(v));
  auto b = broadcastShapes(v->type.shape, t.shape);
  if (!elemOk || v->type.isTape || t.isTape || !b || *b != t.shape) {
    diags_.error(span, fmt::format("{}: expected {}, got {}", what, typeStr(t), typeStr(v->type)));
    return nullptr;
  }
  Value *c = convertElem(v, t.elem);
  if (c->type.shape != t.shape) {
    if (c->type.isScalar())
      c = builder_->value(OpKind::Fill, {c}, t);
    else
      c = builder_->value(OpKind::Broadcast, {c}, t);
  }
  return c;
}

Value *Lowerer::elementwise(OpKind k, std::vector<Value *> xs, ElemType resultElem, Span span,
                            const char *what) {
  for (Value *x : xs)
    if (!x)
      return nullptr;
  Shape shape;
  for (Value *x : xs) {
    auto b = broadcastShapes(shape, x->type.shape);
    if (!b) {
      std::string shapes;
      for (size_t i = 0; i < xs.size(); ++i)
        shapes += (i ? (i + 1 == xs.size() ? " and " : ", ") : "") + typeStr(xs[i]->type);
      diags_.error(span, fmt::format("{}: shapes {} do not broadcast", what, shapes));
      return nullptr;
    }
    shape = *b;
  }
  for (Value *&x : xs)
    x = broadcastTo(x, shape);
  return builder_->value(k, xs, Type(resultElem, shape));
}

Value *Lowerer::toF64(Value *v) {
  if (!v)
    return nullptr;
  return isFloat(v->type.elem) ? v : convertElem(v, ElemType::F64);
}

bool Lowerer::requireScalar(Value *v, ElemType e, Span span, const char *what) {
  if (!v)
    return false;
  if (v->type.isScalar() && v->type.elem == e)
    return true;
  diags_.error(
      span, fmt::format("{} must be a scalar {}, got {}", what, elemTypeName(e), typeStr(v->type)));
  return false;
}

Value *Lowerer::dimValue(const Dim &d) {
  // An overflowed dim stays a `dim` op, which lowerFunctionOnce reports (mean's element count).
  if (d.isConstant() && !d.overflowed())
    return builder_->constI64(d.constantValue());
  return builder_->dimValue(d);
}

std::optional<SymExpr> Lowerer::symbolic(const ast::Expr &e, bool sizesOnly) {
  using K = ast::ExprKind;
  switch (e.kind) {
  case K::IntLit:
    return Dim::constant(e.ival);
  case K::Name: {
    Binding *b = scopes_.lookup(e.name);
    if (!b)
      return std::nullopt;
    if (b->hasDim)
      return b->dim;
    if (sizesOnly || !b->value || b->value->type != Type::i64() || b->kind == Binding::Kind::Var)
      return std::nullopt;
    // A runtime i64 (loop index, let): an opaque atom, so that `i + 3 - i` is 3.
    auto [it, inserted] =
        atomIds_.emplace(b->value, kAtomBase + static_cast<uint32_t>(atomIds_.size()));
    return Dim::symbol(it->second);
  }
  case K::Unary:
    if (e.op == Tok::Minus)
      if (auto a = symbolic(*e.args[0], sizesOnly))
        return -*a;
    return std::nullopt;
  case K::Binary: {
    if (e.op != Tok::Plus && e.op != Tok::Minus && e.op != Tok::Star)
      return std::nullopt;
    auto a = symbolic(*e.args[0], sizesOnly);
    if (!a)
      return std::nullopt;
    auto b = symbolic(*e.args[1], sizesOnly);
    if (!b)
      return std::nullopt;
    return e.op == Tok::Plus ? *a + *b : e.op == Tok::Minus ? *a - *b : *a * *b;
  }
  case K::Call:
    if (e.name == "len" && e.args.size() == 1 && e.args[0]->kind == K::Name) {
      Binding *b = scopes_.lookup(e.args[0]->name);
      if (b && b->value && b->value->type.rank() >= 1)
        return b->value->type.shape[0];
    }
    return std::nullopt;
  default:
    return std::nullopt;
  }
}

std::optional<Dim> Lowerer::sizeExpr(const ast::Expr &e, const char *what) {
  auto d = symbolic(e, /*sizesOnly=*/true);
  if (!d) {
    diags_.error(e.span, fmt::format("{} must be a size expression (integer literals and size "
                                     "parameters combined with + - *)",
                                     what));
    return std::nullopt;
  }
  if (d->overflowed()) {
    diags_.error(e.span, fmt::format("{} overflows i64", what));
    return std::nullopt;
  }
  if (d->isConstant() && d->constantValue() < 0) {
    diags_.error(e.span, fmt::format("{} is negative ({})", what, d->constantValue()));
    return std::nullopt;
  }
  return d;
}

} // namespace diffc::sema
