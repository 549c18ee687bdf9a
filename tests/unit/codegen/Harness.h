// Shared helpers for the codegen tests: compile source or IR text, run a function through both
// the reference interpreter and the JIT, and require bit-equal results (or the same failure).
#pragma once

#include "ad/AD.h"
#include "codegen/Codegen.h"
#include "interp/Interpreter.h"
#include "ir/IRParser.h"
#include "ir/SizeInference.h"
#include "ir/Verifier.h"
#include "sema/Compile.h"
#include "support/Diagnostics.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace diffc::test {

using interp::Tensor;
using ir::ElemType;

inline std::shared_ptr<codegen::JitEngine> engine() {
  static std::shared_ptr<codegen::JitEngine> e = [] {
    std::string err;
    auto made = codegen::JitEngine::create(err);
    REQUIRE_MESSAGE(made, err);
    return made;
  }();
  return e;
}

inline std::string renderAll(const DiagnosticEngine &d) {
  std::string out;
  for (const Diagnostic &x : d.diagnostics())
    out += d.render(x);
  return out;
}

/// A module from .diff source (the test fails on diagnostics).
inline std::shared_ptr<ir::Module> fromSource(const std::string &text) {
  SourceFile file("test.diff", text);
  DiagnosticEngine diags(file);
  std::unique_ptr<ir::Module> m = compileModule(file, diags);
  INFO(renderAll(diags));
  REQUIRE(m);
  for (size_t i = 0; i < m->derivatives.size(); ++i) { // grad / jvp inside the language
    ir::DerivativeRequest req = m->derivatives[i];
    if (m->lookup(req.name))
      continue;
    const ir::Function *base = m->lookup(req.base);
    REQUIRE(base);
    if (req.kind == ir::DerivativeRequest::Kind::Grad)
      ad::buildGradient(*m, *base, req.wrt);
    else
      ad::buildJvp(*m, *base, req.wrt);
  }
  return std::shared_ptr<ir::Module>(std::move(m));
}

/// A module from textual IR (the test fails when it does not parse or verify).
inline std::shared_ptr<ir::Module> fromIR(const std::string &text) {
  SourceFile file("test.ir", text);
  DiagnosticEngine diags(file);
  std::unique_ptr<ir::Module> m = ir::parseIR(file, diags);
  INFO(renderAll(diags));
  REQUIRE(m);
  auto problems = ir::verifyModule(*m);
  std::string all;
  for (auto &p : problems)
    all += p + "\n";
  INFO(all);
  REQUIRE(problems.empty());
  return std::shared_ptr<ir::Module>(std::move(m));
}

inline std::unique_ptr<codegen::JitModule> jit(std::shared_ptr<ir::Module> m,
                                               codegen::CodegenOptions opts = {}) {
  return codegen::JitModule::compile(engine(), std::move(m), opts);
}

inline Tensor S(double v) { return Tensor::scalar(v); }
inline Tensor I(int64_t v) { return Tensor::scalar(static_cast<double>(v), ElemType::I64); }
inline Tensor B(bool v) { return Tensor::scalar(v ? 1 : 0, ElemType::Bool); }
inline Tensor T(std::vector<int64_t> shape, std::vector<double> v,
                ElemType e = ElemType::F64) {
  return Tensor::of(e, std::move(shape), std::move(v));
}
inline Tensor V(std::vector<double> v, ElemType e = ElemType::F64) {
  int64_t n = static_cast<int64_t>(v.size());
  return Tensor::of(e, {n}, std::move(v));
}

inline bool sameBits(double a, double b) {
  if (std::isnan(a) && std::isnan(b))
    return true;
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

inline std::string show(const Tensor &t) {
  std::string s = std::string(ir::elemTypeName(t.elem)) + ir::shapeStr(t.shape) + " {";
  char buf[64];
  for (size_t i = 0; i < t.data.size() && i < 16; ++i) {
    std::snprintf(buf, sizeof buf, "%s%.17g", i ? ", " : "", t.data[i]);
    s += buf;
  }
  return s + (t.data.size() > 16 ? ", ...}" : "}");
}

/// Both executors agree bit for bit on the results, or both fail with a runtime error (the
/// JIT's at the same source location). Returns the JIT's results.
inline std::vector<Tensor> same(const codegen::JitModule &j, const std::string &fn,
                                const std::vector<Tensor> &args) {
  interp::Interpreter in(j.module());
  std::vector<Tensor> want, got;
  std::string wantErr, gotErr;
  SourceLoc wantLoc, gotLoc;
  try {
    want = in.call(fn, args);
  } catch (const interp::RuntimeError &e) {
    wantErr = e.what();
    wantLoc = e.loc;
  }
  try {
    got = j.call(fn, args);
  } catch (const interp::RuntimeError &e) {
    gotErr = e.what();
    gotLoc = e.loc;
  }
  INFO("function " << fn << "; interpreter error: '" << wantErr << "'; jit error: '" << gotErr
                   << "'");
  REQUIRE(wantErr.empty() == gotErr.empty());
  if (!wantErr.empty()) {
    CHECK(wantLoc.line == gotLoc.line);
    CHECK(wantLoc.col == gotLoc.col);
    return {};
  }
  REQUIRE(want.size() == got.size());
  for (size_t r = 0; r < want.size(); ++r) {
    INFO("result " << r << ": interpreter " << show(want[r]) << ", jit " << show(got[r]));
    REQUIRE(want[r].elem == got[r].elem);
    REQUIRE(want[r].shape == got[r].shape);
    REQUIRE(want[r].data.size() == got[r].data.size());
    bool equal = true;
    for (size_t i = 0; i < want[r].data.size(); ++i)
      equal = equal && sameBits(want[r].data[i], got[r].data[i]);
    CHECK(equal);
  }
  return got;
}

} // namespace diffc::test
