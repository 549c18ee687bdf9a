// Calls: user functions (size parameters bound from argument shapes), built-ins, reductions over
// generators, casts, and the in-language derivatives grad/jvp.
#include "ir/SizeInference.h"
#include "sema/Lowerer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

namespace diffc::sema {

using namespace ir;
using K = ast::ExprKind;

namespace {

struct UnaryBuiltin {
  const char *name;
  OpKind kind;
  bool keepsInt; // defined on i64 without converting to f64
};

constexpr UnaryBuiltin kUnary[] = {
    {"exp", OpKind::Exp, false},       {"log", OpKind::Log, false},
    {"log1p", OpKind::Log1p, false},   {"expm1", OpKind::Expm1, false},
    {"sqrt", OpKind::Sqrt, false},     {"cbrt", OpKind::Cbrt, false},
    {"sin", OpKind::Sin, false},       {"cos", OpKind::Cos, false},
    {"tan", OpKind::Tan, false},       {"asin", OpKind::Asin, false},
    {"acos", OpKind::Acos, false},     {"atan", OpKind::Atan, false},
    {"sinh", OpKind::Sinh, false},     {"cosh", OpKind::Cosh, false},
    {"tanh", OpKind::Tanh, false},     {"sigmoid", OpKind::Sigmoid, false},
    {"relu", OpKind::Relu, false},     {"softplus", OpKind::Softplus, false},
    {"abs", OpKind::Abs, true},        {"sign", OpKind::Sign, true},
    {"floor", OpKind::Floor, false},   {"ceil", OpKind::Ceil, false},
    {"round", OpKind::Round, false},   {"erf", OpKind::Erf, false},
    {"lgamma", OpKind::Lgamma, false},
};

struct BinaryBuiltin {
  const char *name;
  OpKind kind;
};
constexpr BinaryBuiltin kBinary[] = {{"pow", OpKind::Pow},
                                     {"atan2", OpKind::Atan2},
                                     {"hypot", OpKind::Hypot},
                                     {"min", OpKind::Min},
                                     {"max", OpKind::Max}};

bool isReduction(const std::string &n) {
  return n == "sum" || n == "prod" || n == "mean" || n == "max" || n == "min" || n == "logsumexp";
}

} // namespace

Lowered Lowerer::lowerCall(const ast::Expr &e) {
  auto sig = sigs_.find(e.name);
  if (sig != sigs_.end()) {
    if (!sig->second.ok) {
      for (const ast::ExprPtr &a : e.args)
        if (a->kind != K::Generator)
          lower(*a);
      return Lowered::poison();
    }
    return lowerUserCall(e, sig->second);
  }
  if (e.name == "grad" || e.name == "jvp")
    return lowerDerivative(e);
  bool handled = false;
  Value *v = lowerBuiltin(e, handled);
  if (handled)
    return Lowered::one(v);
  diags_.error(e.opSpan, fmt::format("unknown function '{}'", e.name));
  for (const ast::ExprPtr &a : e.args)
    if (a->kind != K::Generator)
      lower(*a);
  return Lowered::poison();
}

std::optional<std::vector<Dim>> Lowerer::bindSizes(const Function &callee,
                                                   const std::vector<Type> &argTypes, Span span,
                                                   const std::string &what, bool exactElem) {
  const auto &params = callee.params();
  if (params.size() != argTypes.size()) {
    diags_.error(span, fmt::format("{}: takes {} arguments, expected {}", what, params.size(),
                                   argTypes.size()));
    return std::nullopt;
  }
  std::vector<Shape> shapes;
  for (const Type &t : argTypes)
    shapes.push_back(t.shape);
  auto fail = [&](size_t i, const std::string &detail) {
    diags_.error(span,
                 fmt::format("{}: argument {} ('{}') {}", what, i + 1, params[i]->name, detail));
    return std::nullopt;
  };
  for (size_t i = 0; i < params.size(); ++i) {
    const Type &want = params[i]->type;
    const Type &got = argTypes[i];
    if (want.rank() != got.rank())
      return fail(i, fmt::format("expects {}, got {}", want.str(callee.sizeParams), typeStr(got)));
  }
  std::vector<std::optional<Dim>> bound = ir::bindSizesSymbolic(callee, shapes);
  std::vector<Dim> subst;
  for (size_t s = 0; s < bound.size(); ++s) {
    if (!bound[s]) {
      diags_.error(span, fmt::format("{}: cannot bind size '{}'", what, callee.sizeParams[s]));
      return std::nullopt;
    }
    subst.push_back(*bound[s]);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    Type want = params[i]->type;
    for (Dim &d : want.shape)
      d = d.substitute(subst);
    const Type &got = argTypes[i];
    bool elemOk =
        want.elem == got.elem || (!exactElem && isFloat(want.elem) && got.elem == ElemType::I64);
    if (want.shape != got.shape || !elemOk) {
      std::string bindings;
      for (size_t s = 0; s < subst.size(); ++s)
        bindings += fmt::format("{}{} = {}", s ? ", " : "", callee.sizeParams[s],
                                subst[s].str(cur_->fn->sizeParams));
      return fail(i, fmt::format("expects {}{}, got {}", typeStr(want),
                                 bindings.empty() ? "" : " (with " + bindings + ")", typeStr(got)));
    }
  }
  return subst;
}

Lowered Lowerer::lowerUserCall(const ast::Expr &e, Signature &callee) {
  Function *g = callee.fn;
  std::vector<Value *> args;
  for (const ast::ExprPtr &a : e.args)
    args.push_back(lowerValue(*a));
  if (args.size() != g->params().size()) {
    diags_.error(e.opSpan,
                 fmt::format("function '{}' takes {} argument{}, got {}", g->name,
                             g->params().size(), g->params().size() == 1 ? "" : "s", args.size()));
    diags_.note(callee.decl->name.span, "declared here");
    return Lowered::poison();
  }
  for (Value *a : args)
    if (!a)
      return Lowered::poison();
  std::vector<Type> types;
  for (Value *a : args)
    types.push_back(a->type);
  auto subst = bindSizes(*g, types, e.span, fmt::format("call of '{}'", g->name), false);
  if (!subst)
    return Lowered::poison();
  setLoc(e.span);
  for (size_t i = 0; i < args.size(); ++i)
    args[i] = convertElem(args[i], g->params()[i]->type.elem);
  std::vector<Type> results;
  for (Type t : g->resultTypes) {
    for (Dim &d : t.shape)
      d = d.substitute(*subst);
    results.push_back(t);
  }
  Op *call = builder_->create(OpKind::Call, args, results);
  call->callee = g->name;
  call->dims = *subst;
  std::string edge = cur_->fn->name + "->" + g->name;
  calls_[cur_->fn->name].insert(g->name);
  firstCallSpan_.emplace(edge, e.opSpan);
  Lowered r;
  r.vals = call->results;
  r.tuple = g->resultIsTuple;
  return r;
}

Value *Lowerer::lowerGeneratorReduce(const std::string &fn, const ast::Expr &gen, Span span) {
  bool staticRanges = true;
  for (const ast::Iterator &it : gen.iters)
    staticRanges &= symbolic(*it.lo, true).has_value() && symbolic(*it.hi, true).has_value();
  if (staticRanges) {
    Value *m = lowerMap(*gen.args[0], gen.iters, gen.span);
    if (!m)
      return nullptr;
    setLoc(span);
    Type scalar(m->type.elem);
    if (fn == "sum")
      return builder_->value(OpKind::Sum, {m}, scalar);
    if (fn == "prod")
      return builder_->value(OpKind::Prod, {m}, scalar);
    if (fn == "max")
      return builder_->value(OpKind::ReduceMax, {m}, scalar);
    if (fn == "min")
      return builder_->value(OpKind::ReduceMin, {m}, scalar);
    Value *f = toF64(m);
    if (fn == "logsumexp")
      return builder_->value(OpKind::Logsumexp, {f}, Type(f->type.elem));
    // mean
    Dim count = Dim::constant(1);
    for (const Dim &d : m->type.shape)
      count = count * d;
    Value *s = builder_->value(OpKind::Sum, {f}, Type(f->type.elem));
    return builder_->value(OpKind::Div, {s, convertElem(dimValue(count), f->type.elem)},
                           Type(f->type.elem));
  }
  // Ranges that depend on runtime values (`for j in 0..i`) become nested sequential loops that
  // accumulate; the element must be a scalar.
  if (fn == "logsumexp") {
    diags_.error(span, "logsumexp over a range that is not a size expression is not supported");
    return nullptr;
  }
  Block *outer = builder_->insertionBlock();
  // The accumulator's type is known only once the element is lowered, so the loops are built
  // first and the initial values inserted before the outermost loop afterwards.
  size_t insertAt = outer->ops.size();
  std::vector<Op *> loops;
  scopes_.push();
  for (const ast::Iterator &it : gen.iters) {
    Value *lo = lowerValue(*it.lo);
    Value *hi = lowerValue(*it.hi);
    if (!requireScalar(lo, ElemType::I64, it.lo->span, "a range bound") ||
        !requireScalar(hi, ElemType::I64, it.hi->span, "a range bound")) {
      scopes_.pop();
      return nullptr;
    }
    if (loops.empty())
      insertAt = outer->ops.size();
    setLoc(it.var.span);
    Op *loop = builder_->create(OpKind::For, {lo, hi}, {});
    loops.push_back(loop);
    Block *body = builder_->addRegion(loop, {Type::i64()}, {it.var.name});
    builder_->setInsertionBlock(body);
    Binding b;
    b.kind = Binding::Kind::LoopIndex;
    b.decl = it.var.span;
    b.value = body->args[0];
    b.mapDepth = mapDepth_;
    scopes_.declare(it.var.name, b);
  }
  ++mapDepth_; // the element may not assign outer variables
  Value *v = lowerValue(*gen.args[0]);
  --mapDepth_;
  scopes_.pop();
  if (v && !v->type.isScalar()) {
    diags_.error(gen.args[0]->span, "over a runtime range, the element must be a scalar");
    v = nullptr;
  }
  if (v && v->type.elem == ElemType::Bool) {
    diags_.error(gen.args[0]->span, fmt::format("cannot {} bools", fn));
    v = nullptr;
  }
  if (!v) {
    // Close the regions so the IR stays well formed; the error is already reported.
    for (size_t l = loops.size(); l-- > 0;) {
      builder_->setInsertionBlock(loops[l]->region(0));
      builder_->create(OpKind::Yield, {}, {});
    }
    builder_->setInsertionBlock(outer);
    return nullptr;
  }
  ElemType et =
      fn == "mean" ? (isFloat(v->type.elem) ? v->type.elem : ElemType::F64) : v->type.elem;
  Type acc(et);
  v = convertElem(v, et);
  double init = fn == "prod"  ? 1.0
                : fn == "max" ? -std::numeric_limits<double>::infinity()
                : fn == "min" ? std::numeric_limits<double>::infinity()
                              : 0.0;
  if (!isFloat(et) && (fn == "max" || fn == "min"))
    init = fn == "max" ? -9.2233720368547758e18 : 9.2233720368547758e18;
  bool counting = fn == "mean";
  // Initial values, built at the end of the outer block and moved before the outermost loop.
  builder_->setInsertionBlock(outer);
  Value *init0 =
      isFloat(et) ? builder_->constF64(init, et) : builder_->constI64(static_cast<int64_t>(init));
  Value *count0 = counting ? builder_->constI64(0) : nullptr;
  size_t added = counting ? 2 : 1;
  std::rotate(outer->ops.begin() + static_cast<long>(insertAt),
              outer->ops.end() - static_cast<long>(added), outer->ops.end());
  // Thread the accumulator (and count) through every loop, innermost first.
  Value *accIn = init0, *countIn = count0;
  std::vector<Value *> accArgs, countArgs;
  for (Op *loop : loops) {
    loop->operands.push_back(accIn);
    if (counting)
      loop->operands.push_back(countIn);
    Block *body = loop->region(0);
    Value *a = builder_->function().newValue(acc, "acc");
    a->ownerBlock = body;
    a->index = static_cast<unsigned>(body->args.size());
    body->args.push_back(a);
    accArgs.push_back(a);
    if (counting) {
      Value *c = builder_->function().newValue(Type::i64(), "count");
      c->ownerBlock = body;
      c->index = static_cast<unsigned>(body->args.size());
      body->args.push_back(c);
      countArgs.push_back(c);
    }
    accIn = a;
    countIn = counting ? countArgs.back() : nullptr;
  }
  builder_->setInsertionBlock(loops.back()->region(0));
  setLoc(span);
  OpKind k = fn == "prod"  ? OpKind::Mul
             : fn == "max" ? OpKind::Max
             : fn == "min" ? OpKind::Min
                           : OpKind::Add;
  Value *nextAcc = builder_->value(k, {accArgs.back(), v}, acc);
  Value *nextCount =
      counting
          ? builder_->value(OpKind::Add, {countArgs.back(), builder_->constI64(1)}, Type::i64())
          : nullptr;
  for (size_t l = loops.size(); l-- > 0;) {
    Op *loop = loops[l];
    builder_->setInsertionBlock(loop->region(0));
    std::vector<Value *> ys{nextAcc};
    if (counting)
      ys.push_back(nextCount);
    builder_->create(OpKind::Yield, ys, {});
    addResult(builder_->function(), loop, acc, "");
    if (counting)
      addResult(builder_->function(), loop, Type::i64(), "");
    nextAcc = loop->results[0];
    nextCount = counting ? loop->results[1] : nullptr;
  }
  builder_->setInsertionBlock(outer);
  if (!counting)
    return nextAcc;
  return builder_->value(OpKind::Div, {nextAcc, convertElem(nextCount, et)}, acc);
}

Value *Lowerer::lowerBuiltin(const ast::Expr &e, bool &handled) {
  const std::string &n = e.name;
  handled = true;
  size_t argc = e.args.size();
  auto arity = [&](size_t lo, size_t hi) {
    if (argc >= lo && argc <= hi)
      return true;
    diags_.error(
        e.opSpan,
        lo == hi ? fmt::format("'{}' takes {} argument{}, got {}", n, lo, lo == 1 ? "" : "s", argc)
                 : fmt::format("'{}' takes {} to {} arguments, got {}", n, lo, hi, argc));
    for (const ast::ExprPtr &a : e.args)
      if (a->kind != K::Generator)
        lower(*a);
    return false;
  };
  // Reductions over a generator.
  if (isReduction(n) && argc == 1 && e.args[0]->kind == K::Generator)
    return lowerGeneratorReduce(n, *e.args[0], e.span);

  for (const UnaryBuiltin &u : kUnary) {
    if (n != u.name)
      continue;
    if (!arity(1, 1))
      return nullptr;
    Value *x = lowerValue(*e.args[0]);
    if (!x)
      return nullptr;
    if (x->type.elem == ElemType::Bool) {
      diags_.error(e.args[0]->span, fmt::format("'{}' needs numbers, got {}", n, typeStr(x->type)));
      return nullptr;
    }
    setLoc(e.span);
    if (!u.keepsInt)
      x = toF64(x);
    return builder_->value(u.kind, {x}, x->type);
  }
  auto args = [&]() {
    std::vector<Value *> xs;
    for (const ast::ExprPtr &a : e.args)
      xs.push_back(lowerValue(*a));
    for (Value *x : xs)
      if (!x)
        return std::vector<Value *>{};
    setLoc(e.span);
    return xs;
  };
  bool twoArgMinMax = (n == "min" || n == "max") && argc == 2;
  for (const BinaryBuiltin &b : kBinary) {
    if (n != b.name || ((n == "min" || n == "max") && !twoArgMinMax))
      continue;
    if (!arity(2, 2))
      return nullptr;
    auto xs = args();
    if (xs.empty())
      return nullptr;
    auto et = arithElem(xs[0], xs[1], e.opSpan, n.c_str());
    if (!et)
      return nullptr;
    ElemType r = *et;
    if (r == ElemType::I64 && b.kind != OpKind::Min && b.kind != OpKind::Max)
      r = ElemType::F64;
    return elementwise(b.kind, {convertElem(xs[0], r), convertElem(xs[1], r)}, r, e.span,
                       n.c_str());
  }
  if (n == "select") {
    if (!arity(3, 3))
      return nullptr;
    auto xs = args();
    if (xs.empty())
      return nullptr;
    if (xs[0]->type.elem != ElemType::Bool) {
      diags_.error(e.args[0]->span,
                   fmt::format("select's condition must be bool, got {}", typeStr(xs[0]->type)));
      return nullptr;
    }
    auto t = unify(xs[1]->type, xs[2]->type, isConst(xs[1]), isConst(xs[2]));
    if (!t) {
      diags_.error(e.span, fmt::format("select's branches have incompatible types {} and {}",
                                       typeStr(xs[1]->type), typeStr(xs[2]->type)));
      return nullptr;
    }
    return elementwise(OpKind::Select,
                       {xs[0], convertElem(xs[1], t->elem), convertElem(xs[2], t->elem)}, t->elem,
                       e.span, "select");
  }
  if (n == "clamp") {
    if (!arity(3, 3))
      return nullptr;
    auto xs = args();
    if (xs.empty())
      return nullptr;
    auto e1 = arithElem(xs[0], xs[1], e.opSpan, "clamp");
    auto e2 = e1 ? arithElem(xs[0], xs[2], e.opSpan, "clamp") : std::nullopt;
    if (!e2)
      return nullptr;
    ElemType r = *e1 == *e2 ? *e1 : ElemType::F64;
    Value *lo = elementwise(OpKind::Max, {convertElem(xs[0], r), convertElem(xs[1], r)}, r, e.span,
                            "clamp");
    if (!lo)
      return nullptr;
    return elementwise(OpKind::Min, {lo, convertElem(xs[2], r)}, r, e.span, "clamp");
  }
  if (isReduction(n) || n == "norm" || n == "argmax") {
    if (!arity(1, 1))
      return nullptr;
    Value *x = lowerValue(*e.args[0]);
    if (!x)
      return nullptr;
    if (x->type.elem == ElemType::Bool || x->type.isTape) {
      diags_.error(e.args[0]->span, fmt::format("'{}' needs numbers, got {}", n, typeStr(x->type)));
      return nullptr;
    }
    setLoc(e.span);
    if (n == "argmax") {
      if (x->type.rank() != 1) {
        diags_.error(e.args[0]->span,
                     fmt::format("argmax needs a vector, got {}", typeStr(x->type)));
        return nullptr;
      }
      return builder_->value(OpKind::Argmax, {x}, Type::i64());
    }
    if (n == "sum")
      return builder_->value(OpKind::Sum, {x}, Type(x->type.elem));
    if (n == "prod")
      return builder_->value(OpKind::Prod, {x}, Type(x->type.elem));
    if (n == "max")
      return builder_->value(OpKind::ReduceMax, {x}, Type(x->type.elem));
    if (n == "min")
      return builder_->value(OpKind::ReduceMin, {x}, Type(x->type.elem));
    x = toF64(x);
    if (n == "logsumexp")
      return builder_->value(OpKind::Logsumexp, {x}, Type(x->type.elem));
    if (n == "norm")
      return builder_->value(OpKind::Norm, {x}, Type(x->type.elem));
    Dim count = Dim::constant(1);
    for (const Dim &d : x->type.shape)
      count = count * d;
    Value *s = builder_->value(OpKind::Sum, {x}, Type(x->type.elem));
    return builder_->value(OpKind::Div, {s, convertElem(dimValue(count), x->type.elem)},
                           Type(x->type.elem));
  }
  if (n == "dot" || n == "outer") {
    if (!arity(2, 2))
      return nullptr;
    auto xs = args();
    if (xs.empty())
      return nullptr;
    if (xs[0]->type.rank() != 1 || xs[1]->type.rank() != 1) {
      diags_.error(e.span, fmt::format("'{}' needs two vectors, got {} and {}", n,
                                       typeStr(xs[0]->type), typeStr(xs[1]->type)));
      return nullptr;
    }
    if (n == "dot")
      return arith(Tok::At, xs[0], xs[1], e.opSpan);
    auto et = arithElem(xs[0], xs[1], e.opSpan, "outer");
    if (!et)
      return nullptr;
    ElemType r = isFloat(*et) ? *et : ElemType::F64;
    return builder_->value(OpKind::Outer, {convertElem(xs[0], r), convertElem(xs[1], r)},
                           Type(r, {xs[0]->type.shape[0], xs[1]->type.shape[0]}));
  }
  if (n == "transpose") {
    if (!arity(1, 1))
      return nullptr;
    Value *x = lowerValue(*e.args[0]);
    if (!x)
      return nullptr;
    if (x->type.rank() == 1)
      return x;
    if (x->type.rank() != 2) {
      diags_.error(e.span, fmt::format("transpose needs a matrix, got {}", typeStr(x->type)));
      return nullptr;
    }
    setLoc(e.span);
    return builder_->value(OpKind::Transpose, {x},
                           Type(x->type.elem, {x->type.shape[1], x->type.shape[0]}));
  }
  if (n == "softmax" || n == "log_softmax") {
    if (!arity(1, 1))
      return nullptr;
    Value *x = lowerValue(*e.args[0]);
    if (!x)
      return nullptr;
    if (x->type.rank() < 1 || x->type.elem == ElemType::Bool) {
      diags_.error(e.span, fmt::format("'{}' needs a float tensor, got {}", n, typeStr(x->type)));
      return nullptr;
    }
    setLoc(e.span);
    x = toF64(x);
    return builder_->value(n == "softmax" ? OpKind::Softmax : OpKind::LogSoftmax, {x}, x->type);
  }
  if (n == "zeros" || n == "ones" || n == "fill" || n == "reshape") {
    size_t first = (n == "fill" || n == "reshape") ? 1 : 0;
    if (argc < first) {
      arity(first, 64);
      return nullptr;
    }
    Value *x = first ? lowerValue(*e.args[0]) : nullptr;
    Shape s;
    bool ok = !first || x;
    for (size_t i = first; i < argc; ++i) {
      auto d = sizeExpr(*e.args[i], "a dimension");
      if (!d)
        ok = false;
      else
        s.push_back(*d);
    }
    if (!ok)
      return nullptr;
    setLoc(e.span);
    if (n == "reshape") {
      Dim a = Dim::constant(1), b = Dim::constant(1);
      for (const Dim &d : x->type.shape)
        a = a * d;
      for (const Dim &d : s)
        b = b * d;
      if (a.overflowed() || b.overflowed()) {
        diags_.error(e.span, fmt::format("reshape: the element count of {} overflows i64",
                                         a.overflowed() ? typeStr(x->type) : "the new shape"));
        return nullptr;
      }
      // Shapes are static: the counts must agree for every value of the sizes (N * D and D * N
      // do; N and 6 may not), since no stage checks a reshape at run time.
      if (!(a == b)) {
        const char *why =
            (a - b).isConstant() ? "" : " (the counts must be equal for every value of the sizes)";
        diags_.error(e.span, fmt::format("reshape: {} has {} elements, the new shape {}{}",
                                         typeStr(x->type), a.str(cur_->fn->sizeParams),
                                         b.str(cur_->fn->sizeParams), why));
        return nullptr;
      }
      return builder_->value(OpKind::Reshape, {x}, Type(x->type.elem, s));
    }
    if (n == "fill" && !x->type.isScalar()) {
      diags_.error(e.args[0]->span,
                   fmt::format("fill's value must be a scalar, got {}", typeStr(x->type)));
      return nullptr;
    }
    if (!x)
      x = builder_->constF64(n == "ones" ? 1.0 : 0.0);
    if (s.empty())
      return x;
    return builder_->value(OpKind::Fill, {x}, Type(x->type.elem, s));
  }
  if (n == "eye") {
    if (!arity(1, 1))
      return nullptr;
    auto d = sizeExpr(*e.args[0], "eye's size");
    if (!d)
      return nullptr;
    setLoc(e.span);
    return builder_->value(OpKind::Eye, {}, Type(ElemType::F64, {*d, *d}));
  }
  if (n == "diag" || n == "len" || n == "stop_gradient" || n == "f64" || n == "f32" || n == "i64") {
    if (!arity(1, 1))
      return nullptr;
    Value *x = lowerValue(*e.args[0]);
    if (!x)
      return nullptr;
    setLoc(e.span);
    if (n == "len") {
      if (x->type.rank() < 1) {
        diags_.error(e.args[0]->span, fmt::format("len needs a tensor, got {}", typeStr(x->type)));
        return nullptr;
      }
      return dimValue(x->type.shape[0]);
    }
    if (n == "diag") {
      if (x->type.rank() == 2)
        return matrixDiagonal(x, e.args[0]->span);
      if (x->type.rank() != 1) {
        diags_.error(e.args[0]->span, fmt::format("diag needs a vector or a square matrix, got {}",
                                                  typeStr(x->type)));
        return nullptr;
      }
      return builder_->value(OpKind::Diag, {x},
                             Type(x->type.elem, {x->type.shape[0], x->type.shape[0]}));
    }
    if (n == "stop_gradient")
      return builder_->value(OpKind::StopGradient, {x}, x->type);
    ElemType to = n == "f64" ? ElemType::F64 : n == "f32" ? ElemType::F32 : ElemType::I64;
    if (x->type.elem == to)
      return x;
    return builder_->value(OpKind::Cast, {x}, x->type.withElem(to));
  }
  if (n == "concat") {
    if (argc < 2) {
      arity(2, 64);
      return nullptr;
    }
    auto xs = args();
    if (xs.empty())
      return nullptr;
    Type t = xs[0]->type;
    Dim first = Dim::constant(0);
    for (size_t i = 0; i < xs.size(); ++i) {
      const Type &u = xs[i]->type;
      bool same = u.rank() == t.rank() && u.rank() >= 1;
      for (size_t a = 1; same && a < u.rank(); ++a)
        same = u.shape[a] == t.shape[a];
      // Only the element types meet (an i64 part converts like any mixed arithmetic); the first
      // dims differ by design and add up, so the shapes must not be unified.
      auto un = unify(Type(t.elem, {}), Type(u.elem, {}), false, false);
      if (!same || !un) {
        diags_.error(e.args[i]->span,
                     fmt::format("concat: {} does not fit {} ({})", typeStr(u), typeStr(t),
                                 same ? "the element types cannot be joined"
                                      : "all but the first dimension must be equal"));
        return nullptr;
      }
      t.elem = un->elem;
      first = first + u.shape[0];
    }
    for (Value *&x : xs)
      x = convertElem(x, t.elem);
    t.shape[0] = first;
    return builder_->value(OpKind::Concat, xs, t);
  }
  handled = false;
  return nullptr;
}

Lowered Lowerer::lowerDerivative(const ast::Expr &e) {
  bool isGrad = e.name == "grad";
  if ((isGrad && e.args.size() != 2) || (!isGrad && e.args.size() != 3)) {
    diags_.error(e.opSpan, isGrad ? "grad takes (expression, variable) or (expression, (x, y))"
                                  : "jvp takes (expression, variable, direction)");
    return Lowered::poison();
  }
  // The variables: a name or a tuple of names, each a visible float value.
  std::vector<const ast::Expr *> wrtExprs;
  const ast::Expr &w = *e.args[1];
  bool tupleWrt = w.kind == K::Tuple;
  if (tupleWrt)
    for (const ast::ExprPtr &a : w.args)
      wrtExprs.push_back(a.get());
  else
    wrtExprs.push_back(&w);
  std::vector<std::string> wrt;
  for (const ast::Expr *x : wrtExprs) {
    if (x->kind != K::Name) {
      diags_.error(x->span,
                   fmt::format("{} differentiates with respect to a variable name", e.name));
      return Lowered::poison();
    }
    Binding *b = scopes_.lookup(x->name);
    if (!b || b->kind == Binding::Kind::Size || !b->value) {
      if (!b)
        diags_.error(x->span, fmt::format("use of undeclared identifier '{}'", x->name));
      else if (b->kind == Binding::Kind::Size)
        diags_.error(x->span,
                     fmt::format("cannot differentiate with respect to size '{}'", x->name));
      return Lowered::poison();
    }
    if (!b->value->type.isFloat()) {
      diags_.error(x->span, fmt::format("cannot differentiate with respect to '{}' of type {}: "
                                        "only float values have derivatives",
                                        x->name, typeStr(b->value->type)));
      return Lowered::poison();
    }
    wrt.push_back(x->name);
  }
  Value *dir = nullptr;
  if (!isGrad) {
    if (tupleWrt) {
      diags_.error(w.span, "jvp takes one variable");
      return Lowered::poison();
    }
    dir = lowerValue(*e.args[2]);
    if (!dir)
      return Lowered::poison();
    dir = coerce(dir, scopes_.lookup(wrt[0])->value->type, e.args[2]->span,
                 fmt::format("jvp direction for '{}'", wrt[0]));
    if (!dir)
      return Lowered::poison();
  }

  // Lower e into a function of its own whose parameters are every visible value; the AD stage
  // then differentiates that function and this call refers to the result.
  // Only the names e mentions are captured (a superset of its free variables, which is harmless).
  std::set<std::string> mentioned;
  std::function<void(const ast::Expr &)> collect;
  std::function<void(const ast::Block &)> collectBlock = [&](const ast::Block &b) {
    for (const ast::StmtPtr &st : b.stmts) {
      for (const ast::Expr *y :
           {st->target.get(), st->value.get(), st->iter.lo.get(), st->iter.hi.get()})
        if (y)
          collect(*y);
      if (st->body)
        collectBlock(*st->body);
    }
    if (b.result)
      collect(*b.result);
  };
  collect = [&](const ast::Expr &x) {
    if (x.kind == K::Name)
      mentioned.insert(x.name);
    for (const ast::ExprPtr &a : x.args)
      collect(*a);
    for (const ast::Subscript &sub : x.subs)
      for (const ast::Expr *y : {sub.lo.get(), sub.hi.get()})
        if (y)
          collect(*y);
    for (const ast::Iterator &it : x.iters) {
      collect(*it.lo);
      collect(*it.hi);
    }
    for (const ast::Block *b : {x.thenBlock.get(), x.elseBlock.get()})
      if (b)
        collectBlock(*b);
  };
  collect(*e.args[0]);
  for (const std::string &x : wrt)
    mentioned.insert(x);
  std::vector<std::pair<std::string, Binding *>> captures;
  for (auto &c : scopes_.visibleValues())
    if (mentioned.count(c.first))
      captures.push_back(c);
  Function *caller = cur_->fn;
  std::string base = fmt::format("{}.d{}", caller->name, ++derivCounter_);
  Function *fn = module_->addFunction(base);
  fn->sizeParams = caller->sizeParams;
  fn->loc = diags_.file().locOf(e.span.begin);
  std::vector<Value *> args;
  for (auto &[name, b] : captures) {
    fn->addParam(b->value->type, name);
    args.push_back(b->value);
  }
  // Save the caller's lowering state, lower e, restore.
  auto savedBuilder = std::move(builder_);
  Scopes savedScopes = std::move(scopes_);
  unsigned savedMapDepth = mapDepth_;
  builder_ = std::make_unique<Builder>(*fn);
  builder_->setInsertionBlock(fn->body.get());
  scopes_ = Scopes();
  scopes_.push();
  for (size_t i = 0; i < caller->sizeParams.size(); ++i) {
    Binding b;
    b.kind = Binding::Kind::Size;
    b.hasDim = true;
    b.dim = Dim::symbol(static_cast<uint32_t>(i));
    scopes_.declare(caller->sizeParams[i], b);
  }
  for (size_t i = 0; i < captures.size(); ++i) {
    Binding b = *captures[i].second;
    b.kind = Binding::Kind::Param;
    b.value = fn->params()[i];
    b.mapDepth = 0;
    scopes_.declare(captures[i].first, b);
  }
  mapDepth_ = 0;
  Value *body = lowerValue(*e.args[0]);
  bool ok = body != nullptr;
  if (ok && isGrad && !(body->type.isScalar() && body->type.isFloat())) {
    diags_.error(e.args[0]->span,
                 fmt::format("grad needs a scalar float expression, got {}", typeStr(body->type)));
    ok = false;
  }
  if (ok && !isGrad && !body->type.isFloat()) {
    diags_.error(e.args[0]->span,
                 fmt::format("jvp needs a float expression, got {}", typeStr(body->type)));
    ok = false;
  }
  if (ok) {
    setLoc(e.span);
    builder_->create(OpKind::Return, {body}, {});
    fn->resultTypes = {body->type};
  }
  builder_ = std::move(savedBuilder);
  scopes_ = std::move(savedScopes);
  mapDepth_ = savedMapDepth;
  if (!ok)
    return Lowered::poison();
  calls_[caller->name].insert(base);
  for (const std::string &callee : calls_[base])
    calls_[caller->name].insert(callee);

  DerivativeRequest req;
  req.kind = isGrad ? DerivativeRequest::Kind::Grad : DerivativeRequest::Kind::Jvp;
  req.name = base + (isGrad ? ".grad" : ".jvp");
  req.base = base;
  req.wrt = wrt;
  req.loc = diags_.file().locOf(e.span.begin);
  module_->derivatives.push_back(req);

  setLoc(e.span);
  std::vector<Type> results{body->type};
  std::vector<Value *> callArgs = args;
  if (isGrad) {
    for (const std::string &x : wrt)
      results.push_back(scopes_.lookup(x)->value->type);
  } else {
    callArgs.push_back(dir);
    results.push_back(body->type);
  }
  // Sizes pass through unchanged: the helper has the caller's size parameters.
  Op *call = builder_->create(OpKind::Call, callArgs, results);
  call->callee = req.name;
  for (size_t i = 0; i < caller->sizeParams.size(); ++i)
    call->dims.push_back(Dim::symbol(static_cast<uint32_t>(i)));
  Lowered r;
  r.vals.assign(call->results.begin() + 1, call->results.end());
  r.tuple = isGrad && tupleWrt;
  return r;
}

} // namespace diffc::sema
