// The JIT: one ORC LLJIT per engine (main JITDylib, host-process symbols for libm and the diffc
// runtime), one ResourceTracker per compiled module so that a module's code is freed when the
// module goes away, and the session ended in the engine's destructor.
#include "codegen/Build.h"
#include "codegen/LLVMCompat.h"

#include "support/Diagnostics.h"

#include <llvm/ExecutionEngine/Orc/Core.h>

#include <atomic>
#include <fmt/format.h>

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
  add("diffc_rt_alloc_slow", &diffc_rt_alloc_slow);
  add("diffc_rt_release_slow", &diffc_rt_release_slow);
  add("diffc_rt_tape_grow", &diffc_rt_tape_grow);
  add("diffc_rt_tape_reserve", &diffc_rt_tape_reserve);
  add("diffc_rt_tape_clone", &diffc_rt_tape_clone);
  add("diffc_rt_fail", &diffc_rt_fail);
  add("diffc_rt_ipow", &diffc_rt_ipow);
  if (llvm::Error e = (*jit)->getMainJITDylib().define(llvm::orc::absoluteSymbols(runtime))) {
    error = "cannot define the runtime symbols: " + compat::takeMessage(std::move(e));
    return nullptr;
  }
  std::shared_ptr<JitEngine> engine(new JitEngine());
  engine->impl_->jit = std::move(*jit);
  return engine;
}

struct JitModule::Loaded {
  llvm::orc::ResourceTrackerSP tracker;
  std::unordered_map<std::string, EntryFn> entries;
};

std::unique_ptr<JitModule> JitModule::compile(std::shared_ptr<JitEngine> engine,
                                              std::shared_ptr<const ir::Module> m,
                                              const CodegenOptions &opts) {
  if (!engine || !m)
    throw CodegenError("JitModule::compile needs an engine and a module");
  llvm::orc::LLJIT &jit = *engine->impl().jit;
  uint64_t id = engine->impl().nextModule++;
  auto tm = hostMachine(opts.optLevel);
  // Symbols are unique per module: several modules (with equal function names) share the
  // engine's JITDylib.
  BuiltModule b = buildModule(*m, opts, *tm, true, [&](const ir::Function &, size_t i) {
    return fmt::format("diffc_m{}_f{}", id, i);
  });
  std::unique_ptr<JitModule> out(new JitModule());
  out->engine_ = engine;
  out->module_ = m;
  out->loaded_ = std::make_unique<Loaded>();
  out->loaded_->tracker = jit.getMainJITDylib().createResourceTracker();
  llvm::orc::ThreadSafeModule tsm(std::move(b.module), std::move(b.context));
  if (llvm::Error e = jit.addIRModule(out->loaded_->tracker, std::move(tsm)))
    throw CodegenError("cannot add the module to the JIT: " + compat::takeMessage(std::move(e)));
  for (size_t i = 0; i < m->functions.size(); ++i) {
    if (b.symbols[i].empty())
      continue;
    auto addr = jit.lookup(b.symbols[i]);
    if (!addr)
      throw CodegenError("cannot compile '" + m->functions[i]->name +
                         "': " + compat::takeMessage(addr.takeError()));
    out->loaded_->entries[m->functions[i]->name] = addr->toPtr<EntryFn>();
  }
  return out;
}

JitModule::~JitModule() {
  if (loaded_ && loaded_->tracker)
    if (llvm::Error e = loaded_->tracker->remove())
      llvm::consumeError(std::move(e)); // nothing sensible to do in a destructor
}

EntryFn JitModule::entry(std::string_view name) const {
  auto it = loaded_->entries.find(std::string(name));
  return it == loaded_->entries.end() ? nullptr : it->second;
}

} // namespace diffc::codegen
