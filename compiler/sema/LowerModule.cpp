// Module-level lowering: signatures first (so functions may call each other in any order), then
// bodies, then the checks that need the whole module (recursion, @vjp rules).
#include "frontend/Parser.h"
#include "ir/SizeInference.h"
#include "sema/Compile.h"
#include "sema/Lowerer.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace diffc {

std::unique_ptr<ir::Module> lowerModule(const ast::Module &module, DiagnosticEngine &diags) {
  sema::Lowerer l(diags);
  return l.run(module);
}

std::unique_ptr<ir::Module> compileModule(const SourceFile &file, DiagnosticEngine &diags) {
  ast::Module ast = parseModule(file, diags);
  if (diags.hasErrors())
    return nullptr;
  auto m = lowerModule(ast, diags);
  if (m)
    m->sourceName = file.name();
  return m;
}

} // namespace diffc

namespace diffc::sema {

using namespace ir;

std::unique_ptr<Module> Lowerer::run(const ast::Module &module) {
  module_ = std::make_unique<Module>();
  for (const ast::Function &f : module.functions)
    declareSignature(f);
  for (const std::string &name : order_) {
    Signature &sig = sigs_[name];
    if (sig.ok)
      lowerFunction(sig);
  }
  for (const std::string &name : order_)
    if (sigs_[name].ok)
      checkVjpRule(sigs_[name]);
  checkRecursion();
  if (diags_.hasErrors())
    return nullptr;
  return std::move(module_);
}

std::optional<Type> Lowerer::lowerTypeExpr(const ast::TypeExpr &t, const ast::Function &f,
                                           std::vector<Type> *tupleOut) {
  using K = ast::TypeExpr::Kind;
  if (t.kind == K::Tuple) {
    if (!tupleOut) {
      diags_.error(t.span, "a tuple type is only allowed as a function's result type");
      return std::nullopt;
    }
    bool ok = true;
    for (const ast::TypeExpr &e : t.elements) {
      if (e.kind == K::Tuple) {
        diags_.error(e.span, "nested tuple types are not supported");
        ok = false;
        continue;
      }
      auto et = lowerTypeExpr(e, f, nullptr);
      if (et)
        tupleOut->push_back(*et);
      else
        ok = false;
    }
    if (!ok)
      return std::nullopt;
    return Type(); // unused for tuples
  }
  ElemType elem;
  if (t.scalar == "f64")
    elem = ElemType::F64;
  else if (t.scalar == "f32")
    elem = ElemType::F32;
  else if (t.scalar == "i64")
    elem = ElemType::I64;
  else if (t.scalar == "bool")
    elem = ElemType::Bool;
  else {
    diags_.error(t.span,
                 fmt::format("unknown type '{}' (expected f64, f32, i64 or bool)", t.scalar));
    return std::nullopt;
  }
  Shape shape;
  for (const ast::ExprPtr &d : t.dims) {
    auto dim = sizeExpr(*d, "a dimension");
    if (!dim)
      return std::nullopt;
    shape.push_back(*dim);
  }
  (void)f;
  return Type(elem, std::move(shape));
}

void Lowerer::declareSignature(const ast::Function &f) {
  if (sigs_.count(f.name.name)) {
    diags_.error(f.name.span, fmt::format("redefinition of function '{}'", f.name.name));
    diags_.note(sigs_[f.name.name].decl->name.span, "first defined here");
    return;
  }
  order_.push_back(f.name.name);
  Signature &sig = sigs_[f.name.name];
  sig.decl = &f;
  Function *fn = module_->addFunction(f.name.name);
  sig.fn = fn;
  fn->loc = diags_.file().locOf(f.name.span.begin);
  unsigned before = diags_.errorCount();

  cur_ = &sig;
  scopes_ = Scopes();
  scopes_.push();
  for (const ast::Ident &s : f.sizeParams) {
    Binding b;
    b.kind = Binding::Kind::Size;
    b.decl = s.span;
    b.hasDim = true;
    b.dim = Dim::symbol(static_cast<uint32_t>(fn->sizeParams.size()));
    if (Binding *old = scopes_.declare(s.name, b)) {
      diags_.error(s.span, fmt::format("duplicate size parameter '{}'", s.name));
      diags_.note(old->decl, "first declared here");
    }
    fn->sizeParams.push_back(s.name);
  }
  std::vector<bool> inferable(fn->sizeParams.size(), false);
  for (const ast::Param &p : f.params) {
    auto t = lowerTypeExpr(p.type, f, nullptr);
    for (const ast::Ident &s : f.sizeParams)
      if (s.name == p.name.name)
        diags_.error(p.name.span,
                     fmt::format("parameter '{}' has the name of a size parameter", p.name.name));
    Binding b;
    b.kind = Binding::Kind::Param;
    b.decl = p.name.span;
    Value *v = fn->addParam(t ? *t : Type(), p.name.name);
    b.value = v;
    if (Binding *old = scopes_.declare(p.name.name, b); old && old->kind == Binding::Kind::Param) {
      diags_.error(p.name.span, fmt::format("duplicate parameter '{}'", p.name.name));
      diags_.note(old->decl, "first declared here");
    }
  }
  inferable = ir::inferableSizes(*fn);
  std::vector<Type> tuple;
  auto rt = lowerTypeExpr(f.result, f, &tuple);
  if (rt) {
    if (f.result.kind == ast::TypeExpr::Kind::Tuple) {
      fn->resultTypes = tuple;
      fn->resultIsTuple = true;
    } else {
      fn->resultTypes = {*rt};
    }
  }
  for (size_t i = 0; i < inferable.size(); ++i) {
    if (inferable[i])
      continue;
    bool inResult = false;
    for (const Type &t : fn->resultTypes)
      for (const Dim &d : t.shape)
        for (uint32_t s : d.symbols())
          inResult |= s == i;
    diags_.error(f.sizeParams[i].span,
                 inResult ? fmt::format("size '{}' appears only in the result type; it must be "
                                        "the whole dimension of some parameter so calls can bind "
                                        "it",
                                        fn->sizeParams[i])
                          : fmt::format("size '{}' cannot be inferred: it must be the whole "
                                        "dimension of some parameter, or appear alone in one "
                                        "(e.g. `2 * N + 1`)",
                                        fn->sizeParams[i]));
  }
  for (const ast::Attribute &a : f.attrs) {
    if (a.name.name == "vjp") {
      if (a.args.size() != 1)
        diags_.error(a.span, "@vjp takes one argument: the name of the rule function");
      else
        fn->vjpRule = a.args[0].name;
    } else {
      diags_.error(a.name.span,
                   fmt::format("unknown function attribute '@{}' (expected @vjp)", a.name.name));
    }
  }
  sig.ok = diags_.errorCount() == before;
  cur_ = nullptr;
}

void Lowerer::lowerFunction(Signature &sig) {
  size_t mark = diags_.mark();
  size_t nfunctions = module_->functions.size(), nderivs = module_->derivatives.size();
  unsigned derivCounter = derivCounter_;
  floatVars_.clear();
  f32Vars_.clear();
  f32Demoted_.clear();
  for (;;) {
    floatVarHits_.clear();
    f32VarHits_.clear();
    f64VarUses_.clear();
    lowerFunctionOnce(sig);
    // Every hit is a var that must be f64 (or may be f32); lower again with them (each round
    // changes at least one var's type, each var's at most twice, so this ends) and drop what the
    // failed attempt reported and built.
    size_t before = floatVars_.size();
    floatVars_.insert(floatVarHits_.begin(), floatVarHits_.end());
    bool changed = floatVars_.size() != before;
    for (uint32_t v : f64VarUses_)
      if (f32Vars_.erase(v)) {
        f32Demoted_.insert(v);
        changed = true;
      }
    for (uint32_t v : f32VarHits_)
      if (!f64VarUses_.count(v) && !floatVars_.count(v) && !f32Demoted_.count(v))
        changed = f32Vars_.insert(v).second || changed;
    if (!changed)
      break;
    diags_.rollback(mark);
    module_->functions.resize(nfunctions);
    module_->derivatives.resize(nderivs);
    derivCounter_ = derivCounter;
    sig.fn->body->ops.clear();
  }
  floatVars_.clear();
  f32Vars_.clear();
}

namespace {

/// The first op of `b` (regions included) whose result shapes or dim attributes overflowed i64
/// (a concat, reshape or call whose dims multiply or add large constants), else null.
const Op *firstOverflowedDim(const Block &b) {
  auto bad = [](const Shape &s) {
    return std::any_of(s.begin(), s.end(), [](const Dim &d) { return d.overflowed(); });
  };
  for (const auto &op : b.ops) {
    if (bad(op->dims))
      return op.get();
    for (const Value *r : op->results)
      if (bad(r->type.shape))
        return op.get();
    for (const auto &region : op->regions)
      if (const Op *inner = firstOverflowedDim(*region))
        return inner;
  }
  return nullptr;
}

} // namespace

void Lowerer::lowerFunctionOnce(Signature &sig) {
  const ast::Function &f = *sig.decl;
  Function *fn = sig.fn;
  unsigned errorsBefore = diags_.errorCount();
  cur_ = &sig;
  builder_ = std::make_unique<Builder>(*fn);
  builder_->setInsertionBlock(fn->body.get());
  scopes_ = Scopes();
  atomIds_.clear();
  literalFloat_.clear(); // keyed by values of this attempt; a second attempt frees them
  mapDepth_ = 0;
  scopes_.push();
  for (size_t i = 0; i < f.sizeParams.size(); ++i) {
    Binding b;
    b.kind = Binding::Kind::Size;
    b.decl = f.sizeParams[i].span;
    b.hasDim = true;
    b.dim = Dim::symbol(static_cast<uint32_t>(i));
    scopes_.declare(f.sizeParams[i].name, b);
  }
  for (size_t i = 0; i < f.params.size(); ++i) {
    Binding b;
    b.kind = Binding::Kind::Param;
    b.decl = f.params[i].name.span;
    b.value = fn->params()[i];
    scopes_.declare(f.params[i].name.name, b);
  }
  scopes_.push();
  Lowered r = lowerBlock(*f.body, /*needValue=*/true);
  Span at = f.body->result ? f.body->result->span : f.body->span;
  if (r.unit()) {
    Span end{f.body->span.end > 0 ? f.body->span.end - 1 : 0, f.body->span.end};
    diags_.error(end, fmt::format("function '{}' has no result: its body must end with an "
                                  "expression without ';' (or `return e;`)",
                                  fn->name));
  } else if (r.ok()) {
    std::vector<Value *> outs;
    if (fn->resultIsTuple != r.tuple || r.vals.size() != fn->resultTypes.size()) {
      diags_.error(
          at, fmt::format("function '{}' returns {}, but its body gives {}", fn->name,
                          fn->resultIsTuple ? fmt::format("a tuple of {}", fn->resultTypes.size())
                                            : "one value",
                          r.tuple ? fmt::format("a tuple of {}", r.vals.size()) : "one value"));
    } else {
      setLoc(at);
      for (size_t i = 0; i < r.vals.size(); ++i)
        outs.push_back(
            coerce(r.vals[i], fn->resultTypes[i], at, fmt::format("result of '{}'", fn->name)));
      bool ok = true;
      for (Value *v : outs)
        ok &= v != nullptr;
      if (ok)
        builder_->create(OpKind::Return, outs, {});
    }
  }
  // A dim that left i64 has no value (ir::Dim::overflowed); sizeExpr reports those written as
  // size expressions, this the ones computed from them.
  if (diags_.errorCount() == errorsBefore)
    if (const Op *op = firstOverflowedDim(*fn->body)) {
      uint32_t at = diags_.file().offsetOf(op->loc);
      diags_.error({at, at + 1}, "a dimension of this value overflows i64");
    }
  scopes_ = Scopes();
  builder_.reset();
  cur_ = nullptr;
}

void Lowerer::checkRecursion() {
  // Depth-first search for a cycle in the call graph; report it once, at the call that closes it.
  std::map<std::string, int> state; // 0 unvisited, 1 on stack, 2 done
  std::vector<std::string> stack;
  bool reported = false;
  std::function<void(const std::string &)> visit = [&](const std::string &f) {
    state[f] = 1;
    stack.push_back(f);
    for (const std::string &g : calls_[f]) {
      if (reported)
        break;
      if (state[g] == 1) {
        std::string cycle;
        auto it = std::find(stack.begin(), stack.end(), g);
        for (; it != stack.end(); ++it)
          cycle += *it + " -> ";
        cycle += g;
        diags_.error(firstCallSpan_[f + "->" + g],
                     fmt::format("recursion is not supported: {}", cycle));
        reported = true;
      } else if (state[g] == 0) {
        visit(g);
      }
    }
    stack.pop_back();
    state[f] = 2;
  };
  for (const std::string &f : order_)
    if (!reported && state[f] == 0)
      visit(f);
}

void Lowerer::checkVjpRule(Signature &sig) {
  Function *f = sig.fn;
  if (f->vjpRule.empty())
    return;
  Span at = sig.decl->attrs.empty() ? sig.decl->name.span : sig.decl->attrs[0].span;
  for (const ast::Attribute &a : sig.decl->attrs)
    if (a.name.name == "vjp" && !a.args.empty())
      at = a.args[0].span;
  auto it = sigs_.find(f->vjpRule);
  if (it == sigs_.end() || !it->second.ok) {
    if (it == sigs_.end())
      diags_.error(at, fmt::format("unknown function '{}' named by @vjp", f->vjpRule));
    return;
  }
  Function *g = it->second.fn;
  cur_ = &sig; // dims in messages are f's
  struct Reset {
    Signature *&cur;
    ~Reset() { cur = nullptr; }
  } reset{cur_};
  if (f->resultIsTuple || f->resultTypes.size() != 1 || !f->resultTypes[0].isFloat()) {
    diags_.error(at, "@vjp needs a function with one float result");
    return;
  }
  // The rule takes the primal inputs, the primal result and the result's adjoint.
  std::vector<Type> want;
  for (Value *p : f->params())
    want.push_back(p->type);
  want.push_back(f->resultTypes[0]);
  want.push_back(f->resultTypes[0]);
  // Its results are the adjoints of the float inputs, in order.
  std::vector<Type> adj;
  for (Value *p : f->params())
    if (p->type.isFloat())
      adj.push_back(p->type);
  auto sigStr = [&](const std::vector<Type> &ts) {
    std::string s;
    for (size_t i = 0; i < ts.size(); ++i)
      s += (i ? ", " : "") + ts[i].str(f->sizeParams);
    return s;
  };
  auto bindings = bindSizes(*g, want, at, fmt::format("@vjp rule '{}'", g->name), true);
  if (!bindings) {
    diags_.note(sig.decl->name.span,
                fmt::format("a @vjp rule for '{}' takes ({})", f->name, sigStr(want)));
    return;
  }
  std::vector<Type> got;
  for (const Type &t : g->resultTypes) {
    Type s = t;
    for (Dim &d : s.shape)
      d = d.substitute(*bindings);
    got.push_back(s);
  }
  if (got != adj || (adj.size() > 1) != g->resultIsTuple) {
    diags_.error(at, fmt::format("@vjp rule '{}' must return the adjoints of the float inputs "
                                 "of '{}': ({})",
                                 g->name, f->name, sigStr(adj)));
  }
}

} // namespace diffc::sema
