// The random program generator of ProgramGen.h.
#include "ProgramGen.h"

#include <cstdio>
#include <vector>

namespace diffc::testgen {

double ByteChoices::uniform(double lo, double hi) {
  if (pos_ + 2 > size_)
    return lo;
  unsigned v = static_cast<unsigned>(data_[pos_]) << 8 | data_[pos_ + 1];
  pos_ += 2;
  return lo + (hi - lo) * (v / 65536.0);
}

namespace {

class ProgramGen {
public:
  explicit ProgramGen(Choices &r) : r_(r) {}

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
    return std::to_string(pick(kVectorLength));
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
      line(w + "[" + std::to_string(pick(kVectorLength)) + "] = " + scalar(2) + ";");
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

  Choices &r_;
  std::string out_;
  std::vector<std::string> scalars_, vectors_;
  std::string loopIndex_;
  int next_ = 0;
  int indent_ = 0;
};

} // namespace

std::string randomProgram(Choices &choices) { return ProgramGen(choices).program(); }

} // namespace diffc::testgen
