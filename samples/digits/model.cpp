#include "model.h"

#include <cmath>
#include <numbers>

namespace diffc::sample {

MlpLayout::MlpLayout(int64_t in, int64_t hidden, int64_t out)
    : in(in), hidden(hidden), out(out), tensors{{{"W1", 0, {hidden, in}, 0},
                                                 {"b1", 0, {hidden}, 0},
                                                 {"W2", 0, {out, hidden}, 0},
                                                 {"b2", 0, {out}, 0}}} {
  for (ParamTensor &t : tensors) {
    t.offset = size;
    t.count = 1;
    for (int64_t d : t.shape)
      t.count *= static_cast<size_t>(d);
    size += t.count;
  }
}

diffc::View MlpLayout::view(size_t t, const std::vector<double> &buf) const {
  return diffc::view(buf.data() + tensors[t].offset, tensors[t].shape);
}

diffc::View MlpLayout::view(size_t t, std::vector<double> &buf) const {
  return diffc::view(buf.data() + tensors[t].offset, tensors[t].shape);
}

void initParams(const MlpLayout &layout, std::vector<double> &theta, uint64_t seed) {
  theta.assign(layout.size, 0.0);
  // Box-Muller on the sample's own generator, so the start point is the same on every platform.
  auto uniform = [&] { return (static_cast<double>(nextRandom(seed) >> 11) + 0.5) * 0x1p-53; };
  for (const ParamTensor &t : layout.tensors) {
    if (t.shape.size() != 2)
      continue; // biases start at zero
    double sd = std::sqrt(2.0 / static_cast<double>(t.shape[1]));
    for (size_t i = 0; i < t.count; ++i)
      theta[t.offset + i] =
          sd * std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * std::numbers::pi * uniform());
  }
}

MlpProgram MlpProgram::compile(const diffc::Jit &jit, const std::string &path) {
  diffc::Module m = jit.compile_file(path);
  // Only the parameters are trained: asking for d/dX too would compute a gradient nobody reads.
  return {m.function("mlp_loss"), m.gradient("mlp_loss", {"W1", "b1", "W2", "b2"}),
          m.function("mlp_predict")};
}

GradStep::GradStep(const MlpProgram &prog, const MlpLayout &layout,
                   const std::vector<double> &theta, std::vector<double> &grad, int64_t batch)
    : fn_(prog.loss_grad), batch_(batch), X_(static_cast<size_t>(batch * layout.in)),
      labels_(static_cast<size_t>(batch)) {
  for (size_t t = 0; t < layout.tensors.size(); ++t)
    args_.emplace_back(layout.view(t, theta));
  args_.emplace_back(diffc::view(X_, {batch, layout.in}));
  args_.emplace_back(diffc::view(labels_, {batch}));
  outputs_.push_back(diffc::out(loss_));
  for (size_t t = 0; t < layout.tensors.size(); ++t)
    outputs_.push_back(layout.view(t, grad));
}

double GradStep::run() {
  fn_.call_into(args_, outputs_);
  return loss_;
}

Evaluator::Evaluator(const MlpProgram &prog, const MlpLayout &layout,
                     const std::vector<double> &theta, const Digits &data)
    : loss_fn_(prog.loss), predict_fn_(prog.predict), data_(data),
      predicted_(static_cast<size_t>(data.size())) {
  for (size_t t = 0; t < layout.tensors.size(); ++t) {
    loss_args_.emplace_back(layout.view(t, theta));
    predict_args_.emplace_back(layout.view(t, theta));
  }
  diffc::View X = diffc::view(data.X.data(), {data.size(), layout.in});
  loss_args_.emplace_back(X);
  loss_args_.emplace_back(diffc::view(data.labels, {data.size()}));
  predict_args_.emplace_back(X);
  loss_out_.push_back(diffc::out(loss_));
  predict_out_.push_back(diffc::view(predicted_, {data.size()}));
}

Evaluator::Scores Evaluator::run() {
  loss_fn_.call_into(loss_args_, loss_out_);
  predict_fn_.call_into(predict_args_, predict_out_);
  int64_t right = 0;
  for (size_t i = 0; i < predicted_.size(); ++i)
    right += predicted_[i] == data_.labels[i];
  return {loss_, static_cast<double>(right) / static_cast<double>(predicted_.size())};
}

} // namespace diffc::sample
