// Building one LLVM module from an IR module (shared by the JIT, emitLLVM and emitObject).
#pragma once

#include "codegen/Codegen.h"
#include "codegen/LLVMCompat.h"

#include <functional>

namespace diffc::codegen {

struct BuiltModule {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  /// Per IR function (module order): its C entry symbol, or empty when it has none.
  std::vector<std::string> symbols;
};

/// Lowers every function of m, adds a C entry point named symbolFor(fn, index) for each function
/// where that is non-empty, verifies the result (InternalError when LLVM rejects it) and, when
/// `optimize`, runs the O-level pipeline for tm. Throws CodegenError / InternalError.
BuiltModule buildModule(const ir::Module &m, const CodegenOptions &opts, llvm::TargetMachine &tm,
                        bool optimize,
                        const std::function<std::string(const ir::Function &, size_t)> &symbolFor);

/// `name` with every character that is not [A-Za-z0-9_] replaced by '_'.
std::string sanitizeSymbol(const std::string &name);

/// A TargetMachine for the host, or CodegenError.
std::unique_ptr<llvm::TargetMachine> hostMachine(unsigned optLevel);

} // namespace diffc::codegen
