// Shared helpers for the pass tests: IR from text, verification, structural queries.
#pragma once

#include "ir/IR.h"
#include "ir/IRParser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/Simplify.h"
#include "support/Diagnostics.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace diffc::passes::test {

/// The module in `text`; fails the test (with the diagnostics) on a syntax error or when the
/// module does not verify.
inline std::unique_ptr<ir::Module> parse(const std::string &text) {
  SourceFile file("test.ir", text);
  DiagnosticEngine diags(file);
  auto m = ir::parseIR(file, diags);
  if (!m) {
    std::ostringstream os;
    diags.print(os);
    FAIL("IR does not parse:\n" << os.str());
  }
  auto errors = ir::verifyModule(*m);
  std::string all;
  for (auto &e : errors)
    all += e + "\n";
  INFO("input IR does not verify:\n" << all);
  REQUIRE(errors.empty());
  return m;
}

/// Fails the test when m does not verify, showing the errors and the IR.
inline void requireValid(const ir::Module &m) {
  auto errors = ir::verifyModule(m);
  std::string all;
  for (auto &e : errors)
    all += e + "\n";
  INFO("IR does not verify:\n" << all << ir::printModule(m));
  REQUIRE(errors.empty());
}

/// Number of ops of kind k in fn, regions included.
inline size_t countOps(const ir::Function &fn, ir::OpKind k) {
  size_t n = 0;
  ir::walk(*fn.body, [&](const ir::Op &op) { n += op.kind == k; });
  return n;
}

/// Number of ops in fn, regions included.
inline size_t countAllOps(const ir::Function &fn) {
  size_t n = 0;
  ir::walk(*fn.body, [&](const ir::Op &) { ++n; });
  return n;
}

/// The op defining the i-th operand of fn's return.
inline const ir::Op *returnedDef(const ir::Function &fn, size_t i = 0) {
  return fn.body->terminator()->operand(static_cast<unsigned>(i))->def;
}

/// The module in `text` after simplifyModule, verified.
inline std::unique_ptr<ir::Module> simplified(const std::string &text,
                                              const SimplifyOptions &opts = {}) {
  auto m = parse(text);
  simplifyModule(*m, opts);
  requireValid(*m);
  return m;
}

/// The value of a `const` op (floats in fval; i64 and bool as ival converted), or nullopt.
inline std::optional<double> constValue(const ir::Op *op) {
  if (!op || op->kind != ir::OpKind::Const)
    return std::nullopt;
  return ir::isFloat(op->result()->type.elem) ? op->fval : static_cast<double>(op->ival);
}

/// The constant fn returns as result i (nullopt when it is not a constant).
inline std::optional<double> returnedConst(const ir::Function &fn, size_t i = 0) {
  return constValue(returnedDef(fn, i));
}

/// Bitwise equality of doubles (tells -0.0 from 0.0, and a NaN equals itself).
inline bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

} // namespace diffc::passes::test
