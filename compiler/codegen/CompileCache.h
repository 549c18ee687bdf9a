// The on-disk cache of compiled machine code: one object file per (module, target, options),
// named by a strong hash of all of them, so that running the same program again loads the object
// instead of running LLVM's optimiser and code generator. Internal to codegen (LLVM types).
//
// Layout: <dir>/jit/<key>.o, each entry a small header (magic, format, payload size, BLAKE3 of
// the payload) and the object. Entries are written to a unique temporary file and renamed into
// place, so concurrent processes never see a partial entry; an entry that fails its checks is a
// miss (and is overwritten by the next store), never an error.
#pragma once

#include "codegen/Codegen.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/MemoryBuffer.h>

#include <memory>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace diffc::codegen {

/// Hex key of an entry: BLAKE3 of diffc's version and cache format, LLVM's version, the target
/// (triple, CPU, features), the options that change code (opt level, fast-math) and the bitcode
/// of the unoptimised module m (CacheKey.cpp).
std::string cacheKey(const llvm::Module &m, const llvm::TargetMachine &tm,
                     const CodegenOptions &opts);

class CompileCache {
public:
  /// A cache rooted at dir (created on first store).
  explicit CompileCache(std::string dir) : dir_(std::move(dir)) {}

  /// The object stored under key, or null when there is none or it is damaged.
  std::unique_ptr<llvm::MemoryBuffer> load(const std::string &key) const;
  /// Stores obj under key; false (and nothing visible) when the directory is not writable.
  bool store(const std::string &key, llvm::StringRef obj) const;
  /// The file of key's entry.
  std::string pathFor(const std::string &key) const;

private:
  std::string dir_;
};

} // namespace diffc::codegen
