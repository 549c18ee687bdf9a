// Rosenbrock's gradient by hand: each term 100 a^2 + b^2 with a = x[i+1] - x[i]^2, b = 1 - x[i]
// sends 200 a to x[i+1] and -400 a x[i] - 2 b to x[i].
#include "objective.h"

#include <algorithm>

namespace diffc::bench::rosenbrock {

double handGradient(const double *x, size_t n, double *g) {
  std::fill(g, g + n, 0.0);
  double acc = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
    acc += 100.0 * a * a + b * b;
    g[i] += -400.0 * a * x[i] - 2.0 * b;
    g[i + 1] += 200.0 * a;
  }
  return acc;
}

} // namespace diffc::bench::rosenbrock
