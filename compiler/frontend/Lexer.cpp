#include "frontend/Lexer.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <string>

namespace diffc {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

struct Keyword {
  std::string_view text;
  Tok kind;
};

constexpr Keyword kKeywords[] = {
    {"fn", Tok::KwFn},     {"let", Tok::KwLet},     {"var", Tok::KwVar},
    {"if", Tok::KwIf},     {"else", Tok::KwElse},   {"for", Tok::KwFor},
    {"in", Tok::KwIn},     {"while", Tok::KwWhile}, {"return", Tok::KwReturn},
    {"true", Tok::KwTrue}, {"false", Tok::KwFalse},
};

} // namespace

std::optional<int64_t> intLiteralValue(std::string_view text) {
  uint64_t v = 0;
  for (char c : text) {
    if (!isDigit(c))
      return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > static_cast<uint64_t>(INT64_MAX))
      return std::nullopt;
  }
  return static_cast<int64_t>(v);
}

std::optional<double> floatLiteralValue(std::string_view text) {
  std::string s(text); // strtod needs a terminated string
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || std::isinf(v))
    return std::nullopt;
  return v; // underflow gives 0 or a subnormal, which is the nearest value: accepted
}

void Lexer::error(Span at, std::string message) {
  diags_.error(at, std::move(message));
  badSpans_.push_back(at);
}

char Lexer::peekChar(uint32_t ahead) const {
  const std::string &t = file_.text();
  return pos_ + ahead < t.size() ? t[pos_ + ahead] : '\0';
}

Token Lexer::make(Tok kind, uint32_t begin) const {
  Token t;
  t.kind = kind;
  t.span = {begin, pos_};
  t.text = file_.text().substr(begin, pos_ - begin);
  return t;
}

void Lexer::skipTrivia() {
  const std::string &t = file_.text();
  while (pos_ < t.size()) {
    char c = t[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++pos_;
    } else if (c == '/' && peekChar(1) == '/') {
      while (pos_ < t.size() && t[pos_] != '\n')
        ++pos_;
    } else if (c == '/' && peekChar(1) == '*') {
      uint32_t begin = pos_;
      size_t close = t.find("*/", pos_ + 2);
      if (close == std::string::npos) {
        pos_ = static_cast<uint32_t>(t.size());
        diags_.error({begin, begin + 2}, "unterminated block comment");
        badSpans_.push_back({begin, pos_});
      } else {
        pos_ = static_cast<uint32_t>(close + 2);
      }
    } else {
      return;
    }
  }
}

/// number ::= digit+ ('.' digit+)? (('e' | 'E') ('+' | '-')? digit+)?
/// A '.' belongs to the number only when a digit follows, so `0..N` is `0`, `..`, `N`.
Token Lexer::lexNumber() {
  uint32_t begin = pos_;
  bool isFloat = false;
  while (isDigit(peekChar()))
    ++pos_;
  if (peekChar() == '.' && isDigit(peekChar(1))) {
    isFloat = true;
    ++pos_;
    while (isDigit(peekChar()))
      ++pos_;
  }
  bool badExponent = false;
  if (peekChar() == 'e' || peekChar() == 'E') {
    uint32_t signLen = (peekChar(1) == '+' || peekChar(1) == '-') ? 1 : 0;
    isFloat = true;
    if (isDigit(peekChar(1 + signLen))) {
      pos_ += 1 + signLen;
      while (isDigit(peekChar()))
        ++pos_;
    } else {
      pos_ += 1 + signLen;
      badExponent = true;
    }
  }
  bool malformed = badExponent;
  if (badExponent) {
    error({begin, pos_}, "expected digits in the exponent of a number");
  } else if (isIdentChar(peekChar())) {
    malformed = true;
    uint32_t suffix = pos_;
    while (isIdentChar(peekChar()))
      ++pos_;
    error({suffix, pos_}, fmt::format("invalid suffix '{}' on a number",
                                      file_.text().substr(suffix, pos_ - suffix)));
  }
  Token tok = make(isFloat ? Tok::Float : Tok::Int, begin);
  if (malformed)
    return tok;
  if (!isFloat && !intLiteralValue(tok.text))
    error(tok.span, fmt::format("integer literal '{}' is too large for i64", tok.text));
  else if (isFloat && !floatLiteralValue(tok.text))
    error(tok.span, fmt::format("number '{}' is too large for f64", tok.text));
  return tok;
}

Token Lexer::lexIdentOrKeyword() {
  uint32_t begin = pos_;
  while (isIdentChar(peekChar()))
    ++pos_;
  Token tok = make(Tok::Ident, begin);
  for (const Keyword &k : kKeywords)
    if (k.text == tok.text)
      tok.kind = k.kind;
  return tok;
}

std::optional<Token> Lexer::lexPunct() {
  uint32_t begin = pos_;
  char c = peekChar();
  char n = peekChar(1);
  // Two-character operators first, then single characters.
  auto two = [&](Tok k) {
    pos_ += 2;
    return make(k, begin);
  };
  auto one = [&](Tok k) {
    pos_ += 1;
    return make(k, begin);
  };
  // clang-format off
  switch (c) {
  case '(': return one(Tok::LParen);
  case ')': return one(Tok::RParen);
  case '[': return one(Tok::LBracket);
  case ']': return one(Tok::RBracket);
  case '{': return one(Tok::LBrace);
  case '}': return one(Tok::RBrace);
  case ',': return one(Tok::Comma);
  case ':': return one(Tok::Colon);
  case ';': return one(Tok::Semi);
  case '@': return one(Tok::At);
  case '%': return one(Tok::Percent);
  case '^': return one(Tok::Caret);
  case '.': return n == '.' ? two(Tok::DotDot) : one(Tok::Dot);
  case '-': return n == '>' ? two(Tok::Arrow) : n == '=' ? two(Tok::MinusAssign) : one(Tok::Minus);
  case '+': return n == '=' ? two(Tok::PlusAssign) : one(Tok::Plus);
  case '*': return n == '=' ? two(Tok::StarAssign) : one(Tok::Star);
  case '/': return n == '=' ? two(Tok::SlashAssign) : one(Tok::Slash);
  case '=': return n == '=' ? two(Tok::EqEq) : one(Tok::Assign);
  case '!': return n == '=' ? two(Tok::NotEq) : one(Tok::Bang);
  case '<': return n == '=' ? two(Tok::LessEq) : one(Tok::Less);
  case '>': return n == '=' ? two(Tok::GreaterEq) : one(Tok::Greater);
  // clang-format on
  case '&':
    if (n == '&')
      return two(Tok::AndAnd);
    ++pos_;
    error({begin, pos_}, "invalid character '&'; did you mean '&&'?");
    return std::nullopt;
  case '|':
    if (n == '|')
      return two(Tok::OrOr);
    ++pos_;
    error({begin, pos_}, "invalid character '|'; did you mean '||'?");
    return std::nullopt;
  default:
    break;
  }
  auto byte = static_cast<unsigned char>(c);
  ++pos_;
  if (byte >= 0xC0) {
    // A UTF-8 multi-byte character: one diagnostic for the whole character.
    while ((static_cast<unsigned char>(peekChar()) & 0xC0) == 0x80 && pos_ < file_.text().size())
      ++pos_;
    error({begin, pos_}, "invalid character (non-ASCII) in source");
  } else if (byte >= 0x21 && byte < 0x7F) {
    error({begin, pos_}, fmt::format("invalid character '{}'", c));
  } else {
    error({begin, pos_}, fmt::format("invalid byte 0x{:02X} in source", byte));
  }
  return std::nullopt;
}

Token Lexer::next() {
  for (;;) {
    skipTrivia();
    if (pos_ >= file_.text().size()) {
      Token eof;
      eof.kind = Tok::Eof;
      eof.span = {pos_, pos_};
      return eof;
    }
    char c = peekChar();
    if (isDigit(c))
      return lexNumber();
    if (isIdentStart(c))
      return lexIdentOrKeyword();
    if (std::optional<Token> t = lexPunct())
      return std::move(*t);
  }
}

std::vector<Token> lexAll(const SourceFile &file, DiagnosticEngine &diags) {
  Lexer lexer(file, diags);
  std::vector<Token> toks;
  do
    toks.push_back(lexer.next());
  while (toks.back().kind != Tok::Eof);
  return toks;
}

} // namespace diffc
