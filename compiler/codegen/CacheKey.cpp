// The key of a compile-cache entry: everything that decides the machine code, hashed.
#include "codegen/CompileCache.h"

#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/BLAKE3.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <fmt/format.h>

#ifndef DIFFC_VERSION
#define DIFFC_VERSION "unknown"
#endif

namespace diffc::codegen {

namespace {
/// Bump when the entry layout or anything else the key does not see changes how objects are made
/// (the lowering itself shows in the module's bitcode). 3: the JIT pipeline stopped interleaving
/// and no pipeline runs the SLP vectoriser. 4: entries inline their function before the pipeline.
constexpr int kCacheFormat = 4;

/// Feeds s with its length first, so that adjacent fields can never run into each other.
void field(llvm::BLAKE3 &h, llvm::StringRef s) {
  uint64_t n = s.size();
  h.update(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(&n), sizeof n));
  h.update(s);
}
} // namespace

std::string cacheKey(const llvm::Module &m, const llvm::TargetMachine &tm,
                     const CodegenOptions &opts) {
  llvm::BLAKE3 h;
  field(h, fmt::format("diffc {} cache {}", DIFFC_VERSION, kCacheFormat));
  field(h, LLVM_VERSION_STRING);
  field(h, tm.getTargetTriple().str());
  field(h, tm.getTargetCPU());
  field(h, tm.getTargetFeatureString());
  field(h,
        fmt::format("O{} fast-math={} check-nan={} reloc={} code-model={}", opts.optLevel,
                    opts.fastMath, opts.checkNonFinite, static_cast<int>(tm.getRelocationModel()),
                    static_cast<int>(tm.getCodeModel())));
  // Bitcode rather than text: several times faster to produce, and just as exact.
  llvm::SmallVector<char, 0> bitcode;
  llvm::raw_svector_ostream os(bitcode);
  llvm::WriteBitcodeToFile(m, os);
  field(h, llvm::StringRef(bitcode.data(), bitcode.size()));
  std::string hex;
  for (uint8_t b : h.final())
    hex += fmt::format("{:02x}", b);
  return hex;
}

} // namespace diffc::codegen
