// The JIT: one ORC LLJIT per engine (main JITDylib, host-process symbols for libm and the diffc
// runtime), one JITDylib per compiled module so that a module's code is freed when the module
// goes away, and the session ended in the engine's destructor. Modules are compiled to objects
// here (not by the JIT's IR layer) so that the objects can come from and go to the compile cache.
#include "codegen/Build.h"
#include "codegen/CompileCache.h"
#include "codegen/LLVMCompat.h"

#include "support/Diagnostics.h"

#include <llvm/ExecutionEngine/Orc/Core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fmt/format.h>
#include <optional>

namespace diffc::codegen {

struct JitEngine::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::atomic<uint64_t> nextModule{0};
};

JitEngine::JitEngine() : impl_(std::make_unique<Impl>()) {}

JitEngine::~JitEngine() = default;

std::shared_ptr<JitEngine> JitEngine::create(std::string &error) {
  auto jit = compat::createHostJit(2);
  if (!jit) {
    error = "cannot create the JIT: " + compat::takeMessage(jit.takeError());
    return nullptr;
  }
  // The runtime support functions are linked into this process; define them explicitly so that
  // lookups do not depend on the executable exporting its symbols.
  llvm::orc::SymbolMap runtime;
  auto add = [&](const char *name, auto *fnPtr) {
    runtime[(*jit)->mangleAndIntern(name)] = llvm::orc::ExecutorSymbolDef(
        llvm::orc::ExecutorAddr::fromPtr(reinterpret_cast<void *>(fnPtr)),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  };
  add("diffc_rt_alloc", &diffc_rt_alloc);
  add("diffc_rt_alloc_slow", &diffc_rt_alloc_slow);
  add("diffc_rt_release_slow", &diffc_rt_release_slow);
  add("diffc_rt_tape_grow", &diffc_rt_tape_grow);
  add("diffc_rt_tape_reserve", &diffc_rt_tape_reserve);
  add("diffc_rt_tape_clone", &diffc_rt_tape_clone);
  add("diffc_rt_fail", &diffc_rt_fail);
  add("diffc_rt_nonfinite", &diffc_rt_nonfinite);
  add("diffc_rt_ipow", &diffc_rt_ipow);
  add("diffc_rt_matmul_f64", &diffc_rt_matmul_f64);
  add("diffc_rt_matmul_f32", &diffc_rt_matmul_f32);
  add("diffc_rt_add_row_f64", &diffc_rt_add_row_f64);
  add("diffc_rt_add_row_f32", &diffc_rt_add_row_f32);
  if (llvm::Error e = (*jit)->getMainJITDylib().define(llvm::orc::absoluteSymbols(runtime))) {
    error = "cannot define the runtime symbols: " + compat::takeMessage(std::move(e));
    return nullptr;
  }
  std::shared_ptr<JitEngine> engine(new JitEngine());
  engine->impl_->jit = std::move(*jit);
  return engine;
}

struct JitModule::Loaded {
  llvm::orc::ExecutionSession *session = nullptr;
  llvm::orc::JITDylib *dylib = nullptr; // this module's code alone
  std::unordered_map<std::string, EntryFn> entries;
};

namespace {
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point &t) {
  auto now = Clock::now();
  double ms = std::chrono::duration<double, std::milli>(now - t).count();
  t = now;
  return ms;
}

/// Optimises and compiles b's module to an object in memory, or takes it from the cache.
std::unique_ptr<llvm::MemoryBuffer> objectFor(BuiltModule &b, llvm::TargetMachine &tm,
                                              const CodegenOptions &opts, CompileTimings &t) {
  auto clock = Clock::now();
  std::optional<CompileCache> cache;
  std::string key;
  if (!opts.cacheDir.empty()) {
    cache.emplace(opts.cacheDir);
    key = cacheKey(*b.module, tm, opts);
    t.key = msSince(clock);
    auto hit = cache->load(key);
    t.load = msSince(clock);
    if (hit) {
      t.cacheHit = true;
      return hit;
    }
  }
  // No loop unrolling nor interleaving in the JIT: unrolling doubled the code LLVM's back end
  // must compile (cold compile of the MLP gradient 708 -> 439 ms) for about 2 % of run time, and
  // interleaving (with the vectorised epilogue loops it brings on AVX-512) cost another ~6 % of
  // compile time for no measurable run time (tests/bench/compile/README.md). Ahead-of-time
  // objects keep the full pipeline.
  compat::optimizeModule(*b.module, tm, opts.optLevel, /*jit=*/true);
  t.optimize = msSince(clock);
  llvm::SmallVector<char, 0> obj;
  if (std::string err = compat::emitObjectBuffer(*b.module, tm, obj); !err.empty())
    throw CodegenError(err);
  t.codegen = msSince(clock);
  llvm::StringRef bytes(obj.data(), obj.size());
  if (cache)
    cache->store(key, bytes); // a cache that cannot be written only costs the next run time
  t.store = msSince(clock);
  return llvm::MemoryBuffer::getMemBufferCopy(bytes, b.module->getModuleIdentifier());
}
} // namespace

std::unique_ptr<JitModule> JitModule::compile(std::shared_ptr<JitEngine> engine,
                                              std::shared_ptr<const ir::Module> m,
                                              const CodegenOptions &opts,
                                              const std::vector<std::string> &entries) {
  if (!engine || !m)
    throw CodegenError("JitModule::compile needs an engine and a module");
  llvm::orc::LLJIT &jit = *engine->impl().jit;
  uint64_t id = engine->impl().nextModule++;
  std::unique_ptr<JitModule> out(new JitModule());
  CompileTimings &t = out->timings_;
  auto clock = Clock::now();
  auto tm = hostMachine(opts.optLevel);
  auto wanted = [&](const ir::Function &fn) {
    return entries.empty() || std::find(entries.begin(), entries.end(), fn.name) != entries.end();
  };
  // Each module links in a JITDylib of its own, so symbols need only be unique per module, and
  // they are the same in every run (the cache key hashes them).
  BuiltModule b = buildModule(*m, opts, *tm, false, [&](const ir::Function &fn, size_t i) {
    return wanted(fn) ? fmt::format("diffc_entry_{}", i) : std::string();
  });
  t.lower = msSince(clock);
  std::unique_ptr<llvm::MemoryBuffer> obj = objectFor(b, *tm, opts, t);
  clock = Clock::now();
  out->engine_ = engine;
  out->module_ = m;
  out->maxMemory_ = opts.maxMemory;
  out->loaded_ = std::make_unique<Loaded>();
  auto jd = jit.createJITDylib(fmt::format("diffc_m{}", id));
  if (!jd)
    throw CodegenError("cannot create a JITDylib: " + compat::takeMessage(jd.takeError()));
  out->loaded_->session = &jit.getExecutionSession();
  out->loaded_->dylib = &*jd;
  // The runtime and libm come from the engine's main JITDylib.
  jd->addToLinkOrder(jit.getMainJITDylib());
  if (llvm::Error e = jit.addObjectFile(*jd, std::move(obj)))
    throw CodegenError("cannot add the module to the JIT: " + compat::takeMessage(std::move(e)));
  for (size_t i = 0; i < m->functions.size(); ++i) {
    if (b.symbols[i].empty())
      continue;
    auto addr = jit.lookup(*jd, b.symbols[i]);
    if (!addr)
      throw CodegenError("cannot compile '" + m->functions[i]->name +
                         "': " + compat::takeMessage(addr.takeError()));
    out->loaded_->entries[m->functions[i]->name] = addr->toPtr<EntryFn>();
  }
  t.link = msSince(clock);
  return out;
}

JitModule::~JitModule() {
  if (loaded_ && loaded_->dylib)
    if (llvm::Error e = loaded_->session->removeJITDylib(*loaded_->dylib))
      llvm::consumeError(std::move(e)); // nothing sensible to do in a destructor
}

EntryFn JitModule::entry(std::string_view name) const {
  auto it = loaded_->entries.find(std::string(name));
  return it == loaded_->entries.end() ? nullptr : it->second;
}

} // namespace diffc::codegen
