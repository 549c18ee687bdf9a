// Tokens of the IR's textual form (see Printer.h). Internal to the IR parser.
#pragma once

#include "support/SourceFile.h"

#include <map>
#include <string>
#include <vector>

namespace diffc::ir {

enum class IRTok {
  Eof,
  Error,   // text holds the message
  Ident,   // `add`, `f64`, `N`, `tape.new`, `to`
  ValueId, // `%x.1` (text without `%`)
  FuncId,  // `@loss.grad`, `@"any text"` (text without `@` and quotes)
  Int,
  Float, // digits with `.` or an exponent
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Equal,
  Less,
  Greater,
  Arrow, // ->
  Plus,
  Minus,
  Star,
  PlusColon, // +:
};

struct IRToken {
  IRTok kind = IRTok::Eof;
  std::string text;
  Span span;
  uint32_t line = 0;
  bool lineStart = false; // first token on its line
};

struct IRLexResult {
  std::vector<IRToken> tokens; // ends with Eof (or stops at the first Error token)
  /// `// text` comments that follow a token on the same line, by line number (text trimmed).
  std::map<uint32_t, std::string> trailingComments;
};

IRLexResult lexIR(const std::string &text);

} // namespace diffc::ir
