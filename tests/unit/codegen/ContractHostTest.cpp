// Host calls an outside user would write from LANGUAGE.md's C++ sketch alone, with the variations
// it implies: integer and f32 parameters, tuple results by name and position, vjp / jvp, gradients
// with --wrt subsets, sized calls between functions, and errors for bad calls.
#include "diffc/diffc.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

namespace {

const char *kProgram = R"(// contract.diff
fn powi(x: f64, n: i64) -> f64 = x ^ n;
fn scale[N](x: f64[N], k: i64) -> f64 = sum(x) * k / N;
fn inner[M](a: f64[M]) -> f64 = sum(a * a) / M;
fn outer[N](x: f64[N]) -> f64 = inner(x[1:N]) + inner(concat(x, x));
fn pair[N](x: f64[N]) -> (f64, f64[N]) = (sum(x), 2 * x);
fn single(x: f32, y: f32[2]) -> f32 = x * sum(y);
)";

} // namespace

TEST_CASE("host contract: integer parameters, given as int or int64_t") {
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kProgram, "contract.diff");
  CHECK(m.function("powi")(1.5, 3).scalar() == doctest::Approx(3.375));
  CHECK(m.function("powi")(1.5, int64_t(2)).scalar() == doctest::Approx(2.25));
  auto g = m.gradient("powi")(1.5, 3); // d/dx x^3 = 3 x^2
  CHECK(g.value() == doctest::Approx(3.375));
  CHECK(g.grad("x").scalar() == doctest::Approx(6.75));
  CHECK(g.grad(0).scalar() == doctest::Approx(6.75));
  std::vector<double> x = {1, 2, 3, 4};
  auto s = m.gradient("scale")(diffc::view(x, {4}), 2);
  CHECK(s.value() == doctest::Approx(5.0));
  for (double d : s.grad("x").data)
    CHECK(d == doctest::Approx(0.5));
}

TEST_CASE("host contract: calls between functions with size parameters") {
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kProgram, "contract.diff");
  std::vector<double> x = {1, 2, 3};
  // inner(x[1:3]) = (4 + 9) / 2, inner(concat(x, x)) = 2 * 14 / 6
  double expect = 6.5 + 28.0 / 6;
  CHECK(m.function("outer")(diffc::view(x, {3})).scalar() == doctest::Approx(expect));
  auto g = m.gradient("outer")(diffc::view(x, {3}));
  // d/dx_i: [i >= 1] x_i + 4 x_i / 6 (each x_i appears twice in the concat)
  std::vector<double> ref = {4.0 / 6, 2 + 8.0 / 6, 3 + 12.0 / 6};
  for (size_t i = 0; i < 3; ++i)
    CHECK(g.grad("x").data[i] == doctest::Approx(ref[i]));
}

TEST_CASE("host contract: tuple results by position and name; vjp and jvp of them") {
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kProgram, "contract.diff");
  std::vector<double> x = {1, 2};
  auto r = m.function("pair")(diffc::view(x, {2}));
  REQUIRE(r.size() == 2);
  CHECK(r[0].scalar() == 3.0);
  CHECK(r[1].shape == std::vector<int64_t>{2});
  CHECK(r[1].data == std::vector<double>{2, 4});
  // vjp: seeds for both results; d_x = s0 * 1 + 2 * s1
  std::vector<double> s1 = {10, 100};
  auto v = m.vjp("pair")(diffc::view(x, {2}), 1.0, diffc::view(s1, {2}));
  CHECK(v.grad("x").data == std::vector<double>{21, 201});
  // jvp: tangent of x; tangents of both results
  std::vector<double> t = {1, -1};
  auto j = m.jvp("pair")(diffc::view(x, {2}), diffc::view(t, {2}));
  REQUIRE(j.size() == 4);
  CHECK(j[2].scalar() == 0.0);
  CHECK(j[3].data == std::vector<double>{2, -2});
}

TEST_CASE("host contract: f32 parameters and gradients w.r.t. a subset") {
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kProgram, "contract.diff");
  std::vector<float> y = {1.5f, 2.5f};
  auto r = m.gradient("single", {"y"})(2.0f, diffc::view(y, {2}));
  CHECK(r.value() == doctest::Approx(8.0));
  CHECK(r.size() == 2);
  CHECK(r.grad("y").data == std::vector<double>{2, 2});
  CHECK_THROWS_AS(r.grad("x"), diffc::Error);
  CHECK_THROWS_AS(m.gradient("single", {"nope"}), diffc::Error);
  CHECK_THROWS_AS(m.gradient("pair"), diffc::Error); // not a scalar result
}

TEST_CASE("host contract: sizes kept as size_t or long long, and views larger than their vector") {
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kProgram, "contract.diff");
  // `std::vector<double> x(N)` with `size_t N` is the usual host code; `{N}` must not narrow
  // (clang rejects a narrowing initializer list) and an integer argument may be any integer type.
  size_t n = 4;
  long long k = 2;
  std::vector<double> x(n, 1.0);
  CHECK(m.function("scale")(diffc::view(x, {n}), k).scalar() == doctest::Approx(2.0));
  CHECK(m.function("scale")(diffc::view(x, {n}), size_t(3)).scalar() == doctest::Approx(3.0));
  std::vector<int64_t> shape = {2};
  CHECK(m.function("inner")(diffc::view(x.data(), shape)).scalar() == doctest::Approx(1.0));
  // A shape that needs more elements than the vector holds would read past its end.
  CHECK_THROWS_WITH_AS(diffc::view(x, {n + 1}),
                       "diffc::view: shape [5] needs 5 elements but the vector has 4",
                       diffc::Error);
  CHECK_THROWS_AS(diffc::view(x, {2, 3}), diffc::Error);
  CHECK_NOTHROW(diffc::view(x, {3})); // a prefix of the vector is fine
}
