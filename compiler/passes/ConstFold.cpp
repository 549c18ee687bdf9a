// Constant folding. The arithmetic here must agree bit for bit with the interpreter
// (interp/Elementwise.cpp), which defines the semantics: f32 is computed in float, i64 exactly,
// and anything that is a runtime error there is left for the runtime to report.
#include "passes/SimplifyRules.h"

#include "ir/ScalarSemantics.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace diffc::passes::detail {

using namespace ir;

namespace {

/// An i64 constant folds only within the interpreter's exact range (|v| <= 2^53): a larger
/// folded constant would turn its overflow error into a different one.
std::optional<int64_t> fitInt(__int128 v) {
  if (v > kMaxExactInt || v < -kMaxExactInt)
    return std::nullopt;
  return static_cast<int64_t>(v);
}

double roundTo(ElemType e, double v) {
  return e == ElemType::F32 ? static_cast<double>(static_cast<float>(v)) : v;
}

/// An i64 op's folded value: none when it raises a runtime error or leaves the exact range (the
/// runtime reports those).
std::optional<int64_t> foldedInt(std::optional<IntResult> r) {
  if (!r || r->error)
    return std::nullopt;
  return fitInt(r->value);
}

std::optional<bool> compare(OpKind k, const Scalar &a, const Scalar &b) {
  if (isFloat(a.elem))
    return compareScalars(k, a.f, b.f);
  return compareScalars(k, a.i, b.i);
}

std::optional<Scalar> cast(const Scalar &x, ElemType to) {
  Scalar r;
  r.elem = to;
  bool fromFloat = isFloat(x.elem);
  switch (to) {
  case ElemType::F64:
  case ElemType::F32:
    r.f = roundTo(to, fromFloat ? x.f : static_cast<double>(x.i));
    return r;
  case ElemType::Bool:
    r.i = fromFloat ? x.f != 0 : x.i != 0;
    return r;
  case ElemType::I64: {
    if (!fromFloat) {
      r.i = x.i;
      return r;
    }
    if (std::isnan(x.f))
      return std::nullopt; // a runtime error
    double t = std::trunc(x.f);
    if (!(std::fabs(t) <= static_cast<double>(kMaxExactInt)))
      return std::nullopt;
    r.i = static_cast<int64_t>(t);
    return r;
  }
  }
  return std::nullopt;
}

std::optional<Scalar> unary(OpKind k, const Scalar &x) {
  Scalar r;
  r.elem = x.elem;
  switch (x.elem) {
  case ElemType::F64:
    if (auto v = unaryFloat<double>(k, x.f)) {
      r.f = *v;
      return r;
    }
    return std::nullopt;
  case ElemType::F32:
    if (auto v = unaryFloat<float>(k, static_cast<float>(x.f))) {
      r.f = static_cast<double>(*v);
      return r;
    }
    return std::nullopt;
  case ElemType::I64:
    if (auto v = foldedInt(unaryInt(k, x.i))) {
      r.i = *v;
      return r;
    }
    return std::nullopt;
  case ElemType::Bool:
    if (k != OpKind::Not)
      return std::nullopt;
    r.i = x.i == 0;
    return r;
  }
  return std::nullopt;
}

std::optional<Scalar> binary(OpKind k, const Scalar &a, const Scalar &b) {
  if (a.elem != b.elem)
    return std::nullopt;
  Scalar r;
  r.elem = a.elem;
  std::optional<int64_t> iv;
  switch (a.elem) {
  case ElemType::F64:
    if (auto v = binaryFloat<double>(k, a.f, b.f)) {
      r.f = *v;
      return r;
    }
    return std::nullopt;
  case ElemType::F32:
    if (auto v = binaryFloat<float>(k, static_cast<float>(a.f), static_cast<float>(b.f))) {
      r.f = static_cast<double>(*v);
      return r;
    }
    return std::nullopt;
  case ElemType::I64:
    iv = foldedInt(binaryInt(k, a.i, b.i));
    break;
  case ElemType::Bool:
    if (auto v = binaryBool(k, a.i != 0, b.i != 0))
      iv = *v;
    break;
  }
  if (!iv)
    return std::nullopt;
  r.i = *iv;
  return r;
}

/// Rewrites op in place into `const v`.
void makeConstant(Op &op, const Scalar &v) {
  op.kind = OpKind::Const;
  op.operands.clear();
  op.dims.clear();
  op.ints.clear();
  op.callee.clear();
  op.note.clear();
  op.fval = isFloat(v.elem) ? v.f : 0;
  op.ival = isFloat(v.elem) ? 0 : v.i;
}

} // namespace

std::optional<Scalar> constantOf(const Value *v) {
  if (!v || !v->def || v->def->kind != OpKind::Const || !v->type.isScalar())
    return std::nullopt;
  const Op &op = *v->def;
  Scalar s;
  s.elem = v->type.elem;
  if (isFloat(s.elem))
    s.f = roundTo(s.elem, op.fval);
  else
    s.i = s.elem == ElemType::Bool ? (op.ival != 0) : op.ival;
  return s;
}

bool foldConstant(Op &op) {
  if (op.results.size() != 1 || !op.regions.empty())
    return false;
  const Type &rt = op.result()->type;
  if (!rt.isScalar())
    return false;
  if (op.kind == OpKind::DimValue) {
    if (op.dims.size() != 1 || !op.dims[0].isConstant() || rt.elem != ElemType::I64)
      return false;
    auto v = fitInt(op.dims[0].constantValue());
    if (!v)
      return false;
    Scalar s;
    s.elem = ElemType::I64;
    s.i = *v;
    makeConstant(op, s);
    return true;
  }
  OpClass cls = opClass(op.kind);
  if (cls == OpClass::Other && op.kind != OpKind::Cast)
    return false;
  if (op.operands.empty())
    return false;
  std::vector<Scalar> ins;
  for (const Value *v : op.operands) {
    auto c = constantOf(v);
    if (!c)
      return false;
    ins.push_back(*c);
  }
  std::optional<Scalar> r;
  if (op.kind == OpKind::Cast && ins.size() == 1)
    r = cast(ins[0], rt.elem);
  else if (cls == OpClass::Unary && ins.size() == 1)
    r = unary(op.kind, ins[0]);
  else if (cls == OpClass::Binary && ins.size() == 2)
    r = binary(op.kind, ins[0], ins[1]);
  else if (cls == OpClass::Compare && ins.size() == 2 && ins[0].elem == ins[1].elem) {
    if (auto c = compare(op.kind, ins[0], ins[1])) {
      r = Scalar{ElemType::Bool, 0, *c ? 1 : 0};
    }
  }
  if (!r || r->elem != rt.elem)
    return false;
  // NaN or inf from finite constants (log(0.0), 1.0 / 0.0) stays an op, so that --check-nan can
  // report it at run time like any other.
  auto finite = [](const Scalar &x) { return !isFloat(x.elem) || std::isfinite(x.f); };
  if (!finite(*r) && std::all_of(ins.begin(), ins.end(), finite))
    return false;
  makeConstant(op, *r);
  return true;
}

} // namespace diffc::passes::detail
