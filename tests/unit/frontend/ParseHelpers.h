// Helpers shared by the front-end tests: parse text held in memory and look at the result as an
// S-expression (ASTDump.h) or as "LINE:COL: message" error lines.
#pragma once

#include "frontend/ASTDump.h"
#include "frontend/Parser.h"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

namespace diffc::test {

struct Parsed {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<DiagnosticEngine> diags;
  ast::Module module;

  /// Every error as "LINE:COL: message", in order.
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const Diagnostic &d : diags->diagnostics()) {
      if (d.severity != Severity::Error)
        continue;
      SourceLoc loc = file->locOf(d.span.begin);
      out.push_back(fmt::format("{}:{}: {}", loc.line, loc.col, d.message));
    }
    return out;
  }
  std::string firstError() const {
    auto e = errors();
    return e.empty() ? "<no error>" : e.front();
  }
  /// The source text a span covers.
  std::string text(Span s) const { return file->text().substr(s.begin, s.end - s.begin); }
};

inline Parsed parse(std::string text, std::string name = "test.diff") {
  Parsed p;
  p.file = std::make_unique<SourceFile>(std::move(name), std::move(text));
  p.diags = std::make_unique<DiagnosticEngine>(*p.file);
  p.module = parseModule(*p.file, *p.diags);
  return p;
}

/// The dump of a standalone expression, or "error: LINE:COL: message" for the first error.
inline std::string exprDump(const std::string &text) {
  SourceFile file("expr", text);
  DiagnosticEngine diags(file);
  ast::ExprPtr e = parseStandaloneExpr(file, diags);
  if (!e) {
    for (const Diagnostic &d : diags.diagnostics())
      if (d.severity == Severity::Error) {
        SourceLoc loc = file.locOf(d.span.begin);
        return fmt::format("error: {}:{}: {}", loc.line, loc.col, d.message);
      }
    return "error: <null without a diagnostic>";
  }
  return ast::dump(*e);
}

/// The dump of a function body's block: `fn f() -> f64 { BODY }`.
inline std::string blockDump(const std::string &body) {
  Parsed p = parse("fn f() -> f64 {\n" + body + "\n}\n");
  if (p.diags->hasErrors())
    return "error: " + p.firstError();
  return ast::dump(*p.module.functions.at(0).body);
}

} // namespace diffc::test
