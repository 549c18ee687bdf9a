// The MLP loss in plain C++, templated on the scalar type (hand value and ADOL-C).
// params = W1 [H, I], b1 [H], W2 [O, H], b2 [O].
#pragma once

#include "../harness/AdolcImpl.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

namespace diffc::bench::mlp {

struct Data {
  int b = 0, i = 0, h = 0, o = 0;
  std::vector<double> params;
  std::vector<double> x;       // [B, I]
  std::vector<int64_t> labels; // [B]
  size_t paramCount() const { return size_t(h) * i + h + size_t(o) * h + o; }
};

/// Seeded weights (uniform, scaled by 1 / sqrt(fan-in)), inputs in [0, 1) and labels.
Data make(int b, int i, int h, int o);

template <class T> T objective(const Data &dat, const T *params) {
  using std::exp, std::log;
  const int nb = dat.b, ni = dat.i, nh = dat.h, no = dat.o;
  const T *w1 = params, *b1 = w1 + size_t(nh) * ni, *w2 = b1 + nh, *b2 = w2 + size_t(no) * nh;
  std::vector<T> hid(nh), logits(no);
  T total = 0;
  for (int r = 0; r < nb; ++r) {
    const double *xr = &dat.x[size_t(r) * ni];
    for (int j = 0; j < nh; ++j) {
      T z = b1[j];
      for (int k = 0; k < ni; ++k)
        z += xr[k] * w1[size_t(j) * ni + k];
      hid[j] = passive(z) > 0 ? z : T(0.0); // relu, derivative 0 at 0 as in diffc and PyTorch
    }
    double mx = -INFINITY;
    for (int j = 0; j < no; ++j) {
      T z = b2[j];
      for (int k = 0; k < nh; ++k)
        z += hid[k] * w2[size_t(j) * nh + k];
      logits[j] = z;
      mx = std::max(mx, passive(z));
    }
    T s = 0;
    for (int j = 0; j < no; ++j)
      s += exp(logits[j] - mx);
    total += logits[dat.labels[r]] - mx - log(s);
  }
  return -total / double(nb);
}

/// The gradient derived by hand (hand.cpp); returns the value.
double handGradient(const Data &dat, const double *params, double *g);

/// ADOL-C's implementations (adolc.cpp).
std::vector<Impl> adolc(std::shared_ptr<const Data> dat, short tag);

} // namespace diffc::bench::mlp
