// Which ops can turn finite operands into NaN or an infinity: the one list both executors use for
// `--check-nan` (interp/NonFiniteCheck.cpp, codegen/LowerNonFinite.cpp), so that they check the
// same ops and report the same first one.
#pragma once

#include "ir/IR.h"

#include <string>

namespace diffc::ir {

/// True when op has a float result that may be NaN or +-inf although every operand is finite:
/// domain errors (log, sqrt, asin, pow, div, mod, lgamma), overflow (exp, mul, add, sum, matmul,
/// a cast to f32, ...). Ops that only move, select or compare values are not on the list, nor
/// constants (a `max` reduction starts at -inf on purpose).
bool mayProduceNonFinite(const Op &op);

/// update_add into a tensor is checked while it adds, element by element of the updated part
/// (its other elements are its operand's, checked already), not by a scan of the whole result:
/// that scan after every `x[i] += ...` of a loop would make the loop quadratic.
inline bool checkedWhileUpdating(const Op &op) {
  return op.kind == OpKind::UpdateAdd && !op.operands.empty() && !op.operand(0)->type.isScalar();
}

/// How many operand values a report about op shows (the operands at the failing element): the
/// operands of an elementwise op or cast (1 or 2), update_add's x and v (2), else 0 (reductions,
/// matmul, ...).
unsigned reportedOperands(const Op &op);

/// "forward", "adjoint of sqrt", "tangent of exp", or "adjoint" for derived code without a
/// primal op (zero gradients).
std::string originText(const Origin &o);

} // namespace diffc::ir
