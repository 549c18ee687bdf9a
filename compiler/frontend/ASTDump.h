// A compact S-expression rendering of the AST, for tests and for looking at what the parser
// built (`(+ a (* b c))`, `{(let x 1) => x}`). Not a pretty-printer back to source.
#pragma once

#include "frontend/AST.h"

#include <string>

namespace diffc::ast {

std::string dump(const Expr &e);
std::string dump(const Block &b);
std::string dump(const Stmt &s);
std::string dump(const TypeExpr &t);
std::string dump(const Function &f);
/// One function per line.
std::string dump(const Module &m);

} // namespace diffc::ast
