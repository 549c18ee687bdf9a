// Expressions: precedence climbing for binary operators, recursive descent for the rest.
//
//   expr    ::= or                       ('..' appears only inside iterators)
//   binary  ::= unary (BINOP unary)*     (levels below, loosest first; all left-associative)
//               || · && · == != < <= > >= (not chained) · + - · * / % @
//   unary   ::= ('-' | '!') unary | power
//   power   ::= postfix ('^' unary)?     (right-associative; `-x^2` is `-(x^2)`, `2^-1` works)
//   postfix ::= primary ('[' subscripts ']' | '.' 'T')*       (calls are primaries: `f(...)`)
#include "frontend/Lexer.h"
#include "frontend/ParserImpl.h"

#include <fmt/format.h>

namespace diffc::detail {

namespace {

constexpr int kComparePrec = 3;

/// Binding power of a binary operator token; 0 when the token is not one.
int binaryPrec(Tok k) {
  switch (k) {
  case Tok::OrOr:
    return 1;
  case Tok::AndAnd:
    return 2;
  case Tok::EqEq:
  case Tok::NotEq:
  case Tok::Less:
  case Tok::LessEq:
  case Tok::Greater:
  case Tok::GreaterEq:
    return kComparePrec;
  case Tok::Plus:
  case Tok::Minus:
    return 4;
  case Tok::Star:
  case Tok::Slash:
  case Tok::Percent:
  case Tok::At:
    return 5;
  default:
    return 0;
  }
}

ast::ExprPtr makeBinary(const Token &op, ast::ExprPtr lhs, ast::ExprPtr rhs) {
  auto e = makeExpr(ast::ExprKind::Binary, Span::join(lhs->span, rhs->span));
  e->op = op.kind;
  e->opSpan = op.span;
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return e;
}

} // namespace

/// expr ::= binary.  With `rangeStart`, the expression is the start of `lo..hi` and stops at `..`;
/// anywhere else a `..` is an error.
ast::ExprPtr Parser::parseExpr(bool rangeStart) {
  ast::ExprPtr e = parseBinary(1);
  if (at(Tok::DotDot) && !rangeStart)
    fail(tok().span, "'..' ranges are only allowed in 'for' loops, comprehensions and generators");
  return e;
}

/// binary ::= unary (BINOP unary)*, by precedence climbing.
ast::ExprPtr Parser::parseBinary(int minPrec) {
  ast::ExprPtr lhs = parseUnary();
  Chain chain(*this);
  bool lastWasCompare = false;
  for (;;) {
    int prec = binaryPrec(tok().kind);
    if (prec == 0 || prec < minPrec)
      return lhs;
    Token op = take();
    if (prec == kComparePrec && lastWasCompare)
      report(op.span, "comparison operators cannot be chained; combine comparisons with '&&'");
    ast::ExprPtr rhs = parseBinary(prec + 1);
    lhs = makeBinary(op, std::move(lhs), std::move(rhs));
    lastWasCompare = prec == kComparePrec;
    chain.step();
  }
}

/// unary ::= ('-' | '!') unary | power
ast::ExprPtr Parser::parseUnary() {
  Nest nest(*this);
  if (!at(Tok::Minus) && !at(Tok::Bang))
    return parsePower();
  Token op = take();
  ast::ExprPtr operand = parseUnary();
  auto e = makeExpr(ast::ExprKind::Unary, Span::join(op.span, operand->span));
  e->op = op.kind;
  e->opSpan = op.span;
  e->args.push_back(std::move(operand));
  return e;
}

/// power ::= postfix ('^' unary)?
ast::ExprPtr Parser::parsePower() {
  ast::ExprPtr base = parsePostfix();
  if (!at(Tok::Caret))
    return base;
  Token op = take();
  ast::ExprPtr exponent = parseUnary();
  return makeBinary(op, std::move(base), std::move(exponent));
}

/// postfix ::= primary ('[' subscripts ']' | '.' 'T')*
ast::ExprPtr Parser::parsePostfix() {
  ast::ExprPtr e = parsePrimary();
  Chain chain(*this);
  for (;;) {
    if (at(Tok::LParen))
      fail(tok().span, "only a function name can be called");
    if (at(Tok::LBracket))
      e = parseIndex(std::move(e));
    else if (at(Tok::Dot))
      e = parseMember(std::move(e));
    else
      return e;
    chain.step();
  }
}

/// primary ::= INT | FLOAT | 'true' | 'false' | IDENT | call | paren | bracket | if
ast::ExprPtr Parser::parsePrimary() {
  const Token &t = tok();
  switch (t.kind) {
  case Tok::Int: {
    auto e = makeExpr(ast::ExprKind::IntLit, t.span);
    e->ival = intLiteralValue(t.text).value_or(0); // the lexer reported a bad literal
    take();
    return e;
  }
  case Tok::Float: {
    auto e = makeExpr(ast::ExprKind::FloatLit, t.span);
    e->fval = floatLiteralValue(t.text).value_or(0.0);
    take();
    return e;
  }
  case Tok::KwTrue:
  case Tok::KwFalse: {
    auto e = makeExpr(ast::ExprKind::BoolLit, t.span);
    e->bval = t.kind == Tok::KwTrue;
    take();
    return e;
  }
  case Tok::Ident: {
    auto e = makeExpr(ast::ExprKind::Name, t.span);
    e->name = t.text;
    take();
    return at(Tok::LParen) ? parseCall(std::move(e)) : std::move(e);
  }
  case Tok::LParen:
    return parseParen();
  case Tok::LBracket:
    return parseBracket();
  case Tok::KwIf:
    return parseIf();
  default:
    fail(hereLoc(), "expected expression");
  }
}

/// paren ::= '(' expr ')' | '(' expr (',' expr)+ ')'
ast::ExprPtr Parser::parseParen() {
  Token lp = take();
  ast::ExprPtr first = parseExpr();
  if (at(Tok::KwFor))
    fail(tok().span, "a generator is only allowed as the only argument of a call, as in "
                     "'sum(e for i in 0..N)'");
  if (!at(Tok::Comma)) {
    expectClose(Tok::RParen, "", lp);
    first->span = spanFrom(lp.span.begin); // the parentheses belong to the expression's text
    return first;
  }
  auto tuple = makeExpr(ast::ExprKind::Tuple, {});
  tuple->args.push_back(std::move(first));
  while (accept(Tok::Comma))
    tuple->args.push_back(parseExpr());
  expectClose(Tok::RParen, "", lp);
  tuple->span = spanFrom(lp.span.begin);
  return tuple;
}

/// bracket ::= '[' expr (',' expr)* ']'          (tensor literal)
///           | '[' expr 'for' iterators ']'      (comprehension)
ast::ExprPtr Parser::parseBracket() {
  Token lb = take();
  if (at(Tok::RBracket))
    fail(Span::join(lb.span, tok().span), "a tensor literal needs at least one element");
  ast::ExprPtr first = parseExpr();
  if (accept(Tok::KwFor)) {
    auto comp = makeExpr(ast::ExprKind::Comprehension, {});
    comp->args.push_back(std::move(first));
    parseIterators(comp->iters);
    expectClose(Tok::RBracket, "after comprehension", lb);
    comp->span = spanFrom(lb.span.begin);
    return comp;
  }
  auto lit = makeExpr(ast::ExprKind::TensorLit, {});
  lit->args.push_back(std::move(first));
  while (accept(Tok::Comma))
    lit->args.push_back(parseExpr());
  expectClose(Tok::RBracket, "after tensor elements", lb);
  lit->span = spanFrom(lb.span.begin);
  return lit;
}

/// call ::= IDENT '(' (expr (',' expr)* | expr 'for' iterators)? ')'
ast::ExprPtr Parser::parseCall(ast::ExprPtr callee) {
  Token lp = take();
  auto call = makeExpr(ast::ExprKind::Call, {});
  call->name = callee->name;
  call->opSpan = callee->span;
  if (!at(Tok::RParen)) {
    for (;;) {
      ast::ExprPtr arg = parseExpr();
      if (at(Tok::KwFor)) {
        if (!call->args.empty())
          fail(tok().span, "a generator must be the only argument of a call");
        take();
        auto gen = makeExpr(ast::ExprKind::Generator, {});
        uint32_t begin = arg->span.begin;
        gen->args.push_back(std::move(arg));
        parseIterators(gen->iters);
        gen->span = spanFrom(begin);
        call->args.push_back(std::move(gen));
        if (at(Tok::Comma))
          fail(tok().span, "a generator must be the only argument of a call");
        break;
      }
      call->args.push_back(std::move(arg));
      if (!accept(Tok::Comma))
        break;
    }
  }
  expectClose(Tok::RParen, "after arguments", lp);
  call->span = spanFrom(callee->span.begin);
  return call;
}

/// index ::= postfix '[' subscript (',' subscript)* ']'
ast::ExprPtr Parser::parseIndex(ast::ExprPtr base) {
  Token lb = take();
  auto e = makeExpr(ast::ExprKind::Index, {});
  e->opSpan = lb.span;
  uint32_t begin = base->span.begin;
  e->args.push_back(std::move(base));
  if (at(Tok::RBracket))
    fail(tok().span, "expected an index or a slice");
  do
    e->subs.push_back(parseSubscript());
  while (accept(Tok::Comma));
  expectClose(Tok::RBracket, "after subscripts", lb);
  e->span = spanFrom(begin);
  return e;
}

/// subscript ::= expr | expr? ':' expr?
ast::Subscript Parser::parseSubscript() {
  ast::Subscript s;
  uint32_t begin = tok().span.begin;
  if (!at(Tok::Colon)) {
    if (at(Tok::Comma) || at(Tok::RBracket))
      fail(tok().span, "expected an index or a slice");
    s.lo = parseExpr();
  }
  if (accept(Tok::Colon)) {
    s.isSlice = true;
    if (!at(Tok::Comma) && !at(Tok::RBracket))
      s.hi = parseExpr();
  }
  s.span = spanFrom(begin);
  return s;
}

/// member ::= postfix '.' 'T'     (transpose; the only member)
ast::ExprPtr Parser::parseMember(ast::ExprPtr base) {
  Token dot = take();
  if (!at(Tok::Ident))
    fail(expectLoc(), "expected 'T' after '.'");
  Token name = take();
  if (name.text != "T")
    fail(Span::join(dot.span, name.span),
         fmt::format("unknown member '.{}'; only '.T' (transpose) is supported", name.text));
  auto e = makeExpr(ast::ExprKind::Transpose, Span::join(base->span, name.span));
  e->opSpan = Span::join(dot.span, name.span);
  e->args.push_back(std::move(base));
  return e;
}

/// if ::= 'if' expr block ('else' (block | if))?
/// An else-if chain nests: the else block holds only a result, the inner `if`.
ast::ExprPtr Parser::parseIf() {
  Token kw = take();
  auto e = makeExpr(ast::ExprKind::If, {});
  e->opSpan = kw.span;
  e->args.push_back(parseExpr());
  checkConditionEnd("'if' condition");
  e->thenBlock = parseBlock();
  if (accept(Tok::KwElse)) {
    if (at(Tok::KwIf)) {
      Nest nest(*this);
      auto elseBlock = std::make_unique<ast::Block>();
      elseBlock->result = parseIf();
      elseBlock->span = elseBlock->result->span;
      e->elseBlock = std::move(elseBlock);
    } else if (at(Tok::LBrace)) {
      e->elseBlock = parseBlock();
    } else {
      fail(expectLoc(), "expected '{' or 'if' after 'else'");
    }
  }
  e->span = spanFrom(kw.span.begin);
  return e;
}

/// A condition must be followed by the `{` of its body.
void Parser::checkConditionEnd(std::string_view what) {
  if (at(Tok::LBrace))
    return;
  if (at(Tok::Assign))
    fail(tok().span, fmt::format("expected '{{' after {}; use '==' to compare", what));
  fail(expectLoc(), fmt::format("expected '{{' after {}", what));
}

/// iterators ::= iterator (',' iterator)*   (a `,` continues only when `IDENT in` follows)
void Parser::parseIterators(std::vector<ast::Iterator> &out) {
  out.push_back(parseIterator());
  while (at(Tok::Comma) && peekTok(1).kind == Tok::Ident && peekTok(2).kind == Tok::KwIn) {
    take();
    out.push_back(parseIterator());
  }
}

/// iterator ::= IDENT 'in' expr '..' expr
ast::Iterator Parser::parseIterator() {
  ast::Iterator it;
  it.var = parseIdent("expected a loop variable name after 'for'");
  expect(Tok::KwIn, "after loop variable");
  it.lo = parseExpr(/*rangeStart=*/true);
  expect(Tok::DotDot, "in range 'lo..hi'");
  it.hi = parseExpr();
  return it;
}

} // namespace diffc::detail
