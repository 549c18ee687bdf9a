// @checkpoint loops: the forward sweep stores one snapshot of the carried values per segment of
// about sqrt(n) steps and nothing per step; the reverse sweep recomputes each segment from its
// snapshot. Gradients must match the ordinary loop's.
#include "ADCheck.h"

using namespace diffc;
using namespace diffc::adtest;

namespace {

const char *kRollout = R"(
fn rollout[T](x0: f64[3], w: f64[T]) -> f64 {
  var x = x0;
  @checkpoint
  for t in 0..T {
    x = tanh(x * w[t]) + 0.1 * x;
  }
  sum(x * x)
}
fn plain[T](x0: f64[3], w: f64[T]) -> f64 {
  var x = x0;
  for t in 0..T {
    x = tanh(x * w[t]) + 0.1 * x;
  }
  sum(x * x)
})";

} // namespace

TEST_CASE("checkpointed loop: gradient against finite differences and the plain loop") {
  for (int64_t T : {0, 1, 5, 9, 10, 17}) {
    CAPTURE(T);
    CheckOptions o = opts().size("T", T).range(-1.5, 1.5);
    if (T == 9)
      o.withHessian(); // forward over reverse through the recomputed segments
    checkGradient(kRollout, "rollout", o);
  }
  Program p = compile(kRollout);
  ir::Function *gc = ad::buildGradient(*p.module, p.fn("rollout"));
  ir::Function *gp = ad::buildGradient(*p.module, p.fn("plain"));
  interp::Interpreter in(*p.module);
  Rng r(3);
  std::vector<Tensor> args{randomTensor(r, ir::ElemType::F64, {3}, -1, 1),
                           randomTensor(r, ir::ElemType::F64, {50}, -1.5, 1.5)};
  auto a = in.call(*gc, args), b = in.call(*gp, args);
  CHECK(a[0].item() == b[0].item());
  for (size_t k = 1; k < a.size(); ++k)
    for (size_t i = 0; i < a[k].data.size(); ++i)
      CHECK(a[k].data[i] == doctest::Approx(b[k].data[i]).epsilon(1e-14));
}

TEST_CASE("checkpointed loop: the forward sweep stores one snapshot per segment only") {
  Program p = compile(kRollout);
  ir::Function *g = ad::buildGradient(*p.module, p.fn("rollout"));
  requireValid(*p.module, *g);
  // The first loop at the top level is the forward sweep's segment loop: it pushes the carried
  // state once per segment, and its inner loop pushes nothing.
  ir::Op *segments = nullptr;
  for (auto &op : g->body->ops)
    if (op->kind == ir::OpKind::For) {
      segments = op.get();
      break;
    }
  REQUIRE(segments != nullptr);
  size_t direct = 0, nested = 0;
  for (auto &op : segments->region(0)->ops) {
    if (op->kind == ir::OpKind::TapePush)
      ++direct;
    for (auto &r : op->regions)
      ir::walk(*r, [&](ir::Op &o) { nested += o.kind == ir::OpKind::TapePush; });
  }
  CHECK(direct == 1);
  CHECK(nested == 0);
}

TEST_CASE("checkpointed loop: every segment recomputes into the same tapes") {
  // Tapes are created once, at the top of the gradient, and threaded through the reverse segment
  // loop: a segment's recomputation pops everything it pushed, so the next segment reuses the
  // storage and the tapes never hold more than one segment (plus the snapshots).
  Program p = compile(kRollout);
  ir::Function *g = ad::buildGradient(*p.module, p.fn("rollout"));
  requireValid(*p.module, *g);
  size_t top = 0, inside = 0;
  for (auto &op : g->body->ops) {
    top += op->kind == ir::OpKind::TapeNew;
    for (auto &r : op->regions)
      ir::walk(*r, [&](ir::Op &o) { inside += o.kind == ir::OpKind::TapeNew; });
  }
  CHECK(top == 3); // the snapshots; x and tanh(x w[t]) of the recomputed segment (w[t] is
                   // recomputed from t)
  CHECK(inside == 0);
}
