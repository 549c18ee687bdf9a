// libFuzzer target for the whole pipeline: source -> check -> AD (gradient and tangent of every
// scalar function) -> simplify -> verify -> LLVM JIT -> run every function on sample inputs in
// both the JIT and the reference interpreter.
//
// Two kinds of input, chosen by the first byte:
//   'G' + bytes  the bytes drive the well-typed program generator of tests/shared/ProgramGen.h
//                (structure-aware: mutations of the bytes are mutations of the program);
//   anything else is program text (random bytes, mutated test programs).
//
// Findings (abort): a crash or sanitizer report; an InternalError; a generated program that does
// not compile or differentiate; IR that fails the verifier after AD or simplification; a JIT result
// that differs from the interpreter's in any bit, or one executor failing where the other does not.
// Diagnostics, AD's "cannot differentiate" and runtime errors of the program are expected.
#include "ad/AD.h"
#include "codegen/Codegen.h"
#include "interp/Interpreter.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/Simplify.h"
#include "sema/Compile.h"
#include "support/Diagnostics.h"

#include "ProgramGen.h"
#include "SampleInputs.h"

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace diffc;

namespace {

[[noreturn]] void finding(const std::string &what, const std::string &text) {
  std::fprintf(stderr, "pipeline finding: %s\n--- program ---\n%s\n", what.c_str(), text.c_str());
  std::abort();
}

void verify(const ir::Module &m, const char *stage, const std::string &text) {
  auto errors = ir::verifyModule(m);
  if (!errors.empty())
    finding(std::string("verifier after ") + stage + ": " + errors[0], text);
}

/// Running arbitrary text may not terminate or may ask for huge tensors: run only programs without
/// while loops, recursion (a cycle of calls) or integer literals above 64.
bool boundedToRun(const std::string &text, const ir::Module &m) {
  if (text.find("while") != std::string::npos)
    return false;
  for (size_t i = 0; i < text.size();) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
        ++j;
      if (j - i > 2 || std::stoi(text.substr(i, j - i)) > 64)
        return false;
      i = j;
    } else {
      ++i;
    }
  }
  // Any call at all between user functions could form a cycle; functions are few, so compare the
  // callees against the functions defined before the caller (lowering's order puts callees first
  // unless they recurse).
  for (size_t k = 0; k < m.functions.size(); ++k) {
    bool ok = true;
    ir::walk(*m.functions[k]->body, [&](ir::Op &op) {
      if (op.kind != ir::OpKind::Call)
        return;
      bool earlier = false;
      for (size_t c = 0; c < k; ++c)
        earlier = earlier || m.functions[c]->name == op.callee;
      ok = ok && earlier;
    });
    if (!ok)
      return false;
  }
  return true;
}

bool sameBits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) ||
         std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

/// The interpreter and the JIT agree bit for bit, or both fail at the same place.
void compare(const interp::Interpreter &in, const codegen::JitModule &jit, const ir::Function &fn,
             const std::vector<interp::Tensor> &args, const std::string &text) {
  std::vector<interp::Tensor> want, got;
  std::string wantErr, gotErr;
  SourceLoc wantLoc, gotLoc;
  try {
    want = in.call(fn, args);
  } catch (const interp::RuntimeError &e) {
    wantErr = e.what();
    wantLoc = e.loc;
  }
  try {
    got = jit.call(fn.name, args);
  } catch (const interp::RuntimeError &e) {
    gotErr = e.what();
    gotLoc = e.loc;
  }
  if (wantErr.empty() != gotErr.empty())
    finding("function " + fn.name + ": interpreter error '" + wantErr + "', JIT error '" + gotErr +
                "'",
            text);
  if (!wantErr.empty()) {
    if (wantLoc.line != gotLoc.line || wantLoc.col != gotLoc.col)
      finding("function " + fn.name + ": errors at different places: '" + wantErr + "' / '" +
                  gotErr + "'",
              text);
    return;
  }
  if (want.size() != got.size())
    finding("function " + fn.name + ": result counts differ", text);
  for (size_t r = 0; r < want.size(); ++r) {
    bool same = want[r].shape == got[r].shape && want[r].data.size() == got[r].data.size();
    for (size_t i = 0; same && i < want[r].data.size(); ++i)
      same = sameBits(want[r].data[i], got[r].data[i]);
    if (!same)
      finding("function " + fn.name + ": result " + std::to_string(r) +
                  " differs between the interpreter and the JIT",
              text);
  }
}

std::shared_ptr<codegen::JitEngine> engine() {
  static std::shared_ptr<codegen::JitEngine> e = [] {
    std::string err;
    auto made = codegen::JitEngine::create(err);
    if (!made) {
      std::fprintf(stderr, "no JIT: %s\n", err.c_str());
      std::abort();
    }
    return made;
  }();
  return e;
}

void runPipeline(const std::string &text, bool generated) {
  SourceFile file("fuzz.diff", text);
  DiagnosticEngine diags(file);
  std::unique_ptr<ir::Module> m;
  try {
    m = compileModule(file, diags);
  } catch (const FatalDiagnostic &) {
  }
  if (!m) {
    if (generated)
      finding("a generated program does not compile", text);
    return;
  }
  // Derivatives asked for in the source, then a gradient and a tangent of every scalar function.
  try {
    for (size_t i = 0; i < m->derivatives.size(); ++i) {
      ir::DerivativeRequest req = m->derivatives[i];
      const ir::Function *base = m->lookup(req.base);
      if (m->lookup(req.name) || !base)
        continue;
      if (req.kind == ir::DerivativeRequest::Kind::Grad)
        ad::buildGradient(*m, *base, req.wrt);
      else
        ad::buildJvp(*m, *base, req.wrt);
    }
  } catch (const ad::ADError &) {
    return; // the module is incomplete without them
  }
  verify(*m, "in-language derivatives", text);
  std::vector<const ir::Function *> primal;
  for (const auto &f : m->functions)
    primal.push_back(f.get());
  for (const ir::Function *f : primal) {
    if (f->resultTypes.size() != 1 || !f->resultTypes[0].isScalar() ||
        !ir::isFloat(f->resultTypes[0].elem) || !codegen::hasEntryPoint(*f))
      continue;
    try {
      ad::buildGradient(*m, *f);
      ad::buildJvp(*m, *f);
    } catch (const ad::ADError &e) {
      if (generated)
        finding(std::string("AD rejects a generated program: ") + e.what(), text);
    }
  }
  verify(*m, "AD", text);
  passes::simplifyModule(*m);
  verify(*m, "simplify", text);
  if (!generated && !boundedToRun(text, *m))
    return;
  std::shared_ptr<const ir::Module> shared(std::move(m));
  std::unique_ptr<codegen::JitModule> jit;
  try {
    // -O1: the optimiser is LLVM's; a cheaper pipeline leaves more time for our own stages.
    codegen::CodegenOptions opts;
    opts.optLevel = 1;
    jit = codegen::JitModule::compile(engine(), shared, opts);
  } catch (const codegen::CodegenError &e) {
    finding(std::string("codegen: ") + e.what(), text);
  }
  interp::Interpreter in(*shared);
  for (const auto &f : shared->functions) {
    if (!codegen::hasEntryPoint(*f))
      continue;
    if (auto args = testgen::sampleInputs(*f, 2))
      compare(in, *jit, *f, *args, text);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bool generated = size > 0 && data[0] == 'G';
  std::string text;
  if (generated) {
    testgen::ByteChoices choices(data + 1, size - 1);
    text = testgen::randomProgram(choices);
  } else {
    text.assign(reinterpret_cast<const char *>(data), size);
  }
  try {
    runPipeline(text, generated);
  } catch (const InternalError &e) {
    finding(std::string("internal error: ") + e.what(), text);
  }
  return 0;
}
