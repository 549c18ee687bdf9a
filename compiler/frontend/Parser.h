// The parser: tokens to the AST of AST.h. Recursive descent for declarations and statements,
// precedence climbing (Pratt) for expressions. The normative grammar is grammar/diff.ebnf.
//
// Errors are reported through the DiagnosticEngine; the parser recovers at statement and function
// boundaries so one run shows several errors. Nesting deeper than kMaxNesting stops parsing with
// one error, so hostile input cannot overflow the stack here or in later recursive passes.
#pragma once

#include "frontend/AST.h"
#include "support/Diagnostics.h"
#include "support/SourceFile.h"

namespace diffc {

/// Nested expressions, blocks and types deeper than this are an error ("nesting too deep").
inline constexpr unsigned kMaxNesting = 256;
/// Operators chained at one level (`a + b + ... `, `x[i][j]...`) also deepen the tree; the sum
/// of chain lengths along any path is limited to this, keeping every AST shallow enough for
/// recursive walks.
inline constexpr unsigned kMaxChain = 1024;
/// Dims of one tensor type (`f64[N, D]` has 2). A rank-r input is r nested JSON arrays, and the
/// readers and printers of values (interp/JsonIO.cpp, the host API) recurse once per axis: a
/// type with 100,000 dims overflowed the stack there.
inline constexpr unsigned kMaxRank = 256;

/// Parses a whole file. On errors the module holds whatever parsed cleanly; check
/// `diags.hasErrors()`.
ast::Module parseModule(const SourceFile &file, DiagnosticEngine &diags);

/// Parses a file holding one expression (for `diffc derive -e EXPR`); null on any error.
ast::ExprPtr parseStandaloneExpr(const SourceFile &file, DiagnosticEngine &diags);

} // namespace diffc
