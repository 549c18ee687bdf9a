// Checks diffc's gradient of mlp_loss against central finite differences of the loss itself, at a
// few random coordinates of every parameter tensor.
#pragma once

#include "model.h"

#include <string>
#include <vector>

namespace diffc::sample {

struct GradCheckEntry {
  std::string tensor; // "W1", ...
  std::string where;  // the element's indices inside the tensor, "[52, 3]"
  double analytic;    // diffc's gradient
  double numeric;     // (L(theta + h e) - L(theta - h e)) / 2h
  double rel_error;   // |analytic - numeric| / max(|analytic|, |numeric|, kGradCheckFloor)
};

/// Below this magnitude errors count as absolute: the finite difference's own rounding noise
/// (~eps * L / h ~ 1e-11 here) would otherwise make gradients near zero look wrong.
inline constexpr double kGradCheckFloor = 1e-4;

/// `grad` holds diffc's gradient at `theta` for the batch (X, labels); `per_tensor` distinct random
/// coordinates of each tensor are compared, preferring those where the gradient is nonzero. `theta`
/// is perturbed and restored exactly.
std::vector<GradCheckEntry> checkGradient(const MlpProgram &prog, const MlpLayout &layout,
                                          std::vector<double> &theta,
                                          const std::vector<double> &grad, const double *X,
                                          const int64_t *labels, int64_t batch, int per_tensor,
                                          uint64_t seed);

} // namespace diffc::sample
