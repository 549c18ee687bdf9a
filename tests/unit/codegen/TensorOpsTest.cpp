// Every "Other" op of Ops.def, written as IR text, compiled and compared bit for bit with the
// interpreter, plus hand-computed values for the interesting ones. The last test checks that the
// IR in these tests uses every op kind.
#include "Harness.h"

#include <array>
#include <set>

#include <fmt/format.h>

using namespace diffc::test;
using diffc::ir::OpKind;

namespace {

std::set<OpKind> &seenKinds() {
  static std::set<OpKind> s;
  return s;
}

std::unique_ptr<diffc::codegen::JitModule> jitIR(const std::string &text) {
  auto m = fromIR(text);
  for (const auto &f : m->functions)
    diffc::ir::walk(*f->body, [](const diffc::ir::Op &op) { seenKinds().insert(op.kind); });
  seenKinds().insert(OpKind::Return);
  return jit(m);
}

} // namespace

TEST_CASE("codegen: const, dim, fill, eye, select, cast, stop_gradient") {
  auto j = jitIR(
      R"(func @f[N](%x: f64[N], %c: bool[N], %k: i64) -> (f64[N], f64[N, N], f64[N], i64, f32, bool, f64[N], i64[N]) {
  %a = const 1.5 : f64
  %b = const 0.1 : f32
  %t = const true : bool
  %n = dim 2*N - 1 : i64
  %f = fill %a : f64[N]
  %e = eye : f64[N, N]
  %s = select %c, %x, %f : f64[N]
  %s2 = select %t, %x, %a : f64[N]
  %g = stop_gradient %s2 : f64[N]
  %h = add %g, %s : f64[N]
  %ci = cast %x : i64[N]
  return %h, %e, %f, %n, %b, %t, %s2, %ci
}
)");
  auto r = same(*j, "f", {V({1.5, -2.25, 3.75}), V({1, 0, 1}, ElemType::Bool), I(2)});
  CHECK(r[3].data[0] == 5);
  CHECK(r[1].data == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  CHECK(r[4].data[0] == static_cast<double>(0.1f));
  CHECK(r[7].data == std::vector<double>{1, -2, 3});
  // f64 -> i64 of NaN or beyond 2^53 is an error in both executors.
  same(*j, "f", {V({1.5, NAN, 3.75}), V({1, 0, 1}, ElemType::Bool), I(2)});
  same(*j, "f", {V({1.5, 1e300, 3.75}), V({1, 0, 1}, ElemType::Bool), I(2)});
}

TEST_CASE("codegen: casts between every pair of element types") {
  const char *types[] = {"f64", "f32", "i64", "bool"};
  ElemType elems[] = {ElemType::F64, ElemType::F32, ElemType::I64, ElemType::Bool};
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b) {
      std::string text = std::string("func @f[N](%x: ") + types[a] + "[N]) -> " + types[b] +
                         "[N] {\n  %y = cast %x : " + types[b] + "[N]\n  return %y\n}\n";
      auto j = jitIR(text);
      std::vector<double> v = elems[a] == ElemType::Bool  ? std::vector<double>{0, 1, 1}
                              : elems[a] == ElemType::I64 ? std::vector<double>{-3, 0, 77}
                                                          : std::vector<double>{-2.7, -0.0, 3.9};
      same(*j, "f", {V(v, elems[a])});
    }
}

TEST_CASE("codegen: broadcast and sum_to") {
  auto j = jitIR(
      R"(func @f[N, D](%v: f64[D], %r: f64[1, D], %c: f64[N, 1], %s: f64, %x: f64[N, D]) -> (f64[N, D], f64[N, D], f64[N, D], f64[N, D], f64[D], f64[1, D], f64[N, 1], f64) {
  %a = broadcast %v : f64[N, D]
  %b = broadcast %r : f64[N, D]
  %c2 = broadcast %c : f64[N, D]
  %d = broadcast %s : f64[N, D]
  %e = sum_to %x : f64[D]
  %f = sum_to %x : f64[1, D]
  %g = sum_to %x : f64[N, 1]
  %h = sum_to %x : f64
  return %a, %b, %c2, %d, %e, %f, %g, %h
}
)");
  auto r = same(*j, "f",
                {V({1, 2, 3}), T({1, 3}, {4, 5, 6}), T({2, 1}, {7, 8}), S(9),
                 T({2, 3}, {0.1, 0.2, 0.3, 1e16, 1, -1e16})});
  CHECK(r[0].data == std::vector<double>{1, 2, 3, 1, 2, 3});
  CHECK(r[2].data == std::vector<double>{7, 7, 7, 8, 8, 8});
  CHECK(r[4].data[0] == 0.1 + 1e16);
  CHECK(r[6].data[1] == (1e16 + 1) + -1e16); // in row order
}

TEST_CASE("codegen: a broadcast read in place by the elementwise op after it") {
  auto j = jitIR(
      R"(func @f[N, D](%v: f64[D], %r: f64[1, D], %s: f64, %x: f64[N, D]) -> (f64[N, D], f64[N, D], bool[N, D], f64[N, D], f64[N, D]) {
  %1 = broadcast %v : f64[N, D]
  %2 = add %x, %1 : f64[N, D]
  %3 = broadcast %r : f64[N, D]
  %4 = broadcast %v : f64[N, D]
  %5 = mul %4, %3 : f64[N, D]
  %6 = broadcast %s : f64[N, D]
  %7 = lt %x, %6 : bool[N, D]
  %8 = broadcast %v : f64[N, D]
  %9 = neg %8 : f64[N, D]
  return %2, %5, %7, %9, %8
}
)");
  auto r = same(
      *j, "f",
      {V({1, 2, 3}), T({1, 3}, {4, 5, 6}), S(0.5), T({2, 3}, {0.1, 0.2, 0.3, 1e16, 1, -1e16})});
  CHECK(r[0].data == std::vector<double>{1.1, 2.2, 3.3, 1e16 + 1, 3, -1e16 + 3});
  CHECK(r[1].data == std::vector<double>{4, 10, 18, 4, 10, 18});
  CHECK(r[2].data == std::vector<double>{1, 1, 1, 0, 0, 1});
  same(*j, "f", {V({}), T({1, 0}, {}), S(1), T({4, 0}, {})});
  // Folded, a broadcast allocates nothing: %1, %3, %4 and %6 are read in place; %8 has two uses.
  auto m = fromIR(R"(func @g[N, D](%v: f64[D], %x: f64[N, D]) -> f64[N, D] {
  %1 = broadcast %v : f64[N, D]
  %2 = add %x, %1 : f64[N, D]
  return %2
}
)");
  std::string text = diffc::codegen::emitLLVM(*m, "g", false);
  // Each allocation calls the runtime once (inline ones from their slow path).
  size_t allocs = 0;
  const std::string site = "call ptr @diffc_rt_alloc(";
  for (size_t at = text.find(site); at != std::string::npos; at = text.find(site, at + 1))
    ++allocs;
  CHECK(allocs == 1);
}

TEST_CASE("codegen: a bias row added to a matmul's product by the runtime, in place") {
  // add(matmul, broadcast of a row) right after the matmul is one kernel call and one
  // diffc_rt_add_row call; a product with another use, or the bias on the left of the add, keeps
  // the add's loop. All bit-equal to the interpreter (same()), with 1e16 next to small values.
  std::string ir;
  for (const char *t : {"f64", "f32"})
    ir += fmt::format(
        R"(func @{0}[M, K, N](%a: {0}[M, K], %w: {0}[N, K], %b: {0}[N]) -> ({0}[M, N], {0}[M, N], {0}[M, N], {0}[M, N]) {{
  %1 = transpose %w : {0}[K, N]
  %2 = matmul %a, %1 : {0}[M, N]
  %3 = broadcast %b : {0}[M, N]
  %4 = add %2, %3 : {0}[M, N]
  %5 = matmul %a, %1 : {0}[M, N]
  %6 = broadcast %b : {0}[M, N]
  %7 = add %5, %6 : {0}[M, N]
  %8 = matmul %a, %1 : {0}[M, N]
  %9 = broadcast %b : {0}[M, N]
  %10 = add %9, %8 : {0}[M, N]
  return %4, %7, %5, %10
}}
)",
        t);
  auto m = fromIR(ir);
  for (const char *t : {"f64", "f32"}) {
    std::string text = diffc::codegen::emitLLVM(*m, t, false);
    size_t calls = 0;
    const std::string site = fmt::format("call void @diffc_rt_add_row_{}(", t);
    for (size_t at = text.find(site); at != std::string::npos; at = text.find(site, at + 1))
      ++calls;
    CHECK(calls == 1);
  }
  auto j = jitIR(ir);
  auto data = [](size_t n, double phase) {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i)
      v[i] = i % 5 == 2 ? 1e16 * std::sin(phase + static_cast<double>(i))
                        : std::cos(phase * static_cast<double>(i));
    return v;
  };
  for (const char *t : {"f64", "f32"}) {
    ElemType e = std::string(t) == "f64" ? ElemType::F64 : ElemType::F32;
    for (auto [m, k, n] : {std::array<int64_t, 3>{5, 3, 4}, {9, 17, 11}, {0, 2, 3}, {2, 3, 0}}) {
      INFO(t << " M=" << m << " K=" << k << " N=" << n);
      auto u = [](int64_t x) { return static_cast<size_t>(x); };
      auto r = same(*j, t,
                    {T({m, k}, data(u(m * k), 0.4), e), T({n, k}, data(u(n * k), 1.3), e),
                     T({n}, data(u(n), 2.1), e)});
      CHECK(r[0].data == r[1].data);
      if (m == 5) { // out[i, j] = (sum_p a[i, p] * w[j, p]) + b[j]
        auto a = data(15, 0.4), w = data(12, 1.3), b = data(4, 2.1);
        for (int64_t i = 0; i < m; ++i)
          for (int64_t jj = 0; jj < n; ++jj) {
            double want = 0;
            for (int64_t p = 0; p < k; ++p)
              want = e == ElemType::F64
                         ? want + a[u(i * k + p)] * w[u(jj * k + p)]
                         : double(float(want) + float(a[u(i * k + p)]) * float(w[u(jj * k + p)]));
            want = e == ElemType::F64 ? want + b[u(jj)] : double(float(want) + float(b[u(jj)]));
            CHECK(r[0].data[u(i * n + jj)] == want);
          }
      }
    }
  }
}

TEST_CASE("codegen: reshape, transpose, concat, pack, diag") {
  auto j = jitIR(
      R"(func @f[N, D](%x: f64[N, D], %v: f64[D], %s: f64) -> (f64[N*D], f64[D, N], f64[N + 2, D], f64[2, D], f64[3], f64[D, D], f64[1]) {
  %a = reshape %x : f64[N*D]
  %b = transpose %x : f64[D, N]
  %p = pack %v, %v : f64[2, D]
  %c = concat %x, %p : f64[N + 2, D]
  %q = pack %s, %s, %s : f64[3]
  %d = diag %v : f64[D, D]
  %o = reshape %s : f64[1]
  return %a, %b, %c, %p, %q, %d, %o
}
)");
  auto r = same(*j, "f", {T({2, 3}, {1, 2, 3, 4, 5, 6}), V({7, 8, 9}), S(-1)});
  CHECK(r[1].data == std::vector<double>{1, 4, 2, 5, 3, 6});
  CHECK(r[2].data == std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 8, 9});
  CHECK(r[5].data == std::vector<double>{7, 0, 0, 0, 8, 0, 0, 0, 9});
  same(*j, "f", {T({0, 3}, {}), V({7, 8, 9}), S(-1)});
}

TEST_CASE("codegen: reductions and argmax, with empty tensors, NaN and infinities") {
  auto j = jitIR(
      R"(func @f[N](%x: f64[N], %k: i64[N]) -> (f64, f64, f64, f64, f64, f64, i64, i64, i64, i64) {
  %a = sum %x : f64
  %b = prod %x : f64
  %c = reduce_max %x : f64
  %d = reduce_min %x : f64
  %e = logsumexp %x : f64
  %f = norm %x : f64
  %g = argmax %x : i64
  %h = sum %k : i64
  %i = reduce_max %k : i64
  %m = argmax %k : i64
  return %a, %b, %c, %d, %e, %f, %g, %h, %i, %m
}
)");
  auto i64v = [](std::vector<double> v) { return V(std::move(v), ElemType::I64); };
  auto r = same(*j, "f", {V({0.5, -2, 3, 3, 1e-3}), i64v({4, -1, 9, 9, 0})});
  CHECK(r[0].data[0] == 0.5 + -2 + 3 + 3 + 1e-3);
  CHECK(r[2].data[0] == 3);
  CHECK(r[6].data[0] == 2); // the first maximum
  CHECK(r[9].data[0] == 2);
  same(*j, "f", {V({1, NAN, 5, NAN}), i64v({1, 2, 3, 4})});
  same(*j, "f", {V({1, INFINITY, 5}), i64v({1, 2, 3})});
  same(*j, "f", {V({-INFINITY, -INFINITY}), i64v({1, 2})});
  same(*j, "f", {V({-0.0, 0.0}), i64v({1, 2})});
  same(*j, "f", {V({}), i64v({})}); // reduce_max of nothing: an error in both
}

TEST_CASE("codegen: logsumexp, softmax, log_softmax") {
  auto j = jitIR(
      R"(func @f[N, M](%x: f64[N, M], %v: f64[M], %s: f64) -> (f64[N, M], f64[N, M], f64[M], f64[M], f64) {
  %a = softmax %x : f64[N, M]
  %b = log_softmax %x : f64[N, M]
  %c = softmax %v : f64[M]
  %d = log_softmax %v : f64[M]
  %e = logsumexp %v : f64
  return %a, %b, %c, %d, %e
}
)");
  auto r = same(*j, "f", {T({2, 3}, {1, 2, 3, -1000, 0, 1000}), V({0.5, 1.5, -2}), S(3)});
  double m = 1.5, s = std::exp(0.5 - m) + std::exp(1.5 - m) + std::exp(-2 - m);
  CHECK(r[4].data[0] == m + std::log(s));
  CHECK(r[3].data[1] == (1.5 - m) - std::log(s));
  same(*j, "f", {T({1, 2}, {INFINITY, 1}), V({-INFINITY, 1, NAN}), S(NAN)});
  same(*j, "f", {T({2, 0}, {}), V({}), S(0)});
}

TEST_CASE("codegen: softmax of a tensor calls exp once per element") {
  // The sum loop keeps each exp(x - m) in the result, which the last loop divides by the sum;
  // the scalar softmax and log_softmax have no second exp to save. Values: the test above.
  auto m = fromIR(R"(func @f[N](%v: f64[N]) -> f64[N] {
  %c = softmax %v : f64[N]
  return %c
}
)");
  std::string text = diffc::codegen::emitLLVM(*m, "f", false);
  size_t calls = 0;
  for (size_t at = text.find("@exp("); at != std::string::npos; at = text.find("@exp(", at + 1))
    ++calls;
  CHECK(calls == 2); // the declaration and one call
  auto j = jit(m);
  auto r = same(*j, "f", {V({0.5, 1.5, -2})});
  double s = std::exp(-1.0) + 1 + std::exp(-3.5);
  CHECK(r[0].data == std::vector<double>{std::exp(-1.0) / s, 1 / s, std::exp(-3.5) / s});
}

TEST_CASE("codegen: matmul in its four shapes, and outer") {
  auto j = jitIR(
      R"(func @f[M, K, N](%a: f64[M, K], %b: f64[K, N], %x: f64[K], %y: f64[M]) -> (f64[M, N], f64[M], f64[N], f64, f64[M, K]) {
  %mm = matmul %a, %b : f64[M, N]
  %mv = matmul %a, %x : f64[M]
  %vm = matmul %x, %b : f64[N]
  %dd = matmul %x, %x : f64
  %o = outer %y, %x : f64[M, K]
  return %mm, %mv, %vm, %dd, %o
}
)");
  auto r = same(*j, "f",
                {T({2, 3}, {1, 2, 3, 4, 5, 6}), T({3, 2}, {1, 0.5, -1, 2, 0.25, 1}),
                 V({1, 1e16, -1e16}), V({2, -3})});
  CHECK(r[0].data == std::vector<double>{1 - 2 + 0.75, 0.5 + 4 + 3, 4 - 5 + 1.5, 2 + 10 + 6});
  CHECK(r[3].data[0] == (1 + 1e32) + 1e32);
  // A larger product, so the vectorised inner loop and its remainder both run.
  std::vector<double> a(7 * 13), b(13 * 11);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = std::sin(static_cast<double>(i));
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = std::cos(static_cast<double>(i) * 0.7);
  std::vector<double> x(13, 0.1), y(7, -0.3);
  same(*j, "f", {T({7, 13}, a), T({13, 11}, b), V(x), V(y)});
  auto ji = jitIR(R"(func @g[M, K](%a: i64[M, K], %x: i64[K]) -> i64[M] {
  %r = matmul %a, %x : i64[M]
  return %r
}
)");
  auto ri = same(*ji, "g", {T({2, 2}, {1, 2, 3, 4}, ElemType::I64), V({5, 6}, ElemType::I64)});
  CHECK(ri[0].data == std::vector<double>{17, 39});
}

TEST_CASE("codegen: float matmuls through the runtime kernel, transposes folded into them") {
  // Whole 4-row tiles and partial ones, K over one packed block of B (128), k = 0, vectors, f32;
  // transposed operands read in place and transposed products written directly (and not when
  // the transpose has another use). Order-sensitive data (1e16 next to 1) makes any change of
  // summation order show.
  std::string ir;
  for (const char *t : {"f64", "f32"})
    ir += fmt::format(
        R"(func @{0}[M, K, N](%a: {0}[M, K], %bt: {0}[N, K], %at: {0}[K, M], %b: {0}[K, N], %x: {0}[K]) -> ({0}[M, N], {0}[M, N], {0}[N, M], {0}[N, M], {0}[N, M], {0}[M, N], {0}[K, N], {0}[M], {0}[N]) {{
  %1 = transpose %bt : {0}[K, N]
  %2 = matmul %a, %1 : {0}[M, N]
  %3 = transpose %at : {0}[M, K]
  %4 = matmul %3, %b : {0}[M, N]
  %5 = matmul %a, %b : {0}[M, N]
  %6 = transpose %5 : {0}[N, M]
  %7 = transpose %at : {0}[M, K]
  %8 = transpose %bt : {0}[K, N]
  %9 = matmul %7, %8 : {0}[M, N]
  %10 = transpose %9 : {0}[N, M]
  %11 = matmul %a, %b : {0}[M, N]
  %12 = transpose %11 : {0}[N, M]
  %13 = transpose %bt : {0}[K, N]
  %14 = matmul %a, %13 : {0}[M, N]
  %15 = matmul %3, %x : {0}[M]
  %16 = matmul %x, %1 : {0}[N]
  return %2, %4, %6, %10, %12, %11, %13, %15, %16
}}
)",
        t);
  auto j = jitIR(ir);
  auto data = [](size_t n, double phase) {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i)
      v[i] = i % 7 == 3 ? 1e16 * std::sin(phase + static_cast<double>(i))
                        : std::cos(phase * static_cast<double>(i));
    return v;
  };
  for (const char *t : {"f64", "f32"}) {
    ElemType e = std::string(t) == "f64" ? ElemType::F64 : ElemType::F32;
    for (auto [m, k, n] : {std::array<int64_t, 3>{9, 300, 37},
                           {4, 5, 16},
                           {8, 3, 8},
                           {8, 0, 20},
                           {1, 1, 1},
                           {0, 4, 3},
                           {3, 4, 0}}) {
      INFO(t << " M=" << m << " K=" << k << " N=" << n);
      auto u = [](int64_t x) { return static_cast<size_t>(x); };
      auto r = same(*j, t,
                    {T({m, k}, data(u(m * k), 0.3), e), T({n, k}, data(u(n * k), 1.1), e),
                     T({k, m}, data(u(k * m), 2.3), e), T({k, n}, data(u(k * n), 0.7), e),
                     T({k}, data(u(k), 1.9), e)});
      if (m == 4 && k == 5 && n == 16) // out[i, j] = sum_p a[i, p] * bt[j, p], in order
        for (int64_t i = 0; i < m; ++i)
          for (int64_t jj = 0; jj < n; ++jj) {
            auto a = data(20, 0.3), bt = data(80, 1.1);
            double want = 0;
            for (int64_t p = 0; p < k; ++p)
              want = e == ElemType::F64
                         ? want + a[u(i * k + p)] * bt[u(jj * k + p)]
                         : double(float(want) + float(a[u(i * k + p)]) * float(bt[u(jj * k + p)]));
            CHECK(r[0].data[u(i * n + jj)] == want);
          }
    }
  }
  // The folds happen: a matmul of a transposed operand, written transposed, lowers to one call
  // and no loop; a transpose with another use is still materialised.
  auto folded = fromIR(R"(func @g[M, K, N](%at: f64[K, M], %bt: f64[N, K]) -> f64[N, M] {
  %1 = transpose %at : f64[M, K]
  %2 = transpose %bt : f64[K, N]
  %3 = matmul %1, %2 : f64[M, N]
  %4 = transpose %3 : f64[N, M]
  return %4
}
)");
  std::string text = diffc::codegen::emitLLVM(*folded, "g", false);
  CHECK(text.find("call void @diffc_rt_matmul_f64") != std::string::npos);
  CHECK(text.find("loop") == std::string::npos);
  auto kept = fromIR(R"(func @g[M, K](%at: f64[K, M], %b: f64[K, M]) -> (f64[M, K], f64[M, M]) {
  %1 = transpose %at : f64[M, K]
  %2 = matmul %1, %b : f64[M, M]
  return %1, %2
}
)");
  CHECK(diffc::codegen::emitLLVM(*kept, "g", false).find("loop") != std::string::npos);
}

TEST_CASE("codegen: index, update and update_add with points, slices and whole axes") {
  auto j = jitIR(
      R"(func @f[N, D](%A: f64[N, D], %i: i64, %j: i64, %v: f64[D]) -> (f64, f64[D], f64[N], f64[2, 1], f64[N, D], f64[N, D], f64[N, D]) {
  %e = index %A[%i, %j] : f64
  %row = index %A[%i, :] : f64[D]
  %col = index %A[:, %j] : f64[N]
  %blk = index %A[%i +: 2, %j +: 1] : f64[2, 1]
  %u = update %A[%i, :], %v : f64[N, D]
  %c2 = index %A[%i +: 2, %j] : f64[2]
  %w = update_add %A[%i +: 2, %j], %c2 : f64[N, D]
  %one = const 1.0 : f64
  %z = update %u[%j, %i], %one : f64[N, D]
  return %e, %row, %col, %blk, %u, %w, %z
}
)");
  auto A = T({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto r = same(*j, "f", {A, I(1), I(0), V({-1, -2, -3})});
  CHECK(r[0].data[0] == 4);
  CHECK(r[2].data == std::vector<double>{1, 4, 7});
  CHECK(r[3].data == std::vector<double>{4, 7});
  CHECK(r[4].data == std::vector<double>{1, 2, 3, -1, -2, -3, 7, 8, 9});
  CHECK(r[5].data == std::vector<double>{1, 2, 3, 8, 5, 6, 14, 8, 9});
  // Out of range: a point, a slice, a negative index; all runtime errors at the same op.
  same(*j, "f", {A, I(3), I(0), V({-1, -2, -3})});
  same(*j, "f", {A, I(2), I(0), V({-1, -2, -3})});
  same(*j, "f", {A, I(-1), I(0), V({-1, -2, -3})});
  same(*j, "f", {A, I(0), I(3), V({-1, -2, -3})});
}

TEST_CASE("codegen: calls, if, for, while, map, tapes") {
  auto j = jitIR(R"(func @sq(%x: f64) -> f64 {
  %y = mul %x, %x : f64
  return %y
}

func @pair[N](%x: f64[N]) -> (f64[N], f64) {
  %s = sum %x : f64
  %y = mul %x, %s : f64[N]
  return %y, %s
}

func @f[N](%x: f64[N], %n: i64) -> (f64, f64[N], f64, f64[N, 2], f64[N], f64) {
  %lo = const 0 : i64
  %zero = const 0.0 : f64
  %acc = for %i = %lo to %n iter(%a = %zero) {
    %k = const 1 : i64
    %xi = index %x[%k] : f64
    %a2 = add %a, %xi : f64
    yield %a2
  } : f64
  %pos = gt %acc, %zero : bool
  %r = if %pos {
    %q = call @sq(%acc) : f64
    yield %q
  } else {
    yield %zero
  } : f64
  %y, %s = call @pair[N](%x) : f64[N], f64
  %one = const 1.0 : f64
  %v = while (%vc = %one) {
    %big = const 100.0 : f64
    %c = lt %vc, %big : bool
    yield %c
  } do (%vb) {
    %two = const 3.0 : f64
    %v2 = mul %vb, %two : f64
    yield %v2
  } : f64
  %m = map (%p < N, %pj < 2) {
    %mx = index %x[%p] : f64
    %jf = cast %pj : f64
    %me = mul %mx, %jf : f64
    yield %me
  } : f64[N, 2]
  %t0 = tape.new : tape<f64[N]>
  %t1 = tape.push %t0, %x : tape<f64[N]>
  %t2 = tape.push %t1, %y : tape<f64[N]>
  %t3, %top = tape.pop %t2 : tape<f64[N]>, f64[N]
  %st0 = tape.new : tape<f64>
  %st1 = tape.push %st0, %r : tape<f64>
  %st2, %sv = tape.pop %st1 : tape<f64>, f64
  %t4, %bottom = tape.pop %t3 : tape<f64[N]>, f64[N]
  %sum = add %top, %bottom : f64[N]
  return %r, %sum, %v, %m, %y, %sv
}
)");
  auto r = same(*j, "f", {V({1, 2, 3}), I(4)});
  CHECK(r[0].data[0] == 64);
  CHECK(r[2].data[0] == 243);
  CHECK(r[3].data == std::vector<double>{0, 1, 0, 2, 0, 3});
  CHECK(r[1].data == std::vector<double>{7, 14, 21});
  same(*j, "f", {V({1, -2, 3}), I(0)});
}

TEST_CASE("codegen: the IR of these tests uses every op of Ops.def") {
  std::set<OpKind> &seen = seenKinds();
  // Yield appears in every region above; the elementwise ops are covered by ElementwiseTest.
  seen.insert(OpKind::Yield);
  std::vector<std::string> missing;
  size_t count = 0;
#define DIFFC_OP(K, M, C)                                                                          \
  ++count;                                                                                         \
  if (diffc::ir::OpClass::C == diffc::ir::OpClass::Other && !seen.count(OpKind::K))                \
    missing.push_back(M);
#include "ir/Ops.def"
  INFO("ops never exercised: " << [&] {
    std::string s;
    for (auto &m : missing)
      s += m + " ";
    return s;
  }());
  CHECK(missing.empty());
  CHECK(count > 80);
}
