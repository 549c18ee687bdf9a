// The public API: signatures and names of the functions AD adds, `wrt` subsets, vector-Jacobian
// and Jacobian-vector products of functions with tensor and tuple results, user errors as ADError,
// nesting (jvp of grad) and readable output (source names, stored values marked).
#include "ADCheck.h"

using namespace diffc;
using namespace diffc::adtest;

TEST_CASE("gradient signature, names and wrt subsets") {
  Program p = compile("fn f[N](w: f64[N], b: f64, k: i64) -> f64 = sum(w * w) * b + f64(k);");
  ir::Module &m = *p.module;
  ir::Function *g = ad::buildGradient(m, p.fn("f"));
  CHECK(g->name == "f.grad");
  CHECK(g->params().size() == 3);
  REQUIRE(g->resultTypes.size() == 3);
  CHECK(g->resultNames == std::vector<std::string>{"", "d_w", "d_b"});
  interp::Interpreter in(m);
  Tensor w = Tensor::of(ir::ElemType::F64, {2}, {1, -2});
  auto out = in.call(*g, {w, Tensor::scalar(3), Tensor::scalar(4, ir::ElemType::I64)});
  CHECK(out[0].item() == 5 * 3 + 4);
  CHECK(out[1].data == std::vector<double>{6, -12}); // 2 w b
  CHECK(out[2].item() == 5);                         // sum(w^2)

  ir::Function *gb = ad::buildGradient(m, p.fn("f"), {"b"});
  CHECK(gb->resultNames == std::vector<std::string>{"", "d_b"});
  CHECK(gb->name != g->name);
  out = in.call(*gb, {w, Tensor::scalar(3), Tensor::scalar(4, ir::ElemType::I64)});
  CHECK(out[1].item() == 5);
}

TEST_CASE("user errors are ADError") {
  Program p = compile(R"(
fn f(x: f64, k: i64) -> f64 = x * f64(k);
fn v(x: f64[2]) -> f64[2] = x * 2.0;
)");
  ir::Module &m = *p.module;
  size_t before = m.functions.size();
  CHECK_THROWS_AS(ad::buildGradient(m, p.fn("f"), {"k"}), ad::ADError);
  CHECK_THROWS_AS(ad::buildGradient(m, p.fn("f"), {"nope"}), ad::ADError);
  CHECK_THROWS_AS(ad::buildGradient(m, p.fn("f"), {"x", "x"}), ad::ADError);
  CHECK_THROWS_AS(ad::buildGradient(m, p.fn("v")), ad::ADError);
  CHECK_THROWS_AS(ad::buildJvp(m, p.fn("f"), {"k"}), ad::ADError);
  CHECK(m.functions.size() == before); // nothing half-built is left behind
  try {
    ad::buildGradient(m, p.fn("f"), {"k"});
  } catch (const ad::ADError &e) {
    CHECK(std::string(e.what()).find("'k'") != std::string::npos);
    CHECK(e.loc.valid());
  }
}

TEST_CASE("vjp and jvp of a function with tensor and tuple results") {
  const char *src = R"(
fn f[N](x: f64[N], s: f64, k: i64) -> (f64[N], f64, i64) {
  (sin(x) * s, sum(x) * s * s, k + 1)
})";
  Program p = compile(src);
  ir::Module &m = *p.module;
  ir::Function *vj = ad::buildVjp(m, p.fn("f"));
  ir::Function *jv = ad::buildJvp(m, p.fn("f"));
  requireValid(m, *vj);
  requireValid(m, *jv);
  // vjp: (x, s, k, d_out0, d_out1) -> (3 results, d_x, d_s)
  CHECK(vj->params().size() == 5);
  CHECK(vj->resultTypes.size() == 5);
  // jvp: (x, s, k, t_x, t_s) -> (3 results, 2 tangents)
  CHECK(jv->params().size() == 5);
  CHECK(jv->params()[3]->name == "t_x");
  CHECK(jv->resultTypes.size() == 5);
  checkJvp(p, "f", opts().size("N", 3));
  // The dot-product test by hand at one point.
  interp::Interpreter in(m);
  Tensor x = Tensor::of(ir::ElemType::F64, {3}, {0.3, -1.2, 2.0});
  Tensor s = Tensor::scalar(1.7), k = Tensor::scalar(2, ir::ElemType::I64);
  Tensor tx = Tensor::of(ir::ElemType::F64, {3}, {0.5, 0.25, -1}), ts = Tensor::scalar(-0.5);
  Tensor u0 = Tensor::of(ir::ElemType::F64, {3}, {1, 2, 3}), u1 = Tensor::scalar(0.75);
  auto jo = in.call(*jv, {x, s, k, tx, ts});
  auto vo = in.call(*vj, {x, s, k, u0, u1});
  double lhs = dot(u0, jo[3]) + u1.item() * jo[4].item();
  double rhs = dot(vo[3], tx) + vo[4].item() * ts.item();
  CHECK(lhs == doctest::Approx(rhs).epsilon(1e-13));
  // And against the formula: J v for out0 = cos(x) s tx + sin(x) ts.
  for (size_t i = 0; i < 3; ++i)
    CHECK(jo[3].data[i] ==
          doctest::Approx(std::cos(x.data[i]) * 1.7 * tx.data[i] + std::sin(x.data[i]) * -0.5)
              .epsilon(1e-14));
}

TEST_CASE("nested: jvp of a gradient is a Hessian-vector product") {
  // f = sum(x^3) / 3 + x0 x1 s: H = diag(2x) + s (e01 + e10), so H v = 2 x v + s (v1, v0, 0).
  Program p = compile("fn f(x: f64[3], s: f64) -> f64 = sum(x ^ 3) / 3 + x[0] * x[1] * s;");
  ir::Module &m = *p.module;
  ir::Function *g = ad::buildGradient(m, p.fn("f"), {"x"});
  ir::Function *hv = ad::buildJvp(m, *g, {"x"});
  requireValid(m, *hv);
  interp::Interpreter in(m);
  Tensor x = Tensor::of(ir::ElemType::F64, {3}, {1, 2, -3});
  Tensor v = Tensor::of(ir::ElemType::F64, {3}, {0.5, -1, 2});
  auto out = in.call(*hv, {x, Tensor::scalar(4), v});
  // outputs: value, d_x, t_value, t_d_x
  REQUIRE(out.size() == 4);
  std::vector<double> want{2 * 1 * 0.5 + 4 * -1, 2 * 2 * -1 + 4 * 0.5, 2 * -3 * 2};
  for (size_t i = 0; i < 3; ++i)
    CHECK(out[3].data[i] == doctest::Approx(want[i]).epsilon(1e-14));
  // Third order: jvp of (jvp of grad) still verifies and runs.
  ir::Function *h3 = ad::buildJvp(m, *hv, {"x"});
  requireValid(m, *h3);
  CHECK_NOTHROW(in.call(*h3, {x, Tensor::scalar(4), v, v}));
}

TEST_CASE("readable output: source names and what the reverse sweep stores") {
  Program p = compile(R"(
fn f[N](w: f64[N], x: f64[N]) -> f64 {
  var acc = 0.0;
  for i in 0..N { acc += exp(w[i] * x[i]); }
  acc
})");
  ir::Function *g = ad::buildGradient(*p.module, p.fn("f"));
  std::string text = fnText(*g);
  CHECK(text.find("%d_w") != std::string::npos);
  CHECK(text.find("%d_x") != std::string::npos);
  CHECK(text.find("tape.push") != std::string::npos);
  CHECK(text.find("// stored for reverse: 8 bytes per entry") != std::string::npos);
  CHECK(text.find("tape.pop") != std::string::npos);
  CHECK(text.find("update_add %d_w") != std::string::npos);
}

TEST_CASE("derivative functions verify without simplification too") {
  Program p = compile(R"(
fn f[N](x: f64[N], s: f64) -> f64 {
  var acc = 0.0;
  var y = x;
  for i in 0..N {
    if x[i] > 0 { y[i] = sqrt(x[i]) * s; } else { acc += x[i]; }
  }
  var n = 0;
  while n < 3 { acc = acc * s + 1.0; n += 1; }
  acc + sum([y[i] * s for i in 0..N])
})");
  ad::ADOptions o;
  o.simplify = false;
  ir::Module &m = *p.module;
  ir::Function *g = ad::buildGradient(m, p.fn("f"), {}, o);
  requireValid(m, *g);
  ir::Function *j = ad::buildJvp(m, p.fn("f"), {}, o);
  requireValid(m, *j);
  ir::Function *v = ad::buildVjp(m, p.fn("f"), {}, o);
  requireValid(m, *v);
  ir::Function *hv = ad::buildJvp(m, *g, {}, o);
  requireValid(m, *hv);
  checkGradient(p, "f", opts().size("N", 4).range(-1, 2).withPoints(4).withHessian());
}

TEST_CASE("nested: reverse over forward (vjp of a jvp) gives Hessian-vector products too") {
  // f = sum(sin(x) x): grad_i = cos(x_i) x_i + sin(x_i), H_ii = 2 cos(x_i) - sin(x_i) x_i.
  // The jvp is (x, t) -> (f, <grad, t>); its vjp with seeds (u0, u1) gives
  // d_x = u0 grad + u1 H t and d_t = u1 grad.
  Program p = compile("fn f(x: f64[2]) -> f64 = sum(sin(x) * x);");
  ir::Module &m = *p.module;
  ir::Function *j = ad::buildJvp(m, p.fn("f"));
  ir::Function *vj = ad::buildVjp(m, *j);
  requireValid(m, *vj);
  interp::Interpreter in(m);
  std::vector<double> x{0.3, -1.1}, t{0.5, 2.0};
  double u0 = 0.25, u1 = -1.5;
  auto out =
      in.call(*vj, {Tensor::of(ir::ElemType::F64, {2}, x), Tensor::of(ir::ElemType::F64, {2}, t),
                    Tensor::scalar(u0), Tensor::scalar(u1)});
  REQUIRE(out.size() == 4);
  for (size_t i = 0; i < 2; ++i) {
    double g = std::cos(x[i]) * x[i] + std::sin(x[i]);
    double h = 2 * std::cos(x[i]) - std::sin(x[i]) * x[i];
    CHECK(out[2].data[i] == doctest::Approx(u0 * g + u1 * h * t[i]).epsilon(1e-14));
    CHECK(out[3].data[i] == doctest::Approx(u1 * g).epsilon(1e-14));
  }
}

TEST_CASE("nested: reverse over reverse (vjp of a gradient that stores tapes)") {
  // f = sum_i sin(x_i) in a loop, so its gradient pushes and pops. grad = (f, cos x); the vjp of
  // that with seeds (u0, u) gives d_x = u0 cos x - u sin x.
  Program p =
      compile("fn f(x: f64[2]) -> f64 { var a = 0.0; for i in 0..2 { a += sin(x[i]); } a }");
  ir::Module &m = *p.module;
  ir::Function *g = ad::buildGradient(m, p.fn("f"));
  ir::Function *vj = ad::buildVjp(m, *g);
  requireValid(m, *vj);
  interp::Interpreter in(m);
  std::vector<double> x{0.3, -1.1}, u{0.5, 2.0};
  double u0 = 0.25;
  auto out = in.call(*vj, {Tensor::of(ir::ElemType::F64, {2}, x), Tensor::scalar(u0),
                           Tensor::of(ir::ElemType::F64, {2}, u)});
  REQUIRE(out.size() == 3);
  for (size_t i = 0; i < 2; ++i)
    CHECK(out[2].data[i] ==
          doctest::Approx(u0 * std::cos(x[i]) - u[i] * std::sin(x[i])).epsilon(1e-14));
}

TEST_CASE("IR text in: AD works on functions read by the IR parser") {
  const char *text = R"(func @f[N](%x: f64[N], %a: f64) -> f64 {
  %0 = const 0 : i64
  %n = dim N : i64
  %z = const 0.0 : f64
  %acc = for %i = %0 to %n iter(%s = %z) {
    %xi = index %x[%i] : f64
    %p = mul %xi, %a : f64
    %e = sin %p : f64
    %s1 = add %s, %e : f64
    yield %s1
  } : f64
  return %acc
}
)";
  SourceFile file("f.ir", text);
  DiagnosticEngine diags(file);
  auto m = ir::parseIR(file, diags);
  REQUIRE(m != nullptr);
  REQUIRE(ir::verifyModule(*m).empty());
  ir::Function *g = ad::buildGradient(*m, *m->lookup("f"));
  requireValid(*m, *g);
  interp::Interpreter in(*m);
  std::vector<double> x{0.5, -1, 2};
  double a = 0.7;
  auto out = in.call(*g, {Tensor::of(ir::ElemType::F64, {3}, x), Tensor::scalar(a)});
  double da = 0;
  for (size_t i = 0; i < 3; ++i) {
    CHECK(out[1].data[i] == doctest::Approx(std::cos(x[i] * a) * a).epsilon(1e-15));
    da += std::cos(x[i] * a) * x[i];
  }
  CHECK(out[2].item() == doctest::Approx(da).epsilon(1e-15));
}
