// Randomized differential testing: random well-typed .diff programs (tests/shared/ProgramGen.h),
// each differentiated in both modes and checked against finite differences (reverse mode) and
// against each other (the dot-product test <u, J v> == <J^T u, v>, exact up to rounding); every
// tenth program also gets its Hessian-vector product (jvp of the gradient) checked against
// differences of the gradient.
//
// The generator uses only functions that are smooth where they are defined (no relu / abs /
// max: their kinks are tested in KinksAndNanTest.cpp), but selects and ifs make the programs
// piecewise: a finite difference straddling a branch switch is detected (the difference at step h
// and h/2 disagree) and that coordinate is skipped; the test requires such skips to be rare.
//
// DIFFC_AD_RANDOM_PROGRAMS=n runs n programs instead of the default.
#include "ADCheck.h"

#include <cstdlib>

using namespace diffc;
using namespace diffc::adtest;

namespace {

constexpr int kN = testgen::kVectorLength;

struct Stats {
  size_t coords = 0, skipped = 0;
};

/// Second order: jvp of the gradient (H v) against finite differences of the gradient along v.
void checkHessian(Program &p, ir::Function &g, uint64_t seed, Stats &st) {
  ir::Module &m = *p.module;
  ir::Function *hv = ad::buildJvp(m, g);
  requireValid(m, *hv);
  interp::Interpreter in(m);
  Rng r(seed);
  std::vector<Tensor> args = randomArgs(r, p.fn("f"), {}, -1.5, 1.5), dir, hargs = args;
  for (size_t i = 0; i < 3; ++i) {
    dir.push_back(randomTensor(r, ir::ElemType::F64, args[i].shape, -1, 1));
    hargs.push_back(dir.back());
  }
  auto ho = in.call(*hv, hargs); // value, 3 gradients, their 4 tangents
  if (!(std::fabs(ho[0].item()) < 1e6))
    return;
  auto gradAt = [&](double t) {
    std::vector<Tensor> a = args;
    for (size_t i = 0; i < 3; ++i)
      for (size_t k = 0; k < a[i].data.size(); ++k)
        a[i].data[k] += t * dir[i].data[k];
    return in.call(g, a);
  };
  auto fd = [&](double h, size_t w, size_t k) {
    auto p2 = gradAt(2 * h), p1 = gradAt(h), m1 = gradAt(-h), m2 = gradAt(-2 * h);
    return (-p2[w].data[k] + 8 * p1[w].data[k] - 8 * m1[w].data[k] + m2[w].data[k]) / (12 * h);
  };
  for (size_t w = 1; w <= 3; ++w)
    for (size_t k = 0; k < ho[w].data.size(); ++k) {
      double a = fd(1e-4, w, k), b = fd(5e-5, w, k);
      ++st.coords;
      if (relErr(a, b) > 1e-5) {
        ++st.skipped;
        continue;
      }
      CHECK_MESSAGE(relErr(ho[4 + w].data[k], a) <= 1e-5,
                    "(H v) of gradient " << w << "[" << k << "]: " << ho[4 + w].data[k] << " vs fd "
                                         << a << "\n"
                                         << fnText(*hv));
    }
}

void checkProgram(const std::string &src, uint64_t seed, Stats &st, bool hessian) {
  Program p = compile(src);
  ir::Module &m = *p.module;
  const ir::Function &f = p.fn("f");
  ir::Function *g = ad::buildGradient(m, f);
  ir::Function *jv = ad::buildJvp(m, f);
  ir::Function *vj = ad::buildVjp(m, f);
  for (const ir::Function *h : {g, jv, vj})
    requireValid(m, *h);
  interp::Interpreter in(m);
  Rng r(seed);
  for (int pt = 0; pt < 2; ++pt) {
    std::vector<Tensor> args = randomArgs(r, f, {}, -1.5, 1.5);
    std::vector<Tensor> out = in.call(*g, args);
    REQUIRE(out.size() == 4);
    if (!(std::fabs(out[0].item()) < 1e6))
      continue; // finite differences of huge values resolve nothing
    for (size_t pi = 0; pi < 3; ++pi)
      for (size_t k = 0; k < args[pi].data.size(); ++k) {
        double x0 = args[pi].data[k];
        auto at = [&](double x) {
          std::vector<Tensor> a = args;
          a[pi].data[k] = x;
          return value0(in, f, a);
        };
        double h = 1e-4 * std::max(1.0, std::fabs(x0));
        double fd = fivePoint(at, x0, h), fd2 = fivePoint(at, x0, h / 2);
        ++st.coords;
        if (relErr(fd, fd2) > 1e-5) { // a branch switch inside the stencil
          ++st.skipped;
          continue;
        }
        double err = relErr(out[1 + pi].data[k], fd);
        CHECK_MESSAGE(err <= 1e-6, "param " << pi << "[" << k << "]: " << out[1 + pi].data[k]
                                            << " vs fd " << fd << "\n"
                                            << src << fnText(*g));
      }
    // Dot-product test between the modes.
    Tensor tx = randomTensor(r, ir::ElemType::F64, {kN}, -1, 1);
    Tensor ts = randomTensor(r, ir::ElemType::F64, {}, -1, 1);
    Tensor tt = randomTensor(r, ir::ElemType::F64, {}, -1, 1);
    double u = r.uniform(-1, 1);
    auto jo = in.call(*jv, {args[0], args[1], args[2], tx, ts, tt});
    auto vo = in.call(*vj, {args[0], args[1], args[2], Tensor::scalar(u)});
    double lhs = u * jo[1].item();
    double rhs = dot(vo[1], tx) + vo[2].item() * ts.item() + vo[3].item() * tt.item();
    CHECK_MESSAGE(relErr(lhs, rhs, 1e-8) <= 1e-9, "<u, Jv> = " << lhs << ", <J^T u, v> = " << rhs
                                                               << "\n"
                                                               << src);
  }
  if (hessian)
    checkHessian(p, *g, seed + 1, st);
}

} // namespace

TEST_CASE("random programs: reverse mode against finite differences, forward against reverse") {
  int n = 1000;
  if (const char *e = std::getenv("DIFFC_AD_RANDOM_PROGRAMS"))
    n = std::atoi(e);
  Stats st;
  for (int k = 0; k < n; ++k) {
    Rng gen(static_cast<uint64_t>(k) + 1);
    std::string src = testgen::randomProgram(gen);
    CAPTURE(src);
    checkProgram(src, static_cast<uint64_t>(k) + 7, st, k % 10 == 0);
  }
  // Branch switches within 4e-4 of a random point are rare.
  CHECK(st.skipped * 100 <= st.coords);
  MESSAGE(n << " random programs, " << st.coords << " gradient entries checked, " << st.skipped
            << " skipped at branch switches");
}
