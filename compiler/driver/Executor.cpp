#include "driver/Executor.h"

#include "codegen/Codegen.h"
#include "interp/Interpreter.h"

#include <fmt/format.h>

namespace diffc::driver {

namespace {

class InterpExecutor : public Executor {
public:
  InterpExecutor(std::shared_ptr<const ir::Module> m, interp::InterpreterOptions opts)
      : m_(std::move(m)), in_(*m_, opts) {}
  std::vector<interp::Tensor> call(const ir::Function &fn,
                                   std::vector<interp::Tensor> args) override {
    return in_.call(fn, std::move(args));
  }
  const char *name() const override { return "interpreter"; }

private:
  std::shared_ptr<const ir::Module> m_;
  interp::Interpreter in_;
};

class JitExecutor : public Executor {
public:
  explicit JitExecutor(std::unique_ptr<codegen::JitModule> jm) : jm_(std::move(jm)) {}
  std::vector<interp::Tensor> call(const ir::Function &fn,
                                   std::vector<interp::Tensor> args) override {
    return jm_->call(fn.name, args);
  }
  const char *name() const override { return "jit"; }

private:
  std::unique_ptr<codegen::JitModule> jm_;
};

} // namespace

codegen::CodegenOptions jitOptions(const Options &o) {
  codegen::CodegenOptions opts;
  opts.fastMath = o.has("fast-math");
  opts.checkNonFinite = o.has("check-nan");
  opts.cacheDir = codegen::cacheDirFor(!o.has("no-cache"));
  return opts;
}

std::unique_ptr<Executor> Executor::create(Session &s, const Options &o) {
  if (o.has("interp"))
    return std::make_unique<InterpExecutor>(
        s.module, interp::InterpreterOptions{.checkNonFinite = o.has("check-nan")});
  std::string error;
  auto engine = codegen::JitEngine::create(error);
  if (!engine) {
    reportError("diffc", fmt::format("cannot start the LLVM JIT: {} (use --interp)", error));
    return nullptr;
  }
  try {
    return std::make_unique<JitExecutor>(
        codegen::JitModule::compile(engine, s.module, jitOptions(o)));
  } catch (const codegen::CodegenError &e) {
    reportError("diffc", fmt::format("LLVM code generation failed: {}", e.what()));
    return nullptr;
  }
}

} // namespace diffc::driver
