// The runtime's float matmul kernel (runtime/src/rt/Linalg.cpp), which JIT, ahead-of-time code
// and the interpreter all call, against a naive loop: whole and partial register tiles, 1xN and
// Nx1, k over several packed blocks, transposed and strided operands, f64 and f32.
#include <diffc/abi.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace {

/// One operand: element (r, c) at data[r * rs + c * cs].
template <class T> struct Mat {
  std::vector<T> data;
  int64_t rs = 0, cs = 0;
  T at(int64_t r, int64_t c) const { return data[static_cast<size_t>(r * rs + c * cs)]; }
};

enum class Layout { RowMajor, Transposed, Padded };

/// A rows x cols operand stored as `layout` says (Padded: row-major with 3 unused elements after
/// each row), filled with values of mixed magnitude (1e8 among O(1)), so that a change in the
/// order of any sum changes its rounding.
template <class T> Mat<T> make(int64_t rows, int64_t cols, Layout layout, std::mt19937 &rng) {
  Mat<T> m;
  switch (layout) {
  case Layout::RowMajor:
    m.rs = cols, m.cs = 1;
    break;
  case Layout::Transposed:
    m.rs = 1, m.cs = rows;
    break;
  case Layout::Padded:
    m.rs = cols + 3, m.cs = 1;
    break;
  }
  m.data.assign(static_cast<size_t>(std::max<int64_t>(rows * m.rs + cols * m.cs, 1)), T(0));
  std::uniform_real_distribution<double> u(-1, 1);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      m.data[static_cast<size_t>(r * m.rs + c * m.cs)] =
          static_cast<T>((r + 2 * c) % 7 == 3 ? 1e8 * u(rng) : u(rng));
  return m;
}

void call(double *o, const double *a, const double *b, int64_t m, int64_t k, int64_t n, int64_t ars,
          int64_t acs, int64_t brs, int64_t bcs) {
  diffc_rt_matmul_f64(o, a, b, m, k, n, ars, acs, brs, bcs);
}
void call(float *o, const float *a, const float *b, int64_t m, int64_t k, int64_t n, int64_t ars,
          int64_t acs, int64_t brs, int64_t bcs) {
  diffc_rt_matmul_f32(o, a, b, m, k, n, ars, acs, brs, bcs);
}

/// Equal bits, or both NaN (padding lanes must not leak an Inf * 0 into real results).
template <class T> bool same(T x, T y) {
  return (std::isnan(x) && std::isnan(y)) || (x == y && std::signbit(x) == std::signbit(y));
}

template <class T> void check(int64_t m, int64_t k, int64_t n, Layout la, Layout lb, bool withInf) {
  std::mt19937 rng(static_cast<unsigned>(m * 10007 + k * 101 + n));
  Mat<T> a = make<T>(m, k, la, rng), b = make<T>(k, n, lb, rng);
  if (withInf && m > 0 && k > 0)
    a.data[static_cast<size_t>((m - 1) * a.rs)] = std::numeric_limits<T>::infinity();
  std::vector<T> out(static_cast<size_t>(m * n) + 1, T(-7)); // one guard element past the end
  call(out.data(), a.data.data(), b.data.data(), m, k, n, a.rs, a.cs, b.rs, b.cs);
  CHECK(out.back() == T(-7));
  int64_t badOrder = 0, badBound = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      // The kernel's contract: 0 + a(i,0) b(0,j) + a(i,1) b(1,j) + ... in increasing p, each
      // product rounded on its own (volatile keeps the compiler from fusing it into an FMA).
      T s = 0;
      long double exact = 0, absSum = 0;
      for (int64_t p = 0; p < k; ++p) {
        volatile T prod = a.at(i, p) * b.at(p, j);
        s = s + prod;
        exact += static_cast<long double>(a.at(i, p)) * b.at(p, j);
        absSum += std::fabs(static_cast<long double>(a.at(i, p)) * b.at(p, j));
      }
      T got = out[static_cast<size_t>(i * n + j)];
      badOrder += !same(got, s);
      // Independently of the order: a k-term float sum is within gamma_k = k u / (1 - k u) of
      // sum |a b| of the exact value (u = eps / 2); k eps bounds it with room for k u < 1/2.
      if (std::isfinite(got)) {
        long double bound = k * std::numeric_limits<T>::epsilon() * absSum;
        badBound += std::fabs(got - exact) > bound;
      } else {
        badBound += !withInf;
      }
    }
  CHECK(badOrder == 0);
  CHECK(badBound == 0);
}

template <class T> void sweep() {
  struct Shape {
    int64_t m, k, n;
  };
  // Tiles are 4 rows x 2 vectors (8 f64 or 16 f32 columns), or x 1 vector for a remainder of at
  // most one vector (n = 10: 8 + 4); p runs in blocks of 128. B's block is copied when its rows
  // are strided, or when 128 of them span over 32 KiB and m >= 16 ({20, 150, 70}, {17, 129, 90});
  // A is copied in chunks of 32 rows when 128 of its columns span over 32 KiB and n > 2 vectors
  // (transposed A of {40, 130, 20} in f64, {70, 129, 40} in both).
  const Shape shapes[] = {{1, 1, 1},     {1, 37, 1},   {1, 20, 33},   {33, 20, 1},   {4, 5, 8},
                          {4, 5, 16},    {5, 7, 9},    {3, 2, 17},    {7, 129, 15},  {9, 300, 37},
                          {32, 64, 32},  {32, 32, 10}, {10, 32, 32},  {13, 256, 6},  {6, 3, 4},
                          {5, 9, 12},    {4, 4, 20},   {20, 150, 70}, {17, 129, 90}, {40, 130, 20},
                          {70, 129, 40}, {0, 4, 3},    {3, 4, 0},     {6, 0, 5}};
  for (const Shape &s : shapes)
    for (Layout la : {Layout::RowMajor, Layout::Transposed, Layout::Padded})
      for (Layout lb : {Layout::RowMajor, Layout::Transposed, Layout::Padded}) {
        INFO("m=" << s.m << " k=" << s.k << " n=" << s.n << " layouts " << int(la) << ","
                  << int(lb));
        check<T>(s.m, s.k, s.n, la, lb, false);
      }
}

} // namespace

TEST_CASE("runtime matmul f64: every shape and layout sums in order, within the error bound") {
  sweep<double>();
}

TEST_CASE("runtime matmul f32: every shape and layout sums in order, within the error bound") {
  sweep<float>();
}

TEST_CASE("runtime matmul: an Inf stays in its own row; zero padding of edge tiles leaks no NaN") {
  // The Inf sits in the last row of A, which is in a partial tile for m = 5 and 7.
  for (auto [m, k, n] : {std::array<int64_t, 3>{5, 3, 9}, {7, 130, 3}, {4, 2, 8}}) {
    INFO("m=" << m << " k=" << k << " n=" << n);
    check<double>(m, k, n, Layout::RowMajor, Layout::Transposed, true);
    check<float>(m, k, n, Layout::RowMajor, Layout::RowMajor, true);
  }
}
