// The two experiments of the gradients sample, run on the functions of deep.diff: per-layer
// gradient norms of deep perceptrons, and a recurrent network trained with and without gradient
// clipping.
#pragma once

#include <diffc/diffc.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace diffc::sample {

/// One finite-difference comparison of a gradient element.
struct FdCheck {
  std::string where; // "layer 1 [3, 7]"
  double analytic, numeric, rel_error;
};

struct DeepShape {
  int64_t layers = 20, batch = 32, width = 16;
};

/// One deep network at initialisation: the Frobenius norm of d loss / d W_l for every layer.
struct DeepResult {
  std::string name;
  double loss = 0;
  std::vector<double> layer_norms; // layer 1 (next to the input) first
  std::vector<FdCheck> checks;
};

/// Sigmoid (Glorot-scaled init), ReLU (He init), ReLU with a too-large N(0, 1) init, and ReLU with
/// batch normalisation (the same N(0, 1) init), all on one batch.
std::vector<DeepResult> runDeepNetworks(const diffc::Module &m, const DeepShape &shape,
                                        uint64_t seed);

struct RnnShape {
  int64_t sequences = 8, steps = 100, inputs = 4, hidden = 16;
};

struct RnnRun {
  double clip = 0;                 // 0: no clipping
  std::vector<double> loss;        // per training step, before the update
  std::vector<double> grad_norm;   // the raw gradient's norm
  std::vector<double> update_norm; // the norm of the step actually taken
};

struct RnnResult {
  std::vector<double> step_grad_norms; // |d loss / d h_t| at initialisation, t = 1..T
  FdCheck check;                       // one element of d loss / d Wh
  RnnRun plain, clipped;
};

/// A ReLU recurrent network with near-identity recurrent weights, trained from the same start by
/// plain SGD with and without clipping the gradient's norm to `clip`.
RnnResult runRnn(const diffc::Module &m, const RnnShape &shape, int train_steps, double lr,
                 double clip, uint64_t seed);

} // namespace diffc::sample
