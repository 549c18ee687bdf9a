// The pipeline of ARCHITECTURE.md, written out once for every command:
//   source → parse → lower (names, types, shapes) → verify → derivatives asked for in the source
//   (AD) → verify → simplify → verify
// Each stage's output can be printed with --dump-after=STAGE (parse is implicit in lower).
#pragma once

#include "interp/RuntimeError.h"
#include "ir/IR.h"
#include "support/Diagnostics.h"

#include <memory>
#include <string>
#include <vector>

namespace diffc::driver {

/// One compiled source file and everything that refers back to it.
struct Session {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<DiagnosticEngine> diags;
  std::shared_ptr<ir::Module> module;
  std::string dumpAfter; // stage name, or empty
};

/// Reads FILE ("-" for standard input) and runs the pipeline. Diagnostics go to stderr. Returns
/// false when the program has errors (the caller exits 1).
bool compileFile(const std::string &path, Session &s, bool optimize);

/// Compiles program text held in memory (for `derive` and tests).
bool compileText(const std::string &name, std::string text, Session &s, bool optimize);

/// The function F, or a diagnostic naming the functions there are.
ir::Function *findFunction(const Session &s, const std::string &name);

/// Adds F's gradient (or JVP) to the module, simplified and verified unless !optimize.
/// wrt: parameter names (empty = all float parameters). Reports problems and returns null.
ir::Function *gradientOf(Session &s, ir::Function &f, const std::vector<std::string> &wrt,
                         bool optimize);
ir::Function *tangentOf(Session &s, ir::Function &f, const std::vector<std::string> &wrt,
                        bool optimize);

/// Prints a runtime error of the program as `FILE:LINE:COL: error: ...` with the source line.
void reportRuntimeError(const Session &s, const interp::RuntimeError &e);

/// `FILE: error: message` for problems without a place in the source (bad inputs, options).
void reportError(const std::string &where, const std::string &message);

} // namespace diffc::driver
