// Internal to the verifier: the per-function context shared by the structural walk
// (Verifier.cpp) and the per-op type rules (VerifyOps.cpp).
#pragma once

#include "ir/IR.h"
#include "ir/Printer.h"

#include <string>
#include <vector>

namespace diffc::ir {

class VerifyContext {
public:
  VerifyContext(const Module &m, const Function &fn) : module(m), fn(fn), names(fn) {}

  const Module &module;
  const Function &fn;
  ValueNamer names;
  std::vector<std::string> errors;

  /// Records "@fn: <op as printed>: msg".
  void fail(const Op &op, const std::string &msg);
  /// Records "@fn: msg" for problems not tied to one op.
  void fail(const std::string &msg);

  std::string str(const Type &t) const { return t.str(fn.sizeParams); }
  std::string str(const Dim &d) const { return d.str(fn.sizeParams); }
};

/// Checks op's operand, result and region counts and types against its kind's rules.
/// Structure (scoping, terminators) is already checked by the caller.
void verifyOpTypes(VerifyContext &cx, const Op &op);

} // namespace diffc::ir
