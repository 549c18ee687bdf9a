#include "driver/Pipeline.h"

#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "sema/Compile.h"
#include "support/SourceFile.h"

#include "ad/AD.h"
#include "passes/Simplify.h"

#include <fmt/format.h>

#include <iostream>

namespace diffc::driver {

void reportError(const std::string &where, const std::string &message) {
  std::cerr << fmt::format("{}: error: {}\n", where, message);
}

namespace {

void dump(const Session &s, const char *stage) {
  if (s.dumpAfter == stage && s.module)
    std::cerr << "// ---- after " << stage << "\n" << ir::printModule(*s.module);
}

void simplifyAll(Session &s, ir::Function *only) {
  if (only)
    passes::simplify(*s.module, *only);
  else
    passes::simplifyModule(*s.module);
}

/// Creates the functions that `grad(e, x)` / `jvp(e, x, v)` calls refer to.
bool expandDerivatives(Session &s) {
  ir::Module &m = *s.module;
  for (size_t i = 0; i < m.derivatives.size(); ++i) {
    ir::DerivativeRequest req = m.derivatives[i];
    if (m.lookup(req.name))
      continue;
    ir::Function *base = m.lookup(req.base);
    if (!base)
      throw InternalError("derivative request for a missing function " + req.base);
    try {
      ir::Function *d = req.kind == ir::DerivativeRequest::Kind::Grad
                            ? ad::buildGradient(m, *base, req.wrt)
                            : ad::buildJvp(m, *base, req.wrt);
      if (d->name != req.name)
        throw InternalError(fmt::format("AD named {} as {}", req.name, d->name));
    } catch (const ad::ADError &e) {
      s.diags->error(Span{s.file->offsetOf(req.loc), s.file->offsetOf(req.loc) + 1}, e.what());
      return false;
    }
  }
  return true;
}

} // namespace

bool compileText(const std::string &name, std::string text, Session &s, bool optimize) {
  s.file = std::make_unique<SourceFile>(name, std::move(text));
  s.diags = std::make_unique<DiagnosticEngine>(*s.file);
  try {
    s.module = compileModule(*s.file, *s.diags);
  } catch (const FatalDiagnostic &) {
    s.module.reset();
  }
  if (!s.module || s.diags->hasErrors()) {
    s.diags->print(std::cerr);
    s.module.reset();
    return false;
  }
  s.diags->print(std::cerr); // warnings
  dump(s, "lower");
  // Calls to derivatives asked for in the source refer to functions AD creates next, so the
  // first verification follows that step.
  if (!expandDerivatives(s)) {
    s.diags->print(std::cerr);
    return false;
  }
  ir::verifyOrThrow(*s.module, "ad");
  dump(s, "ad");
  if (optimize) {
    simplifyAll(s, nullptr);
    ir::verifyOrThrow(*s.module, "simplify");
    dump(s, "simplify");
  }
  return true;
}

bool compileFile(const std::string &path, Session &s, bool optimize) {
  const std::string name = path == "-" ? "<stdin>" : path;
  std::string why;
  std::optional<std::string> text = path == "-" ? readStream(std::cin, kMaxSourceBytes, &why)
                                                : readFile(path, kMaxSourceBytes, &why);
  if (!text) {
    reportError(name, why);
    return false;
  }
  return compileText(name, std::move(*text), s, optimize);
}

ir::Function *findFunction(const Session &s, const std::string &name) {
  if (ir::Function *f = s.module->lookup(name))
    return f;
  std::string names;
  for (const auto &f : s.module->functions)
    if (f->name.find('.') == std::string::npos)
      names += (names.empty() ? "" : ", ") + f->name;
  reportError(s.file->name(), fmt::format("no function named '{}' (the file defines: {})", name,
                                          names.empty() ? "none" : names));
  return nullptr;
}

namespace {
ir::Function *derive(Session &s, ir::Function &f, const std::vector<std::string> &wrt,
                     bool optimize, bool tangent) {
  for (const std::string &w : wrt) {
    bool found = false;
    for (ir::Value *p : f.params())
      found |= p->name == w;
    if (!found) {
      reportError(s.file->name(), fmt::format("--wrt: '{}' is not a parameter of '{}'", w, f.name));
      return nullptr;
    }
  }
  try {
    ir::Function *g =
        tangent ? ad::buildJvp(*s.module, f, wrt) : ad::buildGradient(*s.module, f, wrt);
    ir::verifyOrThrow(*s.module, tangent ? "jvp" : "grad");
    if (optimize) {
      simplifyAll(s, g);
      ir::verifyOrThrow(*s.module, "simplify");
    }
    return g;
  } catch (const ad::ADError &e) {
    SourceLoc loc = e.loc.valid() ? e.loc : f.loc;
    Span sp{s.file->offsetOf(loc), s.file->offsetOf(loc) + 1};
    s.diags->error(sp, e.what());
    s.diags->print(std::cerr);
    return nullptr;
  }
}
} // namespace

ir::Function *gradientOf(Session &s, ir::Function &f, const std::vector<std::string> &wrt,
                         bool optimize) {
  if (f.resultIsTuple || f.resultTypes.size() != 1 || !f.resultTypes[0].isScalar() ||
      !f.resultTypes[0].isFloat()) {
    reportError(s.file->name(),
                fmt::format("--grad needs a function with one scalar float result; '{}' returns "
                            "{}",
                            f.name,
                            f.resultTypes.size() == 1 ? f.resultTypes[0].str(f.sizeParams)
                                                      : std::string("a tuple")));
    return nullptr;
  }
  return derive(s, f, wrt, optimize, false);
}

ir::Function *tangentOf(Session &s, ir::Function &f, const std::vector<std::string> &wrt,
                        bool optimize) {
  return derive(s, f, wrt, optimize, true);
}

void reportRuntimeError(const Session &s, const interp::RuntimeError &e) {
  std::string msg = e.what();
  if (!e.function.empty() && e.function.find('.') == std::string::npos)
    msg += fmt::format(" (in function '{}')", e.function);
  if (!e.loc.valid()) {
    reportError(s.file->name(), msg);
    return;
  }
  Diagnostic d{Severity::Error, Span{s.file->offsetOf(e.loc), s.file->offsetOf(e.loc) + 1}, true,
               msg};
  std::cerr << s.diags->render(d);
}

} // namespace diffc::driver
