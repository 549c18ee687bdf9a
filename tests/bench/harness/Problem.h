// One benchmark problem (a case at one size) and the implementations that compute its gradient.
// Every implementation differentiates the same objective at the same point `x` (the flattened
// differentiated parameters, in the order of `wrt`); the first one, "hand", is the reference the
// others must agree with before anything is timed.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace diffc::bench {

enum class Mode { quick, full };

struct Impl {
  std::string name;
  /// Value and gradient at the problem's point; writes the gradient into g (x.size() numbers).
  std::function<double(double *g)> gradient;
  /// The objective alone at the problem's point (empty when the implementation has no cheaper way
  /// than its gradient).
  std::function<double()> value;
  /// Seconds spent preparing (JIT compilation, taping); reported, not part of the call times.
  /// Shared, so that an implementation that prepares on its first call can fill it in.
  std::shared_ptr<double> setup_s = std::make_shared<double>(0);
  /// Frees what the implementation holds once its problem is done (empty: nothing to free).
  std::function<void()> release;
};

struct Problem {
  std::string kase;             // "gmm", "lstm", ...
  std::string size;             // a label, "d10_K25_n1000"
  std::string scaleName;        // the variable that grows across the sizes of a case ("n", "steps")
  double scale = 0;             // its value, for the size plot
  std::string tier = "small";   // "small", "medium" or "large" (the peer targets exclude large)
  std::vector<std::string> wrt; // differentiated parameters, in gradient order
  std::vector<double> x;        // their values, flattened row-major and concatenated
  nlohmann::json inputs;        // every parameter by name (for the PyTorch runner)
  std::function<double(const double *x)> valueAt; // hand objective at any point (finite diffs)
  std::vector<Impl> impls;                        // impls[0] is the hand-derived reference
  double tol = 1e-9;    // relative agreement required of every implementation
  bool fdCheap = false; // time central finite differences as well
};

/// The problems of each case. `root` is tests/bench (data files live below it).
std::vector<Problem> gmmProblems(Mode mode, const std::string &root);
std::vector<Problem> lstmProblems(Mode mode, const std::string &root);
std::vector<Problem> mlpProblems(Mode mode, const std::string &root);
std::vector<Problem> rosenbrockProblems(Mode mode, const std::string &root);
std::vector<Problem> projectileProblems(Mode mode, const std::string &root);

} // namespace diffc::bench
