// Shared helpers for the sema tests: compile a program text or a file from tests/programs and run
// one of its functions in the reference interpreter.
#pragma once

#include "interp/Interpreter.h"
#include "ir/IR.h"
#include "sema/Compile.h"
#include "support/Diagnostics.h"

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace diffc::test {

struct Compiled {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<DiagnosticEngine> diags;
  std::unique_ptr<ir::Module> module;

  /// All diagnostics rendered, for failure messages and error assertions.
  std::string messages() const {
    std::string out;
    for (const Diagnostic &d : diags->diagnostics())
      out += diags->render(d);
    return out;
  }
};

inline Compiled compile(const std::string &text, const std::string &name = "test.diff") {
  Compiled c;
  c.file = std::make_unique<SourceFile>(name, text);
  c.diags = std::make_unique<DiagnosticEngine>(*c.file);
  c.module = compileModule(*c.file, *c.diags);
  return c;
}

inline std::string readProgram(const std::string &name) {
  std::ifstream in(std::string(DIFFC_SOURCE_DIR) + "/tests/programs/" + name);
  REQUIRE_MESSAGE(in.good(), "cannot open tests/programs/" << name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline interp::Tensor vec(std::vector<double> v) {
  return interp::Tensor::of(ir::ElemType::F64, {static_cast<int64_t>(v.size())}, v);
}
inline interp::Tensor mat(size_t r, size_t c, std::vector<double> v) {
  return interp::Tensor::of(ir::ElemType::F64, {static_cast<int64_t>(r), static_cast<int64_t>(c)},
                            v);
}
inline interp::Tensor ivec(std::vector<double> v) {
  return interp::Tensor::of(ir::ElemType::I64, {static_cast<int64_t>(v.size())}, v);
}

/// Runs fn of a compiled module; returns the flattened results.
inline std::vector<interp::Tensor> run(const Compiled &c, const std::string &fn,
                                       std::vector<interp::Tensor> args) {
  REQUIRE_MESSAGE(c.module != nullptr, c.messages());
  interp::Interpreter in(*c.module);
  return in.call(fn, std::move(args));
}

/// A deterministic pseudo-random sequence in [-1, 1) (no dependence on the library's engines).
struct Lcg {
  uint64_t s;
  explicit Lcg(uint64_t seed) : s(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
  double next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / 9007199254740992.0 * 2.0 - 1.0;
  }
  std::vector<double> many(size_t n) {
    std::vector<double> v(n);
    for (double &x : v)
      x = next();
    return v;
  }
};

} // namespace diffc::test
