// Parser entry points, the token cursor, error reporting and recovery, depth limits, and the
// declaration level of the grammar: functions, attributes and types.
#include "frontend/Parser.h"

#include "frontend/Lexer.h"
#include "frontend/ParserImpl.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace diffc {

ast::Module parseModule(const SourceFile &file, DiagnosticEngine &diags) {
  return detail::Parser(file, diags).parseModule();
}

ast::ExprPtr parseStandaloneExpr(const SourceFile &file, DiagnosticEngine &diags) {
  unsigned before = diags.errorCount();
  ast::ExprPtr e = detail::Parser(file, diags).parseStandaloneExpr();
  return diags.errorCount() == before ? std::move(e) : nullptr;
}

namespace detail {

ast::ExprPtr makeExpr(ast::ExprKind kind, Span span) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

Parser::Parser(const SourceFile &file, DiagnosticEngine &diags)
    : text_(file.text()), diags_(diags) {
  Lexer lexer(file, diags);
  do
    toks_.push_back(lexer.next());
  while (toks_.back().kind != Tok::Eof);
  lexErrors_ = lexer.badSpans();
}

// ---- Entry points
// --------------------------------------------------------------------------------

/// module ::= (attribute* function)*
ast::Module Parser::parseModule() {
  ast::Module m;
  try {
    while (!at(Tok::Eof)) {
      size_t start = pos_;
      try {
        parseTopLevelItem(m);
      } catch (ParseAbort &) {
        syncToFunction();
      }
      if (pos_ == start) // never loop without progress
        take();
    }
  } catch (FatalDiagnostic &) {
    // Reported already; keep what was parsed before it.
  }
  return m;
}

ast::ExprPtr Parser::parseStandaloneExpr() {
  try {
    ast::ExprPtr e = parseExpr();
    if (!at(Tok::Eof))
      fail(tok().span, fmt::format("unexpected {} after expression", describe(tok())));
    return e;
  } catch (ParseAbort &) {
  } catch (FatalDiagnostic &) {
  }
  return nullptr;
}

// ---- Token cursor and diagnostics
// ----------------------------------------------------------------

const Token &Parser::peekTok(size_t ahead) const {
  size_t i = pos_ + ahead;
  return i < toks_.size() ? toks_[i] : toks_.back();
}

bool Parser::accept(Tok k) {
  if (!at(k))
    return false;
  take();
  return true;
}

Token Parser::take() {
  Token t = toks_[pos_];
  if (t.kind != Tok::Eof)
    ++pos_;
  return t;
}

Span Parser::prevEnd() const {
  uint32_t end = pos_ == 0 ? 0 : toks_[pos_ - 1].span.end;
  return {end, end};
}

Span Parser::expectLoc() const {
  if (pos_ == 0)
    return tok().span;
  if (at(Tok::Eof))
    return prevEnd();
  return startsLine() ? prevEnd() : tok().span;
}

Span Parser::hereLoc() const { return at(Tok::Eof) && pos_ != 0 ? prevEnd() : tok().span; }

bool Parser::startsLine() const {
  if (pos_ == 0)
    return true;
  uint32_t gapBegin = prevEnd().end;
  return text_.find('\n', gapBegin) < tok().span.begin;
}

bool Parser::afterLexError(Span at) const {
  uint32_t gapBegin = prevEnd().end;
  if (at.begin < gapBegin || at.begin > tok().span.begin)
    return false; // the error is about something earlier
  // lexErrors_ is in source order: find the first at or after the gap.
  auto it = std::lower_bound(lexErrors_.begin(), lexErrors_.end(), gapBegin,
                             [](Span s, uint32_t off) { return s.begin < off; });
  return it != lexErrors_.end() && it->begin < tok().span.begin;
}

Span Parser::spanFrom(uint32_t begin) const {
  uint32_t end = prevEnd().end;
  return {begin, end < begin ? begin : end};
}

bool Parser::report(Span at, std::string message) {
  if (lastErrorAt_ && *lastErrorAt_ == at.begin)
    return false;
  if (afterLexError(at))
    return false;
  lastErrorAt_ = at.begin;
  diags_.error(at, std::move(message));
  return true;
}

void Parser::fail(Span at, std::string message) {
  report(at, std::move(message));
  throw ParseAbort{};
}

Token Parser::expect(Tok k, std::string_view context) {
  if (!at(k))
    fail(expectLoc(), fmt::format("expected '{}' {}", tokSpelling(k), context));
  return take();
}

Token Parser::expectSemi(std::string_view context) {
  if (!at(Tok::Semi))
    fail(prevEnd(), fmt::format("expected ';' {}", context));
  return take();
}

Token Parser::expectClose(Tok closer, std::string_view context, const Token &opener) {
  if (at(closer))
    return take();
  std::string msg = fmt::format("expected '{}'", tokSpelling(closer));
  if (!context.empty())
    msg += fmt::format(" {}", context);
  if (report(expectLoc(), std::move(msg)))
    diags_.note(opener.span, fmt::format("to match this '{}'", tokSpelling(opener.kind)));
  throw ParseAbort{};
}

ast::Ident Parser::parseIdent(std::string_view expected) {
  if (at(Tok::Ident)) {
    Token t = take();
    return {t.text, t.span};
  }
  if (tok().kind >= Tok::KwFn && tok().kind <= Tok::KwFalse)
    fail(tok().span, fmt::format("{} ('{}' is a keyword)", expected, tok().text));
  fail(expectLoc(), std::string(expected));
}

std::string Parser::describe(const Token &t) {
  switch (t.kind) {
  case Tok::Eof:
    return "end of file";
  case Tok::Ident:
    return fmt::format("identifier '{}'", t.text);
  case Tok::Int:
  case Tok::Float:
    return fmt::format("number '{}'", t.text);
  default:
    return fmt::format("token '{}'", tokSpelling(t.kind));
  }
}

// ---- Depth limits
// --------------------------------------------------------------------------------

Parser::Nest::Nest(Parser &p) : p_(p) {
  if (++p_.depth_ > kMaxNesting) {
    --p_.depth_; // the destructor will not run
    p_.diags_.error(p_.hereLoc(), fmt::format("nesting too deep (limit {})", kMaxNesting));
    throw FatalDiagnostic("nesting too deep");
  }
}

void Parser::Chain::step() {
  ++n_;
  if (++p_.chain_ > kMaxChain) {
    p_.diags_.error(p_.hereLoc(),
                    fmt::format("expression too long: more than {} chained operators; split it "
                                "with 'let'",
                                kMaxChain));
    throw FatalDiagnostic("expression too long");
  }
}

// ---- Declarations
// ----------------------------------------------------------------------------------

void Parser::parseTopLevelItem(ast::Module &m) {
  uint32_t begin = tok().span.begin;
  std::vector<ast::Attribute> attrs = parseAttributes();
  if (!at(Tok::KwFn)) {
    if (!attrs.empty())
      fail(hereLoc(), "expected 'fn' after attribute");
    fail(tok().span, fmt::format("unexpected {} at top level; expected 'fn'", describe(tok())));
  }
  checkAttributes(attrs, /*onFunction=*/true);
  m.functions.push_back(parseFunction(std::move(attrs), begin));
}

/// function ::= 'fn' IDENT ('[' IDENT (',' IDENT)* ']')? '(' (param (',' param)*)? ')'
///              '->' type (block | '=' expr ';')
/// param    ::= IDENT ':' type
ast::Function Parser::parseFunction(std::vector<ast::Attribute> attrs, uint32_t begin) {
  ast::Function f;
  f.attrs = std::move(attrs);
  take(); // 'fn'
  f.name = parseIdent("expected function name after 'fn'");
  if (at(Tok::LBracket)) {
    Token lb = take();
    do
      f.sizeParams.push_back(parseIdent("expected size parameter name"));
    while (accept(Tok::Comma));
    expectClose(Tok::RBracket, "after size parameters", lb);
  }
  if (!at(Tok::LParen))
    fail(expectLoc(), "expected '(' after function name");
  Token lp = take();
  if (!at(Tok::RParen)) {
    do {
      ast::Param p;
      p.name = parseIdent("expected parameter name");
      expect(Tok::Colon, "after parameter name");
      p.type = parseType();
      f.params.push_back(std::move(p));
    } while (accept(Tok::Comma));
  }
  expectClose(Tok::RParen, "after parameters", lp);
  if (!accept(Tok::Arrow))
    fail(expectLoc(), "expected '->' and the result type after the parameters");
  f.result = parseType();
  if (at(Tok::LBrace)) {
    f.body = parseBlock();
  } else if (accept(Tok::Assign)) {
    auto body = std::make_unique<ast::Block>();
    body->result = parseExpr();
    body->span = body->result->span;
    expectSemi("after function body");
    f.body = std::move(body);
  } else {
    fail(expectLoc(), "expected '{' or '=' to begin the function body");
  }
  checkDiscardedReturns(*f.body, /*valueUsed=*/true);
  f.span = spanFrom(begin);
  return f;
}

/// attribute ::= '@' IDENT ('(' (IDENT (',' IDENT)*)? ')')?
std::vector<ast::Attribute> Parser::parseAttributes() {
  std::vector<ast::Attribute> attrs;
  while (at(Tok::At)) {
    Token atTok = take();
    ast::Attribute a;
    a.name = parseIdent("expected attribute name after '@'");
    if (at(Tok::LParen)) {
      Token lp = take();
      if (!at(Tok::RParen)) {
        do
          a.args.push_back(parseIdent("expected a name as attribute argument"));
        while (accept(Tok::Comma));
      }
      expectClose(Tok::RParen, "after attribute arguments", lp);
    }
    a.span = spanFrom(atTok.span.begin);
    attrs.push_back(std::move(a));
  }
  return attrs;
}

/// The attributes the language knows: `@vjp(f)` on functions, `@checkpoint` on `for` loops.
void Parser::checkAttributes(const std::vector<ast::Attribute> &attrs, bool onFunction) {
  for (const ast::Attribute &a : attrs) {
    if (a.name.name == "vjp") {
      if (!onFunction)
        report(a.span, "'@vjp' can only be applied to a function");
      else if (a.args.size() != 1)
        report(a.span, "'@vjp' takes one argument, the derivative function: '@vjp(f_vjp)'");
    } else if (a.name.name == "checkpoint") {
      if (onFunction)
        report(a.span, "'@checkpoint' can only be applied to a 'for' loop");
      else if (!a.args.empty())
        report(a.span, "'@checkpoint' takes no arguments");
    } else {
      report(a.name.span, fmt::format("unknown attribute '@{}'", a.name.name));
    }
  }
}

// ---- Types
// -----------------------------------------------------------------------------------------

/// type ::= SCALAR ('[' expr (',' expr)* ']')? | '(' type (',' type)+ ')'
/// SCALAR ::= 'f64' | 'f32' | 'i64' | 'bool'
ast::TypeExpr Parser::parseType() {
  Nest nest(*this);
  ast::TypeExpr t;
  uint32_t begin = tok().span.begin;
  if (at(Tok::LParen)) {
    Token lp = take();
    t.kind = ast::TypeExpr::Kind::Tuple;
    do
      t.elements.push_back(parseType());
    while (accept(Tok::Comma));
    expectClose(Tok::RParen, "after tuple type", lp);
    t.span = spanFrom(begin);
    if (t.elements.size() < 2)
      report(t.span, "a tuple type needs at least two elements");
    return t;
  }
  if (!at(Tok::Ident))
    fail(expectLoc(), "expected a type");
  Token name = take();
  static constexpr std::array<std::string_view, 4> kScalars = {"f64", "f32", "i64", "bool"};
  bool known = false;
  for (std::string_view s : kScalars)
    known |= name.text == s;
  if (!known)
    report(name.span, fmt::format("unknown type '{}'; expected f64, f32, i64 or bool", name.text));
  t.scalar = name.text;
  if (at(Tok::LBracket)) {
    Token lb = take();
    t.kind = ast::TypeExpr::Kind::Tensor;
    do {
      if (at(Tok::RBracket) || at(Tok::Comma))
        fail(tok().span, "expected a dimension");
      if (t.dims.size() == kMaxRank)
        fail(tok().span, fmt::format("too many dimensions in a tensor type (limit {})", kMaxRank));
      t.dims.push_back(parseExpr());
    } while (accept(Tok::Comma));
    expectClose(Tok::RBracket, "after tensor dimensions", lb);
  }
  t.span = spanFrom(begin);
  return t;
}

// ---- Recovery
// --------------------------------------------------------------------------------------

/// `fn`, or attributes directly followed by `fn`: a place to restart after an error.
bool Parser::atFunctionStart() const {
  if (at(Tok::KwFn))
    return true;
  size_t i = 0;
  // Bounded look-ahead over `@name` or `@name(args)`; a later `@` continues the chain.
  for (int attrs = 0; attrs < 8 && peekTok(i).kind == Tok::At; ++attrs) {
    if (peekTok(i + 1).kind != Tok::Ident)
      return false;
    i += 2;
    if (peekTok(i).kind == Tok::LParen) {
      size_t limit = i + 32;
      while (peekTok(i).kind != Tok::RParen && peekTok(i).kind != Tok::Eof && i < limit)
        ++i;
      if (peekTok(i).kind != Tok::RParen)
        return false;
      ++i;
    }
    if (peekTok(i).kind == Tok::KwFn)
      return true;
  }
  return false;
}

void Parser::syncToFunction() {
  while (!at(Tok::Eof) && !atFunctionStart())
    take();
}

} // namespace detail
} // namespace diffc
