// Randomized differential testing: a generator of random well-typed .diff programs (elementwise
// ops with scalar broadcasting, reductions, selects, if-expressions and statements, for loops with
// carried values and element updates, @checkpoint loops, while loops, comprehensions, calls),
// each differentiated in
// both modes and checked against finite differences (reverse mode) and against each other (the
// dot-product test <u, J v> == <J^T u, v>, exact up to rounding); every tenth program also gets
// its Hessian-vector product (jvp of the gradient) checked against differences of the gradient.
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

constexpr int kN = 3; // length of every vector in the generated programs

class ProgramGen {
public:
  explicit ProgramGen(uint64_t seed) : r_(seed) {}

  std::string program() {
    std::string helper = "fn helper(a: f64, v: f64[3]) -> f64 = tanh(a) * sum(v) + sin(a);\n";
    out_ = "fn f(x: f64[3], s: f64, t: f64) -> f64 {\n";
    scalars_ = {"s", "t"};
    vectors_ = {"x"};
    int stmts = 2 + pick(4);
    for (int k = 0; k < stmts; ++k)
      statement();
    std::string result = "s * t";
    for (const std::string &a : scalars_)
      if (a != "s" && a != "t")
        result += " + " + a;
    for (const std::string &v : vectors_)
      if (v != "x")
        result += " + sum(" + v + ")";
    out_ += "  " + result + "\n}\n";
    return helper + out_;
  }

private:
  int pick(int n) { return static_cast<int>(r_.uniform(0, n)) % n; }
  bool coin(double p = 0.5) { return r_.uniform(0, 1) < p; }
  std::string constant() {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", r_.uniform(-1.5, 1.5));
    return buf;
  }
  std::string fresh(const char *p) { return p + std::to_string(next_++); }
  const std::string &anyOf(const std::vector<std::string> &v) { return v[pick(v.size())]; }

  /// An index into a vector: a constant, or the loop index when inside a loop.
  std::string index() {
    if (!loopIndex_.empty() && coin(0.7))
      return loopIndex_;
    return std::to_string(pick(kN));
  }

  std::string scalar(int d) {
    if (d <= 0 || coin(0.2)) {
      switch (pick(3)) {
      case 0:
        return anyOf(scalars_);
      case 1:
        return anyOf(vectors_) + "[" + index() + "]";
      default:
        return constant();
      }
    }
    std::string a = scalar(d - 1);
    switch (pick(12)) {
    case 0:
      return "(" + a + " + " + scalar(d - 1) + ")";
    case 1:
      return "(" + a + " - " + scalar(d - 1) + ")";
    case 2:
      return "(" + a + " * " + scalar(d - 1) + ")";
    case 3:
      return "(" + a + " / (1.5 + " + a + " * " + a + "))";
    case 4: {
      const char *fs[] = {"sin", "cos", "tanh", "sigmoid", "atan", "softplus", "erf"};
      return std::string(fs[pick(7)]) + "(" + a + ")";
    }
    case 5: {
      const char *fs[] = {"exp(tanh(%))", "log(1.0 + % * %)",    "sqrt(1.0 + % * %)",
                          "(% ^ 2)",      "cbrt(2.0 + tanh(%))", "hypot(%, 0.5)"};
      std::string f = fs[pick(6)];
      std::string s;
      for (char c : f)
        s += c == '%' ? "(" + a + ")" : std::string(1, c);
      return s;
    }
    case 6: {
      const char *fs[] = {"sum", "mean", "logsumexp", "norm"};
      std::string v = vector(d - 1);
      std::string f = fs[pick(4)];
      if (f == "norm")
        v = "(" + v + " + 3.0)";
      return f + "(" + v + ")";
    }
    case 7:
      return "dot(" + vector(d - 1) + ", " + vector(d - 1) + ")";
    case 8:
      return "select(" + a + " > " + scalar(d - 1) + ", " + scalar(d - 1) + ", " + scalar(d - 1) +
             ")";
    case 9:
      return "(if " + a + " > " + scalar(d - 1) + " { " + scalar(d - 1) + " } else { " +
             scalar(d - 1) + " })";
    case 10:
      return "helper(" + a + ", " + vector(d - 1) + ")";
    default:
      return "atan2(" + a + ", 2.0 + tanh(" + scalar(d - 1) + "))";
    }
  }

  std::string vector(int d) {
    if (d <= 0 || coin(0.2))
      return anyOf(vectors_);
    std::string v = vector(d - 1);
    switch (pick(8)) {
    case 0:
      return "(" + v + " + " + vector(d - 1) + ")";
    case 1:
      return "(" + v + " * " + scalar(d - 1) + ")";
    case 2:
      return "(" + v + " - " + vector(d - 1) + " * " + vector(d - 1) + ")";
    case 3: {
      const char *fs[] = {"sin", "tanh", "sigmoid", "softmax", "log_softmax", "cos"};
      return std::string(fs[pick(6)]) + "(" + v + ")";
    }
    case 4:
      return "select(" + v + " > " + vector(d - 1) + ", " + v + ", " + vector(d - 1) + ")";
    case 5: {
      // A comprehension whose element reads vectors at its index.
      std::string saved = loopIndex_;
      std::string i = fresh("k");
      loopIndex_ = i;
      std::string e = scalar(d - 1);
      loopIndex_ = saved;
      return "[" + e + " for " + i + " in 0..3]";
    }
    case 6:
      return "[" + scalar(d - 1) + ", " + scalar(d - 1) + ", " + scalar(d - 1) + "]";
    default:
      return "(" + v + " / (2.0 + sin(" + vector(d - 1) + ")))";
    }
  }

  void line(const std::string &s) { out_ += std::string(2 + 2 * indent_, ' ') + s + "\n"; }

  void statement() {
    switch (pick(6)) {
    case 0: {
      std::string n = fresh("a");
      line("let " + n + " = " + scalar(3) + ";");
      scalars_.push_back(n);
      return;
    }
    case 1: {
      std::string n = fresh("v");
      line("let " + n + " = " + vector(2) + ";");
      vectors_.push_back(n);
      return;
    }
    case 2: { // for loop: a carried scalar and element updates of a carried vector
      std::string acc = fresh("acc"), vec = fresh("w");
      line("var " + acc + " = " + scalar(1) + ";");
      line("var " + vec + " = " + vector(1) + ";");
      std::string i = fresh("i");
      if (coin(0.3))
        line("@checkpoint");
      line("for " + i + " in 0..3 {");
      ++indent_;
      loopIndex_ = i;
      scalars_.push_back(acc);
      vectors_.push_back(vec);
      // tanh keeps the carried values bounded (finite differences need moderate magnitudes).
      line(acc + " = tanh(" + acc + " * 0.7 + " + scalar(2) + ");");
      line(vec + "[" + i + "] = tanh(" + scalar(2) + ");");
      if (coin())
        line(acc + " += " + vec + "[" + i + "] * " + scalar(1) + ";");
      loopIndex_.clear();
      --indent_;
      line("}");
      return;
    }
    case 3: { // while loop with a counter
      std::string c = fresh("c"), n = fresh("n");
      line("var " + c + " = " + scalar(1) + ";");
      line("var " + n + " = 0;");
      line("while " + n + " < 3 {");
      ++indent_;
      scalars_.push_back(c);
      line(c + " = tanh(" + c + ") * 0.8 + " + scalar(2) + ";");
      line(n + " += 1;");
      --indent_;
      line("}");
      return;
    }
    case 4: { // if statement assigning a var in one branch, an element in the other
      std::string a = fresh("b"), w = fresh("u");
      line("var " + a + " = " + scalar(1) + ";");
      line("var " + w + " = " + vector(1) + ";");
      line("if " + scalar(2) + " > " + scalar(1) + " {");
      ++indent_;
      line(a + " = " + a + " * " + scalar(2) + ";");
      --indent_;
      line("} else {");
      ++indent_;
      line(w + "[" + std::to_string(pick(kN)) + "] = " + scalar(2) + ";");
      --indent_;
      line("}");
      scalars_.push_back(a);
      vectors_.push_back(w);
      return;
    }
    default: { // nested loops
      std::string acc = fresh("m");
      line("var " + acc + " = " + scalar(1) + ";");
      std::string i = fresh("i"), j = fresh("j");
      line("for " + i + " in 0..3 {");
      ++indent_;
      line("for " + j + " in 0..2 {");
      ++indent_;
      loopIndex_ = i;
      scalars_.push_back(acc);
      line(acc + " = tanh(" + acc + " * 0.5 + " + scalar(2) + " * f64(" + j + "));");
      loopIndex_.clear();
      --indent_;
      line("}");
      --indent_;
      line("}");
      return;
    }
    }
  }

  Rng r_;
  std::string out_;
  std::vector<std::string> scalars_, vectors_;
  std::string loopIndex_;
  int next_ = 0;
  int indent_ = 0;
};

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
    ProgramGen gen(static_cast<uint64_t>(k) + 1);
    std::string src = gen.program();
    CAPTURE(src);
    checkProgram(src, static_cast<uint64_t>(k) + 7, st, k % 10 == 0);
  }
  // Branch switches within 4e-4 of a random point are rare.
  CHECK(st.skipped * 100 <= st.coords);
  MESSAGE(n << " random programs, " << st.coords << " gradient entries checked, " << st.skipped
            << " skipped at branch switches");
}
