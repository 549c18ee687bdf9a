// `--check-nan` in the interpreter: the checks codegen/LowerNonFinite.cpp compiles, on the same ops
// (ir/NonFinite.h), rendered by the same runtime function (diffc_error_message), so both
// executors name the same first op with the same text.
#pragma once

#include "interp/Frame.h"
#include "interp/RuntimeError.h"

namespace diffc::interp::detail {

/// RuntimeError at fn's location when a float argument holds NaN or an infinity.
void checkInputsFinite(const ir::Function &fn, const std::vector<Tensor> &args);

/// RuntimeError at op when its result `out` holds NaN or an infinity; `operands` are op's operand
/// values as they were before it ran.
void checkResultFinite(const Frame &f, const ir::Op &op, const RtValue &out,
                       const Values &operands);

/// The RuntimeError for op producing `value` at flat element `index` (-1: a scalar) from operand
/// values x, y (as many as ir::reportedOperands says).
[[noreturn]] void reportNonFinite(const Frame &f, const ir::Op &op, int64_t index, double value,
                                  double x, double y);

} // namespace diffc::interp::detail
