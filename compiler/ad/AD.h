// Automatic differentiation as IR-to-IR transformations. Each entry point adds one new function to
// the module, built from `f`; the result is ordinary IR (it verifies, simplifies, interprets and
// can be differentiated again).
//
//   reverse mode  (Reverse*.cpp)  forward sweep storing what the reverse sweep needs on tapes,
//                                 then the reverse sweep accumulating adjoints (`d_x`)
//   forward mode  (Forward.cpp)   one sweep carrying a tangent (`t_x`) beside every value
//
// Both modes use one table of derivative rules (Rules.h).
#pragma once

#include "ir/IR.h"
#include "support/SourceFile.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace diffc::ad {

/// A user-level problem with a differentiation request (for example `wrt` naming an i64
/// parameter, or a gradient of a function whose result is not one float scalar). Bugs in AD
/// itself throw diffc::InternalError instead.
class ADError : public std::runtime_error {
public:
  ADError(const std::string &msg, SourceLoc loc = {}) : std::runtime_error(msg), loc(loc) {}
  SourceLoc loc;
};

/// Adds "<f>.grad": the same parameters as f; results (value, d_<p> for each wrt parameter), with
/// resultNames {"", "d_<p>", ...}. `wrt` names parameters; empty means every float parameter.
/// f must have exactly one scalar float result.
ir::Function *buildGradient(ir::Module &m, const ir::Function &f,
                            const std::vector<std::string> &wrt = {});

/// Adds "<f>.vjp": f's parameters followed by one seed per float result (named d_<result>, or
/// d_out<i>); results: f's results followed by d_<p> per wrt parameter.
ir::Function *buildVjp(ir::Module &m, const ir::Function &f,
                       const std::vector<std::string> &wrt = {});

/// Adds "<f>.jvp": f's parameters followed by one tangent per wrt parameter (named t_<p>);
/// results: f's results followed by one tangent per float result (t_<result>).
ir::Function *buildJvp(ir::Module &m, const ir::Function &f,
                       const std::vector<std::string> &wrt = {});

/// Options for the entry points above (the defaults are what they use).
struct ADOptions {
  /// Run passes::simplify on the new function (when the simplifier is available).
  bool simplify = true;
  /// Verify the new function and throw InternalError when it is invalid.
  bool verify = true;
  /// Name of the new function; empty gives the default "<f>.grad" / ".vjp" / ".jvp".
  std::string name;
};

ir::Function *buildGradient(ir::Module &m, const ir::Function &f,
                            const std::vector<std::string> &wrt, const ADOptions &opts);
ir::Function *buildVjp(ir::Module &m, const ir::Function &f, const std::vector<std::string> &wrt,
                       const ADOptions &opts);
ir::Function *buildJvp(ir::Module &m, const ir::Function &f, const std::vector<std::string> &wrt,
                       const ADOptions &opts);

} // namespace diffc::ad
