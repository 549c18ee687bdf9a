// The projectile simulation in plain C++, templated on the scalar type (hand value and ADOL-C).
// x = [v0 (2), target (2)].
#pragma once

#include "../harness/AdolcImpl.h"

#include <cmath>
#include <vector>

namespace diffc::bench::projectile {

constexpr double dt = 0.001, drag = 0.1, gravity = 9.81;

template <class T> T objective(const T *x, long steps) {
  using std::sqrt;
  T px = 0, py = 0, vx = x[0], vy = x[1];
  for (long t = 0; t < steps; ++t) {
    T speed = sqrt(vx * vx + vy * vy);
    T nvx = vx + dt * (0.0 - drag * speed * vx);
    T nvy = vy + dt * (-gravity - drag * speed * vy);
    vx = nvx;
    vy = nvy;
    px = px + dt * vx;
    py = py + dt * vy;
  }
  T ex = px - x[2], ey = py - x[3];
  return ex * ex + ey * ey;
}

double handGradient(const double *x, long steps, double *g);
std::vector<Impl> adolc(const std::vector<double> &x, long steps, short tag);

} // namespace diffc::bench::projectile
