#include "driver/DeriveExpr.h"

#include "ad/AD.h"
#include "frontend/Lexer.h"
#include "ir/Verifier.h"
#include "passes/Inline.h"
#include "passes/SymExpr.h"
#include "sema/Compile.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace diffc::driver {

namespace {

constexpr const char *kFnName = "__derive";
constexpr const char *kExprName = "-e";

/// The wrapper puts EXPR on a line of its own so that diagnostics map back to it by an offset.
std::string wrapperHeader(const std::vector<std::string> &vars) {
  std::vector<std::string> params;
  for (const std::string &v : vars)
    params.push_back(v + ": f64");
  return fmt::format("fn {}({}) -> f64 =\n", kFnName, fmt::join(params, ", "));
}

/// Re-renders the wrapper's diagnostics against EXPR alone, so that the user sees their own text
/// under the caret rather than the generated function around it.
void renderAgainstExpr(const DiagnosticEngine &diags, const std::string &expr, uint32_t exprStart,
                       std::ostream &err) {
  SourceFile shown(kExprName, expr);
  DiagnosticEngine out(shown);
  auto clamp = [&](uint32_t off) {
    uint32_t rel = off > exprStart ? off - exprStart : 0;
    return std::min<uint32_t>(rel, static_cast<uint32_t>(expr.size()));
  };
  for (const Diagnostic &d : diags.diagnostics()) {
    Diagnostic m = d;
    // The generated function's name means nothing to the user; its result is their expression.
    std::string generated = fmt::format("result of '{}'", kFnName);
    if (auto at = m.message.find(generated); at != std::string::npos)
      m.message.replace(at, generated.size(), "the expression");
    m.span = Span{clamp(d.span.begin), clamp(d.span.end)};
    err << out.render(m);
  }
}

void reportPlain(std::ostream &err, const std::string &message, const char *kind = "error") {
  err << fmt::format("{}: {}: {}\n", kExprName, kind, message);
}

/// One identifier, as the lexer reads it (not a keyword, not two tokens).
bool isVariableName(const std::string &name) {
  SourceFile file("--wrt", name);
  DiagnosticEngine quiet(file);
  std::vector<Token> toks = lexAll(file, quiet);
  return !quiet.hasErrors() && toks.size() == 2 && toks[0].kind == Tok::Ident &&
         toks[0].text == name;
}

} // namespace

std::vector<std::string> expressionVariables(const std::string &expr) {
  SourceFile file(kExprName, expr);
  DiagnosticEngine quiet(file);
  std::vector<Token> toks = lexAll(file, quiet);
  std::vector<std::string> vars, bound;
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    const Token &t = toks[i];
    if (t.kind != Tok::Ident || toks[i + 1].kind == Tok::LParen)
      continue;
    Tok before = i > 0 ? toks[i - 1].kind : Tok::Eof;
    // Names the expression binds itself (`let a = ...`, `for i in ...`) and fields (`A.T`) are
    // not free variables.
    if (before == Tok::KwLet || before == Tok::KwVar || before == Tok::KwFor) {
      bound.push_back(t.text);
      continue;
    }
    if (before == Tok::Dot)
      continue;
    if (std::find(vars.begin(), vars.end(), t.text) == vars.end() &&
        std::find(bound.begin(), bound.end(), t.text) == bound.end())
      vars.push_back(t.text);
  }
  return vars;
}

bool compileExpression(const std::string &expr, const std::vector<std::string> &vars, Session &s,
                       std::ostream &err) {
  std::string header = wrapperHeader(vars);
  auto exprStart = static_cast<uint32_t>(header.size());
  std::string text = header + expr + "\n;\n";
  // Checked here first, so that every diagnostic is shown against EXPR.
  {
    SourceFile file(kExprName, text);
    DiagnosticEngine diags(file);
    std::unique_ptr<ir::Module> m;
    try {
      m = compileModule(file, diags);
    } catch (const FatalDiagnostic &) {
    }
    if (!m || diags.hasErrors() || !diags.diagnostics().empty()) {
      renderAgainstExpr(diags, expr, exprStart, err);
      if (!m || diags.hasErrors())
        return false;
    }
  }
  // The real compilation also expands in-language derivatives (`grad(x^3, x)` inside EXPR).
  // Its messages (rendered against the wrapper) are captured; the guard restores std::cerr even
  // when compilation throws.
  std::ostringstream quiet;
  bool ok;
  {
    struct Restore {
      std::streambuf *saved;
      ~Restore() { std::cerr.rdbuf(saved); }
    } restore{std::cerr.rdbuf(quiet.rdbuf())};
    // Not optimised: folding would turn `log(2)` into 0.6931471805599453 before the formula is
    // read back.
    ok = compileText(kExprName, std::move(text), s, /*optimize=*/false);
  }
  if (!ok)
    err << quiet.str();
  return ok;
}

std::optional<std::vector<std::string>>
deriveExpression(const std::string &expr, const std::vector<std::string> &wrt, std::ostream &err) {
  std::vector<std::string> vars = expressionVariables(expr);
  if (wrt.empty()) {
    reportPlain(err, "--wrt names no variable");
    return std::nullopt;
  }
  // A variable the expression does not contain has derivative 0 (as d/dx 3 is): a parameter of
  // the wrapper that nothing uses. The warning catches a misspelt name.
  const std::vector<std::string> present = vars;
  for (const std::string &w : wrt) {
    if (std::find(vars.begin(), vars.end(), w) != vars.end())
      continue;
    if (!isVariableName(w)) {
      reportPlain(err, fmt::format("--wrt: '{}' is not a variable name", w));
      return std::nullopt;
    }
    reportPlain(
        err,
        fmt::format("--wrt: '{}' does not occur in the expression ({}); its derivative is 0", w,
                    present.empty() ? std::string("it has no variables")
                                    : fmt::format("its variables: {}", fmt::join(present, ", "))),
        "warning");
    vars.push_back(w);
  }
  Session s;
  if (!compileExpression(expr, vars, s, err))
    return std::nullopt;
  ir::Function *f = s.module->lookup(kFnName);
  if (!f)
    throw InternalError("derive: the wrapper function is missing");
  std::vector<std::string> out;
  for (size_t i = 0; i < wrt.size(); ++i) {
    const std::string &w = wrt[i];
    ad::ADOptions opts;
    opts.name = fmt::format("{}.jvp{}", kFnName, i); // by position: `--wrt x,x` is allowed
    try {
      // The IR simplifier is not run: it would fold `log(2)` into 0.6931471805599453, and the
      // formula's own canonical forms (SymExpr.h) do the simplifying that matters here.
      opts.simplify = false;
      ir::Function *g = ad::buildJvp(*s.module, *f, {w}, opts);
      passes::inlineCalls(*s.module, *g);
      ir::verifyOrThrow(*s.module, "derive");
      // The JVP takes f's parameters and then the tangent of w, which is fixed to 1; its results
      // are f's value and then the derivative.
      auto tangent = static_cast<unsigned>(f->params().size());
      out.push_back(sym::print(sym::tidy(sym::fromIR(*g, 1, {{tangent, 1.0}}))));
    } catch (const ad::ADError &e) {
      reportPlain(err, e.what());
      return std::nullopt;
    } catch (const sym::NotAFormula &e) {
      reportPlain(err, e.what());
      return std::nullopt;
    }
  }
  return out;
}

} // namespace diffc::driver
