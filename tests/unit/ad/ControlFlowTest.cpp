// Gradients through control flow: if (statement and expression), for with carried values,
// while with a data-dependent trip count, comprehensions (map), nesting of all of these, and
// element updates of var tensors inside loops. Each against finite differences, plus the
// forward/reverse dot-product test.
#include "ADCheck.h"

using namespace diffc;
using namespace diffc::adtest;

TEST_CASE("if expression picks a branch") {
  checkGradient(R"(
fn f(x: f64, y: f64) -> f64 {
  let z = if x > y { x * y + exp(x) } else { sin(y) * x };
  z * z
})",
                "f", opts().withPoints(6));
}

TEST_CASE("if statement assigning vars") {
  checkGradient(R"(
fn f(x: f64[3], s: f64) -> f64 {
  var a = s;
  var v = x;
  if sum(x) > 0 {
    a = a * x[0];
    v[1] = a * s;
  } else {
    v = v * s;
  }
  a + dot(v, x)
})",
                "f", opts().withPoints(6));
}

TEST_CASE("for loop with carried scalars") {
  checkGradient(R"(
fn f(x: f64, k: f64) -> f64 {
  var p = x;
  var q = 1.0;
  for t in 0..6 {
    p = p * 0.9 + k * sin(q);
    q = q + p * 0.1;
  }
  p * q
})",
                "f", opts().withHessian());
}

TEST_CASE("for loop with dynamic bounds and the index used in arithmetic") {
  checkGradient(R"(
fn f[N](x: f64[N], n: i64) -> f64 {
  var acc = 0.0;
  for i in 1..n + 1 {
    acc = acc * 0.5 + x[i - 1] * f64(i);
  }
  acc
})",
                "f", opts().size("N", 4).range(-1, 1).withHessian());
}

TEST_CASE("while loop with data-dependent trip count") {
  checkGradient(R"(
fn f(x: f64, a: f64) -> f64 {
  var y = x;
  var n = 0;
  while n < 5 && y < 100.0 {
    y = y * a + 1.0;
    n = n + 1;
  }
  y
})",
                "f", opts().range(0.5, 1.5).withHessian());
}

TEST_CASE("map comprehension and reductions over generators") {
  checkGradient(R"(
fn f[N](x: f64[N], w: f64[N], s: f64) -> f64 {
  let y = [x[i] * w[i] + s for i in 0..N];
  sum(exp(y)) + sum(x[i] ^ 2 * s for i in 0..N)
})",
                "f", opts().size("N", 4).range(-1, 1).withHessian());
}

TEST_CASE("2-D map") {
  checkGradient(R"(
fn f[N, M](A: f64[N, M], u: f64[N], v: f64[M]) -> f64 {
  let B = [A[i, j] * u[i] - v[j] for i in 0..N, j in 0..M];
  sum(B * B)
})",
                "f", opts().size("N", 3).size("M", 2));
}

TEST_CASE("nested loops with element updates") {
  checkGradient(R"(
fn f[N](x: f64[N]) -> f64 {
  var m = zeros(N, N);
  for i in 0..N {
    for j in 0..N {
      m[i, j] = x[i] * x[j] + f64(i);
    }
    m[i, i] += 1.0;
  }
  sum(m * m)
})",
                "f", opts().size("N", 3));
}

TEST_CASE("loop inside an if inside a loop") {
  checkGradient(R"(
fn f(x: f64[4], c: f64) -> f64 {
  var acc = 0.0;
  for i in 0..4 {
    if x[i] > 0 {
      var p = x[i];
      for k in 0..3 {
        p = p * c + 0.5;
      }
      acc += p;
    } else {
      acc -= x[i] * c;
    }
  }
  acc
})",
                "f", opts().withPoints(5).withHessian());
}

TEST_CASE("trajectory stored into rows") {
  checkGradient(R"(
fn f(v0: f64[2], dt: f64) -> f64 {
  var traj = zeros(8, 2);
  var pos = [0.0, 0.0];
  var v = v0;
  for t in 0..8 {
    v = v + dt * ([0.0, -9.81] - 0.1 * norm(v) * v);
    pos = pos + dt * v;
    traj[t] = pos;
  }
  sum(traj ^ 2)
})",
                "f", opts().range(0.5, 2).withHessian());
}

TEST_CASE("map with a loop inside") {
  checkGradient(R"(
fn f[N](x: f64[N], a: f64) -> f64 {
  let y = [g(x[i], a) for i in 0..N];
  sum(y)
}
fn g(x: f64, a: f64) -> f64 {
  var p = x;
  for k in 0..3 { p = p * a + sin(p); }
  p
})",
                "f", opts().size("N", 3).range(-1, 1));
}

TEST_CASE("map with tensor elements, and a while loop carrying a tensor") {
  checkGradient(R"(
fn f[N](x: f64[N], s: f64) -> f64 {
  let M = [x * (f64(i) + s) for i in 0..3];      // [3, N]
  var v = x;
  var k = 0;
  while k < 3 && norm(v) < 100.0 {
    v = [tanh(v[j]) * s + v[(j + 1) % N] for j in 0..N] + M[k];
    k += 1;
  }
  sum(M * M) + dot(v, x)
})",
                "f", opts().size("N", 3).range(-1, 1).withHessian());
}
