// Inlining and simplification change no result: each program runs in the interpreter before and
// after (inline everything, then simplify with every transform on) and must give the same bits.
// A few results are also checked against values worked out independently.
#include "PassTestUtil.h"

#include "interp/Interpreter.h"
#include "passes/Inline.h"

#include <cmath>

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::passes;
using namespace diffc::passes::test;
using interp::Tensor;

namespace {

const char *kProgram = R"(
func @loss[N, D](%w: f64[D], %b: f64, %X: f64[N, D], %y: f64[N]) -> f64 {
  %z0 = matmul %X, %w : f64[N]
  %bb = broadcast %b : f64[N]
  %z = add %z0, %bb : f64[N]
  %p = sigmoid %z : f64[N]
  %lp = log %p : f64[N]
  %one = const 1.0 : f64
  %ones = fill %one : f64[N]
  %q = sub %ones, %p : f64[N]
  %l1p = log %q : f64[N]
  %t1 = mul %y, %lp : f64[N]
  %omy = sub %ones, %y : f64[N]
  %t2 = mul %omy, %l1p : f64[N]
  %t = add %t1, %t2 : f64[N]
  %s = sum %t : f64
  %n = dim N : i64
  %nf = cast %n : f64
  %mean = div %s, %nf : f64
  %one2 = const 1.0 : f64
  %m1 = mul %mean, %one2 : f64
  %l = neg %m1 : f64
  %ll = neg %l : f64
  %lll = neg %ll : f64
  return %lll
}

func @step(%v: f64[2], %dt: f64) -> f64[2] {
  %nv = norm %v : f64
  %c = const 0.1 : f64
  %k = mul %c, %nv : f64
  %drag = mul %k, %v : f64[2]
  %upd = mul %dt, %drag : f64[2]
  %r = sub %v, %upd : f64[2]
  return %r
}

func @sim(%v0: f64[2], %n: i64) -> (f64[2], f64) {
  %lo = const 0 : i64
  %z = const 0.0 : f64
  %t0 = tape.new : tape<f64[2]>
  %v, %cnt, %tape = for %i = %lo to %n iter(%vc = %v0, %cc = %z, %tc = %t0) {
    %dt = const 0.001 : f64
    %v1 = call @step(%vc, %dt) : f64[2]
    %t1 = tape.push %tc, %v1 : tape<f64[2]>
    %one = const 1.0 : f64
    %c1 = add %cc, %one : f64
    yield %v1, %c1, %t1
  } : f64[2], f64, tape<f64[2]>
  %s = sum %v : f64
  return %v, %s
}

func @sq[N](%x: f64[N]) -> f64 {
  %m = map (%i < N) {
    %e = index %x[%i] : f64
    %two = const 2.0 : f64
    %p = pow %e, %two : f64
    yield %p
  } : f64[N]
  %s = sum %m : f64
  return %s
}

func @outer_sum[N, M](%x: f64[N], %y: f64[M]) -> f64 {
  %m = map (%i < N, %j < M) {
    %a = index %x[%i] : f64
    %b = index %y[%j] : f64
    %p = mul %a, %b : f64
    yield %p
  } : f64[N, M]
  %s = sum %m : f64
  return %s
}

func @twice_sq[N](%x: f64[N]) -> f64 {
  %a = call @sq[N](%x) : f64
  %b = call @sq[N](%x) : f64
  %r = add %a, %b : f64
  return %r
}

func @halves[M](%x: f64[2*M], %y: f64[M]) -> f64 {
  %z = const 0 : i64
  %h = index %x[%z +: M] : f64[M]
  %a0 = call @sq[M](%h) : f64
  %a1 = call @sq[M](%y) : f64
  %a = add %a0, %a1 : f64
  %b = call @sq[2*M](%x) : f64
  %r = sub %b, %a : f64
  return %r
}

func @newton(%a: f64) -> (f64, i64) {
  %z = const 0 : i64
  %one = const 1 : i64
  %limit = const 30 : i64
  %half = const 0.5 : f64
  %r, %k = while (%xc = %a, %kc = %z) {
    %go = lt %kc, %limit : bool
    yield %go
  } do (%xb, %kb) {
    %q = div %a, %xb : f64
    %s = add %xb, %q : f64
    %x1 = mul %half, %s : f64
    %k1 = add %kb, %one : i64
    yield %x1, %k1
  } : f64, i64
  return %r, %k
}

func @pick(%x: f64, %n: i64) -> f64 {
  %two = const 2 : i64
  %three = const 3 : i64
  %six = mul %two, %three : i64
  %c = lt %n, %six : bool
  %r = if %c {
    %e = exp %x : f64
    yield %e
  } else {
    %nf = cast %n : f64
    %m = mul %x, %nf : f64
    yield %m
  } : f64
  return %r
}

func @divz(%x: i64) -> i64 {
  %z = const 0 : i64
  %one = const 1 : i64
  %d = div %one, %z : i64
  %r = add %d, %x : i64
  return %r
}
)";

Tensor vec(std::vector<double> v) {
  auto n = static_cast<int64_t>(v.size());
  return Tensor::of(ElemType::F64, {n}, std::move(v));
}
Tensor f64(double v) { return Tensor::scalar(v); }
Tensor i64(int64_t v) { return Tensor::scalar(static_cast<double>(v), ElemType::I64); }

struct Programs {
  std::unique_ptr<Module> before = parse(kProgram);
  std::unique_ptr<Module> after = optimized();

  static std::unique_ptr<Module> optimized() {
    auto m = parse(kProgram);
    for (auto &fn : m->functions)
      inlineCalls(*m, *fn);
    requireValid(*m);
    SimplifyOptions opts;
    opts.fuseMapReductions = true;
    simplifyModule(*m, opts);
    requireValid(*m);
    return m;
  }
};

/// Runs fn in both modules on args and checks the results agree bit for bit; returns them.
std::vector<Tensor> same(const Programs &p, const char *fn, const std::vector<Tensor> &args) {
  auto x = interp::Interpreter(*p.before).call(fn, args);
  auto y = interp::Interpreter(*p.after).call(fn, args);
  INFO("function " << fn);
  REQUIRE(x.size() == y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(x[i].elem == y[i].elem);
    CHECK(x[i].shape == y[i].shape);
    REQUIRE(x[i].data.size() == y[i].data.size());
    for (size_t j = 0; j < x[i].data.size(); ++j) {
      INFO("result " << i << " element " << j << ": " << x[i].data[j] << " vs " << y[i].data[j]);
      CHECK(sameBits(x[i].data[j], y[i].data[j]));
    }
  }
  return x;
}

} // namespace

TEST_CASE("simplified and inlined programs compute the same bits") {
  Programs p;
  Tensor X = Tensor::of(ElemType::F64, {3, 2}, {1, 2, -1, 0.5, 0, 3});
  auto l = same(p, "loss", {vec({0.3, -0.2}), f64(0.1), X, vec({1, 0, 1})});
  // Independent: -mean(y log p + (1 - y) log(1 - p)) with z = X w + b.
  double z[3] = {0.3 - 0.4 + 0.1, -0.3 - 0.1 + 0.1, -0.6 + 0.1};
  double y[3] = {1, 0, 1}, want = 0;
  for (int i = 0; i < 3; ++i) {
    double pi = 1 / (1 + std::exp(-z[i]));
    want -= (y[i] * std::log(pi) + (1 - y[i]) * std::log(1 - pi)) / 3;
  }
  CHECK(l[0].item() == doctest::Approx(want).epsilon(1e-14));

  auto s0 = same(p, "sim", {vec({3, 4}), i64(0)});
  CHECK(s0[0].data == std::vector<double>{3, 4}); // no steps: v0 unchanged
  auto s1 = same(p, "sim", {vec({3, 4}), i64(1)});
  // One step: v - 0.001 * (0.1 * |v| * v) with |v| = 5.
  CHECK(s1[0].data[0] == doctest::Approx(3 - 0.001 * 0.5 * 3));
  same(p, "sim", {vec({10, -2}), i64(50)});

  auto q = same(p, "sq", {vec({1, -2, 3})});
  CHECK(q[0].item() == 14);
  same(p, "sq", {vec({0.1, 0.2, 0.3, -0.7, 1e-3})});
  same(p, "sq", {vec({})});
  auto o = same(p, "outer_sum", {vec({1, 2}), vec({3, 4, 5})});
  CHECK(o[0].item() == 36); // (1 + 2) * (3 + 4 + 5)
  same(p, "outer_sum", {vec({0.1, 0.7, -0.3}), vec({1.1, 1e-9})});
  auto t = same(p, "twice_sq", {vec({1, 2})});
  CHECK(t[0].item() == 10);
  auto h = same(p, "halves", {vec({1, 2, 3, 4}), vec({0.5, 1})});
  CHECK(h[0].item() == 25 - 1.25); // (9 + 16) - (0.25 + 1)
  auto n = same(p, "newton", {f64(2)});
  CHECK(n[0].item() == doctest::Approx(std::sqrt(2.0)));
  CHECK(n[1].item() == 30);
  CHECK(same(p, "pick", {f64(0.5), i64(2)})[0].item() == std::exp(0.5));
  CHECK(same(p, "pick", {f64(0.5), i64(10)})[0].item() == 5);
}

TEST_CASE("the optimised programs lose their redundancy") {
  Programs p;
  for (const char *fn : {"sim", "twice_sq", "halves"})
    CHECK(countOps(*p.after->lookup(fn), OpKind::Call) == 0);
  const Function &sim = *p.after->lookup("sim");
  CHECK(countOps(sim, OpKind::TapePush) == 0);
  CHECK(returnedDef(sim, 0)->results.size() == 1); // the unused counter is gone
  const Function &loss = *p.after->lookup("loss");
  CHECK(countOps(loss, OpKind::Neg) == 1);
  CHECK(countOps(loss, OpKind::Fill) == 0);
  CHECK(countOps(loss, OpKind::Broadcast) == 0);
  CHECK(returnedDef(*p.after->lookup("pick"))->kind == OpKind::If);
}

TEST_CASE("a division by zero stays a runtime error after simplification") {
  Programs p;
  CHECK_THROWS_AS(interp::Interpreter(*p.before).call("divz", {i64(1)}), interp::RuntimeError);
  CHECK_THROWS_AS(interp::Interpreter(*p.after).call("divz", {i64(1)}), interp::RuntimeError);
  CHECK(countOps(*p.after->lookup("divz"), OpKind::Div) == 1);
}
