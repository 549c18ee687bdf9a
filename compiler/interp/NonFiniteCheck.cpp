#include "interp/NonFiniteCheck.h"

#include "diffc/abi.h"
#include "ir/NonFinite.h"

#include <cmath>
#include <cstring>

namespace diffc::interp::detail {

namespace {

int64_t bitsOf(double v) {
  int64_t r;
  std::memcpy(&r, &v, sizeof r);
  return r;
}

/// Index of the first element that is NaN or inf, or -1.
int64_t firstNonFinite(const Tensor &t) {
  for (size_t k = 0; k < t.data.size(); ++k)
    if (!std::isfinite(t.data[k]))
      return static_cast<int64_t>(k);
  return -1;
}

[[noreturn, gnu::cold]] void raise(const diffc_error &e, SourceLoc loc, const std::string &fn) {
  char buf[512];
  diffc_error_message(&e, buf, sizeof buf);
  throw RuntimeError(buf, loc, fn);
}

} // namespace

void checkInputsFinite(const ir::Function &fn, const std::vector<Tensor> &args) {
  for (size_t i = 0; i < args.size() && i < fn.params().size(); ++i) {
    if (!fn.params()[i]->type.isFloat())
      continue;
    int64_t k = firstNonFinite(args[i]);
    if (k < 0)
      continue;
    std::string name = paramName(fn, i);
    diffc_site site{"", "input", 0, 0, {name.c_str(), ""}};
    diffc_error e{DIFFC_ERR_NONFINITE_INPUT,
                  static_cast<int32_t>(fn.loc.line),
                  static_cast<int32_t>(fn.loc.col),
                  0,
                  fn.name.c_str(),
                  args[i].isScalar() ? -1 : k,
                  bitsOf(args[i].data[static_cast<size_t>(k)]),
                  0,
                  0,
                  &site};
    raise(e, fn.loc, fn.name);
  }
}

void checkResultFinite(const Frame &f, const ir::Op &op, const RtValue &out,
                       const Values &operands) {
  const Tensor &r = tensorOf(out);
  int64_t k = firstNonFinite(r);
  if (k < 0)
    return;
  size_t at = static_cast<size_t>(k);
  double vals[2] = {0, 0};
  for (unsigned j = 0; j < ir::reportedOperands(op) && j < 2 && j < operands.size(); ++j) {
    const Tensor &x = tensorOf(operands[j]);
    vals[j] = x.isScalar() ? x.data.at(0) : x.data.at(at);
  }
  reportNonFinite(f, op, r.isScalar() ? -1 : k, r.data[at], vals[0], vals[1]);
}

void reportNonFinite(const Frame &f, const ir::Op &op, int64_t index, double value, double x,
                     double y) {
  unsigned n = ir::reportedOperands(op);
  std::string names[2];
  for (unsigned j = 0; j < n && j < 2; ++j)
    names[j] = op.operands[j]->name;
  std::string mnemonic = ir::opMnemonic(op.kind), origin = ir::originText(op.origin);
  diffc_site site{mnemonic.c_str(),
                  origin.c_str(),
                  static_cast<int32_t>(n),
                  0,
                  {names[0].c_str(), names[1].c_str()}};
  diffc_error e{DIFFC_ERR_NONFINITE,
                static_cast<int32_t>(op.loc.line),
                static_cast<int32_t>(op.loc.col),
                0,
                f.fn.name.c_str(),
                index,
                bitsOf(value),
                bitsOf(x),
                bitsOf(y),
                &site};
  raise(e, op.loc, f.fn.name);
}

} // namespace diffc::interp::detail
