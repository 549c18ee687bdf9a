// The projectile gradient by hand: the forward sweep stores each step's velocity, the reverse
// sweep carries the velocity's adjoint back through v' = v + dt (g - c |v| v), whose Jacobian is
// I - dt c (|v| I + v v^T / |v|); the position's adjoint is 2 (p - target) at every step.
#include "objective.h"

namespace diffc::bench::projectile {

double handGradient(const double *x, long steps, double *g) {
  std::vector<double> vs(2 * static_cast<size_t>(steps));
  double px = 0, py = 0, vx = x[0], vy = x[1];
  for (long t = 0; t < steps; ++t) {
    vs[2 * t] = vx;
    vs[2 * t + 1] = vy;
    double speed = std::sqrt(vx * vx + vy * vy);
    vx = vx + dt * (0.0 - drag * speed * vx);
    vy = vy + dt * (-gravity - drag * speed * vy);
    px = px + dt * vx;
    py = py + dt * vy;
  }
  double ex = px - x[2], ey = py - x[3];
  double pbx = 2 * ex, pby = 2 * ey, vbx = 0, vby = 0;
  for (long t = steps - 1; t >= 0; --t) {
    vbx += dt * pbx;
    vby += dt * pby;
    double ux = vs[2 * t], uy = vs[2 * t + 1], speed = std::sqrt(ux * ux + uy * uy);
    double dot = (ux * vbx + uy * vby) / speed;
    vbx -= dt * drag * (speed * vbx + dot * ux);
    vby -= dt * drag * (speed * vby + dot * uy);
  }
  g[0] = vbx;
  g[1] = vby;
  g[2] = -pbx;
  g[3] = -pby;
  return ex * ex + ey * ey;
}

} // namespace diffc::bench::projectile
