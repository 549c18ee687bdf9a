// The partial-derivative table of the elementwise ops, shared by forward and reverse mode (see
// Rules.h). Each case returns (dy/dx_i) * v with the math in the comment beside it; x, a, b are
// the operands, y the result.
#include "ad/Rules.h"

#include "support/Diagnostics.h"

#include <cmath>

namespace diffc::ad {

using namespace ir;

Value *RuleCtx::times(Value *p, Value *v) const { return guard ? e.guardedMul(p, v) : e.mul(p, v); }

Value *RuleCtx::over(Value *v, Value *q) const { return guard ? e.guardedDiv(v, q) : e.div(v, q); }

IndexSpec RuleCtx::indexSpec(unsigned first) const {
  IndexSpec s;
  s.modes = op.ints;
  for (size_t k = first; k < op.operands.size(); ++k)
    s.operands.push_back(primal(op.operands[k]));
  s.lengths = op.dims;
  return s;
}

namespace {

/// digamma(x) = d/dx lgamma(x), built from existing ops (there is no digamma op). For x >= 1/2:
/// psi(x) = psi(x + 6) - sum_{k<6} 1/(x + k), and at z = x + 6 >= 6.5 the asymptotic series
/// psi(z) = ln z - 1/(2z) - 1/(12z^2) + 1/(120z^4) - 1/(252z^6) + 1/(240z^8) - 1/(132z^10)
/// is accurate to about 1e-11. For x < 1/2 the reflection psi(x) = psi(1 - x) - pi / tan(pi x).
/// The select picks per element; the unused side is discarded, not multiplied.
Value *digamma(RuleCtx &c, Value *x) {
  Emitter &e = c.e;
  Value *small = e.cmp(OpKind::Lt, x, c.c(0.5));
  Value *xr = e.select(small, e.sub(c.c(1), x), x);
  Value *shift = nullptr;
  for (int k = 0; k < 6; ++k) {
    Value *term = e.div(c.c(1), k ? e.add(xr, c.c(k)) : xr);
    shift = shift ? e.add(shift, term) : term;
  }
  Value *z = e.add(xr, c.c(6));
  Value *iz = e.div(c.c(1), z);
  Value *iz2 = e.mul(iz, iz);
  // Horner form of the even series in 1/z^2.
  Value *series = c.c(-1.0 / 132);
  for (double coef : {1.0 / 240, -1.0 / 252, 1.0 / 120, -1.0 / 12})
    series = e.add(e.mul(series, iz2), c.c(coef));
  series = e.mul(series, iz2);
  Value *psiz = e.add(e.sub(e.un(OpKind::Log, z), e.scale(iz, 0.5)), series);
  Value *psi = e.sub(psiz, shift);
  Value *pix = e.scale(x, M_PI);
  Value *reflected = e.sub(psi, e.div(c.c(M_PI), e.un(OpKind::Tan, pix)));
  return e.select(small, reflected, psi);
}

} // namespace

Value *scaleByPartial(RuleCtx &c, unsigned i, Value *v) {
  Emitter &e = c.e;
  auto x = [&] { return c.x(0); };
  auto y = [&] { return c.y(); };
  auto a = [&] { return c.x(0); };
  auto b = [&] { return c.x(1); };
  auto one = [&] { return c.c(1); };
  auto zero = [&] { return c.c(0); };
  switch (c.op.kind) {
  // ---- unary
  case OpKind::Neg: // d/dx -x = -1
    return e.neg(v);
  case OpKind::Exp: // d/dx exp(x) = exp(x) = y
    return c.times(y(), v);
  case OpKind::Log: // d/dx log(x) = 1/x
    return c.over(v, x());
  case OpKind::Log1p: // d/dx log1p(x) = 1/(1 + x)
    return c.over(v, e.add(one(), x()));
  case OpKind::Expm1: // d/dx expm1(x) = exp(x) = y + 1
    return c.times(e.add(y(), one()), v);
  case OpKind::Sqrt: // d/dx sqrt(x) = 1/(2 sqrt(x)) = 1/(2y); +inf at 0 as IEEE gives it
    return c.over(v, e.scale(y(), 2));
  case OpKind::Cbrt: // d/dx cbrt(x) = 1/(3 cbrt(x)^2) = 1/(3y^2)
    return c.over(v, e.scale(e.mul(y(), y()), 3));
  case OpKind::Sin: // d/dx sin(x) = cos(x)
    return c.times(e.un(OpKind::Cos, x()), v);
  case OpKind::Cos: // d/dx cos(x) = -sin(x)
    return c.times(e.neg(e.un(OpKind::Sin, x())), v);
  case OpKind::Tan: // d/dx tan(x) = 1 + tan(x)^2 = 1 + y^2
    return c.times(e.add(one(), e.mul(y(), y())), v);
  case OpKind::Asin: // d/dx asin(x) = 1/sqrt(1 - x^2)
    return c.over(v, e.un(OpKind::Sqrt, e.sub(one(), e.mul(x(), x()))));
  case OpKind::Acos: // d/dx acos(x) = -1/sqrt(1 - x^2)
    return e.neg(c.over(v, e.un(OpKind::Sqrt, e.sub(one(), e.mul(x(), x())))));
  case OpKind::Atan: // d/dx atan(x) = 1/(1 + x^2)
    return c.over(v, e.add(one(), e.mul(x(), x())));
  case OpKind::Sinh: // d/dx sinh(x) = cosh(x)
    return c.times(e.un(OpKind::Cosh, x()), v);
  case OpKind::Cosh: // d/dx cosh(x) = sinh(x)
    return c.times(e.un(OpKind::Sinh, x()), v);
  case OpKind::Tanh: // d/dx tanh(x) = 1 - tanh(x)^2 = 1 - y^2
    return c.times(e.sub(one(), e.mul(y(), y())), v);
  case OpKind::Sigmoid: // d/dx sigmoid(x) = y (1 - y)
    return c.times(e.mul(y(), e.sub(one(), y())), v);
  case OpKind::Relu: // d/dx relu(x) = [x > 0]; relu'(0) = 0
    return e.select(e.cmp(OpKind::Gt, x(), zero()), v, zero());
  case OpKind::Softplus: // d/dx log(1 + exp(x)) = sigmoid(x)
    return c.times(e.un(OpKind::Sigmoid, x()), v);
  case OpKind::Abs: // d/dx |x| = sign(x); abs'(0) = 0
    return e.select(e.cmp(OpKind::Gt, x(), zero()), v,
                    e.select(e.cmp(OpKind::Lt, x(), zero()), e.neg(v), zero()));
  case OpKind::Erf: // d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
    return c.times(e.scale(e.un(OpKind::Exp, e.neg(e.mul(x(), x()))), 2 / std::sqrt(M_PI)), v);
  case OpKind::Lgamma: // d/dx lgamma(x) = digamma(x)
    return c.times(digamma(c, x()), v);
  case OpKind::Sign:  // piecewise constant: derivative 0
  case OpKind::Floor: // likewise floor, ceil, round
  case OpKind::Ceil:
  case OpKind::Round:
  case OpKind::Not:
    return nullptr;

  // ---- binary
  case OpKind::Add: // d/da a + b = 1, d/db = 1
    return v;
  case OpKind::Sub: // d/da a - b = 1, d/db = -1
    return i == 0 ? v : e.neg(v);
  case OpKind::Mul: // d/da a*b = b, d/db a*b = a
    return c.times(i == 0 ? b() : a(), v);
  case OpKind::Div: // d/da a/b = 1/b, d/db a/b = -a/b^2 = -y/b
    return i == 0 ? c.over(v, b()) : c.times(e.neg(e.div(y(), b())), v);
  case OpKind::Mod: // fmod(a, b) = a - trunc(a/b) b: d/da = 1, d/db = -trunc(a/b) = -(a - y)/b
    return i == 0 ? v : c.times(e.neg(e.div(e.sub(a(), y()), b())), v);
  case OpKind::Pow:
    // Where a rule's formula is not finite (0^-1, log 0, 1/0) the value is taken by a select;
    // the operand of the untaken side is made harmless first (b = 0 -> a^0, log 1, / 1), so no
    // inf is computed at all and --check-nan has nothing to report.
    if (i == 0) { // d/da a^b = b a^(b-1), and 0 where b = 0 (a^0 = 1 even at a = 0: not 0 * inf)
      Value *exponent = b();
      bool nonzeroConst = exponent->def && exponent->def->kind == OpKind::Const &&
                          exponent->def->fval != 0 && exponent->type.isScalar();
      if (!nonzeroConst) // b a^(b'-1) with b' = 1 where b = 0: 0 * a^0 = 0
        return c.times(e.mul(exponent, e.bin(OpKind::Pow, a(),
                                             e.sub(e.select(e.cmp(OpKind::Eq, exponent, zero()),
                                                            one(), exponent),
                                                   one()))),
                       v);
      return c.times(e.mul(exponent, e.bin(OpKind::Pow, a(), e.sub(exponent, one()))), v);
    }
    { // d/db a^b = a^b log(a) = y log(a), taken as 0 at a = 0 (0^b is constant for b > 0)
      Value *isZero = e.cmp(OpKind::Eq, a(), zero());
      Value *logA = e.un(OpKind::Log, e.select(isZero, one(), a()));
      return c.times(e.select(isZero, zero(), e.mul(y(), logA)), v);
    }
  case OpKind::Min: { // min(a, b) is a when a <= b (ties go to a): d/da = [a <= b], d/db = [a > b]
    Value *takeA = e.cmp(OpKind::Le, a(), b());
    return i == 0 ? e.select(takeA, v, zero()) : e.select(takeA, zero(), v);
  }
  case OpKind::Max: { // max(a, b) is a when a >= b (ties go to a): d/da = [a >= b], d/db = [a < b]
    Value *takeA = e.cmp(OpKind::Ge, a(), b());
    return i == 0 ? e.select(takeA, v, zero()) : e.select(takeA, zero(), v);
  }
  case OpKind::Atan2: { // atan2(a, b): d/da = b/(a^2 + b^2), d/db = -a/(a^2 + b^2)
    Value *r2 = e.add(e.mul(a(), a()), e.mul(b(), b()));
    return c.times(e.div(i == 0 ? b() : e.neg(a()), r2), v);
  }
  case OpKind::Hypot: { // hypot(a, b) = sqrt(a^2 + b^2) = y: d/da = a/y, d/db = b/y; 0 at y = 0
    Value *positive = e.cmp(OpKind::Gt, y(), zero());
    Value *p = c.times(e.div(i == 0 ? a() : b(), e.select(positive, y(), one())), v);
    return e.select(positive, p, zero());
  }
  case OpKind::And:
  case OpKind::Or:
  case OpKind::Eq:
  case OpKind::Ne:
  case OpKind::Lt:
  case OpKind::Le:
  case OpKind::Gt:
  case OpKind::Ge:
    return nullptr;
  default:
    throw InternalError(std::string("ad: no elementwise rule for '") + opMnemonic(c.op.kind) + "'");
  }
}

bool masksAdjoint(OpKind k) {
  // The ops whose adjoint picks lanes: the zeros they send stand for a side that was not
  // selected, whose primal value may be inf or NaN.
  switch (k) {
  case OpKind::Select:
  case OpKind::Relu:
  case OpKind::Abs:
  case OpKind::Min:
  case OpKind::Max:
    return true;
  default:
    return false;
  }
}

} // namespace diffc::ad
