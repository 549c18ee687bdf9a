// Properties of the generated code rather than its values: element updates in loops are in
// place (O(1) each), rows are read without copies, elementwise chains are fused, loop temporaries
// are released every iteration, elementwise loops are vectorised, and fast-math changes nothing
// that matters for these inputs.
#include "Harness.h"

#include <chrono>
#include <cstdio>
#include <thread>
#include <unistd.h>

using namespace diffc::test;

TEST_CASE("codegen: element updates in a loop are in place, so n updates cost O(n)") {
  // With a copy per update this would be 200000^2 / 2 = 2e10 element copies (minutes); in place
  // it is instant.
  auto j = jit(fromSource(R"(
fn fill_up[N](x: f64[N]) -> f64[N] {
  var y = zeros(N);
  for i in 0..N { y[i] = x[i] * 2.0; y[i] += 1.0; }
  y
}
)"));
  const int64_t n = 200000;
  std::vector<double> x(n, 1.5);
  auto t0 = std::chrono::steady_clock::now();
  auto r = j->call("fill_up", {V(x)});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r[0].data[n - 1] == 4.0);
  CHECK(secs < 2.0);
}

TEST_CASE("codegen: loop temporaries are released each iteration") {
  // 20000 iterations each making several 1000-element temporaries: 480 MB if never released.
  auto j = jit(fromSource(R"(
fn spin[N](x: f64[N], steps: i64) -> f64[N] {
  var v = x;
  for t in 0..steps { v = 0.5 * (v + sin(v)) + 0.01 * x; }
  v
}
)"));
  std::vector<double> x(1000, 0.3);
  same(*j, "spin", {V(x), diffc::test::I(3)});
  j->call("spin", {V(x), diffc::test::I(20000)});
  CHECK(diffc_ctx_reserved(diffc::codegen::threadContext()) < 16 * 1024 * 1024);
}

TEST_CASE("codegen: a row of a tensor nobody updates is read in place, not copied") {
  // x[1] of a 2 x 4M tensor: a copy would take 32 MB of scratch memory; a view takes none. A new
  // thread has a fresh scratch arena, so earlier tests do not count.
  auto j = jit(fromSource("fn row_sum[N](x: f64[2, N]) -> f64 = sum(x[1]) + sum(x[0, 1:N]);\n"));
  const int64_t n = 4 << 20;
  std::vector<double> x(2 * n, 0.5);
  size_t reserved = 0;
  double got = 0;
  std::thread t([&] {
    got = j->call("row_sum", {T({2, n}, x)})[0].data[0];
    reserved = diffc_ctx_reserved(diffc::codegen::threadContext());
  });
  t.join();
  CHECK(got == 0.5 * n + 0.5 * (n - 1));
  CHECK(reserved < 8 * 1024 * 1024);
}

TEST_CASE("codegen: loops that update their tensor in place take no spare buffer") {
  // y is 8 MB. Updated in place by both loops, it needs no other buffer; with a spare buffer per
  // loop (taken again for every run of the inner loop) the call would hold 24 MB.
  auto j = jit(fromSource(R"(
fn bump[N](x: f64[N], steps: i64) -> f64[N] {
  var y = x * 2.0;
  for t in 0..steps { for i in 0..N { y[i] += 1.0; } }
  y
}
)"));
  const int64_t n = 1 << 20;
  std::vector<double> x(n, 0.25);
  size_t reserved = 0;
  std::vector<double> got;
  std::thread t([&] {
    got = j->call("bump", {V(x), diffc::test::I(3)})[0].data;
    reserved = diffc_ctx_reserved(diffc::codegen::threadContext());
  });
  t.join();
  CHECK(got[0] == 3.5);
  CHECK(got[n - 1] == 3.5);
  CHECK(reserved < 12 * 1024 * 1024);
  same(*j, "bump", {V({1, 2, 3}), diffc::test::I(2)});
}

TEST_CASE("codegen: a chain of elementwise ops is one loop with no temporaries") {
  // x is 8 MB: four separate loops would hold 32 MB of scratch (three temporaries and the result).
  auto j = jit(fromSource("fn f[N](x: f64[N]) -> f64[N] = sigmoid(x * 2.0 + 1.0) * x;\n"));
  const int64_t n = 1 << 20;
  std::vector<double> x(n, 0.5);
  size_t reserved = 0;
  std::vector<double> got;
  std::thread t([&] {
    got = j->call("f", {V(x)})[0].data;
    reserved = diffc_ctx_reserved(diffc::codegen::threadContext());
  });
  t.join();
  CHECK(got[n - 1] == 0.5 / (1.0 + std::exp(-2.0)));
  CHECK(reserved < 12 * 1024 * 1024);
  same(*j, "f", {V({-800, -1, -0.0, 0.0, 0.3, 40, INFINITY, -INFINITY, NAN})});
}

TEST_CASE("codegen: a sum, product or norm of an elementwise chain needs no temporary") {
  // x is 8 MB: a buffer for the chain's result would hold 8 MB of scratch per reduction.
  auto j = jit(fromSource(R"(
fn f[N](x: f64[N], y: f64[N]) -> (f64, f64, f64) =
  (sum((x - y) ^ 2), prod(x * 0.5 + 0.75), norm(exp(x) - y));
)"));
  const int64_t n = 1 << 20;
  std::vector<double> x(n, 0.5), y(n, 0.25);
  size_t reserved = 0;
  std::vector<double> got;
  std::thread t([&] {
    auto r = j->call("f", {V(x), V(y)});
    got = {r[0].data[0], r[1].data[0], r[2].data[0]};
    reserved = diffc_ctx_reserved(diffc::codegen::threadContext());
  });
  t.join();
  CHECK(got[0] == doctest::Approx(0.0625 * n).epsilon(1e-9));
  CHECK(got[1] == 1.0);
  CHECK(got[2] == doctest::Approx(std::sqrt(n * std::pow(std::exp(0.5) - 0.25, 2))).epsilon(1e-9));
  CHECK(reserved < 4 * 1024 * 1024);
  // Bit-equal to the interpreter, non-finite elements and the empty tensor included.
  same(*j, "f",
       {V({-800, -1, -0.0, 0.0, 0.3, 40, INFINITY, -INFINITY, NAN}),
        V({1, 2, 3, 4, 5, 6, 7, 8, 9})});
  same(*j, "f", {V({0.1, 0.7, 1.3}), V({-2, 0.5, 3})});
  same(*j, "f", {V({}), V({})});
}

TEST_CASE("codegen: an elementwise op is not fused past an in-place update of its operand") {
  // y's old value dies at the update, which therefore writes in place: `a` must be computed
  // before it, not inside the final sum.
  auto j = jit(fromSource(R"(
fn f(x: f64[3]) -> f64[3] {
  var y = x * 1.0;
  let a = y * 2.0;
  y[0] = 100.0;
  a + y
}
)"));
  auto r = same(*j, "f", {V({1, 2, 3})});
  CHECK(r[0].data == std::vector<double>{102, 6, 9});
}

TEST_CASE("codegen: an update_add of an elementwise chain adds each element as computed") {
  // x is 8 MB: the chain's value in a buffer of its own would take 8 MB more scratch than the
  // updated tensor (the adjoint of a row, `d[k, :] += -(a + q * z)`, in the GMM gradient).
  auto j = jit(fromSource(R"(
fn f[N](x: f64[N], y: f64[N]) -> f64 {
  var a = [x * 0.5, y];
  a[1] += -(x + y * 2.0);
  a[0] = exp(y) - x;
  sum(a)
}
)"));
  const int64_t n = 1 << 20;
  std::vector<double> x(n, 0.5), y(n, 0.25);
  size_t reserved = 0;
  double got = 0;
  std::thread t([&] {
    got = j->call("f", {V(x), V(y)})[0].data[0];
    reserved = diffc_ctx_reserved(diffc::codegen::threadContext());
  });
  t.join();
  CHECK(got == doctest::Approx(n * (std::exp(0.25) - 0.5 + 0.25 - 1.0)).epsilon(1e-9));
  CHECK(reserved < 32 * 1024 * 1024);
  same(*j, "f", {V({-800, -1, -0.0, 0.3, INFINITY, NAN}), V({1, 2, 3, 40, -INFINITY, 0.5})});
  same(*j, "f", {V({}), V({})});
}

TEST_CASE("codegen: a chain is not fused into an update past an in-place update of its operand") {
  // a dies at `a[0] = 100`, which therefore writes in place: c must be computed before it, not
  // while b[1] is updated. A row of b read by the chain that updates b is read before written.
  auto j = jit(fromSource(R"(
fn g(x: f64[3]) -> (f64[3], f64[2, 3]) {
  var a = x * 1.5;
  var b = [x * 2.0, x * 3.0];
  let c = -(a + 1.0);
  a[0] = 100.0;
  b[1] += c;
  b[0] += -(b[1] * 0.5 + x);
  (a, b)
}
)"));
  auto r = same(*j, "g", {V({1, 2, 3})});
  CHECK(r[0].data == std::vector<double>{100, 3, 4.5});
  CHECK(r[1].data == std::vector<double>{0.75, 1, 1.25, 0.5, 2, 3.5});
}

TEST_CASE("codegen: a popped tensor is read in the tape unless a push may come before its reads") {
  // f: %v is read where the tape holds it. g: the push of %y reuses %v's slot before %v is read,
  // so %v must be a copy (r = 2 x, not 2 y); the row returned by the function leaves the block
  // and is copied too.
  auto m = fromIR(R"(func @f[N](%x: f64[N]) -> f64 {
  %t = tape.new : tape<f64[N]>
  %t1 = tape.push %t, %x : tape<f64[N]>
  %t2, %v = tape.pop %t1 : tape<f64[N]>, f64[N]
  %s = sum %v : f64
  return %s
}
func @g[N](%x: f64[N]) -> (f64[N], f64[N]) {
  %t = tape.new : tape<f64[N]>
  %t1 = tape.push %t, %x : tape<f64[N]>
  %t2, %v = tape.pop %t1 : tape<f64[N]>, f64[N]
  %c = const 10.0 : f64
  %y = mul %x, %c : f64[N]
  %t3 = tape.push %t2, %y : tape<f64[N]>
  %r = add %v, %v : f64[N]
  %t4, %w = tape.pop %t3 : tape<f64[N]>, f64[N]
  return %r, %w
}
)");
  // A copy of a tensor of symbolic size ends in a memcpy call (FnLowering::copyBytes): f has its
  // push's only; g its two pushes', both pops' and the two results'.
  std::string text = diffc::codegen::emitLLVM(*m, "f", false);
  auto memcpys = [&](const std::string &fn) {
    size_t begin = text.find("@diffc.fn." + fn + "(");
    size_t end = text.find("\n}\n", begin);
    REQUIRE(end != std::string::npos);
    size_t count = 0;
    for (size_t at = text.find("call void @llvm.memcpy", begin); at < end;
         at = text.find("call void @llvm.memcpy", at + 1))
      ++count;
    return count;
  };
  CHECK(memcpys("f") == 1);
  CHECK(memcpys("g") == 6);
  auto j = jit(m);
  auto r = same(*j, "g", {V({1, 2, 3})});
  CHECK(r[0].data == std::vector<double>{2, 4, 6});
  CHECK(r[1].data == std::vector<double>{10, 20, 30});
  CHECK(same(*j, "f", {V({1, -2, 3.5})})[0].data[0] == 2.5);
}

TEST_CASE("codegen: a map a counted loop pushes is computed in its tape slot") {
  // h: each row of squares is built where the tape keeps it (no copy at the push, none at the
  // pop). u: the row is updated in place after the push, so it must be built apart: the tape
  // keeps x^2, the loop sums the updated row.
  const char *loops = R"(
  %t = tape.new : tape<f64[K]>
  %z = const 0.0 : f64
  %lo = const 0 : i64
  %n = dim N : i64
  %s, %t1 = for %i = %lo to %n iter(%acc = %z, %tp = %t) {
    %m = map (%k < K) {
      %e = index %x[%i, %k] : f64
      %e2 = mul %e, %e : f64
      yield %e2
    } : f64[K]
    %tp2 = tape.push %tp, %m : tape<f64[K]>
    BODY
    %acc2 = add %acc, %r : f64
    yield %acc2, %tp2
  } : f64, tape<f64[K]>
  %s2, %t2 = for %j = %lo to %n iter(%acc3 = %z, %tq = %t1) {
    %tq2, %v = tape.pop %tq : tape<f64[K]>, f64[K]
    %r2 = sum %v : f64
    %acc4 = add %acc3, %r2 : f64
    yield %acc4, %tq2
  } : f64, tape<f64[K]>
  return %s, %s2
}
)";
  auto body = [&](const std::string &name, const std::string &b) {
    std::string text = "func @" + name + "[N, K](%x: f64[N, K]) -> (f64, f64) {" + loops;
    return text.replace(text.find("BODY"), 4, b);
  };
  auto m = fromIR(body("h", "%r = sum %m : f64") + body("u", R"(%c = const 0 : i64
    %one = const 100.0 : f64
    %m2 = update %m[%c], %one : f64[K]
    %r = sum %m2 : f64)"));
  std::string text = diffc::codegen::emitLLVM(*m, "h", false);
  size_t begin = text.find("@diffc.fn.h("), end = text.find("\n}\n", begin);
  REQUIRE(end != std::string::npos);
  CHECK(text.find("call void @llvm.memcpy", begin) > end);
  auto j = jit(m);
  auto r = same(*j, "h", {T({2, 3}, {1, 2, 3, -1, 0.5, 2})});
  CHECK(r[0].data[0] == 19.25);
  CHECK(r[1].data[0] == 19.25);
  r = same(*j, "u", {T({2, 3}, {1, 2, 3, -1, 0.5, 2})});
  CHECK(r[0].data[0] == 217.25);
  CHECK(r[1].data[0] == 19.25);
  same(*j, "h", {T({0, 3}, {})});
}

TEST_CASE("codegen: views never see later updates, and updates of views copy") {
  auto j = jit(fromSource(R"(
fn rows(a: f64[3, 2]) -> (f64[2], f64[2], f64[2], f64[3, 2]) {
  let r = a[1];   // a parameter's row: a view
  var c = r;
  c[0] = 5.0;     // updates a copy: r and a keep their values
  var b = a * 1.0;
  let s = b[2];   // b is updated below, so s is a copy
  b[2, 0] = 7.0;
  (r, c, s, b)
}
)"));
  auto r = same(*j, "rows", {T({3, 2}, {1, 2, 3, 4, 5, 6})});
  CHECK(r[0].data == std::vector<double>{3, 4});
  CHECK(r[1].data == std::vector<double>{5, 4});
  CHECK(r[2].data == std::vector<double>{5, 6});
  CHECK(r[3].data == std::vector<double>{1, 2, 3, 4, 7, 6});
}

TEST_CASE("codegen: elementwise loops are vectorised for the host CPU") {
  auto m = fromSource("fn axpy[N](a: f64, x: f64[N], y: f64[N]) -> f64[N] = a * x + y;\n");
  std::string text = diffc::codegen::emitLLVM(*m, "axpy", true);
  INFO(text);
  CHECK(text.find("x double>") != std::string::npos);
  std::string raw = diffc::codegen::emitLLVM(*m, "axpy", false);
  CHECK(raw.find("diffc_axpy") != std::string::npos);
  CHECK_THROWS_AS(diffc::codegen::emitLLVM(*m, "nope", true), diffc::codegen::CodegenError);
}

TEST_CASE("codegen: fast-math is opt-in and close to the exact results") {
  auto m = fromSource("fn s[N](x: f64[N]) -> f64 = sum(x * x) + logsumexp(x);\n");
  diffc::codegen::CodegenOptions fast;
  fast.fastMath = true;
  auto jf = jit(m, fast);
  auto je = jit(m);
  std::vector<double> x(1001);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = std::sin(0.1 * static_cast<double>(i));
  double exact = same(*je, "s", {V(x)})[0].data[0];
  double approx = jf->call("s", {V(x)})[0].data[0];
  CHECK(approx == doctest::Approx(exact).epsilon(1e-12));
  CHECK(diffc::codegen::emitLLVM(*m, "s", true, fast).find("fast") != std::string::npos);
}

TEST_CASE("codegen: unbounded recursion is a runtime error, not a crash") {
  auto m = fromIR(R"(func @down(%n: i64) -> i64 {
  %r = call @down(%n) : i64
  return %r
}
)");
  auto j = jit(m);
  same(*j, "down", {diffc::test::I(1)});
}

TEST_CASE("codegen: ahead-of-time object and header") {
  auto m = fromSource("fn f[N](x: f64[N]) -> f64 = sum(x);\nfn g(y: f64) -> f64 = y;\n");
  std::string path = "/tmp/diffc_codegen_test_" + std::to_string(::getpid()) + ".o";
  auto syms = diffc::codegen::emitObject(*m, path, "mylib_");
  REQUIRE(syms.size() == 2);
  CHECK(syms[0] == "mylib_f");
  std::string header = diffc::codegen::emitHeader(*m, syms, "MYLIB_H");
  CHECK(header.find("int32_t mylib_f(diffc_ctx *ctx") != std::string::npos);
  CHECK(header.find("x: f64[N]") != std::string::npos);
  FILE *f = std::fopen(path.c_str(), "rb");
  REQUIRE(f);
  char magic[4] = {};
  CHECK(std::fread(magic, 1, 4, f) == 4);
  std::fclose(f);
  std::remove(path.c_str());
  CHECK(magic[1] == 'E');
  CHECK(magic[2] == 'L');
  CHECK(magic[3] == 'F');
}
