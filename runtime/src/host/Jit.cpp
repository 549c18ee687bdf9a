// Jit and Module: source -> IR (sema) -> simplified IR -> machine code; derivatives built by AD
// on request, each into a module of its own so that compiled code is never modified under a
// running call.
#include "Host.h"

#include "ad/AD.h"
#include "passes/Simplify.h"
#include "sema/Compile.h"
#include "support/Diagnostics.h"
#include "support/SourceFile.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace diffc {

namespace {

codegen::CodegenOptions codegenOptions(const Options &o) {
  codegen::CodegenOptions c;
  c.optLevel = o.opt_level;
  c.fastMath = o.fast_math;
  c.checkNonFinite = o.check_nan;
  c.cacheDir = codegen::cacheDirFor(o.cache, o.cache_dir);
  c.maxMemory = o.max_memory;
  return c;
}

/// Source text -> simplified IR module; CompileError with the rendered diagnostics.
std::shared_ptr<ir::Module> frontEnd(const std::string &name, const std::string &text) {
  SourceFile file(name, text);
  DiagnosticEngine diags(file);
  std::unique_ptr<ir::Module> m;
  try {
    m = compileModule(file, diags);
  } catch (const FatalDiagnostic &) {
  }
  if (!m || diags.hasErrors()) {
    std::string all;
    for (const Diagnostic &d : diags.diagnostics())
      all += diags.render(d);
    throw CompileError(all.empty() ? name + ": error: compilation failed\n" : all);
  }
  // `grad(...)` / `jvp(...)` in the source call functions that AD creates now.
  for (size_t i = 0; i < m->derivatives.size(); ++i) {
    ir::DerivativeRequest req = m->derivatives[i];
    if (m->lookup(req.name))
      continue;
    const ir::Function *base = m->lookup(req.base);
    if (!base)
      throw Error("diffc: internal compiler error: derivative of a missing function " + req.base);
    try {
      if (req.kind == ir::DerivativeRequest::Kind::Grad)
        ad::buildGradient(*m, *base, req.wrt);
      else
        ad::buildJvp(*m, *base, req.wrt);
    } catch (const ad::ADError &e) {
      throw CompileError(
          fmt::format("{}:{}:{}: error: {}\n", name, req.loc.line, req.loc.col, e.what()));
    }
  }
  passes::simplifyModule(*m);
  return std::shared_ptr<ir::Module>(std::move(m));
}

} // namespace

Jit::Jit(Options defaults) : impl_(std::make_shared<JitImpl>()) {
  std::string err;
  impl_->engine = codegen::JitEngine::create(err);
  if (!impl_->engine)
    throw Error("diffc: " + err);
  impl_->defaults = defaults;
}

Module Jit::compile_file(const std::string &path) const {
  return compile_file(path, impl_->defaults);
}

Module Jit::compile_file(const std::string &path, const Options &opts) const {
  std::string why;
  std::optional<std::string> text = readFile(path, kMaxSourceBytes, &why);
  if (!text)
    throw CompileError(fmt::format("{}: error: {}\n", path, why));
  return compile_string(*text, path, opts);
}

Module Jit::compile_string(std::string_view source, const std::string &name) const {
  return compile_string(source, name, impl_->defaults);
}

Module Jit::compile_string(std::string_view source, const std::string &name,
                           const Options &opts) const {
  auto mi = std::make_shared<ModuleImpl>();
  mi->jit = impl_;
  mi->name = name;
  mi->source = std::string(source);
  mi->opts = opts;
  mi->ir = frontEnd(name, mi->source); // diagnostics now, machine code on first use
  Module m;
  m.impl_ = mi;
  return m;
}

namespace {
/// Compiles and loads m (CodegenError / InternalError become diffc::Error).
std::shared_ptr<codegen::JitModule> loadModule(const ModuleImpl &mi,
                                               std::shared_ptr<const ir::Module> m,
                                               const std::vector<std::string> &entries = {}) {
  try {
    return codegen::JitModule::compile(mi.jit->engine, std::move(m), codegenOptions(mi.opts),
                                       entries);
  } catch (const codegen::CodegenError &e) {
    throw Error(std::string("diffc: ") + e.what());
  } catch (const InternalError &e) {
    throw Error(std::string("diffc: internal compiler error: ") + e.what());
  }
}
} // namespace

Function Module::function(std::string_view name) const {
  std::shared_ptr<codegen::JitModule> main;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->main)
      impl_->main = loadModule(*impl_, impl_->ir);
    main = impl_->main;
  }
  Function f;
  f.impl_ = makeFunction(main, name);
  return f;
}

std::vector<std::string> Module::function_names() const {
  std::vector<std::string> out;
  for (const auto &f : impl_->ir->functions)
    out.push_back(f->name);
  return out;
}

namespace {

enum class Derivative { Gradient, Vjp, Jvp, Hvp };

std::shared_ptr<FunctionImpl> derived(ModuleImpl &mi, Derivative kind, std::string_view name,
                                      const std::vector<std::string> &wrt) {
  static const char *kinds[] = {"grad", "vjp", "jvp", "hvp"};
  std::string key =
      fmt::format("{}|{}|{}", kinds[static_cast<int>(kind)], name, fmt::join(wrt, ","));
  std::lock_guard<std::mutex> lock(mi.mu);
  if (auto it = mi.derived.find(key); it != mi.derived.end())
    return it->second;
  // A fresh IR module from the source: AD adds functions to it, which must not happen to a
  // module whose compiled code other threads may be running.
  std::shared_ptr<ir::Module> m = frontEnd(mi.name, mi.source);
  const ir::Function *fn = m->lookup(name);
  if (!fn)
    throw Error(fmt::format("diffc: no function named '{}'", name));
  ir::Function *d = nullptr;
  try {
    switch (kind) {
    case Derivative::Gradient:
      d = ad::buildGradient(*m, *fn, wrt);
      break;
    case Derivative::Vjp:
      d = ad::buildVjp(*m, *fn, wrt);
      break;
    case Derivative::Jvp:
      d = ad::buildJvp(*m, *fn, wrt);
      break;
    case Derivative::Hvp: {
      // The gradient's tangent in the directions of the same parameters (its wrt list, by
      // name: the gradient keeps f's parameters).
      std::vector<std::string> params = wrt;
      if (params.empty())
        for (const ir::Value *p : fn->params())
          if (p->type.isFloat())
            params.push_back(p->name);
      d = ad::buildJvp(*m, *ad::buildGradient(*m, *fn, wrt), params);
      break;
    }
    }
  } catch (const ad::ADError &e) {
    std::string where =
        e.loc.valid() ? fmt::format("{}:{}:{}: ", mi.name, e.loc.line, e.loc.col) : mi.name + ": ";
    throw Error(where + "error: " + e.what());
  } catch (const InternalError &e) {
    throw Error(std::string("diffc: internal compiler error in AD: ") + e.what());
  }
  // Only the derivative gets an entry point: the functions it does not call are not compiled.
  std::shared_ptr<codegen::JitModule> jm = loadModule(mi, m, {d->name});
  std::shared_ptr<FunctionImpl> f = makeFunction(jm, d->name);
  mi.derived[key] = f;
  return f;
}

} // namespace

Function Module::gradient(std::string_view name, std::vector<std::string> wrt) const {
  Function f;
  f.impl_ = derived(*impl_, Derivative::Gradient, name, wrt);
  return f;
}

Function Module::vjp(std::string_view name, std::vector<std::string> wrt) const {
  Function f;
  f.impl_ = derived(*impl_, Derivative::Vjp, name, wrt);
  return f;
}

Function Module::jvp(std::string_view name, std::vector<std::string> wrt) const {
  Function f;
  f.impl_ = derived(*impl_, Derivative::Jvp, name, wrt);
  return f;
}

Function Module::hvp(std::string_view name, std::vector<std::string> wrt) const {
  Function f;
  f.impl_ = derived(*impl_, Derivative::Hvp, name, wrt);
  return f;
}

} // namespace diffc
