// The MLP gradient by hand: dlogits = (softmax - onehot) / B, then the two layers backwards
// (dW2 = dlogits^T hid, dhid = dlogits W2, relu's mask, dW1 = dz1^T X), as loops over rows.
#include "../harness/Tensors.h"
#include "objective.h"

#include <algorithm>

namespace diffc::bench::mlp {

Data make(int b, int i, int h, int o) {
  Data dat;
  dat.b = b;
  dat.i = i;
  dat.h = h;
  dat.o = o;
  std::vector<double> w1 = uniform(size_t(h) * i, -1, 1, 1), b1 = uniform(h, -0.1, 0.1, 2);
  std::vector<double> w2 = uniform(size_t(o) * h, -1, 1, 3), b2 = uniform(o, -0.1, 0.1, 4);
  for (double &w : w1)
    w /= std::sqrt(double(i));
  for (double &w : w2)
    w /= std::sqrt(double(h));
  for (auto *part : {&w1, &b1, &w2, &b2})
    dat.params.insert(dat.params.end(), part->begin(), part->end());
  dat.x = uniform(size_t(b) * i, 0, 1, 5);
  for (int r = 0; r < b; ++r)
    dat.labels.push_back(r % o);
  return dat;
}

double handGradient(const Data &dat, const double *params, double *g) {
  const int nb = dat.b, ni = dat.i, nh = dat.h, no = dat.o;
  const double *w1 = params, *b1 = w1 + size_t(nh) * ni, *w2 = b1 + nh, *b2 = w2 + size_t(no) * nh;
  double *gw1 = g, *gb1 = gw1 + size_t(nh) * ni, *gw2 = gb1 + nh, *gb2 = gw2 + size_t(no) * nh;
  std::fill(g, g + dat.paramCount(), 0.0);
  std::vector<double> hid(nh), logits(no), dz1(nh);
  double total = 0;
  for (int r = 0; r < nb; ++r) {
    const double *xr = &dat.x[size_t(r) * ni];
    for (int j = 0; j < nh; ++j) {
      double z = b1[j];
      for (int k = 0; k < ni; ++k)
        z += xr[k] * w1[size_t(j) * ni + k];
      hid[j] = z > 0 ? z : 0.0;
    }
    double mx = -INFINITY;
    for (int j = 0; j < no; ++j) {
      double z = b2[j];
      for (int k = 0; k < nh; ++k)
        z += hid[k] * w2[size_t(j) * nh + k];
      logits[j] = z;
      mx = std::max(mx, z);
    }
    double s = 0;
    for (int j = 0; j < no; ++j)
      s += std::exp(logits[j] - mx);
    double lse = mx + std::log(s);
    int64_t label = dat.labels[r];
    total += logits[label] - lse;
    std::fill(dz1.begin(), dz1.end(), 0.0);
    for (int j = 0; j < no; ++j) {
      double dl = (std::exp(logits[j] - lse) - (j == label ? 1.0 : 0.0)) / nb;
      gb2[j] += dl;
      for (int k = 0; k < nh; ++k) {
        gw2[size_t(j) * nh + k] += dl * hid[k];
        dz1[k] += dl * w2[size_t(j) * nh + k];
      }
    }
    for (int j = 0; j < nh; ++j) {
      if (hid[j] <= 0)
        continue;
      gb1[j] += dz1[j];
      for (int k = 0; k < ni; ++k)
        gw1[size_t(j) * ni + k] += dz1[j] * xr[k];
    }
  }
  return -total / nb;
}

} // namespace diffc::bench::mlp
