// Blocks and statements. Mutable variables become SSA here: a `var` binding always names the IR
// value currently holding the variable; an assignment rebinds it. Loops carry every variable they
// may assign (then drop the ones the body left unchanged), and an `if` yields the variables either
// branch assigned, so the IR stays pure while the source reads imperatively.
#include "sema/Lowerer.h"

#include <fmt/format.h>

namespace diffc::sema {

using namespace ir;

void Lowerer::addResult(Function &fn, Op *op, Type t, std::string name) {
  Value *v = fn.newValue(std::move(t), std::move(name));
  v->def = op;
  v->index = static_cast<unsigned>(op->results.size());
  op->results.push_back(v);
}

void Lowerer::replaceUses(Block &b, Value *from, Value *to) {
  walk(b, [&](Op &op) {
    for (Value *&v : op.operands)
      if (v == from)
        v = to;
  });
}

namespace {

/// `0`, `-1`, `[0, 0]`, `[[1, 0], [0, 1]]`, `fill(0, N)`: an initial value made of integer
/// literals, which adopt f64 when the variable is later given a float.
bool intLiteralsOnly(const ast::Expr &e) {
  switch (e.kind) {
  case ast::ExprKind::IntLit:
    return true;
  case ast::ExprKind::Unary:
    return e.op == Tok::Minus && intLiteralsOnly(*e.args[0]);
  case ast::ExprKind::TensorLit:
    for (const ast::ExprPtr &a : e.args)
      if (!intLiteralsOnly(*a))
        return false;
    return !e.args.empty();
  case ast::ExprKind::Call:
    return e.name == "fill" && !e.args.empty() && intLiteralsOnly(*e.args[0]);
  default:
    return false;
  }
}

} // namespace

Lowered Lowerer::lowerBlock(const ast::Block &b, bool needValue) {
  scopes_.push();
  for (size_t i = 0; i < b.stmts.size(); ++i)
    lowerStmt(*b.stmts[i], i + 1 == b.stmts.size() && !b.result);
  Lowered r;
  if (b.result) {
    if (b.result->kind == ast::ExprKind::If)
      r = lowerIf(*b.result, needValue);
    else
      r = lower(*b.result);
  }
  scopes_.pop();
  return r;
}

void Lowerer::lowerStmt(const ast::Stmt &s, bool) {
  using K = ast::StmtKind;
  setLoc(s.span);
  switch (s.kind) {
  case K::Let:
  case K::Var:
  case K::LetTuple:
    lowerLet(s);
    return;
  case K::Assign:
    lowerAssign(s);
    return;
  case K::For:
    lowerFor(s);
    return;
  case K::While:
    lowerWhile(s);
    return;
  case K::Expr:
    if (s.value->kind == ast::ExprKind::If)
      lowerIf(*s.value, /*needValue=*/false);
    else
      lower(*s.value);
    return;
  }
}

void Lowerer::lowerLet(const ast::Stmt &s) {
  Lowered r = lower(*s.value);
  bool isVar = s.kind == ast::StmtKind::Var;
  if (s.kind == ast::StmtKind::LetTuple) {
    if (r.ok() && (!r.tuple || r.vals.size() != s.names.size())) {
      diags_.error(s.value->span, fmt::format("cannot destructure {} into {} names",
                                              r.tuple ? fmt::format("a tuple of {}", r.vals.size())
                                                      : std::string("a single value"),
                                              s.names.size()));
      r = Lowered{std::vector<Value *>(s.names.size(), nullptr), true};
    }
    if (!r.ok())
      r.vals.assign(s.names.size(), nullptr);
  } else if (r.ok() && r.tuple) {
    diags_.error(s.value->span,
                 fmt::format("cannot bind a tuple of {} to one name; write let ({}) = ...",
                             r.vals.size(), "a, b"));
    r = Lowered::poison();
  } else if (r.unit()) {
    diags_.error(s.value->span, "this expression has no value");
    r = Lowered::poison();
  }
  for (size_t i = 0; i < s.names.size(); ++i) {
    const ast::Ident &id = s.names[i];
    Binding b;
    b.kind = isVar ? Binding::Kind::Var : Binding::Kind::Let;
    b.decl = id.span;
    b.value = i < r.vals.size() ? r.vals[i] : nullptr;
    b.mapDepth = mapDepth_;
    const ast::Expr &init = *s.value;
    auto literal = [&](ast::ExprKind k) {
      return isVar && (init.kind == k || (init.kind == ast::ExprKind::Unary &&
                                          init.op == Tok::Minus && init.args[0]->kind == k));
    };
    b.intLiteralInit = isVar && intLiteralsOnly(init);
    b.floatLiteralInit = literal(ast::ExprKind::FloatLit);
    if (isVar && b.value && b.value->type.isTape)
      b.value = nullptr;
    if (isVar && b.value && b.value->type.elem == ElemType::I64 && floatVars_.count(id.span.begin))
      b.value = toF64(b.value); // a float is assigned to it later (see floatVars_)
    else if (isVar && b.value && b.value->type.isScalar() && f32Vars_.count(id.span.begin))
      b.value = convertElem(b.value, ElemType::F32); // only f32 values are assigned to it
    if (b.value && b.value->name.empty() && b.value->def)
      b.value->name = id.name;
    if (!isVar && b.value && b.value->type == Type::i64() && s.kind == ast::StmtKind::Let) {
      if (auto d = symbolic(*s.value, /*sizesOnly=*/true)) {
        b.hasDim = true;
        b.dim = *d;
      }
    }
    // A later let/var of the same name hides the earlier one (`let y = y * y;`), as in Rust; one
    // destructuring may not bind a name twice (`_` excepted: it only discards).
    Binding *old = scopes_.declare(id.name, b);
    if (old && old->decl.begin >= s.span.begin && id.name != "_") {
      diags_.error(id.span, fmt::format("'{}' is bound twice in this destructuring", id.name));
      diags_.note(old->decl, "first bound here");
    }
  }
}

void Lowerer::lowerAssign(const ast::Stmt &s) {
  const ast::Expr &target = *s.target;
  const ast::Expr &nameExpr = target.kind == ast::ExprKind::Index ? *target.args[0] : target;
  if (nameExpr.kind != ast::ExprKind::Name) {
    diags_.error(target.span, "can only assign to a variable or an element of one");
    lower(*s.value);
    return;
  }
  Binding *b = scopes_.lookup(nameExpr.name);
  Value *rhs = lowerValue(*s.value);
  if (!b) {
    diags_.error(nameExpr.span, fmt::format("use of undeclared variable '{}'", nameExpr.name));
    return;
  }
  if (b->kind != Binding::Kind::Var) {
    const char *what = b->kind == Binding::Kind::Param       ? "a parameter"
                       : b->kind == Binding::Kind::Size      ? "a size parameter"
                       : b->kind == Binding::Kind::LoopIndex ? "a loop index"
                                                             : "declared with 'let'";
    diags_.error(nameExpr.span,
                 fmt::format("cannot assign to '{}': it is {}", nameExpr.name, what));
    if (b->kind == Binding::Kind::Let)
      diags_.note(b->decl, "declared here; use 'var' to make it mutable");
    return;
  }
  if (b->mapDepth < mapDepth_) {
    diags_.error(nameExpr.span,
                 fmt::format("cannot assign to '{}' inside a comprehension: comprehension elements "
                             "are computed independently",
                             nameExpr.name));
    return;
  }
  if (!b->value || !rhs)
    return;
  Value *old = b->value;
  Span at = s.value->span;
  setLoc(s.span);
  auto binop = [&](Tok t) -> Tok {
    switch (t) {
    case Tok::PlusAssign:
      return Tok::Plus;
    case Tok::MinusAssign:
      return Tok::Minus;
    case Tok::StarAssign:
      return Tok::Star;
    case Tok::SlashAssign:
      return Tok::Slash;
    default:
      return Tok::Eof;
    }
  };
  Value *nv = nullptr;
  if (target.kind == ast::ExprKind::Name) {
    if ((b->intLiteralInit || b->floatLiteralInit) && rhs->type.isScalar()) {
      if (rhs->type.elem == ElemType::F32)
        f32VarHits_.insert(b->decl.begin);
      else if (rhs->type.elem == ElemType::F64 && !isConst(rhs))
        f64VarUses_.insert(b->decl.begin);
    }
    Value *val = rhs;
    if (s.op != Tok::Assign)
      val = arith(binop(s.op), old, rhs, s.span);
    if (val && old->type.elem == ElemType::I64 && isFloat(val->type.elem)) {
      // An integer literal adopts f64 where a float is expected: `var s = 0; s += x[i];`.
      if (b->kind == Binding::Kind::Var && b->intLiteralInit && val->type.elem == ElemType::F64 &&
          (val->type.shape == old->type.shape || val->type.isScalar()))
        floatVarHits_.insert(b->decl.begin);
      diags_.error(at, fmt::format("cannot assign {} to '{}', which holds {} (write its initial "
                                   "value as a float, e.g. 0.0, to make it a float variable)",
                                   typeStr(val->type), nameExpr.name, typeStr(old->type)));
      return;
    }
    nv = coerce(val, old->type, at,
                fmt::format("cannot assign to '{}' of type {}", nameExpr.name, typeStr(old->type)));
  } else {
    IndexPlan plan = planIndex(old->type, target.subs, target.span);
    if (!plan.ok)
      return;
    std::vector<Value *> idx = plan.operands;
    auto updateOp = [&](OpKind k, Value *v) {
      std::vector<Value *> ops{old, v};
      ops.insert(ops.end(), idx.begin(), idx.end());
      Op *op = builder_->create(k, ops, {old->type});
      op->ints = plan.modes;
      op->dims = plan.lengths;
      return op->result();
    };
    const std::string what = fmt::format("cannot store into '{}'", nameExpr.name);
    // `var p = [0, 0]; p[0] = x;`: the literals adopt f64 (see floatVars_).
    if (b->intLiteralInit && old->type.elem == ElemType::I64 && rhs->type.elem == ElemType::F64)
      floatVarHits_.insert(b->decl.begin);
    if (s.op == Tok::Assign || s.op == Tok::PlusAssign || s.op == Tok::MinusAssign) {
      Value *v = rhs;
      if (s.op == Tok::MinusAssign)
        v = builder_->value(OpKind::Neg, {v}, v->type);
      v = coerce(v, plan.resultType, at, what);
      if (!v)
        return;
      nv = updateOp(s.op == Tok::Assign ? OpKind::Update : OpKind::UpdateAdd, v);
    } else {
      Value *cur = emitIndex(old, plan);
      Value *v = coerce(arith(binop(s.op), cur, rhs, s.span), plan.resultType, at, what);
      if (!v)
        return;
      nv = updateOp(OpKind::Update, v);
    }
  }
  if (!nv)
    return;
  if (nv->name.empty() && nv->def)
    nv->name = nameExpr.name;
  b->value = nv;
}

void Lowerer::lowerFor(const ast::Stmt &s) {
  bool checkpoint = false;
  for (const ast::Attribute &a : s.attrs) {
    if (a.name.name == "checkpoint" && a.args.empty())
      checkpoint = true;
    else
      diags_.error(a.span,
                   fmt::format("unknown loop attribute '@{}' (expected @checkpoint)", a.name.name));
  }
  Value *lo = lowerValue(*s.iter.lo);
  Value *hi = lowerValue(*s.iter.hi);
  bool ok = requireScalar(lo, ElemType::I64, s.iter.lo->span, "a loop bound");
  ok &= requireScalar(hi, ElemType::I64, s.iter.hi->span, "a loop bound");
  if (!ok) {
    lo = builder_->constI64(0);
    hi = builder_->constI64(0);
  }
  setLoc(s.span);
  std::vector<Binding *> carried = scopes_.visibleVars();
  std::vector<Value *> operands{lo, hi};
  std::vector<Type> argTypes{Type::i64()};
  std::vector<std::string> argNames{s.iter.var.name};
  for (Binding *b : carried) {
    operands.push_back(b->value);
    argTypes.push_back(b->value->type);
    argNames.push_back(b->name);
  }
  Op *loop = builder_->create(OpKind::For, operands, {});
  loop->ival = checkpoint ? 1 : 0;
  Block *body = builder_->addRegion(loop, argTypes, argNames);
  Block *outer = builder_->insertionBlock();
  builder_->setInsertionBlock(body);
  std::vector<Value *> inits;
  for (size_t k = 0; k < carried.size(); ++k) {
    inits.push_back(carried[k]->value);
    carried[k]->value = body->args[k + 1];
  }
  scopes_.push();
  Binding idx;
  idx.kind = Binding::Kind::LoopIndex;
  idx.decl = s.iter.var.span;
  idx.value = body->args[0];
  idx.mapDepth = mapDepth_;
  scopes_.declare(s.iter.var.name, idx);
  lowerBlock(*s.body, /*needValue=*/false);
  scopes_.pop();
  std::vector<Value *> yields;
  for (Binding *b : carried)
    yields.push_back(b->value ? b->value : body->args[yields.size() + 1]);
  setLoc(s.span);
  builder_->create(OpKind::Yield, yields, {});
  builder_->setInsertionBlock(outer);
  for (size_t k = 0; k < carried.size(); ++k)
    addResult(builder_->function(), loop, argTypes[k + 1], carried[k]->name);
  // Carry only what the body changes; rebind the rest to the loop's results.
  std::vector<bool> dropped(carried.size(), false);
  for (size_t k = carried.size(); k-- > 0;) {
    Value *arg = body->args[k + 1];
    if (yields[k] == arg) {
      replaceUses(*body, arg, inits[k]);
      ir::eraseCarried(*loop, k);
      dropped[k] = true;
    }
  }
  for (size_t k = 0, r = 0; k < carried.size(); ++k)
    carried[k]->value = dropped[k] ? inits[k] : loop->results[r++];
}

void Lowerer::lowerWhile(const ast::Stmt &s) {
  setLoc(s.span);
  std::vector<Binding *> carried = scopes_.visibleVars();
  std::vector<Value *> inits;
  std::vector<Type> types;
  std::vector<std::string> names;
  for (Binding *b : carried) {
    inits.push_back(b->value);
    types.push_back(b->value->type);
    names.push_back(b->name);
  }
  Op *loop = builder_->create(OpKind::While, inits, {});
  Block *outer = builder_->insertionBlock();

  // The condition sees the carried values at the start of each iteration.
  Block *cond = builder_->addRegion(loop, types, names);
  builder_->setInsertionBlock(cond);
  for (size_t k = 0; k < carried.size(); ++k)
    carried[k]->value = cond->args[k];
  Value *c = lowerValue(*s.value);
  for (size_t k = 0; k < carried.size(); ++k)
    if (carried[k]->value != cond->args[k]) {
      diags_.error(s.value->span, "a while condition cannot assign variables");
      break;
    }
  if (c && !requireScalar(c, ElemType::Bool, s.value->span, "a while condition"))
    c = nullptr;
  setLoc(s.span);
  builder_->create(OpKind::Yield, {c ? c : builder_->constBool(false)}, {});

  Block *body = builder_->addRegion(loop, types, names);
  builder_->setInsertionBlock(body);
  for (size_t k = 0; k < carried.size(); ++k)
    carried[k]->value = body->args[k];
  lowerBlock(*s.body, /*needValue=*/false);
  std::vector<Value *> yields;
  for (size_t k = 0; k < carried.size(); ++k)
    yields.push_back(carried[k]->value ? carried[k]->value : body->args[k]);
  setLoc(s.span);
  builder_->create(OpKind::Yield, yields, {});
  builder_->setInsertionBlock(outer);
  for (size_t k = 0; k < carried.size(); ++k)
    addResult(builder_->function(), loop, types[k], names[k]);

  std::vector<bool> dropped(carried.size(), false);
  for (size_t k = carried.size(); k-- > 0;) {
    if (yields[k] != body->args[k])
      continue;
    replaceUses(*cond, cond->args[k], inits[k]);
    replaceUses(*body, body->args[k], inits[k]);
    ir::eraseCarried(*loop, k);
    dropped[k] = true;
  }
  for (size_t k = 0, r = 0; k < carried.size(); ++k)
    carried[k]->value = dropped[k] ? inits[k] : loop->results[r++];
}

std::optional<Type> Lowerer::unify(const Type &a, const Type &b, bool aConst, bool bConst) {
  if (a.isTape || b.isTape)
    return std::nullopt;
  ElemType e;
  if (a.elem == b.elem)
    e = a.elem;
  else if (a.elem == ElemType::Bool || b.elem == ElemType::Bool)
    return std::nullopt;
  else if (a.elem == ElemType::I64)
    e = b.elem;
  else if (b.elem == ElemType::I64)
    e = a.elem;
  else
    e = aConst ? b.elem : bConst ? a.elem : ElemType::F64;
  auto s = broadcastShapes(a.shape, b.shape);
  if (!s)
    return std::nullopt;
  return Type(e, *s);
}

Lowered Lowerer::lowerIf(const ast::Expr &e, bool needValue) {
  Value *c = lowerValue(*e.args[0]);
  if (c && !requireScalar(c, ElemType::Bool, e.args[0]->span, "an 'if' condition"))
    c = nullptr;
  setLoc(e.span);
  if (!c)
    c = builder_->constBool(false);
  std::vector<Binding *> carried = scopes_.visibleVars();
  std::vector<Value *> before;
  for (Binding *b : carried)
    before.push_back(b->value);

  Op *op = builder_->create(OpKind::If, {c}, {});
  Block *outer = builder_->insertionBlock();
  struct Branch {
    Block *block;
    Lowered value;
    std::vector<Value *> vars;
    bool hasBlock;
  };
  Branch br[2];
  const ast::Block *blocks[2] = {e.thenBlock.get(), e.elseBlock.get()};
  for (int i = 0; i < 2; ++i) {
    br[i].block = builder_->addRegion(op, {});
    br[i].hasBlock = blocks[i] != nullptr;
    builder_->setInsertionBlock(br[i].block);
    if (blocks[i])
      br[i].value = lowerBlock(*blocks[i], needValue);
    for (size_t k = 0; k < carried.size(); ++k) {
      br[i].vars.push_back(carried[k]->value);
      carried[k]->value = before[k];
    }
  }
  builder_->setInsertionBlock(outer);

  // The value of the if, when both branches give one.
  std::vector<Type> valueTypes;
  bool valued = !br[0].value.unit() && !br[1].value.unit();
  bool poisoned = !valued && ((!br[0].value.unit() && !br[0].value.ok()) ||
                              (!br[1].value.unit() && !br[1].value.ok()));
  if (valued && (!br[0].value.ok() || !br[1].value.ok())) {
    valued = false;
    poisoned = true;
  }
  if (needValue && !valued && !poisoned) {
    diags_.error(e.span, br[1].hasBlock
                             ? "both branches of an 'if' used as a value must end in a value"
                             : "an 'if' used as a value needs an 'else' branch");
    poisoned = true;
  }
  if (valued) {
    Lowered &a = br[0].value, &b = br[1].value;
    if (a.tuple != b.tuple || a.vals.size() != b.vals.size()) {
      diags_.error(e.span, "the branches of this 'if' give different numbers of values");
      valued = false;
      poisoned = true;
    } else {
      for (size_t i = 0; i < a.vals.size(); ++i) {
        auto t = unify(a.vals[i]->type, b.vals[i]->type, isConst(a.vals[i]), isConst(b.vals[i]));
        if (!t) {
          diags_.error(e.span, fmt::format("the branches of this 'if' have different types: {} "
                                           "and {}",
                                           typeStr(a.vals[i]->type), typeStr(b.vals[i]->type)));
          valued = false;
          poisoned = true;
          break;
        }
        valueTypes.push_back(*t);
      }
    }
  }
  if (!valued)
    valueTypes.clear();

  // Yield the value (if any) and every variable either branch assigned.
  std::vector<size_t> changed;
  for (size_t k = 0; k < carried.size(); ++k)
    if (before[k] && (br[0].vars[k] != before[k] || br[1].vars[k] != before[k]))
      changed.push_back(k);
  for (int i = 0; i < 2; ++i) {
    builder_->setInsertionBlock(br[i].block);
    std::vector<Value *> ys;
    for (size_t j = 0; j < valueTypes.size(); ++j) {
      const ast::Block *blk = blocks[i];
      Span at = blk && blk->result ? blk->result->span : e.span;
      Value *v = coerce(br[i].value.vals[j], valueTypes[j], at, "if branch");
      ys.push_back(v ? v : br[i].value.vals[j]);
    }
    for (size_t k : changed)
      ys.push_back(br[i].vars[k] ? br[i].vars[k] : before[k]);
    setLoc(e.span);
    builder_->create(OpKind::Yield, ys, {});
  }
  builder_->setInsertionBlock(outer);
  for (const Type &t : valueTypes)
    addResult(builder_->function(), op, t, "");
  for (size_t k : changed) {
    addResult(builder_->function(), op, before[k]->type, carried[k]->name);
    carried[k]->value = op->results.back();
  }
  if (poisoned)
    return Lowered::poison();
  if (!valued)
    return {};
  Lowered r;
  r.tuple = br[0].value.tuple;
  for (size_t j = 0; j < valueTypes.size(); ++j)
    r.vals.push_back(op->results[j]);
  return r;
}

} // namespace diffc::sema
