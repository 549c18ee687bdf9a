// Blocks and statements.
#include "frontend/ParserImpl.h"

#include <fmt/format.h>

namespace diffc::detail {

namespace {

bool isAssignOp(Tok k) {
  return k == Tok::Assign || k == Tok::PlusAssign || k == Tok::MinusAssign ||
         k == Tok::StarAssign || k == Tok::SlashAssign;
}

/// An assignment target: a name, or an index expression whose base is itself a target.
bool isAssignable(const ast::Expr &e) {
  if (e.kind == ast::ExprKind::Name)
    return true;
  return e.kind == ast::ExprKind::Index && isAssignable(*e.args[0]);
}

ast::StmtPtr makeStmt(ast::StmtKind kind) {
  auto s = std::make_unique<ast::Stmt>();
  s->kind = kind;
  return s;
}

} // namespace

/// block ::= '{' stmt* (expr | 'return' expr ';'?)? '}'
ast::BlockPtr Parser::parseBlock() {
  Nest nest(*this);
  Token lb = expect(Tok::LBrace, "to begin a block");
  auto block = std::make_unique<ast::Block>();
  bool hasResult = false;
  // `fn` cannot start a statement: the block is missing its `}` and a new function begins.
  while (!hasResult && !at(Tok::RBrace) && !at(Tok::Eof) && !at(Tok::KwFn)) {
    size_t start = pos_;
    try {
      hasResult = parseBlockItem(*block);
    } catch (ParseAbort &) {
      syncStatement();
    }
    if (pos_ == start && !at(Tok::RBrace) && !at(Tok::Eof) && !at(Tok::KwFn))
      take(); // never loop without progress
  }
  if (!at(Tok::RBrace)) {
    if (report(expectLoc(), "expected '}' at end of block"))
      diags_.note(lb.span, "to match this '{'");
    throw ParseAbort{};
  }
  take();
  block->span = spanFrom(lb.span.begin);
  return block;
}

/// stmt ::= ';' | let | var | for | while | if-stmt | assign | expr ';'
bool Parser::parseBlockItem(ast::Block &block) {
  uint32_t begin = tok().span.begin;
  switch (tok().kind) {
  case Tok::Semi:
    take(); // an empty statement
    return false;
  case Tok::KwLet:
    block.stmts.push_back(parseLet());
    return false;
  case Tok::KwVar:
    block.stmts.push_back(parseVar());
    return false;
  case Tok::KwFor:
    block.stmts.push_back(parseFor({}, begin));
    return false;
  case Tok::KwWhile:
    block.stmts.push_back(parseWhile());
    return false;
  case Tok::At: {
    std::vector<ast::Attribute> attrs = parseAttributes();
    checkAttributes(attrs, /*onFunction=*/false);
    if (!at(Tok::KwFor))
      fail(hereLoc(), "expected a 'for' loop after attribute");
    block.stmts.push_back(parseFor(std::move(attrs), begin));
    return false;
  }
  case Tok::KwReturn:
    return parseReturn(block);
  case Tok::KwIf: {
    // An `if` statement needs no `;`; written last, without one, it is the block's value.
    ast::ExprPtr e = parseIf();
    if (at(Tok::RBrace)) {
      block.result = std::move(e);
      return true;
    }
    auto s = makeStmt(ast::StmtKind::Expr);
    s->value = std::move(e);
    accept(Tok::Semi);
    s->span = spanFrom(begin);
    block.stmts.push_back(std::move(s));
    return false;
  }
  default:
    return parseExprOrAssign(block);
  }
}

/// let ::= 'let' (IDENT | '(' IDENT (',' IDENT)+ ')') '=' expr ';'
ast::StmtPtr Parser::parseLet() {
  Token kw = take();
  auto s = makeStmt(ast::StmtKind::Let);
  if (at(Tok::LParen)) {
    Token lp = take();
    s->kind = ast::StmtKind::LetTuple;
    do
      s->names.push_back(parseIdent("expected a name in the tuple pattern"));
    while (accept(Tok::Comma));
    expectClose(Tok::RParen, "after tuple pattern", lp);
    if (s->names.size() < 2)
      report(spanFrom(lp.span.begin), "a tuple pattern needs at least two names");
  } else {
    s->names.push_back(parseIdent("expected a name after 'let'"));
  }
  expect(Tok::Assign, "in 'let' binding");
  s->value = parseExpr();
  expectSemi("after 'let' binding");
  s->span = spanFrom(kw.span.begin);
  return s;
}

/// var ::= 'var' IDENT '=' expr ';'
ast::StmtPtr Parser::parseVar() {
  Token kw = take();
  auto s = makeStmt(ast::StmtKind::Var);
  s->names.push_back(parseIdent("expected a name after 'var'"));
  expect(Tok::Assign, "in 'var' declaration");
  s->value = parseExpr();
  expectSemi("after 'var' declaration");
  s->span = spanFrom(kw.span.begin);
  return s;
}

/// for ::= attribute* 'for' iterator block
ast::StmtPtr Parser::parseFor(std::vector<ast::Attribute> attrs, uint32_t begin) {
  take(); // 'for'
  auto s = makeStmt(ast::StmtKind::For);
  s->attrs = std::move(attrs);
  s->iter = parseIterator();
  if (!at(Tok::LBrace))
    fail(expectLoc(), "expected '{' after 'for' range");
  s->body = parseBlock();
  s->span = spanFrom(begin);
  return s;
}

/// while ::= 'while' expr block
ast::StmtPtr Parser::parseWhile() {
  Token kw = take();
  auto s = makeStmt(ast::StmtKind::While);
  s->value = parseExpr();
  checkConditionEnd("'while' condition");
  s->body = parseBlock();
  s->span = spanFrom(kw.span.begin);
  return s;
}

/// 'return' expr ';'?  — only as the last statement of a block, where it gives the block's value.
bool Parser::parseReturn(ast::Block &block) {
  Token kw = take();
  ast::ExprPtr e = parseExpr();
  if (!at(Tok::RBrace))
    expectSemi("after 'return' value");
  if (at(Tok::RBrace)) {
    block.result = std::move(e);
    return true;
  }
  report(kw.span, "'return' is only allowed as the last statement of a block");
  return false;
}

/// assign ::= expr ('=' | '+=' | '-=' | '*=' | '/=') expr ';'    (the ';' is optional before '}')
/// An expression without `;` right before `}` is the block's value.
bool Parser::parseExprOrAssign(ast::Block &block) {
  uint32_t begin = tok().span.begin;
  ast::ExprPtr e = parseExpr();
  if (isAssignOp(tok().kind)) {
    auto s = makeStmt(ast::StmtKind::Assign);
    if (!isAssignable(*e))
      report(e->span, "invalid assignment target; expected a variable or an indexed variable");
    s->op = take().kind;
    s->target = std::move(e);
    s->value = parseExpr();
    if (!at(Tok::RBrace)) // `for i in 0..N { s += x[i] }` reads naturally
      expectSemi("after assignment");
    s->span = spanFrom(begin);
    block.stmts.push_back(std::move(s));
    return false;
  }
  // Before `}` this is the block's value; at the end of input or a new function it is too, and
  // parseBlock reports the missing `}`.
  if (at(Tok::RBrace) || at(Tok::Eof) || at(Tok::KwFn)) {
    block.result = std::move(e);
    return true;
  }
  expectSemi("after expression");
  auto s = makeStmt(ast::StmtKind::Expr);
  s->value = std::move(e);
  s->span = spanFrom(begin);
  block.stmts.push_back(std::move(s));
  return false;
}

/// Skips the rest of a broken statement: through the next `;`, or up to a `}` closing the block,
/// a keyword that starts a statement, or a new function. Braces nest; parentheses and
/// brackets are not counted, since an unbalanced one is a common reason to be here.
void Parser::syncStatement() {
  unsigned braces = 0;
  for (;;) {
    switch (tok().kind) {
    case Tok::Eof:
    case Tok::KwFn:
      return;
    case Tok::KwLet:
    case Tok::KwVar:
    case Tok::KwWhile:
    case Tok::KwReturn:
      if (braces == 0)
        return;
      break;
    case Tok::KwFor: // also inside comprehensions and generators, but not first on a line
      if (braces == 0 && startsLine())
        return;
      break;
    case Tok::Semi:
      if (braces == 0) {
        take();
        return;
      }
      break;
    case Tok::LBrace:
      ++braces;
      break;
    case Tok::RBrace:
      if (braces == 0)
        return;
      --braces;
      break;
    default:
      break;
    }
    take();
  }
}

} // namespace diffc::detail
