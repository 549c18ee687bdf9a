// Static proof that an i64 index is in range for a tensor axis, so that codegen can leave out its
// runtime check. A check is a loop exit: it keeps LLVM from vectorising the loop and from keeping
// a value stored in one iteration and loaded in the next in a register.
#pragma once

#include "ir/IR.h"

namespace diffc::codegen {

/// True when 0 <= idx < extent holds whenever idx is computed: idx is an affine function of size
/// symbols, constants and loop counters (`for` and `map`), and its least and greatest values over
/// the counters' ranges are in bounds for every value of the size symbols.
bool provenInRange(const ir::Value *idx, const ir::Dim &extent);

} // namespace diffc::codegen
