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
    block.viaReturn = true;
    block.returnSpan = kw.span;
    return true;
  }
  report(kw.span, "'return' is only allowed as the last statement of a block");
  return false;
}

/// A trailing `return e;` gives its block's value. In a block whose value is dropped (a loop
/// body, an `if` statement) it could only mean leaving the function early, which the language
/// does not have; rather than ignore it silently, that is an error.
void Parser::checkDiscardedReturns(const ast::Block &block, bool valueUsed) {
  if (block.viaReturn && !valueUsed)
    report(block.returnSpan,
           "'return' here would leave the function early, which the language does not allow: "
           "`return e;` may only end the function body or a branch of an if/else that gives "
           "a value");
  for (const ast::StmtPtr &s : block.stmts) {
    if (s->kind == ast::StmtKind::Expr && s->value && s->value->kind != ast::ExprKind::If)
      diags_.warning(s->value->span, "this expression's value is unused (functions have no side "
                                     "effects, so it does nothing)");
    if (s->target)
      checkDiscardedReturns(*s->target);
    if (s->iter.lo)
      checkDiscardedReturns(*s->iter.lo);
    if (s->iter.hi)
      checkDiscardedReturns(*s->iter.hi);
    if (s->value && s->kind == ast::StmtKind::Expr && s->value->kind == ast::ExprKind::If) {
      // an `if` statement: its branches' values are dropped
      checkDiscardedReturns(*s->value->args[0]);
      for (const ast::Block *b : {s->value->thenBlock.get(), s->value->elseBlock.get()})
        if (b)
          checkDiscardedReturns(*b, false);
    } else if (s->value) {
      checkDiscardedReturns(*s->value);
    }
    if (s->body)
      checkDiscardedReturns(*s->body, false);
  }
  if (!block.result)
    return;
  if (!valueUsed && !block.viaReturn && block.result->kind != ast::ExprKind::If)
    diags_.warning(block.result->span,
                   "this value is unused: the last expression of a loop body or of an `if` "
                   "statement's branch is dropped (assign it, e.g. `acc += ...;`)");
  if (block.result->kind != ast::ExprKind::If) {
    checkDiscardedReturns(*block.result);
    return;
  }
  checkDiscardedReturns(*block.result->args[0]);
  for (const ast::Block *b : {block.result->thenBlock.get(), block.result->elseBlock.get()})
    if (b)
      checkDiscardedReturns(*b, valueUsed);
}

/// Blocks inside an expression (the branches of an `if` used as a value) give values.
void Parser::checkDiscardedReturns(const ast::Expr &e) {
  for (const ast::ExprPtr &a : e.args)
    if (a)
      checkDiscardedReturns(*a);
  for (const ast::Subscript &s : e.subs) {
    if (s.lo)
      checkDiscardedReturns(*s.lo);
    if (s.hi)
      checkDiscardedReturns(*s.hi);
  }
  for (const ast::Iterator &it : e.iters) {
    if (it.lo)
      checkDiscardedReturns(*it.lo);
    if (it.hi)
      checkDiscardedReturns(*it.hi);
  }
  for (const ast::Block *b : {e.thenBlock.get(), e.elseBlock.get()})
    if (b)
      checkDiscardedReturns(*b, true);
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
