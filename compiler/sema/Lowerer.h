// The checker-lowerer: walks the AST of one module, reports user errors with spans, and builds
// typed IR. One class, split across files by construct:
//   LowerModule.cpp    signatures, functions, @vjp rules, the call graph
//   LowerStmt.cpp      blocks and statements (var → SSA, loops, branches, element updates)
//   LowerExpr.cpp      operators, names, literals, indexing, comprehensions, if-expressions
//   LowerCall.cpp      calls of user functions and built-ins, grad/jvp
//   Coerce.cpp         promotion, broadcasting, size expressions (dims)
#pragma once

#include "frontend/AST.h"
#include "ir/IR.h"
#include "sema/Scope.h"
#include "support/Diagnostics.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace diffc::sema {

/// A lowered expression: one value, or several for a tuple. A null value is poison: an error was
/// already reported and callers propagate it silently.
struct Lowered {
  std::vector<ir::Value *> vals;
  bool tuple = false;
  /// A block or statement without a value.
  bool unit() const { return vals.empty(); }
  bool ok() const {
    for (auto *v : vals)
      if (!v)
        return false;
    return !vals.empty();
  }
  static Lowered one(ir::Value *v) { return {{v}, false}; }
  static Lowered poison() { return {{nullptr}, false}; }
};

/// What lowering needs to know of every function before any body is lowered.
struct Signature {
  const ast::Function *decl = nullptr;
  ir::Function *fn = nullptr;
  bool ok = false; // the signature itself checked out
};

/// The symbolic form of an i64 expression when it is one: a polynomial over size parameters and
/// opaque runtime values (loop indices, …), so that `x[i:i+3]` has the static length 3.
using SymExpr = ir::Dim;

class Lowerer {
public:
  explicit Lowerer(DiagnosticEngine &diags) : diags_(diags) {}
  std::unique_ptr<ir::Module> run(const ast::Module &module);

  // ---- LowerModule.cpp
private:
  void declareSignature(const ast::Function &f);
  void lowerFunction(Signature &sig);
  void checkVjpRule(Signature &sig);
  void checkRecursion();
  std::optional<ir::Type> lowerTypeExpr(const ast::TypeExpr &t, const ast::Function &f,
                                        std::vector<ir::Type> *tupleOut);

  // ---- LowerStmt.cpp
  /// Lowers a block's statements and its result (if any) into the current insertion block.
  Lowered lowerBlock(const ast::Block &b, bool needValue);
  void lowerStmt(const ast::Stmt &s, bool isLast);
  void lowerLet(const ast::Stmt &s);
  void lowerAssign(const ast::Stmt &s);
  void lowerFor(const ast::Stmt &s);
  void lowerWhile(const ast::Stmt &s);
  Lowered lowerIf(const ast::Expr &e, bool needValue);

  // ---- LowerExpr.cpp
  Lowered lower(const ast::Expr &e);
  /// Lowers an expression that must be a single value (not a tuple).
  ir::Value *lowerValue(const ast::Expr &e);
  ir::Value *lowerName(const ast::Expr &e);
  ir::Value *lowerUnary(const ast::Expr &e);
  ir::Value *lowerBinary(const ast::Expr &e);
  ir::Value *lowerShortCircuit(const ast::Expr &e, ir::Value *a);
  /// `1 / 2`, `-(3 - 5) * 2`: an operator tree of integer literals (+ - * / %), folded to an i64
  /// constant that also remembers its value computed in floating point (literalFloat_), which it
  /// takes where a float is expected: every literal in it adopts f64 there, so `x * (1 / 2)` is
  /// x / 2, while `x[4 / 3]` indexes 1. Null for anything else (and on overflow or division by 0).
  ir::Value *foldIntLiterals(const ast::Expr &e);
  /// `a op b` for an arithmetic or comparison token, with promotion and broadcasting.
  ir::Value *arith(Tok op, ir::Value *a, ir::Value *b, Span span);
  ir::Value *lowerIndex(const ast::Expr &e);
  ir::Value *lowerTensorLit(const ast::Expr &e);
  ir::Value *lowerComprehension(const ast::Expr &e);

  /// Index subscripts resolved against a tensor type: modes, operands, slice lengths, result type.
  struct IndexPlan {
    std::vector<int64_t> modes;
    std::vector<ir::Value *> operands;
    std::vector<ir::Dim> lengths;
    ir::Type resultType;
    bool ok = false;
  };
  IndexPlan planIndex(const ir::Type &base, const std::vector<ast::Subscript> &subs, Span span);
  ir::Value *emitIndex(ir::Value *base, const IndexPlan &plan, std::string name = {});

  /// A map over the ranges of a comprehension or generator with the element lowered inside.
  ir::Value *lowerMap(const ast::Expr &element, const std::vector<ast::Iterator> &iters, Span span);
  // diag(A) of a square matrix: the vector [A[i, i] for i in 0..n], built as that comprehension.
  ir::Value *matrixDiagonal(ir::Value *a, Span span);
  /// A reduction over a generator (`sum(e for i in 0..N)`).
  ir::Value *lowerGeneratorReduce(const std::string &fn, const ast::Expr &gen, Span span);

  // ---- LowerCall.cpp
  Lowered lowerCall(const ast::Expr &e);
  Lowered lowerUserCall(const ast::Expr &e, Signature &callee);
  ir::Value *lowerBuiltin(const ast::Expr &e, bool &handled);
  Lowered lowerDerivative(const ast::Expr &e);
  /// Binds callee's size parameters from argument types (in the current function's dims); reports
  /// mismatches naming the parameter. Returns the bindings (callee symbol → caller dim).
  std::optional<std::vector<ir::Dim>> bindSizes(const ir::Function &callee,
                                                const std::vector<ir::Type> &argTypes, Span span,
                                                const std::string &what, bool exactElem);

  // ---- Coerce.cpp
public:
  /// NumPy broadcasting of two symbolic shapes; nullopt if incompatible.
  static std::optional<ir::Shape> broadcastShapes(const ir::Shape &a, const ir::Shape &b);

private:
  /// The element type two operands are computed in: i64 if both are i64, else the float type
  /// (a constant adopts the other side's float type; f32 with f64 gives f64).
  std::optional<ir::ElemType> arithElem(ir::Value *a, ir::Value *b, Span span, const char *what);
  /// Converts v to element type e (i64→f64 promotion, constants re-typed); no shape change.
  ir::Value *convertElem(ir::Value *v, ir::ElemType e);
  /// Converts and broadcasts v to exactly type t, or reports `what` with both types.
  ir::Value *coerce(ir::Value *v, const ir::Type &t, Span span, const std::string &what);
  /// Broadcasts v (non-scalar) to shape s; scalars are left as they are (elementwise ops accept).
  ir::Value *broadcastTo(ir::Value *v, const ir::Shape &s);
  ir::Value *elementwise(ir::OpKind k, std::vector<ir::Value *> xs, ir::ElemType resultElem,
                         Span span, const char *what);
  /// The value of an i64 scalar expression as a size polynomial, when it is one (no runtime atoms
  /// if `sizesOnly`).
  std::optional<SymExpr> symbolic(const ast::Expr &e, bool sizesOnly);
  std::optional<ir::Dim> sizeExpr(const ast::Expr &e, const char *what);
  ir::Value *dimValue(const ir::Dim &d);
  ir::Value *toF64(ir::Value *v);
  /// The common type of two branches of an `if`, when there is one.
  std::optional<ir::Type> unify(const ir::Type &a, const ir::Type &b, bool aConst, bool bConst);
  static void addResult(ir::Function &fn, ir::Op *op, ir::Type t, std::string name);
  static void replaceUses(ir::Block &b, ir::Value *from, ir::Value *to);
  std::string typeStr(const ir::Type &t) const;
  bool requireScalar(ir::Value *v, ir::ElemType e, Span span, const char *what);
  bool isConst(ir::Value *v) const { return v && v->def && v->def->kind == ir::OpKind::Const; }

  // ---- shared state
  void setLoc(Span s) { builder_->setLoc(diags_.file().locOf(s.begin)); }
  Span spanOfSize(const std::string &name) const;

  DiagnosticEngine &diags_;
  std::unique_ptr<ir::Module> module_;
  std::map<std::string, Signature> sigs_;
  std::vector<std::string> order_; // function names in source order

  // Per function being lowered.
  Signature *cur_ = nullptr;
  std::unique_ptr<ir::Builder> builder_;
  Scopes scopes_;
  unsigned mapDepth_ = 0;
  std::map<std::string, std::set<std::string>> calls_; // call graph for the recursion check
  std::map<std::string, Span> firstCallSpan_;
  unsigned derivCounter_ = 0;
  /// Symbols above this id stand for runtime i64 values inside SymExprs (see symbolic()).
  static constexpr uint32_t kAtomBase = 1u << 24;
  std::map<ir::Value *, uint32_t> atomIds_;
  std::map<const ir::Value *, double> literalFloat_; // see foldIntLiterals
  /// `var x = 0;` followed by `x += 0.5` makes x an f64 variable: the integer literal adopts f64
  /// because a float is expected. Lowering is one pass, so the first attempt records such vars
  /// (by the offset of their name) in floatVarHits_ and lowerFunction lowers the function again
  /// with them in floatVars_.
  std::set<uint32_t> floatVars_, floatVarHits_;
  /// Likewise a literal adopts f32 where only f32 values are assigned: `var s = 0.0;` followed by
  /// `s += x[i]` with x an f32 tensor makes s an f32 variable (so an f32 function can return it).
  /// A var also assigned an f64 value (not a constant) stays f64; one that loses f32 that way
  /// never gets it back (f32Demoted_), so each var changes type at most twice and the rounds end.
  std::set<uint32_t> f32Vars_, f32VarHits_, f64VarUses_, f32Demoted_;
  void lowerFunctionOnce(Signature &sig);
};

} // namespace diffc::sema
