#include "driver/HigherOrder.h"

#include "interp/JsonIO.h"

#include <fmt/format.h>

namespace diffc::driver {

bool planHigherOrder(Session &s, ir::Function &f, const std::vector<std::string> &wrt, bool hessian,
                     bool optimize, HigherOrderPlan &plan) {
  plan.hessian = hessian;
  plan.primal = &f;
  // The tangent program takes one tangent per name in `names` order (the --wrt order), so the
  // parameters are listed in that order too; rows and columns follow it.
  std::vector<std::string> names = wrt;
  if (wrt.empty()) {
    for (const ir::Value *p : f.params())
      if (p->type.isFloat())
        names.push_back(p->name);
  }
  for (const std::string &name : names)
    for (size_t i = 0; i < f.params().size(); ++i)
      if (f.params()[i]->name == name)
        plan.wrtParams.push_back(i);
  if (wrt.empty() && plan.wrtParams.empty()) {
    reportError(s.file->name(),
                fmt::format("'{}' has no float parameter to differentiate", f.name));
    return false;
  }
  if (hessian) {
    ir::Function *g = gradientOf(s, f, names, optimize);
    if (!g)
      return false;
    plan.tangent = tangentOf(s, *g, names, optimize);
  } else {
    if (f.resultIsTuple || f.resultTypes.size() != 1 || !f.resultTypes[0].isFloat()) {
      reportError(s.file->name(),
                  fmt::format("--jacobian needs a function with one float result (scalar or "
                              "tensor); '{}' has {}",
                              f.name, f.resultIsTuple ? "a tuple" : "another result type"));
      return false;
    }
    plan.tangent = tangentOf(s, f, names, optimize);
  }
  return plan.tangent != nullptr;
}

std::string higherOrderJson(Executor &ex, const HigherOrderPlan &plan,
                            const std::vector<interp::Tensor> &args) {
  // Tangent arguments: zero tensors shaped like each differentiated parameter.
  std::vector<interp::Tensor> targs = args;
  size_t n = 0;
  for (size_t i : plan.wrtParams) {
    targs.push_back(interp::Tensor::zeros(args[i].elem, args[i].shape));
    n += args[i].size();
  }
  // Each call returns the primal results and then one tangent per result; the rows wanted are
  // the tangents of the gradient's parameter adjoints (Hessian) or of F's value (Jacobian).
  std::vector<std::vector<double>> columns;
  for (size_t k = 0, j = 0; k < plan.wrtParams.size(); ++k) {
    interp::Tensor &t = targs[args.size() + k];
    for (size_t e = 0; e < t.size(); ++e, ++j) {
      t.data[e] = 1;
      std::vector<interp::Tensor> out = ex.call(*plan.tangent, targs);
      t.data[e] = 0;
      size_t half = out.size() / 2;
      std::vector<double> col;
      for (size_t r = half + (plan.hessian ? 1 : 0); r < out.size(); ++r)
        col.insert(col.end(), out[r].data.begin(), out[r].data.end());
      columns.push_back(std::move(col));
    }
  }
  size_t rows = columns.empty() ? 0 : columns[0].size();
  std::string json = fmt::format("\"{}\": [", plan.hessian ? "hessian" : "jacobian");
  for (size_t r = 0; r < rows; ++r) {
    json += r ? ", [" : "[";
    for (size_t c = 0; c < n; ++c)
      json += (c ? ", " : "") + interp::formatValue(interp::Tensor::scalar(columns[c][r]));
    json += "]";
  }
  return json + "]";
}

} // namespace diffc::driver
