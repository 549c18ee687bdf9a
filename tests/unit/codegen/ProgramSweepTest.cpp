// Every program in tests/programs, every function and (where AD applies) its gradient, run
// through the interpreter and the JIT on generated inputs: results must be bit-equal, or both
// executors must fail at the same place.
#include "Harness.h"
#include "SampleInputs.h"

#include "ad/AD.h"
#include "passes/Simplify.h"

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace diffc::test;
namespace ir = diffc::ir;

namespace {

std::string readFile(const std::filesystem::path &p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Tensor> inputsFor(const ir::Function &fn, int64_t base) {
  auto args = diffc::testgen::sampleInputs(fn, base);
  REQUIRE(args);
  return *args;
}

bool differentiable(const ir::Function &fn) {
  return fn.resultTypes.size() == 1 && fn.resultTypes[0].isScalar() &&
         ir::isFloat(fn.resultTypes[0].elem);
}

} // namespace

TEST_CASE("codegen: every test program and its gradients agree with the interpreter") {
  std::filesystem::path dir = std::filesystem::path(DIFFC_SOURCE_DIR) / "tests" / "programs";
  REQUIRE(std::filesystem::exists(dir));
  size_t functions = 0, gradients = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".diff")
      continue;
    INFO("program " << entry.path().filename().string());
    std::string text = readFile(entry.path());
    auto m = fromSource(text);
    diffc::passes::simplifyModule(*m);
    // Gradients of every scalar function (AD may reject some; those are skipped).
    std::vector<std::string> names;
    for (const auto &f : m->functions)
      names.push_back(f->name);
    for (const std::string &name : names) {
      const ir::Function *f = m->lookup(name);
      if (!differentiable(*f))
        continue;
      try {
        diffc::ad::buildGradient(*m, *f);
        ++gradients;
      } catch (const diffc::ad::ADError &) {
      }
    }
    auto j = jit(m);
    for (const auto &f : m->functions) {
      if (!diffc::codegen::hasEntryPoint(*f))
        continue;
      INFO("function " << f->name);
      for (int64_t base : {1, 3})
        same(*j, f->name, inputsFor(*f, base));
      ++functions;
    }
    // Optimisation levels and fast-math do not change what compiles.
    diffc::codegen::CodegenOptions o0;
    o0.optLevel = 0;
    auto j0 = jit(m, o0);
    for (const auto &f : m->functions)
      if (diffc::codegen::hasEntryPoint(*f))
        same(*j0, f->name, inputsFor(*f, 2));
  }
  CHECK(functions >= 10);
  CHECK(gradients >= 5);
}
