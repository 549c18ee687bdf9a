// n-dimensional Rosenbrock in plain C++, templated on the scalar type (hand value and ADOL-C).
#pragma once

#include "../harness/AdolcImpl.h"

#include <vector>

namespace diffc::bench::rosenbrock {

template <class T> T objective(const T *x, size_t n) {
  T acc = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    T a = x[i + 1] - x[i] * x[i];
    T b = 1.0 - x[i];
    acc += 100.0 * a * a + b * b;
  }
  return acc;
}

double handGradient(const double *x, size_t n, double *g);
std::vector<Impl> adolc(const std::vector<double> &x, short tag);

} // namespace diffc::bench::rosenbrock
