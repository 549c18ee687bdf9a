// Host-side higher-order derivatives for `diffc run --hessian` and `--jacobian`, built from the AD
// transformations applied to their own output: the Hessian's column j is the tangent of the
// gradient in direction e_j (forward over reverse), the Jacobian's column j the tangent of F.
// Rows and columns run over the elements of the differentiated parameters, flattened row-major in
// parameter order. Meant for small sizes: n tangent calls for n such elements.
#pragma once

#include "driver/Executor.h"
#include "driver/Pipeline.h"

#include <string>
#include <vector>

namespace diffc::driver {

/// The derivative programs a Hessian or Jacobian needs, added to the session's module.
struct HigherOrderPlan {
  bool hessian = false;
  ir::Function *primal = nullptr;
  ir::Function *tangent = nullptr; // jvp of the gradient (Hessian) or of F (Jacobian)
  std::vector<size_t> wrtParams;   // indices of the differentiated parameters
};

/// Builds the plan (reports problems and returns false).
bool planHigherOrder(Session &s, ir::Function &f, const std::vector<std::string> &wrt, bool hessian,
                     bool optimize, HigherOrderPlan &plan);

/// `"hessian": [[...]]` or `"jacobian": [[...]]` at the given arguments (the primal's).
std::string higherOrderJson(Executor &ex, const HigherOrderPlan &plan,
                            const std::vector<interp::Tensor> &args);

} // namespace diffc::driver
