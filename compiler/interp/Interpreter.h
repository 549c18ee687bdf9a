// The reference interpreter: executes IR directly, one op at a time, following ir/Ops.def. It is
// the oracle every other backend is tested against, so it is written to be slow, obviously right
// and free of undefined behaviour: every index is checked, i64 arithmetic is exact or an error, and
// each op's result is checked against its IR type (a mismatch is an InternalError, i.e. a compiler
// bug, not a user error).
//
// Values passed on at their last use are updated in place (see LastUse.h), so an element update
// inside an n-step loop is O(1). Calls from several threads at once are safe (each call has its own
// state; the module is only read).
//
// Choices where Ops.def leaves room: min / max / reduce_max / reduce_min propagate NaN (argmax
// picks the first NaN); i64 values are exact up to |v| <= 2^53 and an overflow beyond is a
// RuntimeError; f64 -> i64 casts of NaN or out-of-range values are RuntimeErrors; f32 kernels
// compute in float (libm's float functions), accumulating reductions and matmul in order.
#pragma once

#include "interp/RuntimeError.h"
#include "interp/Tensor.h"
#include "ir/IR.h"

#include <string_view>
#include <vector>

namespace diffc::interp {

struct InterpreterOptions {
  /// `--check-nan`: a RuntimeError at the first op whose result holds NaN or an infinity (of the
  /// ops ir/NonFinite.h lists), naming the op, its origin (forward / adjoint of ...), the element
  /// and the operands there; and at a call whose float arguments hold one.
  bool checkNonFinite = false;
  /// `--max-memory`: a cap in bytes on the scratch memory of each call (0: none), counted as
  /// compiled code counts it (interp/Memory.h); a call that needs more throws the RuntimeError
  /// compiled code gives for DIFFC_ERR_MEMORY_LIMIT, "memory limit of L bytes exceeded (allocating
  /// B bytes)", at the op that asked for them.
  int64_t maxMemory = 0;
};

class Interpreter {
public:
  explicit Interpreter(const ir::Module &m, InterpreterOptions opts = {})
      : module_(m), opts_(opts) {}

  /// Runs fn on args. Sizes are inferred with ir::inferSizes; a mismatch (and a wrong element
  /// type or argument count) throws RuntimeError naming the parameter and both shapes. Returns the
  /// flattened results. Faults of the program throw RuntimeError with the failing op's location.
  std::vector<Tensor> call(const ir::Function &fn, std::vector<Tensor> args) const;
  /// As above, for the module's function named fnName (RuntimeError when there is none).
  std::vector<Tensor> call(std::string_view fnName, std::vector<Tensor> args) const;

  /// Deepest nesting of calls before a RuntimeError. Calls recurse on the C++ stack; besides this
  /// limit, a call is refused (RuntimeError) when less than 256 KiB of the calling thread's stack
  /// is left, so deep recursion on a small-stack thread is an error, never a crash.
  static constexpr unsigned kMaxCallDepth = 1000;

private:
  const ir::Module &module_;
  InterpreterOptions opts_;
};

} // namespace diffc::interp
