// The simplifier: runs before and after AD so that the IR (and the adjoint a user reads with
// `diffc ir --grad`) has nothing a person would delete. Every rewrite preserves the value of every
// function result bit for bit, with one documented exception: `x + 0 -> x` holds only up to the
// sign of zero (IEEE gives -0 + 0 = +0; see Identities.cpp). Runtime errors of code removed as
// dead (an out-of-range index whose result is unused) disappear with it.
//
// simplify() iterates to a fixed point:
//   canonicalize        constant folding, algebraic identities, scalar operands for elementwise
//                       ops, `if` on a constant condition, common subexpression elimination
//   eliminateDeadCode   unused ops, loop-carried values and `if` results nobody needs, tape pushes
//                       whose tape is never popped
//   hoistLoopInvariants (on by default) ops of for/while/map bodies that do not depend on the
//                       iteration and cannot fail move in front of the loop; so do integer
//                       counting loop nests of a for body, guarded by the loop running (lo < hi)
//   hoistMapInvariants  (with hoistLoopInvariants) values a map inside a for loop computes from
//                       its indices and loop-invariant values only, with real work (exp of a
//                       row), move in front of the loop as a map of their own (guarded lo < hi)
//   fuseMapReductions   (off by default) sum(map ...) -> a loop accumulating the sum, with no
//                       temporary tensor. It is a backend optimisation: before AD it would turn
//                       a map, which reverses cheaply, into a sequential loop.
// Source names survive: a named value replaced by an unnamed one gives it its name.
#pragma once

#include "ir/IR.h"

namespace diffc::passes {

struct SimplifyOptions {
  bool hoistLoopInvariants = true;
  bool fuseMapReductions = false;
};

/// Simplifies fn to a fixed point. Its signature (parameters, results) is unchanged.
void simplify(ir::Module &m, ir::Function &fn, const SimplifyOptions &opts = {});
/// simplify() on every function of m.
void simplifyModule(ir::Module &m, const SimplifyOptions &opts = {});

/// One sweep of folding, identities and CSE over fn; true when it changed anything. Replaced
/// ops stay in place, unused, for eliminateDeadCode to remove.
bool canonicalize(ir::Function &fn);

/// Removes what no result depends on; true when it removed anything. See the list above.
bool eliminateDeadCode(ir::Function &fn);

/// Rewrites `sum` of a `map` with scalar elements, used nowhere else, into `for` loops (one per
/// extent) accumulating the elements in row-major order: the order `sum` adds in, so the result
/// is bit-identical. True when it rewrote anything.
bool fuseMapReductions(ir::Function &fn);

/// Moves ops of for/while/map bodies that read nothing defined inside the loop, have no regions
/// and cannot fail at run time (no indexing but in-range reads, no integer arithmetic or calls) in
/// front of the loop. True when it moved anything.
bool hoistLoopInvariants(ir::Function &fn);

/// Moves values a map in a for loop's body computes from the map's indices and values defined
/// outside the loop (and that cost more than a read) in front of the loop, as a map of their own
/// run only when the loop runs; the body reads their elements. True when it moved anything.
bool hoistMapInvariants(ir::Function &fn);

} // namespace diffc::passes
