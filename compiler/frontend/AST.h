// The abstract syntax tree produced by the parser. Every node carries the span of source it came
// from, so that later stages can point at it. Nodes are plain structs owned through unique_ptr;
// one struct per family (Expr, Stmt) with a kind tag keeps the tree easy to walk.
#pragma once

#include "frontend/Token.h"
#include "support/SourceFile.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace diffc::ast {

struct Expr;
struct Stmt;
struct Block;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using BlockPtr = std::unique_ptr<Block>;

/// A name with the span where it is written (binders: parameters, loop variables, let names).
struct Ident {
  std::string name;
  Span span;
};

/// A written type: `f64`, `i64[N]`, `f64[N - 1, 3]`, `(f64, f64[D])`.
struct TypeExpr {
  enum class Kind { Scalar, Tensor, Tuple } kind = Kind::Scalar;
  std::string scalar;             // "f64", "f32", "i64", "bool" (Scalar and Tensor)
  std::vector<ExprPtr> dims;      // Tensor: dimension expressions
  std::vector<TypeExpr> elements; // Tuple
  Span span;
};

/// `for i in lo..hi` inside a comprehension or generator, and the header of a `for` statement.
struct Iterator {
  Ident var;
  ExprPtr lo, hi;
};

/// One subscript of an index expression: `i`, `a:b`, `:b`, `a:`, `:`.
struct Subscript {
  bool isSlice = false;
  ExprPtr lo; // the index (not a slice) or the slice start; null for `:b` and `:`
  ExprPtr hi; // the slice end; null for `a:` and `:`
  Span span;
};

enum class ExprKind {
  IntLit,        // ival
  FloatLit,      // fval
  BoolLit,       // bval
  Name,          // name
  Unary,         // op (Minus, Bang), args[0]
  Binary,        // op, args[0], args[1]; op is one of + - * / % ^ @ == != < <= > >= && ||
  Call,          // name (callee), args; a generator argument is an Expr of kind Generator
  Index,         // args[0] is the indexed value, subs
  Transpose,     // args[0].T
  TensorLit,     // args: elements, `[a, b, c]`
  Tuple,         // args: elements, `(a, b)`
  Comprehension, // args[0] is the element, iters: `[e for i in 0..N, j in 0..M]`
  Generator,     // args[0] is the element, iters: only as a call argument `sum(e for i in 0..N)`
  If,            // args[0] condition, thenBlock, elseBlock (elseBlock may hold a single If)
};

struct Expr {
  ExprKind kind;
  Span span;
  int64_t ival = 0;
  double fval = 0;
  bool bval = false;
  std::string name;
  Tok op = Tok::Eof;
  std::vector<ExprPtr> args;
  std::vector<Subscript> subs;
  std::vector<Iterator> iters;
  BlockPtr thenBlock, elseBlock;
  /// Span of the operator token (binary/unary) or of the callee name (call), for diagnostics.
  Span opSpan;
};

/// `@name` or `@name(a, b)` before a function or a `for` statement.
struct Attribute {
  Ident name;
  std::vector<Ident> args;
  Span span;
};

enum class StmtKind {
  Let,      // names[0], value;           `let x = e;`
  LetTuple, // names, value;              `let (a, b) = e;`
  Var,      // names[0], value;           `var x = e;`
  Assign,   // target (Name or Index), op (Assign, PlusAssign, ...), value
  For,      // iter, body, attrs          `for t in lo..hi { ... }`
  While,    // value (condition), body
  Expr,     // value: an expression statement (an `if` statement is an If expression here)
};

struct Stmt {
  StmtKind kind;
  Span span;
  std::vector<Ident> names;
  ExprPtr target;
  Tok op = Tok::Assign;
  ExprPtr value;
  Iterator iter;
  BlockPtr body;
  std::vector<Attribute> attrs;
};

/// `{ stmt* result? }`: the result is the last expression, written without a semicolon (or as a
/// trailing `return e;`). A block without a result has no value.
struct Block {
  std::vector<StmtPtr> stmts;
  ExprPtr result;
  Span span;
  bool viaReturn = false; // the result was written `return e;` (returnSpan: the keyword)
  Span returnSpan;
};

struct Param {
  Ident name;
  TypeExpr type;
};

struct Function {
  Ident name;
  std::vector<Ident> sizeParams;
  std::vector<Param> params;
  TypeExpr result;
  /// Block body, or an expression body (`= e;`) stored as a block with only a result.
  BlockPtr body;
  std::vector<Attribute> attrs;
  Span span;
};

struct Module {
  std::vector<Function> functions;
};

} // namespace diffc::ast
