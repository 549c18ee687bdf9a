// A gradient test for every op and built-in: each is used in a small function whose gradient is
// compared with finite differences at several random points of a domain where the op is smooth
// (the kinks are tested on their own in KinksTest.cpp), plus the forward/reverse dot test.
#include "ADCheck.h"

using namespace diffc;
using namespace diffc::adtest;

namespace {

struct OpCase {
  const char *expr; // uses x: f64[4] and w: f64[4]
  double lo, hi;    // domain of the random inputs
};

void checkExpr(const OpCase &c, bool hessian = true) {
  std::string src = std::string("fn f(x: f64[4], w: f64[4]) -> f64 = sum((") + c.expr + ") * w);";
  CAPTURE(c.expr);
  CheckOptions o = opts().range(c.lo, c.hi);
  if (hessian)
    o.withHessian();
  checkGradient(src, "f", o);
}

} // namespace

TEST_CASE("elementwise unary ops") {
  const OpCase cases[] = {
      {"-x", -2, 2},          {"exp(x)", -2, 2},       {"log(x)", 0.2, 3},
      {"log1p(x)", -0.5, 3},  {"expm1(x)", -2, 2},     {"sqrt(x)", 0.2, 3},
      {"cbrt(x)", 0.2, 3},    {"cbrt(x)", -3, -0.2},   {"sin(x)", -3, 3},
      {"cos(x)", -3, 3},      {"tan(x)", -1.2, 1.2},   {"asin(x)", -0.9, 0.9},
      {"acos(x)", -0.9, 0.9}, {"atan(x)", -3, 3},      {"sinh(x)", -2, 2},
      {"cosh(x)", -2, 2},     {"tanh(x)", -2, 2},      {"sigmoid(x)", -4, 4},
      {"relu(x)", -2, 2},     {"softplus(x)", -4, 4},  {"abs(x)", -2, 2},
      {"erf(x)", -2, 2},      {"lgamma(x)", 0.1, 6},   {"lgamma(x)", -2.9, -2.1},
      {"lgamma(x)", 8, 30},   {"sign(x) * x", -2, 2},  {"floor(x) + x", -2, 2},
      {"ceil(x) * x", -2, 2}, {"round(x) * x", -2, 2},
  };
  for (const OpCase &c : cases)
    checkExpr(c);
}

TEST_CASE("elementwise binary ops and broadcasting with scalars") {
  const OpCase cases[] = {
      {"x + w * 2.0", -2, 2},
      {"x - w", -2, 2},
      {"x * w", -2, 2},
      {"x / w", 0.5, 2},
      {"w / x", -2, -0.5},
      {"pow(x, w)", 0.5, 2},
      {"x ^ 3", -2, 2},
      {"2.0 ^ x", -2, 2},
      {"atan2(x, w)", -2, 2},
      {"hypot(x, w)", -2, 2},
      {"min(x, w)", -2, 2},
      {"max(x, w)", -2, 2},
      {"min(x, 0.5)", -2, 2},
      {"max(x[0], w)", -2, 2},
      {"clamp(x, -0.5, w)", -2, 2},
      {"select(x > w, x * x, w)", -2, 2},
      {"x * sum(w) + x[1]", -2, 2},
      {"x / 3 + 1 - x", -2, 2},
  };
  for (const OpCase &c : cases)
    checkExpr(c);
}

TEST_CASE("mod: both operands where trunc(a/b) is constant nearby") {
  checkGradient("fn f(a: f64, b: f64) -> f64 = (a + 3.0) % (b + 2.5);", "f",
                opts().range(0.05, 0.4).withHessian());
}

TEST_CASE("reductions") {
  const OpCase cases[] = {
      {"sum(x)", -2, 2},
      {"mean(x * x)", -2, 2},
      {"prod(x)", -2, 2},
      {"max(x)", -2, 2},
      {"min(x)", -2, 2},
      {"logsumexp(x)", -2, 2},
      {"logsumexp(x * 30.0)", -2, 2},
      {"norm(x)", -2, 2},
      {"dot(x, w)", -2, 2},
      {"x @ w", -2, 2},
      {"max(x * w)", -2, 2},
  };
  for (const OpCase &c : cases)
    checkExpr(c);
}

TEST_CASE("prod with zeros: the partials are products of the other entries") {
  // d/dx prod(x) at x = (0, 2, 3, -1): (-6, 0, 0, 0); at (0, 0, 3, 1): all zero.
  Program p = compile("fn f(x: f64[4]) -> f64 = prod(x);");
  ir::Function *g = ad::buildGradient(*p.module, p.fn("f"));
  interp::Interpreter in(*p.module);
  auto out = in.call(*g, {Tensor::of(ir::ElemType::F64, {4}, {0, 2, 3, -1})});
  CHECK(out[1].data == std::vector<double>{-6, 0, 0, 0});
  out = in.call(*g, {Tensor::of(ir::ElemType::F64, {4}, {0, 0, 3, 1})});
  CHECK(out[1].data == std::vector<double>{0, 0, 0, 0});
  out = in.call(*g, {Tensor::of(ir::ElemType::F64, {4}, {2, 0.5, 3, -1})});
  CHECK(out[1].data == std::vector<double>{-1.5, -6, -1, 3});
}

TEST_CASE("matrix products, in every rank combination") {
  const char *src = R"(
fn mm(A: f64[3, 2], B: f64[2, 4], u: f64[3], v: f64[2], z: f64[4]) -> f64 {
  let C = A @ B;        // [3, 4]
  let a = A @ v;        // [3]
  let b = u @ A;        // [2]
  let c = v @ B;        // [4]
  sum(C * C) + dot(a, u) + sum(sin(b)) + dot(c, z) + v @ v + sum(outer(u, z) * C)
})";
  checkGradient(src, "mm", opts().withHessian());
}

TEST_CASE("shape ops: transpose, reshape, concat, stack, diag, slices, rows, columns") {
  checkGradient(R"(
fn f(A: f64[2, 3], x: f64[3], y: f64[2]) -> f64 {
  let T = A.T;                          // [3, 2]
  let R = reshape(A, 3, 2);
  let c = concat(x, x * y[0]);          // [6]
  let S = [x, x * 2.0];                 // [2, 3]
  let D = diag(x);                      // [3, 3]
  let s = c[1:4];                       // [3]
  let col = A[:, 1];
  let row = A[1];
  sum(T * R) + dot(s, x) + sum(S * A) + sum(D @ x) + dot(col, y) + sum(row * row) + A[0, 2] * y[1]
})",
                "f", opts().withHessian());
}

TEST_CASE("softmax and log_softmax on vectors and on rows of matrices") {
  checkGradient(R"(
fn f(x: f64[4], M: f64[3, 4], w: f64[4]) -> f64 {
  dot(softmax(x), w) + dot(log_softmax(x), w * w) + sum(softmax(M) * M) + sum(log_softmax(M) * w)
})",
                "f", opts().withHessian());
}

TEST_CASE("constructors, casts, len and argmax") {
  checkGradient(R"(
fn f(x: f64[3], s: f64) -> f64 {
  let e = eye(3) * s + ones(3, 3) * x[0] + fill(s * s, 3, 3) + zeros(3, 3);
  let k = argmax(x);
  let n = f64(len(x));
  let t = f64(i64(s * 10.0));
  sum(e @ x) * n + x[k] * s + t * s
})",
                "f", opts().withHessian());
}

TEST_CASE("tensor literals of scalars and of tensors") {
  checkGradient(R"(
fn f(a: f64, b: f64, x: f64[2]) -> f64 {
  let v = [a, b * a, sin(b)];
  let M = [x, x * a];
  dot(v, v) + sum(M @ x)
})",
                "f", opts().withHessian());
}

TEST_CASE("f32 arithmetic") {
  // f32 rounding (about 6e-8 relative) limits what finite differences in f32 can resolve; the
  // step is large and the tolerance is 1e-2 accordingly.
  checkGradient("fn f(x: f32[3], w: f32) -> f32 = sum(exp(x) * w + x * x);", "f",
                opts().withStep(1e-2).withTol(1e-2).noDotTest());
}

TEST_CASE("stop_gradient: the value passes, the derivative is zero") {
  // f = stop_gradient(x * s) * x + s: df/dx = x s (the stopped factor as a constant), df/ds = 1.
  Program p = compile("fn f(x: f64, s: f64) -> f64 = stop_gradient(x * s) * x + s;");
  ir::Function *g = ad::buildGradient(*p.module, p.fn("f"));
  requireValid(*p.module, *g);
  interp::Interpreter in(*p.module);
  auto out = in.call(*g, {Tensor::scalar(1.5), Tensor::scalar(-2.0)});
  CHECK(out[0].item() == 1.5 * -2.0 * 1.5 - 2.0);
  CHECK(out[1].item() == 1.5 * -2.0);
  CHECK(out[2].item() == 1.0);
}
