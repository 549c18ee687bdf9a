// Derivative conventions at kinks (LANGUAGE.md: relu'(0) = 0, abs'(0) = 0, max/min send the
// adjoint to their first operand on ties, sqrt'(0) = +inf, floor/ceil/round/sign have derivative
// 0), finite differences just next to the kinks, and NaN safety: the untaken side of a select or
// of an if contributes exactly 0 even where its own derivative is inf or NaN.
#include "ADCheck.h"

using namespace diffc;
using namespace diffc::adtest;

namespace {

/// Gradient of f (by buildGradient) and tangents (by buildJvp with tangent 1 on every float
/// parameter... one at a time) at a point; returns the gradient's adjoint outputs.
std::vector<Tensor> grad(Program &p, const std::string &fn, std::vector<Tensor> args) {
  ir::Function *g = ad::buildGradient(*p.module, p.fn(fn));
  requireValid(*p.module, *g);
  interp::Interpreter in(*p.module);
  auto out = in.call(*g, std::move(args));
  out.erase(out.begin());
  return out;
}

/// Directional derivative by forward mode, tangent 1 on parameter 0 and 0 elsewhere.
double tangent0(Program &p, const std::string &fn, std::vector<Tensor> args) {
  ir::Function *j = ad::buildJvp(*p.module, p.fn(fn));
  requireValid(*p.module, *j);
  const ir::Function &f = p.fn(fn);
  size_t n = args.size();
  for (size_t i = 0; i < n; ++i)
    if (f.params()[i]->type.isFloat()) {
      Tensor t = args[i];
      for (double &x : t.data)
        x = i == 0 ? 1 : 0;
      args.push_back(t);
    }
  interp::Interpreter in(*p.module);
  return in.call(*j, std::move(args)).back().item();
}

Tensor s(double v) { return Tensor::scalar(v); }
Tensor v(std::vector<double> xs) {
  int64_t n = static_cast<int64_t>(xs.size());
  return Tensor::of(ir::ElemType::F64, {n}, std::move(xs));
}

} // namespace

TEST_CASE("conventions at kinks") {
  Program p = compile(R"(
fn r(x: f64) -> f64 = relu(x);
fn a(x: f64) -> f64 = abs(x);
fn mx(x: f64, y: f64) -> f64 = max(x, y);
fn mn(x: f64, y: f64) -> f64 = min(x, y);
fn sq(x: f64) -> f64 = sqrt(x);
fn steps(x: f64) -> f64 = floor(x) + ceil(x) + round(x) + sign(x);
fn rmax(x: f64[4]) -> f64 = max(x);
fn rmin(x: f64[4]) -> f64 = min(x);
)");
  CHECK(grad(p, "r", {s(0.0)})[0].item() == 0.0);
  CHECK(grad(p, "r", {s(-0.0)})[0].item() == 0.0);
  CHECK(tangent0(p, "r", {s(0.0)}) == 0.0);
  CHECK(grad(p, "a", {s(0.0)})[0].item() == 0.0);
  CHECK(tangent0(p, "a", {s(0.0)}) == 0.0);
  auto m = grad(p, "mx", {s(1.5), s(1.5)});
  CHECK(m[0].item() == 1.0);
  CHECK(m[1].item() == 0.0);
  m = grad(p, "mn", {s(-2.0), s(-2.0)});
  CHECK(m[0].item() == 1.0);
  CHECK(m[1].item() == 0.0);
  CHECK(tangent0(p, "mx", {s(1.5), s(1.5)}) == 1.0);
  CHECK(grad(p, "sq", {s(0.0)})[0].item() == INFINITY);
  for (double x : {-1.5, -1.0, 0.0, 0.5, 2.0})
    CHECK(grad(p, "steps", {s(x)})[0].item() == 0.0);
  // Whole-tensor max/min: all of the adjoint to the first extreme element.
  CHECK(grad(p, "rmax", {v({1, 3, 3, -2})})[0].data == std::vector<double>{0, 1, 0, 0});
  CHECK(grad(p, "rmin", {v({1, -2, 3, -2})})[0].data == std::vector<double>{0, 1, 0, 0});
}

TEST_CASE("finite differences right next to kinks") {
  // Points at distance 1e-3 from the kink; the difference stencil spans 4e-4, so it stays on
  // one side.
  for (double x0 : {1e-3, -1e-3}) {
    CAPTURE(x0);
    Program p = compile("fn f(x: f64, y: f64) -> f64 = relu(x) * y + abs(x) * y * y + "
                        "max(x, 0.0) + min(x + y, y);");
    ir::Function *g = ad::buildGradient(*p.module, p.fn("f"));
    interp::Interpreter in(*p.module);
    double y = 0.7;
    auto out = in.call(*g, {s(x0), s(y)});
    auto at = [&](double x) { return in.call(p.fn("f"), {s(x), s(y)})[0].item(); };
    CHECK(relErr(out[1].item(), fivePoint(at, x0, 1e-4)) <= 1e-8);
  }
}

TEST_CASE("NaN safety: the untaken side of select contributes exactly 0") {
  Program p = compile(R"(
fn s1(x: f64) -> f64 = select(x > 0, sqrt(x), 0.0);
fn s2(x: f64, w: f64) -> f64 = select(x > 0, log(x) * w, w);
fn s3(x: f64) -> f64 = select(x > 0, sin(sqrt(x)) * 2.0, x * 3.0);
fn s4(x: f64[3]) -> f64 = sum(select(x > 0, sqrt(x), 0.0) * x);
fn s5(x: f64) -> f64 = select(x < 700.0, x, exp(x * 1000.0) * 0.0);
)");
  for (double x : {-1.0, 0.0}) {
    CAPTURE(x);
    CHECK(grad(p, "s1", {s(x)})[0].item() == 0.0);
    CHECK(tangent0(p, "s1", {s(x)}) == 0.0);
    auto g2 = grad(p, "s2", {s(x), s(2.0)});
    CHECK(g2[0].item() == 0.0);
    CHECK(g2[1].item() == 1.0);
    CHECK(grad(p, "s3", {s(x)})[0].item() == 3.0);
    CHECK(tangent0(p, "s3", {s(x)}) == 3.0);
  }
  CHECK(grad(p, "s1", {s(4.0)})[0].item() == 0.25);
  // d/dx sqrt(x) * x = 1.5 sqrt(x) for x > 0, 0 otherwise.
  CHECK(grad(p, "s4", {v({-1, 4, 0})})[0].data == std::vector<double>{0, 3, 0});
  // exp(1000) is inf, and inf * 0 is NaN on the untaken side.
  CHECK(grad(p, "s5", {s(1.0)})[0].item() == 1.0);
}

TEST_CASE("NaN safety: an untaken if branch contributes exactly 0") {
  Program p = compile(R"(
fn f(x: f64) -> f64 { if x > 0 { log(x) } else { 0.0 } }
fn g(x: f64[3]) -> f64 {
  var acc = 0.0;
  for i in 0..3 {
    acc += if x[i] > 0 { log(x[i]) * x[i] } else { x[i] };
  }
  acc
}
)");
  for (double x : {-1.0, 0.0}) {
    CHECK(grad(p, "f", {s(x)})[0].item() == 0.0);
    CHECK(tangent0(p, "f", {s(x)}) == 0.0);
  }
  CHECK(grad(p, "f", {s(2.0)})[0].item() == 0.5);
  // d/dx x log x = log x + 1; the else branch has derivative 1.
  auto d = grad(p, "g", {v({-1, 1, 0})})[0].data;
  CHECK(d == std::vector<double>{1, 1, 1});
}

TEST_CASE("NaN safety inside loops and maps") {
  Program p = compile(R"(
fn f[N](x: f64[N]) -> f64 {
  var acc = 0.0;
  for i in 0..N { acc += select(x[i] > 0, log(x[i]), 0.0); }
  acc + sum([select(x[i] > 0, sqrt(x[i]), 0.0) for i in 0..N])
})");
  // log'(2) + sqrt'(2) at x = 2, and 0 at x <= 0.
  auto d = grad(p, "f", {v({-1, 2, 0})})[0].data;
  CHECK(d[0] == 0.0);
  CHECK(d[1] == doctest::Approx(0.5 + 0.5 / std::sqrt(2.0)).epsilon(1e-15));
  CHECK(d[2] == 0.0);
}
