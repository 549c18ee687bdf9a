// The cheap-gradient requirement: the gradient of an n-step loop costs O(n) time and memory.
// Checked two ways: structurally (inside the gradient's loops no op builds or copies a tensor
// whose size grows with n, and every tape entry has a size independent of n) and by timing the
// interpreter at n and 10 n (O(n) gives a ratio near 10, O(n^2) near 100).
#include "ADCheck.h"

#include <chrono>
#include <functional>

using namespace diffc;
using namespace diffc::adtest;

namespace {

const char *kTrajectory = R"(
fn f[T](x: f64[T], v0: f64[2]) -> f64 {
  var traj = zeros(T, 2);
  var pos = [0.0, 0.0];
  var v = v0;
  var acc = 0.0;
  for t in 0..T {
    v = v * 0.99 + 0.01 * x[t];
    pos = pos + 0.1 * v;
    traj[t] = pos;
    acc += x[t] * x[t];
  }
  acc + sum(traj * traj)
})";

bool mentionsSymbol(const ir::Type &t, uint32_t sym) {
  for (const ir::Dim &d : t.shape)
    for (uint32_t s : d.symbols())
      if (s == sym)
        return true;
  return false;
}

/// Ops inside loop bodies whose result has a dim mentioning `sym`, other than in-place element
/// updates (update, update_add), which cost O(1) per iteration.
std::vector<std::string> bigOpsInLoops(const ir::Function &g, uint32_t sym) {
  std::vector<std::string> bad;
  std::function<void(const ir::Block &, bool)> visit = [&](const ir::Block &b, bool inLoop) {
    for (const auto &op : b.ops) {
      if (inLoop && op->kind != ir::OpKind::Update && op->kind != ir::OpKind::UpdateAdd &&
          op->kind != ir::OpKind::For && op->kind != ir::OpKind::While &&
          op->kind != ir::OpKind::If)
        for (const ir::Value *r : op->results)
          if (mentionsSymbol(r->type, sym))
            bad.push_back(ir::opMnemonic(op->kind));
      bool loop = op->kind == ir::OpKind::For || op->kind == ir::OpKind::While ||
                  op->kind == ir::OpKind::Map;
      for (const auto &r : op->regions)
        visit(*r, inLoop || loop);
    }
  };
  visit(*g.body, false);
  return bad;
}

double secondsFor(const interp::Interpreter &in, const ir::Function &g, int64_t n) {
  Rng r(5);
  std::vector<Tensor> args{randomTensor(r, ir::ElemType::F64, {n}, -1, 1),
                           randomTensor(r, ir::ElemType::F64, {2}, -1, 1)};
  double best = 1e9;
  for (int rep = 0; rep < 2; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    in.call(g, args);
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

} // namespace

TEST_CASE("the gradient of a trajectory loop stores O(1) per step and copies nothing big") {
  Program p = compile(kTrajectory);
  ir::Function *g = ad::buildGradient(*p.module, p.fn("f"));
  requireValid(*p.module, *g);
  auto bad = bigOpsInLoops(*g, 0);
  std::string list;
  for (auto &b : bad)
    list += b + " ";
  CHECK_MESSAGE(bad.empty(), "ops of size O(T) per iteration: " << list << "\n" << fnText(*g));
  size_t pushes = 0;
  ir::walk(*g->body, [&](ir::Op &op) {
    if (op.kind == ir::OpKind::TapePush) {
      ++pushes;
      CHECK_MESSAGE(!mentionsSymbol(op.operands[1]->type, 0), fnText(*g));
    }
  });
  CHECK(pushes <= 4);
}

TEST_CASE("indexing loops and comprehensions: no O(n) work per element in reverse") {
  Program p = compile(R"(
fn f[N](x: f64[N], w: f64[N]) -> f64 {
  var acc = 0.0;
  for i in 0..N { acc += x[i] * w[i]; }
  acc + sum([x[i] * sin(w[i]) for i in 0..N])
})");
  ir::Function *g = ad::buildGradient(*p.module, p.fn("f"));
  auto bad = bigOpsInLoops(*g, 0);
  CHECK_MESSAGE(bad.empty(), fnText(*g));
}

TEST_CASE("gradient time grows linearly with the number of steps") {
  Program p = compile(kTrajectory);
  ir::Function *g = ad::buildGradient(*p.module, p.fn("f"));
  interp::Interpreter in(*p.module);
  secondsFor(in, *g, 100); // warm up
  double t1 = secondsFor(in, *g, 2000), t10 = secondsFor(in, *g, 20000);
  // Linear cost gives about 10; quadratic about 100. The bound leaves room for noise on a
  // shared machine.
  CHECK_MESSAGE(t10 / t1 < 30, "n: " << t1 << " s, 10 n: " << t10 << " s");
}
