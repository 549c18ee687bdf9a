// The lexer: source text to tokens. It skips whitespace and comments, reports malformed input
// (stray characters, unterminated block comments, out-of-range literals) as diagnostics and keeps
// going, so that one run shows several problems.
#pragma once

#include "frontend/Token.h"
#include "support/Diagnostics.h"
#include "support/SourceFile.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffc {

class Lexer {
public:
  Lexer(const SourceFile &file, DiagnosticEngine &diags)
      : file_(file), diags_(diags), pos_(file.firstOffset()) {}

  /// The next token; at the end of the input, Eof (again on every further call).
  Token next();
  /// Source ranges the lexer reported as malformed (stray characters, an unterminated comment),
  /// in order. The parser stays quiet about errors that are only their consequence.
  const std::vector<Span> &badSpans() const { return badSpans_; }

private:
  void skipTrivia();
  Token lexNumber();
  Token lexIdentOrKeyword();
  /// An operator or punctuation token, or nullopt after reporting an invalid character.
  std::optional<Token> lexPunct();
  Token make(Tok kind, uint32_t begin) const;

  char peekChar(uint32_t ahead = 0) const;

  const SourceFile &file_;
  DiagnosticEngine &diags_;
  void error(Span at, std::string message);

  uint32_t pos_;
  std::vector<Span> badSpans_;
};

/// Lexes the whole file; the result always ends with one Eof token.
std::vector<Token> lexAll(const SourceFile &file, DiagnosticEngine &diags);

/// The value of an integer literal as written (digits only); nullopt when it does not fit in i64.
std::optional<int64_t> intLiteralValue(std::string_view text);
/// The value of a float literal as written; nullopt when it is too large for f64.
std::optional<double> floatLiteralValue(std::string_view text);

} // namespace diffc
