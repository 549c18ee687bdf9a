// User-facing diagnostics in the clang/rustc shape:
//
//   FILE:LINE:COL: error: message
//     <source line>
//         ^~~~
//
// Errors are collected (several per run where recovery is sensible) and printed in order. Internal
// errors (a broken invariant of the compiler itself) are not diagnostics: they throw InternalError.
#pragma once

#include "support/SourceFile.h"

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace diffc {

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity;
  Span span;
  bool hasSpan = true;
  std::string message;
};

/// Thrown when the compiler finds its own invariant broken; carries what it knows (often IR text).
class InternalError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// Thrown to abandon a compilation after fatal diagnostics (for example nesting too deep).
class FatalDiagnostic : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(const SourceFile &file) : file_(file) {}

  void error(Span span, std::string message);
  void warning(Span span, std::string message);
  /// A note attaches to the diagnostic before it ("D declared here").
  void note(Span span, std::string message);

  unsigned errorCount() const { return errors_; }
  bool hasErrors() const { return errors_ != 0; }
  const std::vector<Diagnostic> &diagnostics() const { return diags_; }
  const SourceFile &file() const { return file_; }

  /// Renders one diagnostic with its source line and caret.
  std::string render(const Diagnostic &d) const;
  void print(std::ostream &os) const;

  /// A point to roll back to, and the rollback: drops every diagnostic reported since `mark`
  /// (sema lowers a function again when a first attempt showed how to type it; see
  /// Lowerer::lowerFunction).
  size_t mark() const { return diags_.size(); }
  void rollback(size_t mark);

  /// Past this many errors further ones are dropped (with one line saying so).
  static constexpr unsigned kMaxErrors = 25;

private:
  const SourceFile &file_;
  std::vector<Diagnostic> diags_;
  unsigned errors_ = 0;
  bool truncated_ = false;
};

} // namespace diffc
