// Expressions: operators, names, literals, indexing, tensor literals, comprehensions.
#include "sema/Lowerer.h"

#include <fmt/format.h>

#include <climits>
#include <cmath>
#include <optional>

namespace diffc::sema {

using namespace ir;
using K = ast::ExprKind;

Value *Lowerer::lowerValue(const ast::Expr &e) {
  Lowered r = lower(e);
  if (r.unit()) {
    diags_.error(e.span, "this expression has no value");
    return nullptr;
  }
  if (r.tuple) {
    if (r.ok())
      diags_.error(e.span,
                   fmt::format("expected a single value, got a tuple of {}", r.vals.size()));
    return nullptr;
  }
  return r.vals[0];
}

Lowered Lowerer::lower(const ast::Expr &e) {
  setLoc(e.span);
  switch (e.kind) {
  case K::IntLit:
    return Lowered::one(builder_->constI64(e.ival));
  case K::FloatLit:
    return Lowered::one(builder_->constF64(e.fval));
  case K::BoolLit:
    return Lowered::one(builder_->constBool(e.bval));
  case K::Name:
    return Lowered::one(lowerName(e));
  case K::Unary:
    return Lowered::one(lowerUnary(e));
  case K::Binary:
    return Lowered::one(lowerBinary(e));
  case K::Call:
    return lowerCall(e);
  case K::Index:
    return Lowered::one(lowerIndex(e));
  case K::Transpose: {
    Value *a = lowerValue(*e.args[0]);
    if (!a)
      return Lowered::poison();
    if (a->type.rank() == 1)
      return Lowered::one(a); // the transpose of a vector is itself, as in NumPy
    if (a->type.rank() != 2) {
      diags_.error(e.span, fmt::format(".T needs a matrix, got {}", typeStr(a->type)));
      return Lowered::poison();
    }
    setLoc(e.span);
    return Lowered::one(builder_->value(OpKind::Transpose, {a},
                                        Type(a->type.elem, {a->type.shape[1], a->type.shape[0]})));
  }
  case K::TensorLit:
    return Lowered::one(lowerTensorLit(e));
  case K::Tuple: {
    Lowered r;
    r.tuple = true;
    for (const ast::ExprPtr &a : e.args)
      r.vals.push_back(lowerValue(*a));
    return r;
  }
  case K::Comprehension:
    return Lowered::one(lowerMap(*e.args[0], e.iters, e.span));
  case K::Generator:
    diags_.error(e.span, "a generator is only allowed as the argument of sum, prod, mean, max, "
                         "min or logsumexp");
    return Lowered::poison();
  case K::If:
    return lowerIf(e, /*needValue=*/true);
  }
  return Lowered::poison();
}

Value *Lowerer::lowerName(const ast::Expr &e) {
  Binding *b = scopes_.lookup(e.name);
  if (!b) {
    if (sigs_.count(e.name))
      diags_.error(e.span, fmt::format("'{}' is a function; call it as {}(...)", e.name, e.name));
    else
      diags_.error(e.span, fmt::format("use of undeclared identifier '{}'", e.name));
    return nullptr;
  }
  if (b->kind == Binding::Kind::Size)
    return dimValue(b->dim);
  return b->value;
}

namespace {

// The integer and floating-point values of a tree of integer literals and + - * / % (with unary
// minus); nullopt for other expressions, on i64 overflow and on division by zero.
std::optional<std::pair<int64_t, double>> literalValue(const ast::Expr &e) {
  if (e.kind == K::IntLit)
    return std::pair{e.ival, static_cast<double>(e.ival)};
  if (e.kind == K::Unary && e.op == Tok::Minus) {
    auto a = literalValue(*e.args[0]);
    if (!a || a->first == INT64_MIN)
      return std::nullopt;
    return std::pair{-a->first, -a->second};
  }
  if (e.kind != K::Binary)
    return std::nullopt;
  auto a = literalValue(*e.args[0]), b = literalValue(*e.args[1]);
  if (!a || !b)
    return std::nullopt;
  int64_t i = 0;
  switch (e.op) {
  case Tok::Plus:
    if (__builtin_add_overflow(a->first, b->first, &i))
      return std::nullopt;
    return std::pair{i, a->second + b->second};
  case Tok::Minus:
    if (__builtin_sub_overflow(a->first, b->first, &i))
      return std::nullopt;
    return std::pair{i, a->second - b->second};
  case Tok::Star:
    if (__builtin_mul_overflow(a->first, b->first, &i))
      return std::nullopt;
    return std::pair{i, a->second * b->second};
  case Tok::Slash:
  case Tok::Percent:
    if (b->first == 0 || (a->first == INT64_MIN && b->first == -1))
      return std::nullopt;
    if (e.op == Tok::Slash)
      return std::pair{a->first / b->first, a->second / b->second};
    return std::pair{a->first % b->first, std::fmod(a->second, b->second)};
  default:
    return std::nullopt;
  }
}

} // namespace

Value *Lowerer::foldIntLiterals(const ast::Expr &e) {
  // A lone literal (`2`, `-1`) adopts f64 in convertElem already and keeps its IR as it is.
  if (e.kind == K::IntLit || (e.kind == K::Unary && e.args[0]->kind == K::IntLit))
    return nullptr;
  auto v = literalValue(e);
  if (!v)
    return nullptr;
  setLoc(e.span);
  Value *c = builder_->constI64(v->first);
  literalFloat_[c] = v->second;
  return c;
}

Value *Lowerer::lowerUnary(const ast::Expr &e) {
  if (Value *folded = foldIntLiterals(e))
    return folded;
  Value *a = lowerValue(*e.args[0]);
  if (!a)
    return nullptr;
  setLoc(e.span);
  if (e.op == Tok::Bang) {
    if (a->type.elem != ElemType::Bool) {
      diags_.error(e.opSpan, fmt::format("'!' needs a bool, got {}", typeStr(a->type)));
      return nullptr;
    }
    return builder_->value(OpKind::Not, {a}, a->type);
  }
  if (a->type.elem == ElemType::Bool) {
    diags_.error(e.opSpan, fmt::format("unary '-' needs a number, got {}", typeStr(a->type)));
    return nullptr;
  }
  if (isConst(a) && a->type.isScalar()) {
    // Fold negative literals so that `-1` reads as a constant in the IR.
    if (a->type.elem == ElemType::I64)
      return builder_->constI64(-a->def->ival);
    return builder_->constF64(-a->def->fval, a->type.elem);
  }
  return builder_->value(OpKind::Neg, {a}, a->type);
}

namespace {

/// Whether evaluating `e` can do nothing but compute: literals, names and arithmetic other than
/// `/` and `%` (integer division by zero is a runtime error). Anything else (an index, a call,
/// a comprehension, an `if`) may fault, so `&&` and `||` must not evaluate it when the left
/// operand decides.
bool cannotFault(const ast::Expr &e) {
  switch (e.kind) {
  case ast::ExprKind::IntLit:
  case ast::ExprKind::FloatLit:
  case ast::ExprKind::BoolLit:
  case ast::ExprKind::Name:
    return true;
  case ast::ExprKind::Unary:
  case ast::ExprKind::Binary:
  case ast::ExprKind::Transpose:
    if (e.op == Tok::Slash || e.op == Tok::Percent)
      return false;
    for (const ast::ExprPtr &a : e.args)
      if (!cannotFault(*a))
        return false;
    return true;
  default:
    return false;
  }
}

} // namespace

Value *Lowerer::lowerBinary(const ast::Expr &e) {
  if (Value *folded = foldIntLiterals(e))
    return folded;
  if ((e.op == Tok::AndAnd || e.op == Tok::OrOr) && !cannotFault(*e.args[1])) {
    Value *a = lowerValue(*e.args[0]);
    if (a && a->type == Type::boolean())
      return lowerShortCircuit(e, a);
    Value *b = lowerValue(*e.args[1]);
    if (!a || !b)
      return nullptr;
    setLoc(e.span);
    return arith(e.op, a, b, e.opSpan);
  }
  Value *a = lowerValue(*e.args[0]);
  Value *b = lowerValue(*e.args[1]);
  if (!a || !b)
    return nullptr;
  setLoc(e.span);
  return arith(e.op, a, b, e.opSpan);
}

/// `a && b` and `a || b` with a scalar `a` evaluate `b` only when `a` does not decide, as in C:
/// `i < N && x[i] > 0` never reads x[N]. Lowered as `if a { b } else { false }` (`||`: `if a
/// { true } else { b }`); variables that `b` assigns (inside an `if` in it) are carried out.
Value *Lowerer::lowerShortCircuit(const ast::Expr &e, Value *a) {
  bool isAnd = e.op == Tok::AndAnd;
  setLoc(e.span);
  std::vector<Binding *> carried = scopes_.visibleVars();
  std::vector<Value *> before;
  for (Binding *v : carried)
    before.push_back(v->value);
  Op *op = builder_->create(OpKind::If, {a}, {});
  Block *outer = builder_->insertionBlock();
  Block *thenBlock = builder_->addRegion(op, {});
  Block *elseBlock = builder_->addRegion(op, {});
  Block *evalBlock = isAnd ? thenBlock : elseBlock, *constBlock = isAnd ? elseBlock : thenBlock;
  builder_->setInsertionBlock(evalBlock);
  Value *b = lowerValue(*e.args[1]);
  bool ok = b != nullptr;
  if (b && b->type.elem != ElemType::Bool) {
    diags_.error(e.opSpan, fmt::format("'{}' needs bools, got {} and {}", tokSpelling(e.op),
                                       typeStr(a->type), typeStr(b->type)));
    ok = false;
  }
  if (!ok)
    b = builder_->constBool(false);
  std::vector<size_t> changed;
  std::vector<Value *> after;
  for (size_t k = 0; k < carried.size(); ++k) {
    after.push_back(carried[k]->value);
    if (before[k] && carried[k]->value != before[k])
      changed.push_back(k);
    carried[k]->value = before[k];
  }
  setLoc(e.span);
  std::vector<Value *> ys = {b};
  for (size_t k : changed)
    ys.push_back(after[k] ? after[k] : before[k]);
  builder_->create(OpKind::Yield, ys, {});
  builder_->setInsertionBlock(constBlock);
  Value *c = builder_->constBool(!isAnd);
  if (!b->type.isScalar())
    c = builder_->value(OpKind::Fill, {c}, b->type);
  ys = {c};
  for (size_t k : changed)
    ys.push_back(before[k]);
  builder_->create(OpKind::Yield, ys, {});
  builder_->setInsertionBlock(outer);
  addResult(builder_->function(), op, b->type, "");
  for (size_t k : changed) {
    addResult(builder_->function(), op, before[k]->type, carried[k]->name);
    carried[k]->value = op->results.back();
  }
  return ok ? op->results[0] : nullptr;
}

Value *Lowerer::arith(Tok op, Value *a, Value *b, Span span) {
  if (!a || !b)
    return nullptr;
  if (a->type.isTape || b->type.isTape) {
    diags_.error(span, "tapes cannot be used in arithmetic");
    return nullptr;
  }
  const char *spelling = tokSpelling(op);
  auto what = fmt::format("operator '{}'", spelling);
  switch (op) {
  case Tok::AndAnd:
  case Tok::OrOr:
    if (a->type.elem != ElemType::Bool || b->type.elem != ElemType::Bool) {
      diags_.error(span, fmt::format("'{}' needs bools, got {} and {}", spelling, typeStr(a->type),
                                     typeStr(b->type)));
      return nullptr;
    }
    return elementwise(op == Tok::AndAnd ? OpKind::And : OpKind::Or, {a, b}, ElemType::Bool, span,
                       what.c_str());
  case Tok::EqEq:
  case Tok::NotEq:
  case Tok::Less:
  case Tok::LessEq:
  case Tok::Greater:
  case Tok::GreaterEq: {
    OpKind k = op == Tok::EqEq      ? OpKind::Eq
               : op == Tok::NotEq   ? OpKind::Ne
               : op == Tok::Less    ? OpKind::Lt
               : op == Tok::LessEq  ? OpKind::Le
               : op == Tok::Greater ? OpKind::Gt
                                    : OpKind::Ge;
    bool bothBool = a->type.elem == ElemType::Bool && b->type.elem == ElemType::Bool;
    if (bothBool && (k == OpKind::Eq || k == OpKind::Ne))
      return elementwise(k, {a, b}, ElemType::Bool, span, what.c_str());
    auto e = arithElem(a, b, span, what.c_str());
    if (!e)
      return nullptr;
    return elementwise(k, {convertElem(a, *e), convertElem(b, *e)}, ElemType::Bool, span,
                       what.c_str());
  }
  case Tok::At: {
    if (a->type.elem == ElemType::Bool || b->type.elem == ElemType::Bool) {
      diags_.error(span, "'@' needs numbers");
      return nullptr;
    }
    ElemType e = a->type.elem == b->type.elem && isFloat(a->type.elem)            ? a->type.elem
                 : a->type.elem == ElemType::F32 && b->type.elem != ElemType::F64 ? ElemType::F32
                 : b->type.elem == ElemType::F32 && a->type.elem != ElemType::F64 ? ElemType::F32
                                                                                  : ElemType::F64;
    size_t ra = a->type.rank(), rb = b->type.rank();
    if (ra < 1 || ra > 2 || rb < 1 || rb > 2) {
      diags_.error(span, fmt::format("'@' needs vectors or matrices, got {} @ {}", typeStr(a->type),
                                     typeStr(b->type)));
      return nullptr;
    }
    const Dim &ka = a->type.shape[ra - 1];
    const Dim &kb = b->type.shape[0];
    if (ka != kb) {
      diags_.error(span, fmt::format("'@': inner dimensions differ: {} @ {} ({} vs {})",
                                     typeStr(a->type), typeStr(b->type),
                                     ka.str(cur_->fn->sizeParams), kb.str(cur_->fn->sizeParams)));
      return nullptr;
    }
    Shape s;
    if (ra == 2)
      s.push_back(a->type.shape[0]);
    if (rb == 2)
      s.push_back(b->type.shape[1]);
    return builder_->value(OpKind::MatMul, {convertElem(a, e), convertElem(b, e)}, Type(e, s));
  }
  default:
    break;
  }
  OpKind k;
  switch (op) {
  case Tok::Plus:
    k = OpKind::Add;
    break;
  case Tok::Minus:
    k = OpKind::Sub;
    break;
  case Tok::Star:
    k = OpKind::Mul;
    break;
  case Tok::Slash:
    k = OpKind::Div;
    break;
  case Tok::Percent:
    k = OpKind::Mod;
    break;
  case Tok::Caret:
    k = OpKind::Pow;
    break;
  default:
    throw InternalError(fmt::format("arith: unexpected operator {}", spelling));
  }
  auto e = arithElem(a, b, span, what.c_str());
  if (!e)
    return nullptr;
  if (k == OpKind::Pow && *e == ElemType::I64)
    e = ElemType::F64; // `^` is a float power even on integers (2^-1 is 0.5)
  return elementwise(k, {convertElem(a, *e), convertElem(b, *e)}, *e, span, what.c_str());
}

Lowerer::IndexPlan Lowerer::planIndex(const Type &base, const std::vector<ast::Subscript> &subs,
                                      Span span) {
  IndexPlan p;
  if (base.isTape || subs.size() > base.rank()) {
    diags_.error(span, fmt::format("too many subscripts: {} has rank {}, got {}", typeStr(base),
                                   base.rank(), subs.size()));
    return p;
  }
  Shape result;
  bool ok = true;
  for (size_t a = 0; a < base.rank(); ++a) {
    if (a >= subs.size()) {
      p.modes.push_back(kFull);
      result.push_back(base.shape[a]);
      continue;
    }
    const ast::Subscript &s = subs[a];
    if (!s.isSlice) {
      Value *i = lowerValue(*s.lo);
      if (!i || !requireScalar(i, ElemType::I64, s.lo->span, "an index")) {
        ok = false;
        continue;
      }
      p.modes.push_back(kPoint);
      p.operands.push_back(i);
      continue;
    }
    if (!s.lo && !s.hi) {
      p.modes.push_back(kFull);
      result.push_back(base.shape[a]);
      continue;
    }
    std::optional<SymExpr> lo = s.lo ? symbolic(*s.lo, false) : Dim::constant(0);
    std::optional<SymExpr> hi = s.hi ? symbolic(*s.hi, false) : base.shape[a];
    std::optional<Dim> len;
    if (lo && hi) {
      len = *hi - *lo;
      for (uint32_t sym : len->symbols())
        if (sym >= kAtomBase)
          len.reset();
    }
    if (!len) {
      diags_.error(s.span, "the length of a slice must be a size expression (like 0:D, i:i+3 or "
                           "1:N): the compiler must know it from the sizes alone");
      ok = false;
      continue;
    }
    if (len->isConstant() && len->constantValue() < 0) {
      diags_.error(s.span, fmt::format("slice has negative length {}", len->constantValue()));
      ok = false;
      continue;
    }
    Value *start = s.lo ? lowerValue(*s.lo) : builder_->constI64(0);
    if (!start ||
        !requireScalar(start, ElemType::I64, s.lo ? s.lo->span : s.span, "a slice start")) {
      ok = false;
      continue;
    }
    p.modes.push_back(kSlice);
    p.operands.push_back(start);
    p.lengths.push_back(*len);
    result.push_back(*len);
  }
  p.resultType = Type(base.elem, result);
  p.ok = ok;
  return p;
}

Value *Lowerer::emitIndex(Value *base, const IndexPlan &plan, std::string name) {
  std::vector<Value *> ops{base};
  ops.insert(ops.end(), plan.operands.begin(), plan.operands.end());
  Op *op = builder_->create(OpKind::Index, ops, {plan.resultType}, std::move(name));
  op->ints = plan.modes;
  op->dims = plan.lengths;
  return op->result();
}

Value *Lowerer::lowerIndex(const ast::Expr &e) {
  Value *base = lowerValue(*e.args[0]);
  if (!base)
    return nullptr;
  if (base->type.isScalar()) {
    diags_.error(e.span, fmt::format("cannot index a scalar ({})", typeStr(base->type)));
    return nullptr;
  }
  IndexPlan plan = planIndex(base->type, e.subs, e.span);
  if (!plan.ok)
    return nullptr;
  setLoc(e.span);
  return emitIndex(base, plan);
}

Value *Lowerer::lowerTensorLit(const ast::Expr &e) {
  if (e.args.empty()) {
    diags_.error(e.span, "empty tensor literal; use zeros(0) for an empty vector");
    return nullptr;
  }
  std::vector<Value *> xs;
  for (const ast::ExprPtr &a : e.args)
    xs.push_back(lowerValue(*a));
  for (Value *x : xs)
    if (!x)
      return nullptr;
  Type t = xs[0]->type;
  bool allConst = isConst(xs[0]);
  for (size_t i = 1; i < xs.size(); ++i) {
    if (xs[i]->type.shape != t.shape) {
      diags_.error(e.args[i]->span,
                   fmt::format("tensor literal elements must have equal shapes: {} and {}",
                               typeStr(t), typeStr(xs[i]->type)));
      return nullptr;
    }
    auto u = unify(t, xs[i]->type, allConst, isConst(xs[i]));
    if (!u) {
      diags_.error(e.args[i]->span,
                   fmt::format("tensor literal elements have incompatible types {} and {}",
                               typeStr(t), typeStr(xs[i]->type)));
      return nullptr;
    }
    t = *u;
    allConst = allConst && isConst(xs[i]);
  }
  setLoc(e.span);
  for (Value *&x : xs)
    x = convertElem(x, t.elem);
  Shape s{Dim::constant(static_cast<int64_t>(xs.size()))};
  s.insert(s.end(), t.shape.begin(), t.shape.end());
  return builder_->value(OpKind::Pack, xs, Type(t.elem, s));
}

Value *Lowerer::lowerMap(const ast::Expr &element, const std::vector<ast::Iterator> &iters,
                         Span span) {
  std::vector<Dim> los, extents;
  bool ok = true;
  for (const ast::Iterator &it : iters) {
    auto lo = sizeExpr(*it.lo, "a comprehension range start");
    auto hi = sizeExpr(*it.hi, "a comprehension range end");
    if (!lo || !hi) {
      ok = false;
      continue;
    }
    Dim ext = *hi - *lo;
    if (ext.isConstant() && ext.constantValue() < 0) {
      diags_.error(it.hi->span, "comprehension range is empty backwards (end before start)");
      ok = false;
      continue;
    }
    los.push_back(*lo);
    extents.push_back(ext);
  }
  if (!ok)
    return nullptr;
  setLoc(span);
  Op *map = builder_->create(OpKind::Map, {}, {});
  map->dims = extents;
  std::vector<Type> argTypes(iters.size(), Type::i64());
  std::vector<std::string> names;
  for (const ast::Iterator &it : iters)
    names.push_back(it.var.name);
  Block *body = builder_->addRegion(map, argTypes, names);
  Block *outer = builder_->insertionBlock();
  builder_->setInsertionBlock(body);
  scopes_.push();
  ++mapDepth_;
  for (size_t i = 0; i < iters.size(); ++i) {
    Binding b;
    b.kind = Binding::Kind::LoopIndex;
    b.decl = iters[i].var.span;
    b.mapDepth = mapDepth_;
    b.value = body->args[i];
    if (!los[i].isConstant() || los[i].constantValue() != 0) {
      setLoc(iters[i].lo->span);
      b.value = builder_->value(OpKind::Add, {body->args[i], dimValue(los[i])}, Type::i64(),
                                iters[i].var.name);
    }
    scopes_.declare(iters[i].var.name, b);
  }
  Value *v = lowerValue(element);
  --mapDepth_;
  scopes_.pop();
  if (v && (v->type.isTape || v->type.elem == ElemType::Bool)) {
    if (v->type.isTape)
      diags_.error(element.span, "a comprehension element cannot be a tape");
  }
  setLoc(span);
  builder_->create(OpKind::Yield, {v ? v : builder_->constF64(0)}, {});
  builder_->setInsertionBlock(outer);
  if (!v)
    return nullptr;
  Shape s = extents;
  s.insert(s.end(), v->type.shape.begin(), v->type.shape.end());
  addResult(builder_->function(), map, Type(v->type.elem, s), "");
  return map->result();
}

Value *Lowerer::matrixDiagonal(Value *a, Span span) {
  const Shape &shape = a->type.shape;
  if (!(shape[0] == shape[1])) {
    diags_.error(span,
                 fmt::format("diag of a matrix needs a square one, got {}", typeStr(a->type)));
    return nullptr;
  }
  setLoc(span);
  Op *map = builder_->create(OpKind::Map, {}, {});
  map->dims = {shape[0]};
  Block *body = builder_->addRegion(map, {Type::i64()}, {"i"});
  Block *outer = builder_->insertionBlock();
  builder_->setInsertionBlock(body);
  Value *i = body->args[0];
  Op *element = builder_->create(OpKind::Index, {a, i, i}, {Type(a->type.elem, {})});
  element->ints = {kPoint, kPoint};
  builder_->create(OpKind::Yield, {element->result()}, {});
  builder_->setInsertionBlock(outer);
  addResult(builder_->function(), map, Type(a->type.elem, {shape[0]}), "");
  return map->result();
}

} // namespace diffc::sema
