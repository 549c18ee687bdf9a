// Expressions: precedence, associativity, every primary and postfix form, and spans.
#include "ParseHelpers.h"

#include <doctest/doctest.h>

using diffc::test::exprDump;

TEST_CASE("expressions: precedence and associativity") {
  // `^` binds tighter than unary minus, is right-associative, and takes a unary exponent.
  CHECK(exprDump("-x^2") == "(- (^ x 2))");
  CHECK(exprDump("-2^2") == "(- (^ 2 2))");
  CHECK(exprDump("2^-1") == "(^ 2 (- 1))");
  CHECK(exprDump("a^b^c") == "(^ a (^ b c))");
  CHECK(exprDump("x^-y^2") == "(^ x (- (^ y 2)))");
  CHECK(exprDump("x^2 * 3") == "(* (^ x 2) 3)");
  CHECK(exprDump("x[i] ^ 2") == "(^ (index x i) 2)");
  // Unary minus binds tighter than the multiplicative operators.
  CHECK(exprDump("-x * y") == "(* (- x) y)");
  CHECK(exprDump("--x") == "(- (- x))");
  CHECK(exprDump("!a && b || c") == "(|| (&& (! a) b) c)");
  CHECK(exprDump("a || b && c") == "(|| a (&& b c))");
  // Left-associative arithmetic.
  CHECK(exprDump("a - b - c") == "(- (- a b) c)");
  CHECK(exprDump("a / b * c % d") == "(% (* (/ a b) c) d)");
  CHECK(exprDump("a + b * c") == "(+ a (* b c))");
  CHECK(exprDump("a * b + c") == "(+ (* a b) c)");
  // `@` is multiplicative; `.T` is postfix.
  CHECK(exprDump("X @ W1.T + b1") == "(+ (@ X (T W1)) b1)");
  CHECK(exprDump("A @ B @ C") == "(@ (@ A B) C)");
  CHECK(exprDump("2 * A @ x") == "(@ (* 2 A) x)");
  // Comparisons sit between arithmetic and `&&`.
  CHECK(exprDump("a + 1 < b * 2 && c == d") == "(&& (< (+ a 1) (* b 2)) (== c d))");
  CHECK(exprDump("a != b || c >= d") == "(|| (!= a b) (>= c d))");
  CHECK(exprDump("(a < b) == c") == "(== (< a b) c)"); // parenthesized: not a chain
  CHECK(exprDump("!(a <= b)") == "(! (<= a b))");
  CHECK(exprDump("(a + b) * c") == "(* (+ a b) c)");
}

TEST_CASE("expressions: literals and names") {
  CHECK(exprDump("3") == "3");
  CHECK(exprDump("3.0") == "3.0");
  CHECK(exprDump("0.5") == "0.5");
  CHECK(exprDump("1e-3") == "0.001");
  CHECK(exprDump("2.5E+4") == "25000.0");
  CHECK(exprDump("true") == "true");
  CHECK(exprDump("false || true") == "(|| false true)");
  CHECK(exprDump("wishart_gamma") == "wishart_gamma");
  CHECK(exprDump("9223372036854775807") == "9223372036854775807");
}

TEST_CASE("expressions: calls, generators, casts") {
  CHECK(exprDump("f()") == "(call f)");
  CHECK(exprDump("atan2(y, x)") == "(call atan2 y x)");
  CHECK(exprDump("f64(i) * t") == "(* (call f64 i) t)");
  CHECK(exprDump("i64(x)") == "(call i64 x)");
  CHECK(exprDump("grad(e, (x, y))") == "(call grad e (tuple x y))");
  CHECK(exprDump("sum(x[i] ^ 2 for i in 0..N)") == "(call sum (gen (^ (index x i) 2) (i 0 N)))");
  CHECK(exprDump("sum(A[i, j] for i in 0..N, j in i + 1..M)") ==
        "(call sum (gen (index A i j) (i 0 N) (j (+ i 1) M)))");
  CHECK(exprDump("log_softmax(logits[b])[labels[b]]") ==
        "(index (call log_softmax (index logits b)) (index labels b))");
  CHECK(exprDump("f(x).T") == "(T (call f x))");
}

TEST_CASE("expressions: indexing and slices") {
  CHECK(exprDump("x[i]") == "(index x i)");
  CHECK(exprDump("A[i, j]") == "(index A i j)");
  CHECK(exprDump("x[a:b]") == "(index x (: a b))");
  CHECK(exprDump("A[:, j]") == "(index A (: _ _) j)");
  CHECK(exprDump("A[1:N, :]") == "(index A (: 1 N) (: _ _))");
  CHECK(exprDump("x[a:]") == "(index x (: a _))");
  CHECK(exprDump("x[:b]") == "(index x (: _ b))");
  CHECK(exprDump("icf[k, 0:D]") == "(index icf k (: 0 D))");
  CHECK(exprDump("x[i - 1:i + 1]") == "(index x (: (- i 1) (+ i 1)))");
  CHECK(exprDump("A[i][j]") == "(index (index A i) j)");
  CHECK(exprDump("A.T[0]") == "(index (T A) 0)");
  CHECK(exprDump("A.T.T") == "(T (T A))");
}

TEST_CASE("expressions: tensors, tuples, comprehensions") {
  CHECK(exprDump("[1.0, 2.0, 3.0]") == "(tensor 1.0 2.0 3.0)");
  CHECK(exprDump("[[1, 0], [0, 1]]") == "(tensor (tensor 1 0) (tensor 0 1))");
  CHECK(exprDump("[a, b]") == "(tensor a b)");
  CHECK(exprDump("[0.0, -9.81]") == "(tensor 0.0 (- 9.81))");
  CHECK(exprDump("(a, b, c)") == "(tuple a b c)");
  CHECK(exprDump("((a))") == "a");
  CHECK(exprDump("[x[i] * w[i] for i in 0..N]") == "(comp (* (index x i) (index w i)) (i 0 N))");
  CHECK(exprDump("[A[i, j] * 2 for i in 0..N, j in 0..M]") ==
        "(comp (* (index A i j) 2) (i 0 N) (j 0 M))");
  // `..` is looser than everything: `i + 1..N` is `(i + 1)..N`.
  CHECK(exprDump("[x[j] for j in i + 1..N - 1]") == "(comp (index x j) (j (+ i 1) (- N 1)))");
  // A `,` in a comprehension continues the iterators only before `NAME in`.
  CHECK(exprDump("[[a, b] for i in 0..N]") == "(comp (tensor a b) (i 0 N))");
}

TEST_CASE("expressions: if") {
  CHECK(exprDump("if c { a } else { b }") == "(if c {=> a} {=> b})");
  CHECK(exprDump("if x > 0 { 1.0 } else if x < 0 { -1.0 } else { 0.0 }") ==
        "(if (> x 0) {=> 1.0} {=> (if (< x 0) {=> (- 1.0)} {=> 0.0})})");
  CHECK(exprDump("if c { let t = a; t * 2 } else { b }") == "(if c {(let t a) => (* t 2)} {=> b})");
  CHECK(exprDump("1 + if c { a } else { b }") == "(+ 1 (if c {=> a} {=> b}))");
  CHECK(exprDump("if c { a }") == "(if c {=> a})"); // no else: sema decides if a value is needed
}

TEST_CASE("expressions: spans") {
  using namespace diffc;
  SourceFile file("s", "a + b * c");
  DiagnosticEngine diags(file);
  ast::ExprPtr e = parseStandaloneExpr(file, diags);
  REQUIRE(e);
  CHECK(e->span.begin == 0);
  CHECK(e->span.end == 9);
  CHECK(e->opSpan.begin == 2);
  CHECK(e->opSpan.end == 3);
  CHECK(e->args[1]->span.begin == 4);
  CHECK(e->args[1]->opSpan.begin == 6);

  auto spanText = [](const char *src, auto pick) {
    SourceFile f("s", src);
    DiagnosticEngine d(f);
    ast::ExprPtr x = parseStandaloneExpr(f, d);
    REQUIRE(x);
    Span s = pick(*x);
    return f.text().substr(s.begin, s.end - s.begin);
  };
  auto whole = [](const ast::Expr &x) { return x.span; };
  auto op = [](const ast::Expr &x) { return x.opSpan; };
  CHECK(spanText("  -x^2 ", whole) == "-x^2");
  CHECK(spanText("  -x^2 ", op) == "-");
  CHECK(spanText("(a + b) * c", [](const ast::Expr &x) { return x.args[0]->span; }) == "(a + b)");
  CHECK(spanText("sum(x[i] for i in 0..N)", whole) == "sum(x[i] for i in 0..N)");
  CHECK(spanText("sum(x[i] for i in 0..N)", op) == "sum");
  CHECK(spanText("sum(x[i] for i in 0..N)", [](const ast::Expr &x) { return x.args[0]->span; }) ==
        "x[i] for i in 0..N");
  CHECK(spanText("A[1:N, :] ", whole) == "A[1:N, :]");
  CHECK(spanText("A[1:N, :]", [](const ast::Expr &x) { return x.subs[0].span; }) == "1:N");
  CHECK(spanText("A[1:N, :]", [](const ast::Expr &x) { return x.subs[1].span; }) == ":");
  CHECK(spanText("W1.T", whole) == "W1.T");
  CHECK(spanText("W1.T", op) == ".T");
  CHECK(spanText("[i for i in 0..N]", whole) == "[i for i in 0..N]");
  CHECK(spanText("(a, b)", whole) == "(a, b)");
  CHECK(spanText("if c { a } else { b }", whole) == "if c { a } else { b }");
  CHECK(spanText("if c { a } else { b }", op) == "if");
  CHECK(spanText("if c { a } else if d { b } else { e }",
                 [](const ast::Expr &x) { return x.elseBlock->span; }) == "if d { b } else { e }");
}

TEST_CASE("standalone expressions: errors give null") {
  CHECK(exprDump("x +") == "error: 1:4: expected expression");
  CHECK(exprDump("x y") == "error: 1:3: unexpected identifier 'y' after expression");
  CHECK(exprDump("f(x") == "error: 1:4: expected ')' after arguments");
  CHECK(exprDump("") == "error: 1:1: expected expression");
  CHECK(exprDump("0..N") == "error: 1:2: '..' ranges are only allowed in 'for' loops, "
                            "comprehensions and generators");
  CHECK(exprDump("a < b < c") ==
        "error: 1:7: comparison operators cannot be chained; combine comparisons with '&&'");
  CHECK(exprDump("x # 2") == "error: 1:3: invalid character '#'");
}
