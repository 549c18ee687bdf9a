// The ADBench LSTM objective in plain C++, templated on the scalar type (hand value and ADOL-C).
// params = main [2L, 4, B] then extra [3, B], as ADBench orders its gradient.
#pragma once

#include "../harness/AdolcImpl.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace diffc::bench::lstm {

struct Data {
  int l = 0, c = 0, b = 0;
  std::vector<double> params;   // main [2L, 4, B], extra [3, B]
  std::vector<double> state;    // [2L, B]: per layer hidden, cell
  std::vector<double> sequence; // [C, B]
  size_t mainSize() const { return size_t(8) * l * b; }
};

/// Reads an ADBench lstm_l*_c*.txt file.
Data read(const std::string &path);

template <class T> T sigmoid(const T &x) {
  using std::exp;
  return 1.0 / (1.0 + exp(-x));
}

template <class T> T objective(const Data &dat, const T *params) {
  using std::exp, std::log, std::tanh;
  const int l = dat.l, c = dat.c, b = dat.b;
  const T *extra = params + dat.mainSize();
  std::vector<T> state(dat.state.begin(), dat.state.end()), input(b);
  T total = 0;
  for (int t = 0; t + 1 < c; ++t) {
    const double *seq = &dat.sequence[size_t(t) * b];
    for (int i = 0; i < b; ++i)
      input[i] = seq[i] * extra[i];
    for (int layer = 0; layer < l; ++layer) {
      const T *w = params + size_t(2 * layer) * 4 * b, *bias = w + 4 * b;
      T *h = &state[size_t(2 * layer) * b], *cell = h + b;
      for (int i = 0; i < b; ++i) {
        T forget = sigmoid<T>(input[i] * w[i] + bias[i]);
        T ingate = sigmoid<T>(h[i] * w[b + i] + bias[b + i]);
        T outgate = sigmoid<T>(input[i] * w[2 * b + i] + bias[2 * b + i]);
        T change = tanh(h[i] * w[3 * b + i] + bias[3 * b + i]);
        cell[i] = cell[i] * forget + ingate * change;
        h[i] = outgate * tanh(cell[i]);
        input[i] = h[i];
      }
    }
    std::vector<T> y(b);
    T sumExp = 0;
    for (int i = 0; i < b; ++i) {
      y[i] = input[i] * extra[b + i] + extra[2 * b + i];
      sumExp += exp(y[i]);
    }
    T lse = log(sumExp + 2.0);
    const double *next = seq + b;
    for (int i = 0; i < b; ++i)
      total += next[i] * (y[i] - lse);
  }
  return -total / double(size_t(c - 1) * b);
}

/// The gradient derived by hand (hand.cpp); returns the value.
double handGradient(const Data &dat, const double *params, double *g);

/// ADOL-C's implementations (adolc.cpp).
std::vector<Impl> adolc(std::shared_ptr<const Data> dat, short tag);

} // namespace diffc::bench::lstm
