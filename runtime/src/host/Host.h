// Internal state behind the host API handles (diffc/diffc.hpp).
#pragma once

#include "codegen/Codegen.h"
#include "diffc/diffc.hpp"
#include "ir/IR.h"

#include <map>
#include <mutex>

namespace diffc {

struct JitImpl {
  std::shared_ptr<codegen::JitEngine> engine;
  Options defaults;
};

struct FunctionImpl {
  std::shared_ptr<codegen::JitModule> module; // keeps the code and the IR alive
  const ir::Function *fn = nullptr;
  codegen::EntryFn entry = nullptr;
  std::string sourceName;
  /// For each size parameter, the (parameter, axis) whose extent binds it.
  std::vector<std::pair<size_t, size_t>> binding;
  /// Some size is bound only by an affine dim (`2 * N`): sizes come from ir::inferSizes.
  bool affineBinding = false;
  std::vector<std::string> resultNames;
  /// Options::max_memory of the module, or Function::with_max_memory's.
  int64_t maxMemory = 0;

  void check(bool ok, const std::string &msg) const;
  /// Checks the arguments and fills sizes, argument pointers and scalar slots (one per param).
  void bind(std::span<const Arg> args, int64_t *sizes, const void **argPtrs,
            uint64_t *scalarSlots) const;
  /// Runs the entry point, turning a fault into diffc::Error.
  void run(const int64_t *sizes, const void *const *args, void *const *results) const;
};

struct ModuleImpl {
  std::shared_ptr<JitImpl> jit;
  std::string name, source;
  Options opts;
  std::shared_ptr<const ir::Module> ir; // the checked source, for the names of its functions
  /// The source's own functions, compiled on the first Module::function call (under mu): a
  /// program that only asks for gradients never compiles them.
  std::shared_ptr<codegen::JitModule> main;
  std::mutex mu;
  /// Gradients, VJPs and JVPs, compiled on first request.
  std::map<std::string, std::shared_ptr<FunctionImpl>> derived;
};

/// A FunctionImpl for function `name` of a compiled module (Error when it has no entry point).
std::shared_ptr<FunctionImpl> makeFunction(std::shared_ptr<codegen::JitModule> m,
                                           std::string_view name);

} // namespace diffc
