// The perceptron of mlp.diff on the host side: where each tensor lives in one flat parameter
// buffer, its initialisation, and the compiled calls bound once to caller-owned buffers so that a
// training step allocates nothing.
#pragma once

#include "dataset.h"

#include <diffc/diffc.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace diffc::sample {

/// One parameter tensor of mlp.diff, as a slice of the flat buffer.
struct ParamTensor {
  const char *name; // the .diff parameter name
  size_t offset;    // first element in the flat buffer
  std::vector<int64_t> shape;
  size_t count;
};

/// W1 [H, I], b1 [H], W2 [O, H], b2 [O], side by side: one buffer for the optimizer to update and
/// one of the same layout for the gradient.
struct MlpLayout {
  int64_t in = 0, hidden = 0, out = 0;
  std::array<ParamTensor, 4> tensors;
  size_t size = 0;
  MlpLayout(int64_t in, int64_t hidden, int64_t out);
  /// A view of tensor t inside `buf` (the parameter or the gradient buffer).
  diffc::View view(size_t t, const std::vector<double> &buf) const;
  diffc::View view(size_t t, std::vector<double> &buf) const;
};

/// He initialisation (normal, variance 2 / fan-in, suited to ReLU) of the weights, zero biases;
/// deterministic for a given seed.
void initParams(const MlpLayout &layout, std::vector<double> &theta, uint64_t seed);

/// The functions of mlp.diff this sample calls.
struct MlpProgram {
  diffc::Function loss;      // mlp_loss
  diffc::Function loss_grad; // mlp_loss and d/dW1, d/db1, d/dW2, d/db2 (not d/dX)
  diffc::Function predict;   // mlp_predict
  static MlpProgram compile(const diffc::Jit &jit, const std::string &path);
};

/// mlp_loss's gradient on one batch size, bound to the parameter and gradient buffers and to its
/// own batch buffers. Fill batchX()/batchLabels(), then run(). Not copyable or movable: the bound
/// views point into the object.
class GradStep {
public:
  GradStep(const MlpProgram &prog, const MlpLayout &layout, const std::vector<double> &theta,
           std::vector<double> &grad, int64_t batch);
  GradStep(const GradStep &) = delete;
  GradStep &operator=(const GradStep &) = delete;

  double *batchX() { return X_.data(); }
  int64_t *batchLabels() { return labels_.data(); }
  int64_t batch() const { return batch_; }
  /// The batch's mean loss; the gradient is written into the gradient buffer.
  double run();

private:
  diffc::Function fn_;
  int64_t batch_;
  std::vector<double> X_;
  std::vector<int64_t> labels_;
  double loss_ = 0;
  std::vector<diffc::Arg> args_;
  std::vector<diffc::View> outputs_;
};

/// Loss and accuracy on a whole data set (one call of each function), bound like GradStep.
class Evaluator {
public:
  struct Scores {
    double loss;
    double accuracy; // fraction of images whose predicted class is the label
  };
  Evaluator(const MlpProgram &prog, const MlpLayout &layout, const std::vector<double> &theta,
            const Digits &data);
  Evaluator(const Evaluator &) = delete;
  Evaluator &operator=(const Evaluator &) = delete;
  Scores run();

private:
  diffc::Function loss_fn_, predict_fn_;
  const Digits &data_;
  std::vector<int64_t> predicted_;
  double loss_ = 0;
  std::vector<diffc::Arg> loss_args_, predict_args_;
  std::vector<diffc::View> loss_out_, predict_out_;
};

} // namespace diffc::sample
