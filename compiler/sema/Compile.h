// The front half of the pipeline: source text → AST → checked, typed IR.
#pragma once

#include "frontend/AST.h"
#include "ir/IR.h"
#include "support/Diagnostics.h"

#include <memory>

namespace diffc {

/// Names, types and symbolic shapes checked and the AST lowered to IR in one walk (the way a
/// type checker that builds typed IR directly avoids a second tree). Returns null when any error
/// was reported; `diags` holds them.
std::unique_ptr<ir::Module> lowerModule(const ast::Module &module, DiagnosticEngine &diags);

/// parseModule + lowerModule.
std::unique_ptr<ir::Module> compileModule(const SourceFile &file, DiagnosticEngine &diags);

} // namespace diffc
