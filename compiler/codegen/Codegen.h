// The LLVM backend: diffc IR -> LLVM IR -> optimised machine code, run in-process through ORC's
// LLJIT (JitEngine / JitModule) or written as an object file (emitObject). No LLVM type appears
// in this header. The calling convention of compiled code is documented in diffc/abi.h.
#pragma once

#include "diffc/abi.h"
#include "interp/Tensor.h"
#include "ir/IR.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace diffc::codegen {

struct CodegenOptions {
  /// LLVM optimisation level, 0-3 (the new pass manager's default pipelines).
  unsigned optLevel = 2;
  /// Lets LLVM reassociate and contract floating-point arithmetic (vectorised reductions, FMA).
  /// Results then differ from the interpreter in the last bits.
  bool fastMath = false;
  /// `--check-nan`: every op that can turn finite operands into NaN or inf (ir/NonFinite.h) is
  /// followed by a check of its result, and entry points check their float arguments; a failure
  /// returns DIFFC_ERR_NONFINITE(_INPUT). Off, nothing is checked and nothing costs.
  bool checkNonFinite = false;
  /// Directory of the compile cache (CompileCache.h); empty: no cache. JitModule only.
  std::string cacheDir;
  /// Cap, in bytes, on the scratch memory (temporaries and tapes) one call of a JitModule's
  /// functions may hold; 0: none. Not a code generation setting: JitModule applies it to the
  /// context of every call (diffc_ctx_set_memory_limit), which fails with DIFFC_ERR_MEMORY_LIMIT.
  int64_t maxMemory = 0;
};

/// The compile cache's directory: empty (no cache) when !enabled or the environment variable
/// DIFFC_CACHE is 0/off/no/false; else `dir` when given, else $DIFFC_CACHE_DIR, else
/// $XDG_CACHE_HOME/diffc, else $HOME/.cache/diffc (empty without a home).
std::string cacheDirFor(bool enabled, const std::string &dir = {});

/// Where JitModule::compile spent its time, in milliseconds (tests/bench/compile).
struct CompileTimings {
  double lower = 0;    // diffc IR -> LLVM IR, verified
  double key = 0;      // the cache key (bitcode + hash); 0 without a cache
  double load = 0;     // reading a cache entry (hit or miss)
  double optimize = 0; // LLVM's pass pipeline (0 on a hit)
  double codegen = 0;  // machine code (0 on a hit)
  double store = 0;    // writing the cache entry (0 on a hit)
  double link = 0;     // adding the object to the JIT and looking up the entry points
  bool cacheHit = false;
};

/// LLVM could not compile or load something (not a problem of the user's program).
struct CodegenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The LLVM IR of module m (every function, with the C entry point of fnName), optimised for the
/// host CPU when `optimized`. Throws CodegenError / InternalError.
std::string emitLLVM(const ir::Module &m, std::string_view fnName, bool optimized,
                     const CodegenOptions &opts = {});

/// A function of m that can be called from C (no tape parameters or results).
bool hasEntryPoint(const ir::Function &fn);

/// Writes an object file for the host with one C entry point `prefix + name` (non-alphanumerics
/// of the name replaced by '_') for each callable function of m. Returns the symbol of each, in
/// the module's order (empty string for functions without an entry). Throws CodegenError.
std::vector<std::string> emitObject(const ir::Module &m, const std::string &path,
                                    const std::string &prefix, const CodegenOptions &opts = {});

/// Like emitObject, with the entry symbol of each function of m given (module order; empty or
/// missing: no entry point, the function stays internal to the object), for the named CPU (LLVM's
/// names: "x86-64", "x86-64-v3", ...; empty: this machine's CPU and features). Throws
/// CodegenError.
void emitObjectNamed(const ir::Module &m, const std::string &path,
                     const std::vector<std::string> &symbols, const CodegenOptions &opts = {},
                     const std::string &cpu = {});

/// A C/C++ header declaring the entry points emitObject returned (`symbols`, one per function of
/// m, empty for none), each with its sizes, parameters and results documented, and a typed
/// `static inline` wrapper `<symbol>_call` per entry point (codegen/Header.cpp).
std::string emitHeader(const ir::Module &m, const std::vector<std::string> &symbols,
                       const std::string &guard = "DIFFC_GENERATED_H");

/// Whether `s` is a C or C++ keyword or a name the header relies on (`int64_t`, `NULL`, `ctx`):
/// such a .diff name cannot be a C identifier as it is.
bool isCKeyword(const std::string &s);

/// The C-callable entry point of a compiled function (diffc/abi.h).
using EntryFn = int32_t (*)(diffc_ctx *ctx, const int64_t *sizes, const void *const *args,
                            void *const *results);

/// One ORC LLJIT for the host CPU. Shared by the modules compiled into it; thread-safe.
class JitEngine {
public:
  /// A new engine, or null with `error` set when LLVM cannot target this machine.
  static std::shared_ptr<JitEngine> create(std::string &error);
  ~JitEngine();
  JitEngine(const JitEngine &) = delete;
  JitEngine &operator=(const JitEngine &) = delete;

  struct Impl;
  Impl &impl() { return *impl_; }

private:
  JitEngine();
  std::unique_ptr<Impl> impl_;
};

/// A call of one compiled function with its arguments already converted to native storage and its
/// result buffers allocated: run() calls the entry point and nothing else, so repeated runs time
/// the compiled code alone (`diffc bench`). One per thread.
class PreparedCall {
public:
  ~PreparedCall();
  PreparedCall(const PreparedCall &) = delete;
  PreparedCall &operator=(const PreparedCall &) = delete;
  /// Calls the function; a fault of the program throws interp::RuntimeError with its location.
  void run();
  /// The results of the last run, flattened.
  std::vector<interp::Tensor> results() const;

  struct Impl;

private:
  PreparedCall();
  std::unique_ptr<Impl> impl_;
  friend class JitModule;
};

/// The calling thread's running total of tape storage taken (diffc_ctx::tape_bytes): what one call
/// adds to it is that call's peak tape memory.
int64_t threadTapeBytes();

/// Machine code for one IR module, loaded into an engine (its own ResourceTracker; unloaded by
/// the destructor). Calling compiled functions is thread-safe given one diffc_ctx per thread.
class JitModule {
public:
  /// Compiles m (which must pass the verifier) with an entry point for each function named in
  /// `entries` (empty: every function that can have one); the others are compiled only as far as
  /// those call them. With opts.cacheDir, machine code comes from / goes to the compile cache.
  /// Throws CodegenError.
  static std::unique_ptr<JitModule> compile(std::shared_ptr<JitEngine> engine,
                                            std::shared_ptr<const ir::Module> m,
                                            const CodegenOptions &opts = {},
                                            const std::vector<std::string> &entries = {});
  ~JitModule();
  JitModule(const JitModule &) = delete;
  JitModule &operator=(const JitModule &) = delete;

  const ir::Module &module() const { return *module_; }
  const CompileTimings &timings() const { return timings_; }
  /// CodegenOptions::maxMemory of the compile.
  int64_t maxMemory() const { return maxMemory_; }
  /// The entry point of function `name`; null when there is none (or it takes tapes).
  EntryFn entry(std::string_view name) const;

  /// Runs function `name` on interpreter-style tensors, like interp::Interpreter::call: checks
  /// element types, values (i64 integral, bool 0/1) and shapes, infers the sizes, and returns the
  /// flattened results. Bad arguments and faults of the program throw interp::RuntimeError (the
  /// latter with the failing op's location). Thread-safe.
  std::vector<interp::Tensor> call(std::string_view name,
                                   const std::vector<interp::Tensor> &args) const;
  /// Checks and converts the arguments as call() does, for running the same call many times.
  std::unique_ptr<PreparedCall> prepare(std::string_view name,
                                        const std::vector<interp::Tensor> &args) const;

private:
  JitModule() = default;
  int64_t maxMemory_ = 0;
  std::shared_ptr<JitEngine> engine_;
  std::shared_ptr<const ir::Module> module_;
  struct Loaded;
  std::unique_ptr<Loaded> loaded_;
  CompileTimings timings_;
};

/// This thread's reusable context for calling compiled code (created on first use, destroyed
/// with the thread); null when out of memory.
diffc_ctx *threadContext();

/// "FILE:LINE:COL: runtime error in 'f': message" style text of an error record (FILE from
/// `sourceName`, left out when empty; the location when the record has one).
std::string describeRuntimeError(const diffc_error &err, const std::string &sourceName);

} // namespace diffc::codegen
