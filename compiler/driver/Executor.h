// Runs compiled functions for the commands: the LLVM JIT by default, the reference interpreter
// with --interp. Both take and return interpreter-style tensors and report faults of the program
// as interp::RuntimeError with the source location, so commands do not care which one runs.
#pragma once

#include "codegen/Codegen.h"
#include "driver/Options.h"
#include "driver/Pipeline.h"
#include "interp/Tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace diffc::driver {

/// The JIT's options from the command line: --fast-math, and the compile cache unless --no-cache.
codegen::CodegenOptions jitOptions(const Options &o);

class Executor {
public:
  virtual ~Executor() = default;
  virtual std::vector<interp::Tensor> call(const ir::Function &fn,
                                           std::vector<interp::Tensor> args) = 0;
  virtual const char *name() const = 0;

  /// The executor the options ask for, over the session's module as it is now (add gradients
  /// before creating it). The JIT compiles entry points for the functions named in `entries`
  /// alone (all of them when it is empty): the others cannot be called. Reports problems and
  /// returns null.
  static std::unique_ptr<Executor> create(Session &s, const Options &o,
                                          const std::vector<std::string> &entries = {});
};

} // namespace diffc::driver
