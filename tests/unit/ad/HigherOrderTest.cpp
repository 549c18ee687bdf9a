// Reverse mode over programs that hold gradients themselves (reverse over reverse through tapes):
// the gradient of a function containing `grad` of a loop, of a while loop, of element-update
// loops and of a @checkpoint loop; reverse over forward over reverse; third order. Each is
// checked against finite differences of the function one order lower (computed exactly by AD),
// with the jvp/vjp dot-product test and, where noted, forward mode over the new gradient.
#include "ADCheck.h"

using namespace diffc;
using namespace diffc::adtest;

namespace {

Program compileExpanded(const std::string &src) {
  Program p = compile(src);
  expandDerivatives(p);
  return p;
}

double call1(const Program &p, const std::string &fn, double x) {
  interp::Interpreter in(*p.module);
  return in.call(fn, {Tensor::scalar(x)}).at(0).item();
}

} // namespace

TEST_CASE("gradient of a function that holds the gradient of a for loop") {
  Program p = compileExpanded(R"(
fn f[N](x: f64[N]) -> f64 {
  var a = 0.0;
  for i in 0..N { a = sin(a + x[i]) * x[i] + a; }
  a * a
}
fn g[N](x: f64[N]) -> f64 {
  let d = grad(f(x), x);
  sum(d * d) + f(x)
})");
  // The dot-product test pits reverse over reverse (vjp of g) against forward over reverse.
  checkGradient(p, "g", opts().size("N", 4).range(-1, 1).withHessian());
}

TEST_CASE("gradient of the gradient of a while loop") {
  Program p = compileExpanded(R"(
fn f(x: f64, a: f64) -> f64 {
  var y = x;
  var n = 0;
  while n < 5 { y = y * a + sin(y); n += 1; }
  y
}
fn g(x: f64, a: f64) -> f64 {
  let (gx, ga) = grad(f(x, a), (x, a));
  gx * ga + gx * gx
})");
  checkGradient(p, "g", opts().range(0.2, 1.2).withPoints(4).withHessian());
}

TEST_CASE("gradient of the gradient of a while loop whose trip count depends on the data") {
  // Between the points where the count changes, the count is constant; finite differences with
  // a step of 1e-4 straddle such a point with probability about 1e-3 per coordinate, and the
  // seeded points do not (y grows by at least a quarter of itself a step, about 5 steps).
  Program p = compileExpanded(R"(
fn f(x: f64, a: f64) -> f64 {
  var y = x;
  while y < 4.0 { y = y * a + 0.1 * cos(y); }
  y * x
}
fn g(x: f64, a: f64) -> f64 = sum(log([grad(f(x, a), x), grad(f(x, a), a)]));
)");
  checkGradient(p, "g", opts().range(1.25, 1.3).withPoints(2));
}

TEST_CASE("gradient of the gradient of element-update loops") {
  Program p = compileExpanded(R"(
fn f[T](v: f64[2], w: f64[T]) -> f64 {
  var traj = zeros(T, 2);
  var pos = [0.0, 0.0];
  for t in 0..T {
    pos = pos * cos(w[t]) + w[t] * v;
    traj[t] = pos;
  }
  var acc = 0.0;
  for t in 0..T { acc += traj[t, 0] * traj[t, 1] * w[t]; }
  acc
}
fn g[T](v: f64[2], w: f64[T]) -> f64 {
  let (dv, dw) = grad(f(v, w), (v, w));
  sum(sin(dw)) + sum(dv * dv)
})");
  checkGradient(p, "g", opts().size("T", 4).range(-1, 1).withHessian());
}

TEST_CASE("gradient of the gradient of a @checkpoint loop") {
  Program p = compileExpanded(R"(
fn rollout[T](x0: f64, w: f64[T]) -> f64 {
  var x = x0;
  @checkpoint
  for t in 0..T { x = sin(x * w[t]) + x; }
  x * x
}
fn g[T](x0: f64, w: f64[T]) -> f64 {
  let dw = grad(rollout(x0, w), w);
  sum(dw * dw) + grad(rollout(x0, w), x0)
})");
  checkGradient(p, "g", opts().size("T", 7).range(-1, 1).withHessian());
}

TEST_CASE("reverse over forward over reverse: the gradient of a Hessian-vector product") {
  Program p = compileExpanded(R"(
fn energy[N](x: f64[N]) -> f64 {
  var e = 0.0;
  for i in 1..N { e += (x[i] - x[i - 1]) ^ 2 * exp(0.3 * x[i]); }
  e
}
fn k[N](x: f64[N], v: f64[N]) -> f64 {
  let hv = jvp(grad(energy(x), x), x, v);
  sum(hv * hv)
})");
  checkGradient(p, "k", opts().size("N", 4).range(-1, 1).withHessian());
}

TEST_CASE("third order: grad(grad(grad(f))) of a loop") {
  // f''' three ways: reverse over reverse over reverse (f3), forward over forward over reverse
  // (jvp of jvp of grad), and finite differences. Differences of f2, which AD computes exactly,
  // are checked to 1e-6 like every gradient here. Differences of differences: the five-point
  // second difference of f1, (-f1(x+2h) + 16 f1(x+h) - 30 f1(x) + 16 f1(x-h) - f1(x-2h)) / 12h^2,
  // has a truncation error h^4 |f^(7)| / 90 and a rounding error about 64 eps |f1| / 12h^2. With
  // h = 5e-3, |f1| < 100 and |f^(7)| < 1e5 here, both stay below 1e-7 relative to |f'''| > 1, so
  // 1e-6 leaves a margin. (The three-point difference only agrees to ~1e-5 at its best step,
  // h ~ 1e-3: its h^2 f^(5) / 12 term is too big for a tighter check.)
  Program p = compileExpanded(R"(
fn f(x: f64) -> f64 {
  var y = x;
  for i in 0..4 { y = sin(y) * x + 0.5 * y; }
  y
}
fn f1(x: f64) -> f64 = grad(f(x), x);
fn f2(x: f64) -> f64 = grad(f1(x), x);
fn f3(x: f64) -> f64 = grad(f2(x), x);
fn fwd3(x: f64) -> f64 = jvp(jvp(grad(f(x), x), x, 1.0), x, 1.0);
)");
  for (double x : {-0.9, -0.2, 0.4, 1.1}) {
    double d3 = call1(p, "f3", x);
    CHECK(relErr(d3, call1(p, "fwd3", x)) <= 1e-12);
    double h = 1e-4;
    double fd = fivePoint([&](double t) { return call1(p, "f2", t); }, x, h);
    CHECK_MESSAGE(relErr(d3, fd) <= 1e-6, "f'''(" << x << ") = " << d3 << ", fd of f'' " << fd);
    double h2 = 5e-3;
    auto f1 = [&](double t) { return call1(p, "f1", t); };
    double fdfd =
        (-f1(x + 2 * h2) + 16 * f1(x + h2) - 30 * f1(x) + 16 * f1(x - h2) - f1(x - 2 * h2)) /
        (12 * h2 * h2);
    CHECK_MESSAGE(relErr(d3, fdfd) <= 1e-6,
                  "f'''(" << x << ") = " << d3 << ", second differences of f' " << fdfd);
  }
  checkGradient(p, "f2", opts().range(-1, 1).withHessian());
}

TEST_CASE("third order through a vector loop: the gradient of a function holding grad of grad") {
  Program p = compileExpanded(R"(
fn f[N](x: f64[N]) -> f64 {
  var a = 0.0;
  for i in 0..N { a = tanh(a * x[i]) + x[i] * x[i] * a + x[i]; }
  a
}
fn f1[N](x: f64[N]) -> f64 {
  let d = grad(f(x), x);
  sum(d * sin(x))
}
fn f2[N](x: f64[N]) -> f64 {
  let d = grad(f1(x), x);
  sum(d * d)
})");
  checkGradient(p, "f2", opts().size("N", 3).range(-1, 1));
}

TEST_CASE("gradient of the gradient of a map whose body holds a loop, and of an if in a while") {
  // The inner gradient makes tapes inside the map body (one element's worth, created there) and
  // threads tapes through the if's branches; the outer reverse sweep recomputes the map body and
  // reverses both branches.
  Program p = compileExpanded(R"(
fn h(x: f64) -> f64 {
  var y = x;
  for k in 0..3 { y = sin(y) * x + y; }
  y
}
fn f[N](x: f64[N]) -> f64 = sum([h(x[i]) * x[(i + 1) % N] for i in 0..N]);
fn g[N](x: f64[N]) -> f64 {
  let d = grad(f(x), x);
  sum(d * d)
}
fn wl(x: f64, a: f64) -> f64 {
  var y = x;
  var n = 0;
  while n < 3 {
    if y > 0.5 { y = y * sin(a); } else { y = y + x * a; }
    n += 1;
  }
  y
}
fn gw(x: f64, a: f64) -> f64 {
  let (gx, ga) = grad(wl(x, a), (x, a));
  gx * ga
})");
  checkGradient(p, "g", opts().size("N", 3).range(-1, 1).withHessian());
  checkGradient(p, "gw", opts().range(-1, 1.5).withPoints(5).withHessian());
}
