// Reads the IR's textual form (the syntax is described in Printer.h) back into a Module, so that
// passes can be tested IR in, IR out. Value names are kept as written (`%x.1` is named "x.1");
// numbered values (`%3`) become unnamed. Ops get the location of their first token. The result
// is not verified: run the verifier to check types and scoping.
#pragma once

#include "ir/IR.h"
#include "support/Diagnostics.h"

#include <memory>

namespace diffc::ir {

/// The module in `file`, or null after reporting the first syntax error (with its line and
/// column) to `diags`. Never crashes on malformed text.
std::unique_ptr<Module> parseIR(const SourceFile &file, DiagnosticEngine &diags);

} // namespace diffc::ir
