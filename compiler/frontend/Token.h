// Tokens of the .diff language. The list is written once (X-macro) and the kind enum and the
// spelling table are generated from it.
#pragma once

#include "support/SourceFile.h"

#include <cstdint>
#include <string>

namespace diffc {

// TOKEN(Kind, "spelling")
#define DIFFC_TOKENS(TOKEN)                                                                        \
  TOKEN(Eof, "end of file")                                                                        \
  TOKEN(Ident, "identifier")                                                                       \
  TOKEN(Int, "integer literal")                                                                    \
  TOKEN(Float, "number")                                                                           \
  TOKEN(KwFn, "fn")                                                                                \
  TOKEN(KwLet, "let")                                                                              \
  TOKEN(KwVar, "var")                                                                              \
  TOKEN(KwIf, "if")                                                                                \
  TOKEN(KwElse, "else")                                                                            \
  TOKEN(KwFor, "for")                                                                              \
  TOKEN(KwIn, "in")                                                                                \
  TOKEN(KwWhile, "while")                                                                          \
  TOKEN(KwReturn, "return")                                                                        \
  TOKEN(KwTrue, "true")                                                                            \
  TOKEN(KwFalse, "false")                                                                          \
  TOKEN(LParen, "(")                                                                               \
  TOKEN(RParen, ")")                                                                               \
  TOKEN(LBracket, "[")                                                                             \
  TOKEN(RBracket, "]")                                                                             \
  TOKEN(LBrace, "{")                                                                               \
  TOKEN(RBrace, "}")                                                                               \
  TOKEN(Comma, ",")                                                                                \
  TOKEN(Colon, ":")                                                                                \
  TOKEN(Semi, ";")                                                                                 \
  TOKEN(Dot, ".")                                                                                  \
  TOKEN(DotDot, "..")                                                                              \
  TOKEN(Arrow, "->")                                                                               \
  TOKEN(At, "@")                                                                                   \
  TOKEN(Plus, "+")                                                                                 \
  TOKEN(Minus, "-")                                                                                \
  TOKEN(Star, "*")                                                                                 \
  TOKEN(Slash, "/")                                                                                \
  TOKEN(Percent, "%")                                                                              \
  TOKEN(Caret, "^")                                                                                \
  TOKEN(Bang, "!")                                                                                 \
  TOKEN(Assign, "=")                                                                               \
  TOKEN(PlusAssign, "+=")                                                                          \
  TOKEN(MinusAssign, "-=")                                                                         \
  TOKEN(StarAssign, "*=")                                                                          \
  TOKEN(SlashAssign, "/=")                                                                         \
  TOKEN(EqEq, "==")                                                                                \
  TOKEN(NotEq, "!=")                                                                               \
  TOKEN(Less, "<")                                                                                 \
  TOKEN(LessEq, "<=")                                                                              \
  TOKEN(Greater, ">")                                                                              \
  TOKEN(GreaterEq, ">=")                                                                           \
  TOKEN(AndAnd, "&&")                                                                              \
  TOKEN(OrOr, "||")

enum class Tok : uint8_t {
#define DIFFC_TOKEN_ENUM(K, S) K,
  DIFFC_TOKENS(DIFFC_TOKEN_ENUM)
#undef DIFFC_TOKEN_ENUM
};

/// How a token kind is written in messages ("expected ')'").
const char *tokSpelling(Tok t);

struct Token {
  Tok kind = Tok::Eof;
  Span span;
  std::string text; // identifier name or literal text as written
};

} // namespace diffc
