// First-order optimizers for training with diffc's gradients.
//
// Both work on one flat buffer of parameters and a gradient buffer of the same length, so a model
// whose tensors live side by side in one std::vector<double> (and whose gradient call writes into
// a second one, through Function::call_into) takes a step without allocating:
//
//   std::vector<double> theta(n), grad(n);
//   diffc::optim::Adam opt(n, {.lr = 1e-3});
//   for (...) { dloss.call_into(args, outputs /* views into grad */); opt.step(theta, grad); }
//
// The state (velocity, moment estimates) is sized once, at construction. step() throws
// std::invalid_argument when a buffer's length differs from that size.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace diffc::optim {

namespace detail {
inline void checkSizes(const char *who, size_t n, size_t params, size_t grads) {
  if (params != n || grads != n)
    throw std::invalid_argument(std::string(who) + ": expected " + std::to_string(n) +
                                " parameters and gradients, got " + std::to_string(params) +
                                " and " + std::to_string(grads));
}
} // namespace detail

struct SgdMomentumOptions {
  double lr = 0.01;          // step size
  double momentum = 0.9;     // 0 is plain SGD
  double weight_decay = 0.0; // L2 penalty coefficient, added to the gradient
  bool nesterov = false;     // look-ahead form of the momentum update
};

/// Stochastic gradient descent with (heavy-ball or Nesterov) momentum:
///   v <- momentum * v + (g + weight_decay * theta);   theta <- theta - lr * v
/// (Nesterov: theta <- theta - lr * (g' + momentum * v), g' the decayed gradient).
class SgdMomentum {
public:
  explicit SgdMomentum(size_t n, SgdMomentumOptions opts = {}) : opts(opts), velocity_(n, 0.0) {}

  void step(std::span<double> params, std::span<const double> grads) {
    detail::checkSizes("SgdMomentum::step", velocity_.size(), params.size(), grads.size());
    for (size_t i = 0; i < params.size(); ++i) {
      double g = grads[i] + opts.weight_decay * params[i];
      velocity_[i] = opts.momentum * velocity_[i] + g;
      params[i] -= opts.lr * (opts.nesterov ? g + opts.momentum * velocity_[i] : velocity_[i]);
    }
  }
  /// Forgets the velocity (e.g. when training restarts from new parameters).
  void reset() { velocity_.assign(velocity_.size(), 0.0); }

  SgdMomentumOptions opts; // may be changed between steps (a learning-rate schedule)

private:
  std::vector<double> velocity_;
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;        // decay of the first-moment (mean) estimate
  double beta2 = 0.999;      // decay of the second-moment (uncentred variance) estimate
  double eps = 1e-8;         // keeps the step finite where the second moment is ~0
  double weight_decay = 0.0; // decoupled (AdamW): theta <- theta - lr * weight_decay * theta
};

/// Adam (Kingma & Ba, 2015) with bias-corrected moment estimates, optionally with decoupled weight
/// decay (AdamW, Loshchilov & Hutter, 2019):
///   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
///   theta <- theta - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
class Adam {
public:
  explicit Adam(size_t n, AdamOptions opts = {}) : opts(opts), m_(n, 0.0), v_(n, 0.0) {}

  void step(std::span<double> params, std::span<const double> grads) {
    detail::checkSizes("Adam::step", m_.size(), params.size(), grads.size());
    ++t_;
    // The bias corrections undo the zero initialisation of m and v in the first steps.
    double c1 = 1.0 - std::pow(opts.beta1, static_cast<double>(t_));
    double c2 = 1.0 - std::pow(opts.beta2, static_cast<double>(t_));
    for (size_t i = 0; i < params.size(); ++i) {
      double g = grads[i];
      m_[i] = opts.beta1 * m_[i] + (1.0 - opts.beta1) * g;
      v_[i] = opts.beta2 * v_[i] + (1.0 - opts.beta2) * g * g;
      double update = (m_[i] / c1) / (std::sqrt(v_[i] / c2) + opts.eps);
      params[i] -= opts.lr * (update + opts.weight_decay * params[i]);
    }
  }
  /// Forgets the moment estimates and the step count.
  void reset() {
    m_.assign(m_.size(), 0.0);
    v_.assign(v_.size(), 0.0);
    t_ = 0;
  }
  /// Steps taken since construction or reset().
  long steps() const { return t_; }

  AdamOptions opts; // may be changed between steps (a learning-rate schedule)

private:
  std::vector<double> m_, v_;
  long t_ = 0;
};

} // namespace diffc::optim
