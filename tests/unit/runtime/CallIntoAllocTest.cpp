// Function::call_into promises to allocate nothing once the thread is warm: a training loop can
// then call a gradient millions of times without touching the heap. This binary counts every
// operator new (AllocCounter.cpp) to hold it to that.
#include "AllocCounter.h"

#include <diffc/diffc.hpp>

#include <doctest/doctest.h>

#include <vector>

TEST_CASE("host API: call_into of a gradient allocates nothing once warm") {
  const char *src = R"(
fn loss[N, D](w: f64[D], b: f64, X: f64[N, D], labels: i64[N]) -> f64 {
  let z = X @ w + b;
  mean([z[n] * f64(labels[n]) for n in 0..N]) + sum(w ^ 2)
}
)";
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(src, "alloc.diff");
  diffc::Function dloss = m.gradient("loss", {"w", "b"});
  const int64_t N = 4, D = 3;
  std::vector<double> w = {0.1, -0.2, 0.3}, X(N * D, 0.5), gw(D);
  std::vector<int64_t> labels = {1, 0, 1, 1};
  double b = 0.2, value = 0, gb = 0;
  // Arguments and outputs built once, as a training loop would.
  std::vector<diffc::Arg> args = {diffc::view(w, {D}), b, diffc::view(X, {N, D}),
                                  diffc::view(labels, {N})};
  std::vector<diffc::View> outs = {diffc::out(value), diffc::view(gw, {D}), diffc::out(gb)};
  dloss.call_into(args, outs); // warms the thread's context
  long before = diffc_test::allocationCount();
  for (int i = 0; i < 100; ++i)
    dloss.call_into(args, outs);
  CHECK(diffc_test::allocationCount() - before == 0);
  CHECK(gb == doctest::Approx(0.75)); // mean(labels)
  CHECK(gw[0] == doctest::Approx(0.5 * 0.75 + 0.2));
}
