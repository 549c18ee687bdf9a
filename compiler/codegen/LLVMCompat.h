// Every LLVM header codegen uses, and every place where the LLVM version shows (diffc builds
// against LLVM 19; a port to another version should only need to touch this file).
#pragma once

#include <llvm/ADT/StringRef.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

#if LLVM_VERSION_MAJOR != 19
#error "diffc's codegen is written against LLVM 19 (see LLVMCompat.h)"
#endif

namespace diffc::codegen::compat {

/// The message of an llvm::Error, consuming it.
inline std::string takeMessage(llvm::Error e) { return llvm::toString(std::move(e)); }

/// Declaration of intrinsic `id` overloaded on `types`.
inline llvm::Function *intrinsic(llvm::Module &m, llvm::Intrinsic::ID id,
                                 llvm::ArrayRef<llvm::Type *> types) {
  return llvm::Intrinsic::getDeclaration(&m, id, types);
}

/// An opaque pointer type (LLVM 17+ has only opaque pointers).
inline llvm::PointerType *ptrTy(llvm::LLVMContext &c) { return llvm::PointerType::get(c, 0); }

/// Initialises the native target once (thread-safe).
void initNativeTarget();

/// A TargetMachine for the host CPU and its features at the given optimisation level (0-3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>> hostTargetMachine(unsigned optLevel);

/// A TargetMachine for the host's architecture and OS but the named CPU with its default features
/// (ahead-of-time objects for other machines); an error when the CPU is unknown.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>> cpuTargetMachine(const std::string &cpu,
                                                                      unsigned optLevel);

/// Runs the new pass manager's default per-module pipeline (O0-O3) with tm's cost model;
/// `jit`: the JIT's lighter variant, without loop unrolling nor interleaving in the vectoriser.
void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm, unsigned optLevel, bool jit = false);

/// An LLJIT for the host CPU at the given codegen optimisation level.
llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>> createHostJit(unsigned optLevel);

/// Writes m as a native object file; returns an error message or empty.
std::string emitObject(llvm::Module &m, llvm::TargetMachine &tm, const std::string &path);

/// m as a native object file in memory (the JIT's code); an error message or empty.
std::string emitObjectBuffer(llvm::Module &m, llvm::TargetMachine &tm,
                             llvm::SmallVectorImpl<char> &out);

} // namespace diffc::codegen::compat
