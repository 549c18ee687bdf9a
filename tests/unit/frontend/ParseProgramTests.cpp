// Every program of the language design document (LANGUAGE.md), parsed exactly as written, with
// the expected tree written out by hand.
#include "ParseHelpers.h"

#include <doctest/doctest.h>

using namespace diffc;
using diffc::test::blockDump;
using diffc::test::parse;
using diffc::test::Parsed;

namespace {

/// Parses `src`, requires no errors, and returns the module.
Parsed parseClean(const std::string &src) {
  Parsed p = parse(src);
  INFO(p.firstError());
  REQUIRE(!p.diags->hasErrors());
  return p;
}

} // namespace

TEST_CASE("program: logistic regression") {
  Parsed p = parseClean(R"(// logistic.diff: logistic-regression loss
fn loss[N, D](w: f64[D], b: f64, X: f64[N, D], y: f64[N]) -> f64 {
  let p = sigmoid(X @ w + b);
  -mean(y * log(p) + (1 - y) * log(1 - p))
}
)");
  REQUIRE(p.module.functions.size() == 1);
  const ast::Function &f = p.module.functions[0];
  CHECK(f.name.name == "loss");
  REQUIRE(f.sizeParams.size() == 2);
  CHECK(f.sizeParams[0].name == "N");
  CHECK(f.sizeParams[1].name == "D");
  REQUIRE(f.params.size() == 4);
  CHECK(f.params[0].name.name == "w");
  CHECK(f.params[0].type.kind == ast::TypeExpr::Kind::Tensor);
  CHECK(f.params[0].type.scalar == "f64");
  CHECK(f.params[1].type.kind == ast::TypeExpr::Kind::Scalar);
  CHECK(f.params[2].type.dims.size() == 2);
  CHECK(f.result.scalar == "f64");
  CHECK(ast::dump(f) ==
        "fn loss[N, D](w: f64[D], b: f64, X: f64[N, D], y: f64[N]) -> f64 "
        "{(let p (call sigmoid (+ (@ X w) b))) "
        "=> (- (call mean (+ (* y (call log p)) (* (- 1 y) (call log (- 1 p))))))}");
  // Spans: the function from `fn` to `}`, the parameter name, the statement up to its `;`.
  CHECK(p.text(f.span).substr(0, 8) == "fn loss[");
  CHECK(p.text(f.span).back() == '}');
  CHECK(p.text(f.params[2].name.span) == "X");
  CHECK(p.text(f.params[2].type.span) == "f64[N, D]");
  CHECK(p.text(f.body->stmts[0]->span) == "let p = sigmoid(X @ w + b);");
  CHECK(p.text(f.body->stmts[0]->names[0].span) == "p");
  CHECK(p.text(f.body->result->span) == "-mean(y * log(p) + (1 - y) * log(1 - p))");
}

TEST_CASE("program: function forms, derivatives inside the language") {
  Parsed p = parseClean(R"(
fn name[N, D](x: f64[N, D], s: f64) -> f64 { s }
fn sq(x: f64) -> f64 = x * x;
fn newton_step(x: f64) -> f64 {
  let g = grad(f(x), x);                  // d f / d x at x
  let h = jvp(grad(f(x), x), x, 1.0);     // second derivative: forward over reverse
  x - g / h
}
fn hvp[N](x: f64[N], v: f64[N]) -> f64[N] = jvp(grad(energy(x), x), x, v);
)");
  REQUIRE(p.module.functions.size() == 4);
  CHECK(ast::dump(p.module.functions[1]) == "fn sq(x: f64) -> f64 {=> (* x x)}");
  // An expression body is a block holding only the result, spanning the expression.
  const ast::Block &sqBody = *p.module.functions[1].body;
  CHECK(sqBody.stmts.empty());
  CHECK(p.text(sqBody.span) == "x * x");
  CHECK(ast::dump(p.module.functions[2]) ==
        "fn newton_step(x: f64) -> f64 {(let g (call grad (call f x) x)) "
        "(let h (call jvp (call grad (call f x) x) x 1.0)) => (- x (/ g h))}");
  CHECK(ast::dump(p.module.functions[3]) == "fn hvp[N](x: f64[N], v: f64[N]) -> f64[N] "
                                            "{=> (call jvp (call grad (call energy x) x) x v)}");
}

TEST_CASE("program: custom derivative rules and checkpoints") {
  Parsed p = parseClean(R"(
@vjp(lse_vjp)
fn lse[N](x: f64[N]) -> f64 { let m = max(x); m + log(sum(exp(x - m))) }
fn lse_vjp[N](x: f64[N], y: f64, dy: f64) -> f64[N] = dy * exp(x - y);

fn steps[T](x0: f64) -> f64 {
  var x = x0;
  @checkpoint
  for t in 0..T { x = x - 0.1 * sin(x); }
  x
}
)");
  REQUIRE(p.module.functions.size() == 3);
  const ast::Function &lse = p.module.functions[0];
  REQUIRE(lse.attrs.size() == 1);
  CHECK(lse.attrs[0].name.name == "vjp");
  REQUIRE(lse.attrs[0].args.size() == 1);
  CHECK(lse.attrs[0].args[0].name == "lse_vjp");
  CHECK(p.text(lse.attrs[0].span) == "@vjp(lse_vjp)");
  CHECK(ast::dump(lse) ==
        "@vjp(lse_vjp) fn lse[N](x: f64[N]) -> f64 "
        "{(let m (call max x)) => (+ m (call log (call sum (call exp (- x m)))))}");
  CHECK(ast::dump(p.module.functions[1]) ==
        "fn lse_vjp[N](x: f64[N], y: f64, dy: f64) -> f64[N] {=> (* dy (call exp (- x y)))}");
  const ast::Stmt &loop = *p.module.functions[2].body->stmts.at(1);
  CHECK(loop.kind == ast::StmtKind::For);
  REQUIRE(loop.attrs.size() == 1);
  CHECK(loop.attrs[0].name.name == "checkpoint");
  CHECK(loop.attrs[0].args.empty());
  CHECK(ast::dump(loop) == "(@checkpoint for (t 0 T) {(= x (- x (* 0.1 (call sin x))))})");
  CHECK(p.text(loop.span).substr(0, 11) == "@checkpoint");
  CHECK(p.text(loop.iter.var.span) == "t");
}

TEST_CASE("program: mlp") {
  Parsed p = parseClean(R"(
// mlp.diff: two-layer perceptron, softmax cross-entropy over a batch
fn mlp_loss[B, I, H, O](W1: f64[H, I], b1: f64[H], W2: f64[O, H], b2: f64[O],
                        X: f64[B, I], labels: i64[B]) -> f64 {
  let hid = relu(X @ W1.T + b1);            // [B, H], b1 broadcast over rows
  let logits = hid @ W2.T + b2;              // [B, O]
  -mean([log_softmax(logits[b])[labels[b]] for b in 0..B])
}
)");
  const ast::Function &f = p.module.functions.at(0);
  CHECK(f.params.size() == 6);
  CHECK(ast::dump(f.params[5].type) == "i64[B]");
  CHECK(ast::dump(*f.body) ==
        "{(let hid (call relu (+ (@ X (T W1)) b1))) (let logits (+ (@ hid (T W2)) b2)) "
        "=> (- (call mean (comp (index (call log_softmax (index logits b)) (index labels b)) "
        "(b 0 B))))}");
}

TEST_CASE("program: gmm with its helper functions") {
  Parsed p = parseClean(R"(
// gmm.diff: Gaussian mixture log-likelihood with the ADBench parametrisation (objective only)
fn gmm[N, K, D, T](alphas: f64[K], means: f64[K, D], icf: f64[K, T], x: f64[N, D],
                   wishart_gamma: f64, wishart_m: i64) -> f64 {
  // T = D * (D + 1) / 2 packs the log-diagonal (first D) and the strict lower triangle of each
  // inverse Cholesky factor, column by column, as ADBench does
  let qs = [sum(icf[k, 0:D]) for k in 0..K];
  var total = 0.0;
  for n in 0..N {
    let lse_terms = [alphas[k] + qs[k] - 0.5 * sum(qdiff(icf[k], x[n] - means[k]) ^ 2) for k in 0..K];
    total += logsumexp(lse_terms);
  }
  total - N * logsumexp(alphas) + wishart_prior(alphas, icf, qs, wishart_gamma, wishart_m)
}

// L * d, L the lower-triangular factor unpacked from icf (diagonal exp(icf[0:D]), then the
// strict lower triangle column by column)
fn qdiff[D, T](icf: f64[T], d: f64[D]) -> f64[D] {
  var out = exp(icf[0:D]) * d;
  var idx = D;
  for j in 0..D {
    for i in j + 1..D {
      out[i] += icf[idx] * d[j];
      idx += 1;
    }
  }
  out
}

fn wishart_prior[K, T](alphas: f64[K], icf: f64[K, T], qs: f64[K], gamma: f64, m: i64) -> f64 {
  let d = i64((sqrt(8.0 * T + 1.0) - 1.0) / 2.0 + 0.5);   /* T = d (d + 1) / 2 */
  let n = d + m + 1;
  let frobenius = sum([sum(exp(icf[k, 0:d]) ^ 2) + sum(icf[k, d:] ^ 2) for k in 0..K]);
  let c = n * d * (log(gamma) - 0.5 * log(2.0)) - mvlgamma(0.5 * n, d);
  0.5 * gamma ^ 2 * frobenius - m * sum(qs) - K * c
}

fn mvlgamma(a: f64, p: i64) -> f64 {
  var out = 0.25 * p * (p - 1) * log(3.141592653589793);
  for j in 0..p { out += lgamma(a - 0.5 * j); }
  return out;
}
)");
  REQUIRE(p.module.functions.size() == 4);
  const ast::Block &gmm = *p.module.functions[0].body;
  REQUIRE(gmm.stmts.size() == 3);
  CHECK(ast::dump(*gmm.stmts[0]) == "(let qs (comp (call sum (index icf k (: 0 D))) (k 0 K)))");
  CHECK(ast::dump(*gmm.stmts[1]) == "(var total 0.0)");
  CHECK(ast::dump(*gmm.stmts[2]) ==
        "(for (n 0 N) {(let lse_terms (comp (- (+ (index alphas k) (index qs k)) (* 0.5 (call sum "
        "(^ (call qdiff (index icf k) (- (index x n) (index means k))) 2)))) (k 0 K))) "
        "(+= total (call logsumexp lse_terms))})");
  CHECK(ast::dump(*gmm.result) == "(+ (- total (* N (call logsumexp alphas))) "
                                  "(call wishart_prior alphas icf qs wishart_gamma wishart_m))");

  CHECK(ast::dump(*p.module.functions[1].body) ==
        "{(var out (* (call exp (index icf (: 0 D))) d)) (var idx D) "
        "(for (j 0 D) {(for (i (+ j 1) D) {(+= (index out i) (* (index icf idx) (index d j))) "
        "(+= idx 1)})}) => out}");

  const ast::Block &wp = *p.module.functions[2].body;
  REQUIRE(wp.stmts.size() == 4);
  CHECK(ast::dump(*wp.stmts[0]) ==
        "(let d (call i64 (+ (/ (- (call sqrt (+ (* 8.0 T) 1.0)) 1.0) 2.0) 0.5)))");
  CHECK(ast::dump(*wp.stmts[2]) ==
        "(let frobenius (call sum (comp (+ (call sum (^ (call exp (index icf k (: 0 d))) 2)) "
        "(call sum (^ (index icf k (: d _)) 2))) (k 0 K))))");
  CHECK(ast::dump(*wp.result) ==
        "(- (- (* (* 0.5 (^ gamma 2)) frobenius) (* m (call sum qs))) (* K c))");

  // A trailing `return e;` is the block's result.
  const ast::Block &mv = *p.module.functions[3].body;
  CHECK(mv.stmts.size() == 2);
  REQUIRE(mv.result);
  CHECK(ast::dump(*mv.result) == "out");
}

TEST_CASE("program: projectile") {
  Parsed p = parseClean(R"(
// projectile.diff: differentiate through a simulation loop
fn miss(v0: f64[2], target: f64[2]) -> f64 {
  var p = [0.0, 0.0];
  var v = v0;
  for t in 0..1000 {
    v = v + 0.001 * ([0.0, -9.81] - 0.1 * norm(v) * v);   // gravity and quadratic drag
    p = p + 0.001 * v;
  }
  sum((p - target) ^ 2)
}
)");
  CHECK(ast::dump(p.module.functions.at(0)) ==
        "fn miss(v0: f64[2], target: f64[2]) -> f64 {(var p (tensor 0.0 0.0)) (var v v0) "
        "(for (t 0 1000) {(= v (+ v (* 0.001 (- (tensor 0.0 (- 9.81)) (* (* 0.1 (call norm v)) "
        "v))))) "
        "(= p (+ p (* 0.001 v)))}) => (call sum (^ (- p target) 2))}");
}

TEST_CASE("program: the statements section") {
  // LANGUAGE.md's `{ ... }` bodies are elisions; they are filled in here.
  Parsed p = parseClean(R"(
fn stmts[N, T](X: f64[N, N], w: f64[N], x: f64[N], h0: f64, c0: f64, pos: f64[2], dt: f64,
               tol: f64, v: f64, i: i64) -> f64 {
  let z = X @ w;                 // immutable binding
  let (h, c) = cell(x, h0, c0);  // tuple destructuring
  var acc = 0.0;                 // mutable variable (value semantics)
  acc = acc + x[i];  acc += x[i];  acc -= 1;  acc *= 2;  acc /= 2;
  var traj = zeros(T, 2);        // a mutable tensor
  for t in 0..T { traj[t] = pos;  traj[t, 0] += dt; }
  var err = 1.0;
  while err > tol { err = err / 2; }   // loop with a data-dependent trip count
  if v > 0 { acc += 1; } else { acc -= 1; }  // conditional statement
  acc
}
)");
  const ast::Block &b = *p.module.functions.at(0).body;
  REQUIRE(b.stmts.size() == 13);
  const char *expected[] = {
      "(let z (@ X w))",
      "(let (h c) (call cell x h0 c0))",
      "(var acc 0.0)",
      "(= acc (+ acc (index x i)))",
      "(+= acc (index x i))",
      "(-= acc 1)",
      "(*= acc 2)",
      "(/= acc 2)",
      "(var traj (call zeros T 2))",
      "(for (t 0 T) {(= (index traj t) pos) (+= (index traj t 0) dt)})",
      "(var err 1.0)",
      "(while (> err tol) {(= err (/ err 2))})",
      "(expr (if (> v 0) {(+= acc 1)} {(-= acc 1)}))",
  };
  for (size_t i = 0; i < b.stmts.size(); ++i)
    CHECK(ast::dump(*b.stmts[i]) == expected[i]);
  CHECK(b.stmts[1]->kind == ast::StmtKind::LetTuple);
  CHECK(b.stmts[4]->op == Tok::PlusAssign);
  CHECK(p.text(b.stmts[4]->span) == "acc += x[i];");
  CHECK(p.text(b.stmts[9]->span) == "for t in 0..T { traj[t] = pos;  traj[t, 0] += dt; }");
  CHECK(p.text(b.stmts[12]->span) == "if v > 0 { acc += 1; } else { acc -= 1; }");
  REQUIRE(b.result);
  CHECK(ast::dump(*b.result) == "acc");
}

TEST_CASE("blocks: results, if statements, semicolons") {
  // The last expression without `;` is the result; with `;` it is a statement.
  CHECK(blockDump("x") == "{=> x}");
  CHECK(blockDump("x;") == "{(expr x)}");
  CHECK(blockDump("f(x); g(x)") == "{(expr (call f x)) => (call g x)}");
  CHECK(blockDump("") == "{}");
  CHECK(blockDump(";;x") == "{=> x}");
  CHECK(blockDump("return x;") == "{=> x}");
  CHECK(blockDump("let y = 1; return y") == "{(let y 1) => y}");
  // An `if` last and without `;` is the result; elsewhere a statement needing no `;`.
  CHECK(blockDump("if c { a } else { b }") == "{=> (if c {=> a} {=> b})}");
  CHECK(blockDump("if c { a } else { b };") == "{(expr (if c {=> a} {=> b}))}");
  CHECK(blockDump("if c { f(a); } x") == "{(expr (if c {(expr (call f a))})) => x}");
  CHECK(blockDump("if c { a } else if d { b } else { e } x") ==
        "{(expr (if c {=> a} {=> (if d {=> b} {=> e})})) => x}");
  // Loops need no `;` after `}`; a stray one is an empty statement.
  CHECK(blockDump("for i in 0..N { } while c { }; x") == "{(for (i 0 N) {}) (while c {}) => x}");
  CHECK(blockDump("for i in 0..len(x) { s += x[i]; }") ==
        "{(for (i 0 (call len x)) {(+= s (index x i))})}");
  CHECK(blockDump("x[i][j] = 1;") == "{(= (index (index x i) j) 1)}");
  // `let` of an `if` expression.
  CHECK(blockDump("let s = if x > 0 { 1.0 } else { -1.0 }; s") ==
        "{(let s (if (> x 0) {=> 1.0} {=> (- 1.0)})) => s}");
}

TEST_CASE("types") {
  Parsed p = parseClean(R"(
fn f[N](a: f64, b: f32[3, 3], c: i64[N], d: bool[N - 1, 2 * N], e: (f64, f64[N])) -> (f64, (i64, bool)) = a;
)");
  const ast::Function &f = p.module.functions.at(0);
  CHECK(ast::dump(f.params[1].type) == "f32[3, 3]");
  CHECK(ast::dump(f.params[3].type) == "bool[(- N 1), (* 2 N)]");
  CHECK(f.params[4].type.kind == ast::TypeExpr::Kind::Tuple);
  CHECK(ast::dump(f.params[4].type) == "(f64, f64[N])");
  CHECK(ast::dump(f.result) == "(f64, (i64, bool))");
  CHECK(p.text(f.params[3].type.span) == "bool[N - 1, 2 * N]");
  CHECK(p.text(f.result.span) == "(f64, (i64, bool))");
}

TEST_CASE("functions in any order; empty parameter list") {
  Parsed p = parseClean("fn a() -> f64 = b();\nfn b() -> f64 { 1.0 }\n");
  REQUIRE(p.module.functions.size() == 2);
  CHECK(p.module.functions[0].params.empty());
  CHECK(p.module.functions[0].sizeParams.empty());
  CHECK(p.module.functions[1].name.name == "b");
}
