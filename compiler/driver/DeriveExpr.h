// The work behind `diffc derive -e EXPR --wrt x`, kept apart from the command so that unit tests
// can check the printed derivatives numerically.
//
// EXPR becomes the body of `fn __derive(a: f64, b: f64, ...) -> f64`, its free identifiers (those
// not called as functions) being the parameters. Forward-mode AD with tangent 1 gives the
// derivative as straight-line IR, which sym::fromIR reads back as a formula in canonical form.
#pragma once

#include "driver/Pipeline.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace diffc::driver {

/// The free variables of EXPR in order of first appearance: identifiers not followed by `(`.
/// Lexing errors are left for compileExpression to report.
std::vector<std::string> expressionVariables(const std::string &expr);

/// Compiles EXPR as the function `__derive` of `vars` (all f64 scalars) into s. Problems go to
/// err as `-e:1:COL: error: ...` with EXPR quoted and a caret under the place.
bool compileExpression(const std::string &expr, const std::vector<std::string> &vars, Session &s,
                       std::ostream &err);

/// The simplified derivative of EXPR with respect to each variable of wrt, printed in the
/// expression grammar; nullopt after reporting a problem to err.
std::optional<std::vector<std::string>>
deriveExpression(const std::string &expr, const std::vector<std::string> &wrt, std::ostream &err);

} // namespace diffc::driver
