#include "frontend/Lexer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace diffc;

namespace {

struct Lexed {
  std::vector<Token> toks;
  std::vector<std::string> errors; // "LINE:COL: message"
};

Lexed lexText(const std::string &text) {
  SourceFile file("lex.diff", text);
  DiagnosticEngine diags(file);
  Lexed out;
  out.toks = lexAll(file, diags);
  for (const Diagnostic &d : diags.diagnostics()) {
    SourceLoc loc = file.locOf(d.span.begin);
    out.errors.push_back(std::to_string(loc.line) + ":" + std::to_string(loc.col) + ": " +
                         d.message);
  }
  return out;
}

std::vector<Tok> kinds(const std::string &text) {
  std::vector<Tok> out;
  for (const Token &t : lexText(text).toks)
    out.push_back(t.kind);
  return out;
}

} // namespace

TEST_CASE("lexer: keywords, identifiers and punctuation") {
  using enum Tok;
  CHECK(kinds("fn let var if else for in while return true false") ==
        std::vector<Tok>{KwFn, KwLet, KwVar, KwIf, KwElse, KwFor, KwIn, KwWhile, KwReturn, KwTrue,
                         KwFalse, Eof});
  // Keywords are whole words only; type names are plain identifiers.
  CHECK(kinds("fnx _let in2 f64 i64 bool T") ==
        std::vector<Tok>{Ident, Ident, Ident, Ident, Ident, Ident, Ident, Eof});
  CHECK(kinds("( ) [ ] { } , : ; . .. -> @") == std::vector<Tok>{LParen, RParen, LBracket, RBracket,
                                                                 LBrace, RBrace, Comma, Colon, Semi,
                                                                 Dot, DotDot, Arrow, At, Eof});
  CHECK(kinds("+ - * / % ^ ! = += -= *= /= == != < <= > >= && ||") ==
        std::vector<Tok>{Plus,   Minus,      Star,        Slash,      Percent,     Caret, Bang,
                         Assign, PlusAssign, MinusAssign, StarAssign, SlashAssign, EqEq,  NotEq,
                         Less,   LessEq,     Greater,     GreaterEq,  AndAnd,      OrOr,  Eof});
  // Longest match without spaces.
  CHECK(kinds("a-=b->c") == std::vector<Tok>{Ident, MinusAssign, Ident, Arrow, Ident, Eof});
  CHECK(kinds("x<=-y") == std::vector<Tok>{Ident, LessEq, Minus, Ident, Eof});
}

TEST_CASE("lexer: numbers") {
  using enum Tok;
  Lexed l = lexText("3 3.0 0.5 1e-3 2.5E+4 7e2");
  REQUIRE(l.errors.empty());
  REQUIRE(l.toks.size() == 7);
  CHECK(l.toks[0].kind == Int);
  for (int i = 1; i <= 5; ++i)
    CHECK(l.toks[i].kind == Float);
  CHECK(intLiteralValue(l.toks[0].text) == 3);
  CHECK(floatLiteralValue(l.toks[1].text) == 3.0);
  CHECK(floatLiteralValue(l.toks[2].text) == 0.5);
  CHECK(floatLiteralValue(l.toks[3].text) == 0.001);
  CHECK(floatLiteralValue(l.toks[4].text) == 25000.0);
  CHECK(floatLiteralValue(l.toks[5].text) == 700.0);
  CHECK(l.toks[4].text == "2.5E+4");

  // A '.' is part of a number only when a digit follows: ranges and transposes still lex.
  CHECK(kinds("0..N") == std::vector<Tok>{Int, DotDot, Ident, Eof});
  CHECK(kinds("0.5..1") == std::vector<Tok>{Float, DotDot, Int, Eof});
  CHECK(kinds("i+1..N") == std::vector<Tok>{Ident, Plus, Int, DotDot, Ident, Eof});
  CHECK(kinds("A.T") == std::vector<Tok>{Ident, Dot, Ident, Eof});

  // The largest i64 is fine; one more is an error at the literal.
  CHECK(lexText("9223372036854775807").errors.empty());
  CHECK(intLiteralValue("9223372036854775807") == INT64_MAX);
  CHECK(
      lexText("x = 9223372036854775808").errors ==
      std::vector<std::string>{"1:5: integer literal '9223372036854775808' is too large for i64"});
  CHECK(lexText("1e999").errors ==
        std::vector<std::string>{"1:1: number '1e999' is too large for f64"});
  CHECK(lexText("1e-999").errors.empty()); // underflows to 0, the nearest double
  CHECK(lexText("  2e+").errors ==
        std::vector<std::string>{"1:3: expected digits in the exponent of a number"});
  CHECK(lexText("2x").errors == std::vector<std::string>{"1:2: invalid suffix 'x' on a number"});
}

TEST_CASE("lexer: comments and spans") {
  Lexed l = lexText("a // line comment ( [\n/* block\n comment */ b/**/c /* */");
  REQUIRE(l.errors.empty());
  REQUIRE(l.toks.size() == 4);
  CHECK(l.toks[0].text == "a");
  CHECK(l.toks[1].text == "b");
  CHECK(l.toks[2].text == "c");
  CHECK(l.toks[3].kind == Tok::Eof);

  Lexed s = lexText("  foo  12.5");
  CHECK(s.toks[0].span.begin == 2);
  CHECK(s.toks[0].span.end == 5);
  CHECK(s.toks[1].span.begin == 7);
  CHECK(s.toks[1].span.end == 11);
  CHECK(s.toks[2].span.begin == 11); // Eof sits at the end of the input

  // `/` alone is division, not a comment.
  CHECK(kinds("a/b") == std::vector<Tok>{Tok::Ident, Tok::Slash, Tok::Ident, Tok::Eof});
}

TEST_CASE("lexer: errors carry their location and lexing continues") {
  Lexed l = lexText("a\n  /* never closed\n b");
  CHECK(l.errors == std::vector<std::string>{"2:3: unterminated block comment"});
  CHECK(l.toks.size() == 2); // `a`, then the comment swallows the rest

  Lexed bad = lexText("a # b\n$c & d | e");
  CHECK(bad.errors == std::vector<std::string>{"1:3: invalid character '#'",
                                               "2:1: invalid character '$'",
                                               "2:4: invalid character '&'; did you mean '&&'?",
                                               "2:8: invalid character '|'; did you mean '||'?"});
  CHECK(bad.toks.size() == 6); // a b c d e Eof

  Lexed utf = lexText("x \xC3\xA9 y\x01");
  CHECK(utf.errors == std::vector<std::string>{"1:3: invalid character (non-ASCII) in source",
                                               "1:7: invalid byte 0x01 in source"});
  CHECK(utf.toks.size() == 3);
}

TEST_CASE("lexer: Eof repeats") {
  SourceFile file("e.diff", "x");
  DiagnosticEngine diags(file);
  Lexer lexer(file, diags);
  CHECK(lexer.next().kind == Tok::Ident);
  CHECK(lexer.next().kind == Tok::Eof);
  CHECK(lexer.next().kind == Tok::Eof);
}

TEST_CASE("token spellings") {
  CHECK(std::string(tokSpelling(Tok::RParen)) == ")");
  CHECK(std::string(tokSpelling(Tok::DotDot)) == "..");
  CHECK(std::string(tokSpelling(Tok::KwReturn)) == "return");
  CHECK(std::string(tokSpelling(Tok::Eof)) == "end of file");
  CHECK(std::string(tokSpelling(Tok::SlashAssign)) == "/=");
}

TEST_CASE("lexer: a UTF-8 byte-order mark is skipped and columns count after it") {
  Lexed l = lexText("\xEF\xBB\xBF"
                    "fn f(x: f64) -> f64 = x $;");
  CHECK(l.toks.front().kind == Tok::KwFn);
  REQUIRE(l.errors.size() == 1);
  CHECK(l.errors[0].starts_with("1:25: "));
  // A mark anywhere else is not whitespace.
  CHECK(lexText("fn \xEF\xBB\xBF").errors.size() == 1);
}
