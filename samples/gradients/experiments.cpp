#include "experiments.h"

#include "sample_util.h"

#include <diffc/optim.hpp>

#include <algorithm>
#include <cmath>
#include <span>

namespace diffc::sample {

namespace {

// Finite differences: h relative to the parameter; errors below kFdFloor count as absolute.
constexpr double kFdStep = 1e-6, kFdFloor = 1e-8;

double norm(std::span<const double> v) {
  double s = 0;
  for (double e : v)
    s += e * e;
  return std::sqrt(s);
}

/// d f / d p[i] by central differences of `value`, compared with `analytic`.
FdCheck check(const std::function<double()> &value, std::vector<double> &p, size_t i,
              double analytic, std::string where) {
  double fd = centralDifference(value, p[i], kFdStep * std::max(1.0, std::fabs(p[i])));
  return {std::move(where), analytic, fd, relativeError(analytic, fd, kFdFloor)};
}

} // namespace

std::vector<DeepResult> runDeepNetworks(const diffc::Module &m, const DeepShape &s, uint64_t seed) {
  const int64_t L = s.layers, B = s.batch, W = s.width;
  Rng rng(seed);
  std::vector<double> X(static_cast<size_t>(B * W)), Y(X.size()), Z(static_cast<size_t>(L * W * W));
  for (double &e : X)
    e = rng.normal();
  for (double &e : Y)
    e = rng.normal();
  for (double &e : Z) // one draw, scaled per network, so the networks differ only in the scale
    e = rng.normal();
  std::vector<double> zerosLW(static_cast<size_t>(L * W), 0.0), onesLW(zerosLW.size(), 1.0);

  struct Net {
    const char *name;
    double scale; // weight standard deviation
    int64_t act;  // 0 sigmoid, 1 ReLU, -1 ReLU with batch normalisation
  } nets[] = {{"sigmoid", std::sqrt(1.0 / W), 0},
              {"relu, He init", std::sqrt(2.0 / W), 1},
              {"relu, N(0,1)", 1.0, 1},
              {"relu+BN, N(0,1)", 1.0, -1}};
  diffc::Function plain = m.function("deep_loss"), bn = m.function("deep_bn_loss");
  diffc::Function dplain = m.gradient("deep_loss", {"Ws"}),
                  dbn = m.gradient("deep_bn_loss", {"Ws"});

  std::vector<DeepResult> out;
  for (const Net &net : nets) {
    std::vector<double> Ws(Z.size());
    for (size_t i = 0; i < Z.size(); ++i)
      Ws[i] = net.scale * Z[i];
    std::vector<diffc::Arg> args;
    args.emplace_back(diffc::view(Ws, {L, W, W}));
    if (net.act >= 0) {
      args.emplace_back(diffc::view(zerosLW, {L, W}));
    } else {
      args.emplace_back(diffc::view(onesLW, {L, W}));
      args.emplace_back(diffc::view(zerosLW, {L, W}));
    }
    args.emplace_back(diffc::view(X, {B, W}));
    args.emplace_back(diffc::view(Y, {B, W}));
    if (net.act >= 0)
      args.emplace_back(net.act);
    const diffc::Function &f = net.act >= 0 ? plain : bn;
    diffc::Result r = (net.act >= 0 ? dplain : dbn).call(args);
    const std::vector<double> &g = r.grad("Ws").data;

    DeepResult res{net.name, r.value(), {}, {}};
    const size_t per = static_cast<size_t>(W * W);
    for (int64_t l = 0; l < L; ++l)
      res.layer_norms.push_back(norm(std::span(g).subspan(static_cast<size_t>(l) * per, per)));
    // The largest element of the first and of the last layer's gradient, where a finite
    // difference can resolve it (the sigmoid's first layer is far below that).
    auto value = [&] { return f.call(args).scalar(); };
    for (int64_t l : {int64_t{0}, L - 1}) {
      auto first = g.begin() + l * static_cast<int64_t>(per);
      size_t i = static_cast<size_t>(
          std::max_element(first, first + static_cast<int64_t>(per),
                           [](double a, double b) { return std::fabs(a) < std::fabs(b); }) -
          g.begin());
      if (std::fabs(g[i]) < 1e-7)
        continue;
      size_t k = i - static_cast<size_t>(l) * per;
      res.checks.push_back(check(value, Ws, i, g[i],
                                 "layer " + std::to_string(l + 1) + " [" +
                                     std::to_string(k / static_cast<size_t>(W)) + ", " +
                                     std::to_string(k % static_cast<size_t>(W)) + "]"));
    }
    out.push_back(std::move(res));
  }
  return out;
}

RnnResult runRnn(const diffc::Module &m, const RnnShape &s, int train_steps, double lr, double clip,
                 uint64_t seed) {
  const int64_t S = s.sequences, T = s.steps, I = s.inputs, H = s.hidden;
  Rng rng(seed);
  std::vector<double> xs(static_cast<size_t>(S * T * I)), ys(static_cast<size_t>(S));
  for (double &e : xs)
    e = rng.normal();
  // The target depends on the first five inputs: the gradient must travel the whole sequence.
  for (int64_t q = 0; q < S; ++q) {
    double a = 0;
    for (int64_t t = 0; t < 5; ++t)
      a += xs[static_cast<size_t>((q * T + t) * I)];
    ys[static_cast<size_t>(q)] = std::tanh(a);
  }
  // Parameters side by side in one buffer for the optimizer: Wh [H, H], Wx [H, I], b [H], v [H].
  const size_t nWh = static_cast<size_t>(H * H), nWx = static_cast<size_t>(H * I);
  const size_t oWx = nWh, ob = oWx + nWx, ov = ob + static_cast<size_t>(H);
  const size_t n = ov + static_cast<size_t>(H);
  std::vector<double> theta0(n, 0.0);
  for (int64_t i = 0; i < H; ++i) // near-identity recurrence: a state persists, and so can blow up
    for (int64_t j = 0; j < H; ++j)
      theta0[static_cast<size_t>(i * H + j)] = (i == j ? 1.0 : 0.0) + 0.04 * rng.normal();
  for (size_t i = oWx; i < ob; ++i)
    theta0[i] = 0.02 * rng.normal();
  for (size_t i = ov; i < n; ++i)
    theta0[i] = 0.25 * rng.normal();

  std::vector<double> theta = theta0, grad(n), probe(static_cast<size_t>(T * H), 0.0),
                      dprobe(probe.size());
  auto views = [&](std::vector<double> &buf) {
    return std::vector<diffc::View>{
        diffc::view(buf.data(), {H, H}), diffc::view(buf.data() + oWx, {H, I}),
        diffc::view(buf.data() + ob, {H}), diffc::view(buf.data() + ov, {H})};
  };
  std::vector<diffc::Arg> args;
  for (const diffc::View &v : views(theta))
    args.emplace_back(v);
  args.emplace_back(diffc::view(xs, {S, T, I}));
  args.emplace_back(diffc::view(ys, {S}));
  args.emplace_back(diffc::view(probe, {T, H}));
  double loss = 0;
  std::vector<diffc::View> outs{diffc::out(loss)};
  for (const diffc::View &v : views(grad))
    outs.push_back(v);
  outs.push_back(diffc::view(dprobe, {T, H}));
  diffc::Function f = m.function("rnn_loss");
  diffc::Function df = m.gradient("rnn_loss", {"Wh", "Wx", "b", "v", "probe"});

  RnnResult res;
  df.call_into(args, outs);
  for (int64_t t = 0; t < T; ++t)
    res.step_grad_norms.push_back(
        norm(std::span(dprobe).subspan(static_cast<size_t>(t * H), static_cast<size_t>(H))));
  res.check = check([&] { return f.call(args).scalar(); }, theta, 0, grad[0], "Wh [0, 0]");

  for (RnnRun *run : {&res.plain, &res.clipped}) {
    run->clip = run == &res.clipped ? clip : 0;
    theta = theta0;
    diffc::optim::SgdMomentum sgd(n, {.lr = lr, .momentum = 0.0});
    for (int step = 0; step < train_steps; ++step) {
      df.call_into(args, outs);
      double gn = norm(grad);
      run->loss.push_back(loss);
      run->grad_norm.push_back(gn);
      if (!std::isfinite(loss) || !std::isfinite(gn))
        break; // the parameters have overflowed: nothing left to train
      // Clipping by the global norm keeps the direction and caps the length of the step.
      double scale = run->clip > 0 && gn > run->clip ? run->clip / gn : 1.0;
      for (double &e : grad)
        e *= scale;
      run->update_norm.push_back(lr * gn * scale);
      sgd.step(theta, grad);
    }
  }
  return res;
}

} // namespace diffc::sample
