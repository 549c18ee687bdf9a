// Deeper combinations of constructs, edge cases of the transformation (empty loops, unused and
// returned parameters, constants), and second derivatives (jvp of grad) through all of them.
#include "ADCheck.h"

using namespace diffc;
using namespace diffc::adtest;

TEST_CASE("while inside for, with the trip count differing per outer iteration") {
  checkGradient(R"(
fn f[N](x: f64[N], a: f64) -> f64 {
  var acc = 0.0;
  for i in 0..N {
    var y = x[i];
    var n = 0;
    while n < i + 1 && y < 50.0 {
      y = y * a + sin(y);
      n += 1;
    }
    acc += y * y;
  }
  acc
})",
                "f", opts().size("N", 4).range(0.5, 1.5).withHessian());
}

TEST_CASE("if inside while") {
  checkGradient(R"(
fn f(x: f64, a: f64) -> f64 {
  var y = x;
  var n = 0;
  while n < 6 {
    if y > 1.0 { y = y * 0.5 + a; } else { y = y * a + exp(y); }
    n += 1;
  }
  y
})",
                "f", opts().range(0.2, 1.2).withPoints(5).withHessian());
}

TEST_CASE("map inside a loop body reading the body's values") {
  checkGradient(R"(
fn f[N](x: f64[N], s: f64) -> f64 {
  var v = x;
  for t in 0..3 {
    let c = s * f64(t + 1);
    let u = [tanh(v[i] * c) + v[(i + 1) % N] for i in 0..N];
    v = u * 0.5 + v * c;
  }
  sum(v * v)
})",
                "f", opts().size("N", 3).range(-1, 1).withHessian());
}

TEST_CASE("row and slice updates inside loops, slices with a loop-dependent start") {
  checkGradient(R"(
fn f[N](A: f64[N, 3], x: f64[6]) -> f64 {
  var B = A;
  var acc = 0.0;
  for i in 0..N {
    B[i, :] += x[i:i + 3] * B[i, 0];
    B[i] = B[i] * B[i];
    acc += sum(x[i + 1:i + 4]) * B[i, 2];
  }
  acc + sum(B)
})",
                "f", opts().size("N", 3).range(-1, 1).withHessian());
}

TEST_CASE("a tensor-valued if inside a loop, the branches changing different values") {
  checkGradient(R"(
fn f(x: f64[3], w: f64[3]) -> f64 {
  var a = x;
  var b = w;
  var c = 0.0;
  for i in 0..3 {
    if x[i] > w[i] {
      a = a * w[i];
    } else {
      b[i] = b[i] + a[i] * x[i];
      c += b[i];
    }
  }
  dot(a, b) + c
})",
                "f", opts().withPoints(6).withHessian());
}

TEST_CASE("edge cases: empty loops, returned and unused parameters, constants") {
  checkGradient(R"(
fn f[N](x: f64[N], y: f64, z: f64) -> f64 {
  var acc = y;
  for i in 0..0 { acc += x[i] * 100.0; }
  var k = 0;
  while k > 0 { acc = acc * 2.0; k = k - 1; }
  acc + sum(x)
})",
                "f", opts().size("N", 2).withHessian());
  checkGradient("fn g(x: f64, y: f64) -> f64 = x;", "g", opts().withHessian());
  checkGradient("fn h(x: f64) -> f64 = 3.0;", "h", opts().withHessian());
  Program p = compile("fn h(x: f64) -> f64 = 3.0;");
  ir::Function *g = ad::buildGradient(*p.module, p.fn("h"));
  interp::Interpreter in(*p.module);
  auto out = in.call(*g, {Tensor::scalar(2)});
  CHECK(out[1].item() == 0.0);
}

TEST_CASE("calls inside loops and maps are inlined and differentiated") {
  checkGradient(R"(
fn step(p: f64[2], v: f64[2], dt: f64) -> (f64[2], f64[2]) {
  let a = [0.0, -1.0] - 0.2 * v * norm(v);
  (p + dt * v, v + dt * a)
}
fn sim(v0: f64[2], dt: f64) -> f64 {
  var p = [0.0, 0.0];
  var v = v0;
  for t in 0..20 {
    let (p2, v2) = step(p, v, dt);
    p = p2;
    v = v2;
  }
  sum(p * p)
})",
                "sim", opts().range(0.2, 1.5).withHessian());
}

TEST_CASE("second derivatives of the LANGUAGE.md examples' kinds of code") {
  checkGradient(R"(
fn energy[N](x: f64[N]) -> f64 = 0.5 * sum(x * x) + sum(sin(x));
)",
                "energy", opts().size("N", 4).withHessian());
  checkGradient(R"(
fn f(x: f64[3]) -> f64 = logsumexp(x) + norm(x) + dot(softmax(x), x) + prod(x);
)",
                "f", opts().withHessian());
}
