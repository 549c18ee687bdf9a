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

/// `--max-memory BYTES` (a positive integer, optionally with a K, M or G suffix: powers of 1024);
/// 0 without the option, -1 (reported) when malformed.
int64_t maxMemory(const Options &o) {
  auto v = o.get("max-memory");
  if (!v)
    return 0;
  std::string text = *v;
  int shift = 0;
  if (!text.empty() && std::string("KMG").find(text.back()) != std::string::npos) {
    shift = text.back() == 'K' ? 10 : text.back() == 'M' ? 20 : 30;
    text.pop_back();
  }
  int64_t n = 0;
  bool ok = !text.empty() && text.size() <= 15;
  for (char c : text)
    ok = ok && c >= '0' && c <= '9';
  if (ok) {
    n = std::stoll(text);
    // 15 digits fit in int64, but not always once scaled by 2^30.
    ok = n > 0 && n <= (INT64_MAX >> shift);
    n <<= shift;
  }
  if (!ok) {
    reportError("diffc", fmt::format("--max-memory expects a positive number of bytes (with an "
                                     "optional K, M or G suffix), got '{}'",
                                     *v));
    return -1;
  }
  return n;
}

} // namespace

codegen::CodegenOptions jitOptions(const Options &o) {
  codegen::CodegenOptions opts;
  opts.fastMath = o.has("fast-math");
  opts.checkNonFinite = o.has("check-nan");
  opts.cacheDir = codegen::cacheDirFor(!o.has("no-cache"));
  return opts;
}

std::unique_ptr<Executor> Executor::create(Session &s, const Options &o,
                                           const std::vector<std::string> &entries) {
  int64_t limit = maxMemory(o);
  if (limit < 0)
    return nullptr;
  if (o.has("interp"))
    return std::make_unique<InterpExecutor>(
        s.module,
        interp::InterpreterOptions{.checkNonFinite = o.has("check-nan"), .maxMemory = limit});
  std::string error;
  auto engine = codegen::JitEngine::create(error);
  if (!engine) {
    reportError("diffc", fmt::format("cannot start the LLVM JIT: {} (use --interp)", error));
    return nullptr;
  }
  codegen::CodegenOptions opts = jitOptions(o);
  opts.maxMemory = limit;
  try {
    return std::make_unique<JitExecutor>(
        codegen::JitModule::compile(engine, s.module, opts, entries));
  } catch (const codegen::CodegenError &e) {
    reportError("diffc", fmt::format("LLVM code generation failed: {}", e.what()));
    return nullptr;
  }
}

} // namespace diffc::driver
