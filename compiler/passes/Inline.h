// The inliner: replaces `call` ops by a copy of the callee's body. Reverse-mode AD inlines before
// differentiating, so that it only ever sees one function.
//
// A call `%r = call @f[D1, D2](%a, %b)` becomes f's body with f's size symbols replaced by D1, D2
// (in every type and every `dims` attribute), f's parameters replaced by %a, %b, and every use of
// %r replaced by what f's `return` returns. Calls inside regions are inlined too, and so are the
// calls that inlining brings in. Callees with a custom derivative (Function::vjpRule non-empty)
// are kept as calls: AD must see them to use their rule. The copied values keep their source
// names; a value that ends up standing for a named call result takes that name.
#pragma once

#include "ir/IR.h"

#include <stdexcept>

namespace diffc::passes {

/// Inlines the calls in fn. With `all`, repeatedly (calls exposed by inlining are inlined too,
/// so that afterwards only calls of `@vjp` functions remain); without, only the calls written in
/// fn itself. Calls nesting deeper than kMaxInlineDepth or more than kMaxInlinedOps copied ops
/// throw InlineLimitError (a program can ask for that: a long chain of calls, or functions each
/// calling the next twice). A call of an unknown function, recursion (which sema rejects) or a
/// call whose dims do not match the callee's size parameters throws InternalError.
void inlineCalls(ir::Module &m, ir::Function &fn, bool all = true);

/// A limit of the inliner was reached; what() says which, for a diagnostic.
struct InlineLimitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// How deep calls exposed by inlining may nest before inlineCalls gives up.
inline constexpr unsigned kMaxInlineDepth = 256;
/// How many ops inlining may copy into one function (a chain of functions each calling the next
/// twice grows exponentially) before inlineCalls gives up with an InternalError.
inline constexpr size_t kMaxInlinedOps = size_t(1) << 22;

} // namespace diffc::passes
