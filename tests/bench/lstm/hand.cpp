// The LSTM gradient by hand (backpropagation through time): the forward sweep stores, for every
// step, layer and unit, the layer input u, the previous hidden h and cell c, the four gates and
// tanh of the new cell; the reverse sweep walks the steps and layers backwards carrying the
// adjoints of each layer's hidden and cell state into the step before.
#include "../harness/Tensors.h"
#include "objective.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace diffc::bench::lstm {

Data read(const std::string &path) {
  std::vector<double> v = readNumbers(path);
  Data dat;
  size_t at = 0;
  dat.l = static_cast<int>(v.at(at++));
  dat.c = static_cast<int>(v.at(at++));
  dat.b = static_cast<int>(v.at(at++));
  size_t np = dat.mainSize() + 3 * size_t(dat.b), ns = 2 * size_t(dat.l) * dat.b,
         nq = size_t(dat.c) * dat.b;
  if (v.size() != at + np + ns + nq)
    throw std::runtime_error(path + ": unexpected number count");
  dat.params.assign(v.begin() + at, v.begin() + at + np);
  dat.state.assign(v.begin() + at + np, v.begin() + at + np + ns);
  dat.sequence.assign(v.begin() + at + np + ns, v.end());
  return dat;
}

namespace {

enum Slot { U, H, C, F, I, O, CH, TC, SLOTS };

} // namespace

double handGradient(const Data &dat, const double *params, double *g) {
  const int l = dat.l, c = dat.c, b = dat.b;
  const double *extra = params + dat.mainSize();
  double *gextra = g + dat.mainSize();
  std::fill(g, g + dat.params.size(), 0.0);
  const size_t steps = size_t(c - 1), perStep = size_t(l) * b * SLOTS;
  std::vector<double> tape(steps * perStep), ys(steps * b), lses(steps), sumExps(steps);
  std::vector<double> state = dat.state, input(b);
  auto at = [&](size_t t, int layer, int slot, int i) -> double & {
    return tape[t * perStep + (size_t(layer) * SLOTS + slot) * b + i];
  };
  double total = 0;
  for (size_t t = 0; t < steps; ++t) {
    const double *seq = &dat.sequence[t * b];
    for (int i = 0; i < b; ++i)
      input[i] = seq[i] * extra[i];
    for (int layer = 0; layer < l; ++layer) {
      const double *w = params + size_t(2 * layer) * 4 * b, *bias = w + 4 * b;
      double *h = &state[size_t(2 * layer) * b], *cell = h + b;
      for (int i = 0; i < b; ++i) {
        double f = sigmoid(input[i] * w[i] + bias[i]);
        double ig = sigmoid(h[i] * w[b + i] + bias[b + i]);
        double o = sigmoid(input[i] * w[2 * b + i] + bias[2 * b + i]);
        double ch = std::tanh(h[i] * w[3 * b + i] + bias[3 * b + i]);
        at(t, layer, U, i) = input[i];
        at(t, layer, H, i) = h[i];
        at(t, layer, C, i) = cell[i];
        at(t, layer, F, i) = f;
        at(t, layer, I, i) = ig;
        at(t, layer, O, i) = o;
        at(t, layer, CH, i) = ch;
        cell[i] = cell[i] * f + ig * ch;
        double tc = std::tanh(cell[i]);
        at(t, layer, TC, i) = tc;
        h[i] = o * tc;
        input[i] = h[i];
      }
    }
    double sumExp = 0;
    for (int i = 0; i < b; ++i) {
      ys[t * b + i] = input[i] * extra[b + i] + extra[2 * b + i];
      sumExp += std::exp(ys[t * b + i]);
    }
    sumExps[t] = sumExp;
    lses[t] = std::log(sumExp + 2.0);
    for (int i = 0; i < b; ++i)
      total += seq[b + i] * (ys[t * b + i] - lses[t]);
  }
  const double count = double(steps * b);
  const double dtotal = -1.0 / count;
  // adjoints of each layer's hidden and cell state, carried from step t + 1 to step t
  std::vector<double> dh(size_t(l) * b, 0.0), dc(size_t(l) * b, 0.0), dout(b);
  for (size_t t = steps; t-- > 0;) {
    const double *seq = &dat.sequence[t * b], *next = seq + b;
    double s = 0;
    for (int i = 0; i < b; ++i)
      s += next[i];
    for (int i = 0; i < b; ++i) {
      double dy = dtotal * (next[i] - s * std::exp(ys[t * b + i]) / (sumExps[t] + 2.0));
      double hl = at(t, l - 1, O, i) * at(t, l - 1, TC, i);
      gextra[b + i] += dy * hl;
      gextra[2 * b + i] += dy;
      dout[i] = dy * extra[b + i];
    }
    for (int layer = l - 1; layer >= 0; --layer) {
      const double *w = params + size_t(2 * layer) * 4 * b;
      double *gw = g + size_t(2 * layer) * 4 * b, *gb = gw + 4 * b;
      for (int i = 0; i < b; ++i) {
        double u = at(t, layer, U, i), hp = at(t, layer, H, i), cp = at(t, layer, C, i);
        double f = at(t, layer, F, i), ig = at(t, layer, I, i), o = at(t, layer, O, i);
        double ch = at(t, layer, CH, i), tc = at(t, layer, TC, i);
        double dhn = dout[i] + dh[layer * b + i];
        double dcn = dc[layer * b + i] + dhn * o * (1 - tc * tc);
        double dzo = dhn * tc * o * (1 - o);
        double dzf = dcn * cp * f * (1 - f);
        double dzi = dcn * ch * ig * (1 - ig);
        double dzc = dcn * ig * (1 - ch * ch);
        gw[i] += dzf * u;
        gb[i] += dzf;
        gw[b + i] += dzi * hp;
        gb[b + i] += dzi;
        gw[2 * b + i] += dzo * u;
        gb[2 * b + i] += dzo;
        gw[3 * b + i] += dzc * hp;
        gb[3 * b + i] += dzc;
        dh[layer * b + i] = dzi * w[b + i] + dzc * w[3 * b + i];
        dc[layer * b + i] = dcn * f;
        dout[i] = dzf * w[i] + dzo * w[2 * b + i]; // the adjoint of this layer's input u
      }
    }
    for (int i = 0; i < b; ++i)
      gextra[i] += dout[i] * seq[i];
  }
  return -total / count;
}

} // namespace diffc::bench::lstm
