// Parse errors: messages and LINE:COL, recovery (several errors per run, no endless loops), the
// nesting limits, hostile input, and the golden files tests/errors/parse-*.diff.
#include "ParseHelpers.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace diffc;
using diffc::test::parse;
using diffc::test::Parsed;

namespace {

std::vector<std::string> errorsOf(const std::string &src) { return parse(src).errors(); }

std::string firstErrorOf(const std::string &src) { return parse(src).firstError(); }

/// Wraps statements in a function: the body starts on line 2, column 1.
std::string firstErrorInBody(const std::string &body) {
  return firstErrorOf("fn f(x: f64) -> f64 {\n" + body + "\n}\n");
}

} // namespace

TEST_CASE("errors: expressions") {
  CHECK(firstErrorInBody("let y = x * ;") == "2:13: expected expression");
  CHECK(firstErrorInBody("let y = max(x, 2.0;") == "2:19: expected ')' after arguments");
  CHECK(firstErrorInBody("let y = (x + 1;") == "2:15: expected ')'");
  CHECK(firstErrorInBody("let y = [x, 1;") == "2:14: expected ']' after tensor elements");
  CHECK(firstErrorInBody("let y = [x for i in 0..3;") == "2:25: expected ']' after comprehension");
  CHECK(firstErrorInBody("x[i") == "2:4: expected ']' after subscripts");
  CHECK(firstErrorInBody("x[]") == "2:3: expected an index or a slice");
  CHECK(firstErrorInBody("x[1,]") == "2:5: expected an index or a slice");
  CHECK(firstErrorInBody("[]") == "2:1: a tensor literal needs at least one element");
  CHECK(firstErrorInBody("0.0 < x < 1.0") ==
        "2:9: comparison operators cannot be chained; combine comparisons with '&&'");
  CHECK(firstErrorInBody("x == 1 != true") ==
        "2:8: comparison operators cannot be chained; combine comparisons with '&&'");
  CHECK(firstErrorInBody("A.transpose") ==
        "2:2: unknown member '.transpose'; only '.T' (transpose) is supported");
  CHECK(firstErrorInBody("A.(0)") == "2:3: expected 'T' after '.'");
  CHECK(firstErrorInBody("x[0](1)") == "2:5: only a function name can be called");
  CHECK(firstErrorInBody("(f)(1)") == "2:4: only a function name can be called");
  CHECK(firstErrorInBody("f(1)(2)") == "2:5: only a function name can be called");
  CHECK(firstErrorInBody("let r = 0..3;") ==
        "2:10: '..' ranges are only allowed in 'for' loops, comprehensions and generators");
  CHECK(firstErrorInBody("max(0.0, x[i] for i in 0..3)") ==
        "2:15: a generator must be the only argument of a call");
  CHECK(firstErrorInBody("sum(x[i] for i in 0..3, 1)") ==
        "2:23: a generator must be the only argument of a call");
  CHECK(firstErrorInBody("(x for i in 0..3)") ==
        "2:4: a generator is only allowed as the only argument of a call, as in "
        "'sum(e for i in 0..N)'");
  CHECK(firstErrorInBody("[x for i 0..3]") == "2:10: expected 'in' after loop variable");
  CHECK(firstErrorInBody("[x for i in 3]") == "2:14: expected '..' in range 'lo..hi'");
  CHECK(firstErrorInBody("[x for in 0..3]") ==
        "2:8: expected a loop variable name after 'for' ('in' is a keyword)");
  CHECK(firstErrorInBody("if x = 0.0 { 1.0 } else { x }") ==
        "2:6: expected '{' after 'if' condition; use '==' to compare");
  CHECK(firstErrorInBody("if x > 0.0 { x } else -x") == "2:23: expected '{' or 'if' after 'else'");
  CHECK(firstErrorInBody("while x > 0.0 x = x - 1.0;") ==
        "2:15: expected '{' after 'while' condition");
}

TEST_CASE("errors: statements") {
  CHECK(firstErrorInBody("let y = x * 2\nlet z = y;\nz") ==
        "2:14: expected ';' after 'let' binding");
  CHECK(firstErrorInBody("let = x;") == "2:5: expected a name after 'let'");
  CHECK(firstErrorInBody("let y x;") == "2:7: expected '=' in 'let' binding");
  CHECK(firstErrorInBody("let (a) = x;\na") == "2:5: a tuple pattern needs at least two names");
  CHECK(firstErrorInBody("let (a, 1) = x;") == "2:9: expected a name in the tuple pattern");
  CHECK(firstErrorInBody("var y;\nx") == "2:6: expected '=' in 'var' declaration");
  CHECK(firstErrorInBody("var y = x\nx") == "2:10: expected ';' after 'var' declaration");
  CHECK(firstErrorInBody("var y = x; y = 2\ny") == "2:17: expected ';' after assignment");
  CHECK(firstErrorInBody("sin(x) = 1.0;") ==
        "2:1: invalid assignment target; expected a variable or an indexed variable");
  CHECK(firstErrorInBody("x.T[0] = 1.0;") ==
        "2:1: invalid assignment target; expected a variable or an indexed variable");
  CHECK(firstErrorInBody("f(x) g(x)") == "2:5: expected ';' after expression");
  CHECK(firstErrorInBody("return x;\nx") ==
        "2:1: 'return' is only allowed as the last statement of a block");
  CHECK(firstErrorInBody("return;") == "2:7: expected expression");
  CHECK(firstErrorInBody("for i 0..3 { }") == "2:7: expected 'in' after loop variable");
  CHECK(firstErrorInBody("for i in 0..3 x") == "2:15: expected '{' after 'for' range");
  CHECK(firstErrorInBody("@checkpoint\nlet y = x;") ==
        "3:1: expected a 'for' loop after attribute");
  CHECK(firstErrorInBody("@vjp(g) for i in 0..3 { }") ==
        "2:1: '@vjp' can only be applied to a function");
  CHECK(firstErrorInBody("@checkpoint(x) for i in 0..3 { }") ==
        "2:1: '@checkpoint' takes no arguments");
  CHECK(firstErrorInBody("@unroll for i in 0..3 { }") == "2:2: unknown attribute '@unroll'");
  // A missing `}` is reported where it belongs, with a note at the `{`.
  Parsed p = parse("fn f(x: f64) -> f64 {\n  if x > 0.0 {\n    x\n}\n");
  CHECK(p.errors() == std::vector<std::string>{"4:2: expected '}' at end of block"});
  REQUIRE(p.diags->diagnostics().size() == 2);
  CHECK(p.diags->diagnostics()[1].severity == Severity::Note);
  CHECK(p.file->locOf(p.diags->diagnostics()[1].span.begin).line == 1);
}

TEST_CASE("errors: declarations and types") {
  CHECK(firstErrorOf("let scale = 2.0;") ==
        "1:1: unexpected token 'let' at top level; expected 'fn'");
  CHECK(firstErrorOf("}") == "1:1: unexpected token '}' at top level; expected 'fn'");
  CHECK(firstErrorOf("function f() {}") ==
        "1:1: unexpected identifier 'function' at top level; expected 'fn'");
  CHECK(firstErrorOf("fn (x: f64) -> f64 = x;") == "1:4: expected function name after 'fn'");
  CHECK(firstErrorOf("fn f[N, ](x: f64) -> f64 = x;") == "1:9: expected size parameter name");
  CHECK(firstErrorOf("fn f[N x: f64) -> f64 = x;") == "1:8: expected ']' after size parameters");
  CHECK(firstErrorOf("fn f x: f64) -> f64 = x;") == "1:6: expected '(' after function name");
  CHECK(firstErrorOf("fn f(x f64) -> f64 = x;") == "1:8: expected ':' after parameter name");
  CHECK(firstErrorOf("fn f(x: f64 -> f64 = x;") == "1:13: expected ')' after parameters");
  CHECK(firstErrorOf("fn f(x: f64) {\n  x\n}") ==
        "1:14: expected '->' and the result type after the parameters");
  CHECK(firstErrorOf("fn f(x: f64) -> f64\nfn g() -> f64 = 1.0;") ==
        "1:20: expected '{' or '=' to begin the function body");
  CHECK(firstErrorOf("fn sq(x: f64) -> f64 = x * x\nfn g() -> f64 = 1.0;") ==
        "1:29: expected ';' after function body");
  CHECK(firstErrorOf("fn f(x: float) -> f64 = x;") ==
        "1:9: unknown type 'float'; expected f64, f32, i64 or bool");
  CHECK(firstErrorOf("fn f(x: f64[]) -> f64 = x;") == "1:13: expected a dimension");
  CHECK(firstErrorOf("fn f(x: f64[N) -> f64 = x;") == "1:14: expected ']' after tensor dimensions");
  CHECK(firstErrorOf("fn f(x: f64) -> (f64) = x;") ==
        "1:17: a tuple type needs at least two elements");
  CHECK(firstErrorOf("fn f(x: f64) -> = x;") == "1:17: expected a type");
  CHECK(firstErrorOf("@checkpoint\nfn f(x: f64) -> f64 = x;") ==
        "1:1: '@checkpoint' can only be applied to a 'for' loop");
  CHECK(firstErrorOf("@vjp\nfn f(x: f64) -> f64 = x;") ==
        "1:1: '@vjp' takes one argument, the derivative function: '@vjp(f_vjp)'");
  CHECK(firstErrorOf("@vjp(g)\nlet x = 1;") == "2:1: expected 'fn' after attribute");
  CHECK(firstErrorOf("fn f(x: f64) -> f64 {\n  x\n") == "2:4: expected '}' at end of block");
}

TEST_CASE("errors: lexical problems are reported once, without parse-error cascades") {
  CHECK(errorsOf("fn f(x: f64) -> f64 {\n  x # 2.0\n}") ==
        std::vector<std::string>{"2:5: invalid character '#'"});
  CHECK(errorsOf("fn f(a: bool, b: bool) -> bool { a & b }") ==
        std::vector<std::string>{"1:36: invalid character '&'; did you mean '&&'?"});
  CHECK(errorsOf("fn f(x: f64) -> f64 {\n  x /* never closed\n}") ==
        std::vector<std::string>{"2:5: unterminated block comment"});
  CHECK(
      errorsOf("fn f() -> i64 { 9223372036854775808 }") ==
      std::vector<std::string>{"1:17: integer literal '9223372036854775808' is too large for i64"});
}

TEST_CASE("errors: recovery reports several errors in one run") {
  Parsed p = parse(R"(fn f(x: f64) -> f64 {
  let a = x +;
  let b = (a * 2.0;
  a + b
}
fn g(x: f64) -> f64 {
  var acc = 0.0;
  for i in 0..3 { acc += x[i }
  acc = acc */ 2.0;
  acc
}
fn h(x f64) -> f64 = x;
fn ok(x: f64) -> f64 = x;
)");
  CHECK(p.errors() == std::vector<std::string>{
                          "2:14: expected expression",
                          "3:19: expected ')'",
                          "8:30: expected ']' after subscripts",
                          "9:14: expected expression",
                          "12:8: expected ':' after parameter name",
                      });
  // Functions whose bodies had statement errors are kept; `h` (a broken signature) is not.
  REQUIRE(p.module.functions.size() == 3);
  CHECK(p.module.functions[0].name.name == "f");
  CHECK(p.module.functions[1].name.name == "g");
  CHECK(p.module.functions[2].name.name == "ok");
  CHECK(ast::dump(*p.module.functions[0].body) == "{=> (+ a b)}");

  // A broken statement does not swallow the statements after it.
  Parsed q = parse("fn f(x: f64) -> f64 {\n  if x = 3 { x }\n  let z = 2;\n  z\n}\n");
  CHECK(q.errors().size() == 1);
  CHECK(ast::dump(*q.module.functions.at(0).body) == "{(let z 2) => z}");

  // A generator misused inside a statement does not make the parser see a `for` loop.
  CHECK(errorsOf("fn f(x: f64) -> f64 {\n  max(0.0, x for i in 0..3);\n  x\n}").size() == 1);
}

TEST_CASE("errors: the error count is capped and junk never loops") {
  std::string junk;
  for (int i = 0; i < 2000; ++i)
    junk += ") ] } ; , fn let for in .. @ ";
  Parsed p = parse(junk);
  CHECK(p.diags->errorCount() == DiagnosticEngine::kMaxErrors);
}

TEST_CASE("nesting limit: deep input gives one error, not a stack overflow") {
  const std::string limitMsg = "nesting too deep (limit 256)";
  auto onlyError = [](const std::string &src) {
    std::vector<std::string> errs = errorsOf(src);
    return errs.size() == 1 ? errs[0] : fmt::format("{} errors", errs.size());
  };
  auto nested = [](const std::string &open, const std::string &mid, const std::string &close,
                   int n) {
    std::string s;
    s.reserve((open.size() + close.size()) * n + mid.size());
    for (int i = 0; i < n; ++i)
      s += open;
    s += mid;
    for (int i = 0; i < n; ++i)
      s += close;
    return s;
  };
  const std::string head = "fn f(x: f64) -> f64 {\n";
  // 200,000 nested parentheses: the function body is level 1, the expression starting at
  // column 1 level 2, so the expression inside the 255th `(` (column 256) is level 257.
  CHECK(onlyError(head + nested("(", "x", ")", 200000) + "\n}") == "2:256: " + limitMsg);
  CHECK(onlyError(head + nested("-", "x", "", 200000) + "\n}") == "2:256: " + limitMsg);
  CHECK(onlyError(head + nested("[", "x", "]", 200000) + "\n}") == "2:256: " + limitMsg);
  CHECK(onlyError(head + nested("f(", "x", ")", 200000) + "\n}").ends_with(limitMsg));
  CHECK(onlyError(head + nested("x^", "x", "", 200000) + "\n}").ends_with(limitMsg));
  CHECK(onlyError(head + nested("if x { ", "x", " } else { x }", 100000) + "\n}")
            .ends_with(limitMsg));
  CHECK(onlyError(head + nested("if x { x } else ", "{ x }", "", 100000) + "\n}")
            .ends_with(limitMsg));
  CHECK(
      onlyError(head + nested("for i in 0..3 { ", "", "}", 100000) + "\nx }").ends_with(limitMsg));
  CHECK(onlyError("fn f(x: " + nested("(f64, ", "f64", ")", 100000) + ") -> f64 = 1.0;")
            .ends_with(limitMsg));
  // Just under the limit is fine.
  CHECK(errorsOf(head + nested("(", "x", ")", 250) + "\n}").empty());

  // Long operator chains deepen the tree too; a moderate one is fine, a huge one is one error.
  std::string sum = "x";
  for (int i = 0; i < 1000; ++i)
    sum += " + x";
  CHECK(errorsOf(head + sum + "\n}").empty());
  std::string huge = "x";
  for (int i = 0; i < 200000; ++i)
    huge += "+x";
  CHECK(
      onlyError(head + huge + "\n}")
          .ends_with("expression too long: more than 1024 chained operators; split it with 'let'"));
  std::string transposes = "x";
  for (int i = 0; i < 200000; ++i)
    transposes += ".T";
  CHECK(onlyError(head + transposes + "\n}").ends_with("chained operators; split it with 'let'"));

  // The standalone expression entry point has the same limit.
  SourceFile file("e", nested("(", "x", ")", 200000));
  DiagnosticEngine diags(file);
  CHECK(parseStandaloneExpr(file, diags) == nullptr);
  CHECK(diags.errorCount() == 1);
}

TEST_CASE("hostile input: random bytes and random tokens never crash") {
  std::mt19937 rng(12345);
  std::string bytes(1 << 20, '\0');
  for (char &c : bytes)
    c = static_cast<char>(rng() & 0xFF);
  Parsed p = parse(bytes, "random.diff");
  CHECK(p.diags->hasErrors());
  std::ostringstream rendered;
  p.diags->print(rendered); // rendering (source line + caret) copes too
  CHECK(!rendered.str().empty());

  const char *words[] = {"fn", "let", "var", "(",  ")",      "[",     "]",  "{",   "}",
                         "x",  "1",   "2.5", "+",  "*",      "^",     "-",  ";",   ",",
                         "..", "for", "in",  "if", "else",   "@",     "->", ":",   "=",
                         "+=", "f64", ".",   "T",  "return", "while", "<",  "sum", "\n"};
  for (int round = 0; round < 20; ++round) {
    std::string soup;
    for (int i = 0; i < 20000; ++i) {
      soup += words[rng() % std::size(words)];
      soup += ' ';
    }
    Parsed q = parse(soup);
    CHECK(q.diags->errorCount() >= 1);
  }
}

TEST_CASE("golden files tests/errors/parse-*.diff: every CHECK line matches the parser's output") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(DIFFC_SOURCE_DIR) / "tests" / "errors";
  int files = 0;
  for (const auto &entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("parse-") || entry.path().extension() != ".diff")
      continue;
    ++files;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    // The driver names the file as given on its command line: here the full path.
    SourceFile file(entry.path().string(), text.str());
    DiagnosticEngine diags(file);
    parseModule(file, diags);
    std::ostringstream out;
    diags.print(out);
    std::string output = out.str();
    INFO(name << "\n" << output);
    CHECK(diags.hasErrors());
    std::istringstream lines(text.str());
    std::string line;
    size_t from = 0;
    int checks = 0;
    while (std::getline(lines, line)) {
      const std::string tag = "// CHECK: ";
      if (!line.starts_with(tag))
        continue;
      ++checks;
      std::string want = line.substr(tag.size());
      size_t at = output.find(want, from);
      CHECK_MESSAGE(at != std::string::npos, "missing: " << want);
      if (at != std::string::npos)
        from = at + want.size();
    }
    CHECK(checks >= 1);
  }
  CHECK(files >= 25);
}
