// Internal interface between the public entry points (AD.cpp) and the two transformations.
#pragma once

#include "ir/IR.h"

#include <vector>

namespace diffc::ad {

/// Fills dst (empty, in module m) with the tangent program of src: src's parameters, then one
/// tangent per parameter index in wrt; results: src's results, then one tangent per float
/// result. src is a prepared function (Prepare.h).
void emitJvp(ir::Module &m, const ir::Function &src, ir::Function &dst,
             const std::vector<unsigned> &wrt);

/// Fills dst with the adjoint program of src: src's parameters, then (unless seedOne) one seed
/// per float result; results: src's results, then one adjoint per parameter index in wrt. With
/// seedOne, src's single float result is seeded with 1.
void emitVjp(ir::Module &m, const ir::Function &src, ir::Function &dst,
             const std::vector<unsigned> &wrt, bool seedOne);

/// The name of the derivative function (with respect to every float parameter) AD calls for a
/// call of `f` that was not inlined: "<f>.vjp" / "<f>.jvp", or a numbered variant when a
/// function of that name with another signature exists.
std::string calleeDerivName(const ir::Module &m, const std::string &f, bool reverse);

/// Makes sure every function called from src has the derivative function the given mode calls
/// (reverse: "<g>.vjp" unless g has a @vjp rule; forward: "<g>.jvp"), building missing ones.
void ensureCalleeDerivatives(ir::Module &m, const ir::Function &src, bool reverse);

} // namespace diffc::ad
