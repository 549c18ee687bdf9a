// The parser's internals, shared by Parser.cpp (cursor, errors, declarations, types),
// ParseStmt.cpp (blocks and statements) and ParseExpr.cpp (expressions). Not a public header.
#pragma once

#include "frontend/AST.h"
#include "frontend/Parser.h"
#include "support/Diagnostics.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffc::detail {

/// Thrown after an error has been reported, to abandon the construct being parsed; caught where
/// the parser resynchronizes (statement and function boundaries).
struct ParseAbort {};

class Parser {
public:
  Parser(const SourceFile &file, DiagnosticEngine &diags);

  ast::Module parseModule();
  ast::ExprPtr parseStandaloneExpr();

private:
  // ---- Token cursor and diagnostics (Parser.cpp) ----------------------------------------------
  const Token &tok() const { return toks_[pos_]; }
  const Token &peekTok(size_t ahead) const;
  bool at(Tok k) const { return tok().kind == k; }
  bool accept(Tok k);
  Token take();
  /// Where an "expected X" error points: the current token, or just past the previous token when
  /// the current one is on a later line or is the end of input (as clang does: the caret sits
  /// where the missing token belongs).
  Span expectLoc() const;
  /// Where an error about the current token points: the token, or just past the previous token
  /// at the end of input.
  Span hereLoc() const;
  /// Whether the current token is the first on its line.
  bool startsLine() const;
  /// Whether an error at `at` sits right after malformed input the lexer reported (between the
  /// previous token and the current one); it is then a consequence and is not reported.
  bool afterLexError(Span at) const;
  /// The empty span just past the previous token ("expected ';'" goes there, as in clang).
  Span prevEnd() const;
  /// From `begin` to the end of the previous token.
  Span spanFrom(uint32_t begin) const;
  /// Reports an error unless one was already reported at the same place (cascades after a
  /// missing closer all land on one spot); returns whether it was reported.
  bool report(Span at, std::string message);
  [[noreturn]] void fail(Span at, std::string message);
  /// Consumes `k` or fails with "expected 'k' <context>".
  Token expect(Tok k, std::string_view context);
  /// Consumes `;` or fails with "expected ';' <context>" pointing just past the previous token.
  Token expectSemi(std::string_view context);
  /// Consumes the closer of a bracket pair or fails with "expected 'closer' <context>" and a note
  /// at the opener.
  Token expectClose(Tok closer, std::string_view context, const Token &opener);
  ast::Ident parseIdent(std::string_view expected);
  static std::string describe(const Token &t);

  // ---- Depth limits (Parser.cpp) --------------------------------------------------------------
  /// One level of nesting (expression, block or type) for as long as it lives.
  class Nest {
  public:
    explicit Nest(Parser &p);
    ~Nest() { --p_.depth_; }
    Nest(const Nest &) = delete;
    Nest &operator=(const Nest &) = delete;

  private:
    Parser &p_;
  };
  /// Counts operators chained at one level (`a + b + c`, `x[i].T`) for as long as it lives.
  class Chain {
  public:
    explicit Chain(Parser &p) : p_(p) {}
    ~Chain() { p_.chain_ -= n_; }
    void step();
    Chain(const Chain &) = delete;
    Chain &operator=(const Chain &) = delete;

  private:
    Parser &p_;
    unsigned n_ = 0;
  };

  // ---- Declarations and types (Parser.cpp) ----------------------------------------------------
  void parseTopLevelItem(ast::Module &m);
  ast::Function parseFunction(std::vector<ast::Attribute> attrs, uint32_t begin);
  std::vector<ast::Attribute> parseAttributes();
  void checkAttributes(const std::vector<ast::Attribute> &attrs, bool onFunction);
  ast::TypeExpr parseType();
  bool atFunctionStart() const;
  void syncToFunction();

  // ---- Blocks and statements (ParseStmt.cpp) --------------------------------------------------
  ast::BlockPtr parseBlock();
  /// Parses one statement into `block`; returns true when it was the block's result.
  bool parseBlockItem(ast::Block &block);
  ast::StmtPtr parseLet();
  ast::StmtPtr parseVar();
  ast::StmtPtr parseFor(std::vector<ast::Attribute> attrs, uint32_t begin);
  ast::StmtPtr parseWhile();
  bool parseReturn(ast::Block &block);
  void checkDiscardedReturns(const ast::Block &block, bool valueUsed);
  void checkDiscardedReturns(const ast::Expr &e);
  bool parseExprOrAssign(ast::Block &block);
  void syncStatement();

  // ---- Expressions (ParseExpr.cpp) ------------------------------------------------------------
  ast::ExprPtr parseExpr(bool rangeStart = false);
  ast::ExprPtr parseBinary(int minPrec);
  ast::ExprPtr parseUnary();
  ast::ExprPtr parsePower();
  ast::ExprPtr parsePostfix();
  ast::ExprPtr parsePrimary();
  ast::ExprPtr parseParen();
  ast::ExprPtr parseBracket();
  ast::ExprPtr parseCall(ast::ExprPtr callee);
  ast::ExprPtr parseIndex(ast::ExprPtr base);
  ast::ExprPtr parseMember(ast::ExprPtr base);
  ast::ExprPtr parseIf();
  ast::Subscript parseSubscript();
  ast::Iterator parseIterator();
  void parseIterators(std::vector<ast::Iterator> &out);
  void checkConditionEnd(std::string_view what);

  const std::string &text_;
  DiagnosticEngine &diags_;
  std::vector<Token> toks_;
  /// What the lexer reported as malformed (Lexer::badSpans).
  std::vector<Span> lexErrors_;
  size_t pos_ = 0;
  unsigned depth_ = 0;
  unsigned chain_ = 0;
  std::optional<uint32_t> lastErrorAt_;
};

/// A new expression node of `kind` spanning `span`.
ast::ExprPtr makeExpr(ast::ExprKind kind, Span span);

} // namespace diffc::detail
