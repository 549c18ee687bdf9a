// Malformed IR text gives one clean diagnostic with a line and column, never a crash.
#include "IRSamples.h"
#include "ir/IRParser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <doctest/doctest.h>

#include <random>

using namespace diffc;
using namespace diffc::ir;

namespace {
/// The first diagnostic as rendered (`test.ir:L:C: error: ...`), or "" when parsing succeeded.
std::string parseError(const std::string &text) {
  SourceFile file("test.ir", text);
  DiagnosticEngine diags(file);
  auto m = parseIR(file, diags);
  CHECK((m == nullptr) == diags.hasErrors());
  if (diags.diagnostics().empty())
    return "";
  std::string r = diags.render(diags.diagnostics()[0]);
  return r.substr(0, r.find('\n'));
}

std::string fn(const std::string &body) { return "func @f(%x: f64) -> f64 {\n" + body + "}\n"; }
} // namespace

TEST_CASE("parser errors name the place and the problem") {
  struct Case {
    std::string text, error;
  };
  const Case cases[] = {
      {"fun @f() -> f64 {}", "test.ir:1:1: error: expected 'func', found 'fun'"},
      {"func f() -> f64 {}", "test.ir:1:6: error: expected a function name like '@f', found 'f'"},
      {fn("  %y = frob %x : f64\n  return %y\n"), "test.ir:2:8: error: unknown op 'frob'"},
      {fn("  %y = exp %z : f64\n  return %y\n"),
       "test.ir:2:12: error: use of undefined value '%z'"},
      {fn("  %x = exp %x : f64\n  return %x\n"), "test.ir:2:3: error: redefinition of '%x'"},
      {fn("  %y = exp %x : f65\n  return %y\n"), "test.ir:2:17: error: unknown type 'f65'"},
      {fn("  %y = exp %x\n  return %y\n"),
       "test.ir:2:3: error: 1 result name(s) but 0 result type(s)"},
      {fn("  %y = exp %x : f64[M]\n  return %y\n"),
       "test.ir:2:21: error: unknown size parameter 'M'"},
      {fn("  %y = const 1.0 : f64\n  return %y\n"), ""},
      {fn("  %y = const abc : f64\n  return %y\n"),
       "test.ir:2:14: error: expected a float constant, found 'abc'"},
      {fn("  %y = const 1.5 : i64\n  return %y\n"),
       "test.ir:2:14: error: expected an integer constant, found '1.5'"},
      {fn("  %y = const 9223372036854775808 : i64\n  return %y\n"),
       "test.ir:2:14: error: integer constant '9223372036854775808' out of range"},
      {fn("  %y = const 1e999 : f64\n  return %y\n"),
       "test.ir:2:14: error: float constant '1e999' out of range"},
      {fn("  %y = const 2 : bool\n  return %y\n"),
       "test.ir:2:14: error: expected 'true' or 'false'"},
      {"func @f(%x: f64) -> f64 {\n  return %x\n",
       "test.ir:3:1: error: expected '}' before the end of input"},
      {fn("  %y = exp %x : f64 #\n  return %y\n"), "test.ir:2:21: error: unexpected character '#'"},
      {fn("  %y = exp % : f64\n  return %y\n"),
       "test.ir:2:12: error: expected a value name after '%'"},
      {"func @f() -> f64 {\n  return\n}\nfunc @f() -> f64 {\n  return\n}\n",
       "test.ir:4:6: error: redefinition of function '@f'"},
      {"func @f[N, N]() -> f64 {\n  return\n}\n",
       "test.ir:1:12: error: duplicate size parameter 'N'"},
      {fn("  %r = if %x {\n    yield %x\n  } otherwise {\n    yield %x\n  } : f64\n  return %r\n"),
       "test.ir:4:5: error: expected 'else', found 'otherwise'"},
      {fn("  %r = index %x[%x +: ] : f64\n  return %r\n"),
       "test.ir:2:23: error: expected a dim (a size parameter, an integer or an expression), "
       "found ']'"},
      {fn("  %r = update %x[], %x\n  return %r\n"),
       "test.ir:2:3: error: 1 result name(s) but 0 result type(s)"},
      {fn("  %r = call f(%x) : f64\n  return %r\n"),
       "test.ir:2:13: error: expected the callee like '@f', found 'f'"},
      {fn("  %r = while (%a = %x) {\n    yield %a\n  } do (%b, %c) {\n    yield %b\n  } : f64\n"
          "  return %r\n"),
       "test.ir:4:15: error: the body has 2 argument(s) but the loop carries 1 value(s)"},
      {fn("  %m = map () {\n    yield %x\n  } : f64\n  return %m\n"),
       "test.ir:2:13: error: expected an index like '%i < N', found ')'"},
      {fn("  %t = tape.new : tape<tape<f64>>\n  return %x\n"),
       "test.ir:2:24: error: a tape cannot hold tapes"},
      {fn("  %t = tape.new : tape<f64\n  return %x\n"),
       "test.ir:3:3: error: expected '>' to close the tape type, found 'return'"},
      {"func @f() -> f64 {\n  return\n}\n}\n", "test.ir:4:1: error: expected 'func', found '}'"},
      {"func @f() -> (a:) {\n  return\n}\n",
       "test.ir:1:17: error: expected a type like 'f64[N]', found ')'"},
      {"func @f[N](%x: f64[99999999999999999999*N]) -> f64 {\n  return\n}\n",
       "test.ir:1:20: error: dim constant too large"},
      {"func @\"f\n() -> f64 {}", "test.ir:1:6: error: unterminated quoted function name"},
  };
  for (const Case &c : cases) {
    INFO(c.text);
    CHECK(parseError(c.text) == c.error);
  }
}

TEST_CASE("parser: garbage and deep nesting do not crash") {
  std::string deep = "func @f[N](%x: f64[";
  for (int i = 0; i < 100000; ++i)
    deep += "(";
  CHECK(parseError(deep).find("nesting too deep") != std::string::npos);

  std::string regions = "func @f(%c: bool) -> () {\n";
  for (int i = 0; i < 5000; ++i)
    regions += "if %c {\n";
  CHECK(parseError(regions).find("nesting too deep") != std::string::npos);

  // Huge polynomial products are refused instead of exhausting memory.
  std::string big = "func @f[A, B, C, D](%x: f64[";
  for (int i = 0; i < 40; ++i)
    big += "(A + B + C + D + 1)*";
  big += "1]) -> () {\n  return\n}\n";
  CHECK(parseError(big).find("dim expression too large") != std::string::npos);

  // Random mutations of valid text: every outcome is a module or a diagnostic.
  auto m = test::buildAllSamples();
  std::string text = printModule(*m);
  std::mt19937 rng(1234);
  const char alphabet[] = "%@(){}[],:=<>-+*0123456789.eafN \n/\"\\";
  for (int round = 0; round < 2000; ++round) {
    std::string t = text;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % t.size();
      switch (rng() % 3) {
      case 0:
        t.erase(at, 1 + rng() % 8);
        break;
      case 1:
        t.insert(at, 1, alphabet[rng() % (sizeof alphabet - 1)]);
        break;
      default:
        t[at] = alphabet[rng() % (sizeof alphabet - 1)];
      }
    }
    SourceFile file("fuzz.ir", t);
    DiagnosticEngine diags(file);
    auto parsed = parseIR(file, diags);
    CHECK((parsed == nullptr) == diags.hasErrors());
    if (!parsed)
      continue;
    // Whatever parses prints, parses back to the same text, and verifies without crashing.
    std::string printed = printModule(*parsed);
    SourceFile again("again.ir", printed);
    DiagnosticEngine diags2(again);
    auto reparsed = parseIR(again, diags2);
    INFO(t);
    REQUIRE(reparsed);
    CHECK(printModule(*reparsed) == printed);
    (void)verifyModule(*parsed);
  }
}
