// provenInRange: an index is written as an affine form over size symbols and loop counters
// (`x[i + 1]`, and the reverse sweep's `x[(N - 2) - j + 1]`), each counter is replaced by the
// bound of its loop that makes the form least (or greatest), innermost loop first, and the two
// results must lie in [0, extent) for every value of the size symbols (each in [0, INT64_MAX],
// checked where a function is entered).
//
// Why exact integers are enough although codegen's i64 arithmetic wraps: add, sub and mul are
// exact modulo 2^64, so a value whose exact result lies in int64 is computed exactly. The proof
// shows that the exact index lies in [0, extent), and it only uses a loop's bounds after showing
// that their exact values lie in int64 too (so the counter really lies between them).
#include "codegen/IndexRange.h"

#include <climits>
#include <map>
#include <optional>
#include <utility>

namespace diffc::codegen {

using ir::OpKind;

namespace {

using Wide = __int128;
constexpr Wide kMaxSize = INT64_MAX;      // a size symbol's greatest value
constexpr Wide kMaxCoeff = Wide(1) << 62; // larger coefficients are not worth proving
constexpr Wide kMaxConst = Wide(1) << 64; // nor larger constants
constexpr size_t kMaxTerms = 8;           // keeps every sum below 2^127
constexpr int kMaxDepth = 32;             // operand chains and loop nests followed

/// A term's variable: a loop counter, or (counter null) the size symbol `sym`.
using Atom = std::pair<const ir::Value *, uint32_t>;

struct Affine {
  std::map<Atom, Wide> terms; // no zero coefficients
  Wide k = 0;
};

bool bounded(const Affine &a) {
  if (a.terms.size() > kMaxTerms || a.k > kMaxConst || a.k < -kMaxConst)
    return false;
  for (const auto &[atom, c] : a.terms)
    if (c > kMaxCoeff || c < -kMaxCoeff)
      return false;
  return true;
}

/// a + s * b, or nullopt when the result leaves the bounds above.
std::optional<Affine> addScaled(Affine a, const Affine &b, Wide s) {
  if (s > kMaxCoeff || s < -kMaxCoeff)
    return std::nullopt;
  a.k += s * b.k;
  for (const auto &[atom, c] : b.terms) {
    Wide &t = a.terms[atom];
    t += s * c;
    if (t == 0)
      a.terms.erase(atom);
  }
  if (!bounded(a))
    return std::nullopt;
  return a;
}

std::optional<Affine> ofDim(const ir::Dim &d) {
  Affine a;
  for (const auto &[mono, c] : d.terms()) {
    if (mono.empty())
      a.k += c;
    else if (mono.size() == 1)
      a.terms[{nullptr, mono[0]}] += c;
    else
      return std::nullopt;
  }
  if (!bounded(a))
    return std::nullopt;
  return a;
}

/// The loop whose counter v is, with its bounds lo <= v < hi as IR values or dims.
struct Counter {
  const ir::Value *lo = nullptr, *hi = nullptr; // a `for` loop's operands
  const ir::Dim *extent = nullptr;              // a `map` axis: 0 <= v < extent
  int depth = 0;                                // how many ops enclose the loop
};

std::optional<Counter> counterOf(const ir::Value *v) {
  if (v->def || !v->ownerBlock || !v->ownerBlock->parentOp)
    return std::nullopt;
  const ir::Op &p = *v->ownerBlock->parentOp;
  Counter c;
  if (p.kind == OpKind::For && v->index == 0 && p.operands.size() >= 2) {
    c.lo = p.operands[0];
    c.hi = p.operands[1];
  } else if (p.kind == OpKind::Map && v->index < p.dims.size()) {
    c.extent = &p.dims[v->index];
  } else {
    return std::nullopt;
  }
  for (const ir::Op *q = &p; q->parent && q->parent->parentOp; q = q->parent->parentOp)
    ++c.depth;
  return c;
}

std::optional<Affine> affineOf(const ir::Value *v, int depth) {
  if (depth > kMaxDepth || !v->type.isScalar() || v->type.elem != ir::ElemType::I64)
    return std::nullopt;
  if (counterOf(v)) {
    Affine a;
    a.terms[{v, 0}] = 1;
    return a;
  }
  const ir::Op *op = v->def;
  if (!op)
    return std::nullopt;
  switch (op->kind) {
  case OpKind::Const: {
    Affine a;
    a.k = op->ival;
    return a;
  }
  case OpKind::DimValue:
    return op->dims.size() == 1 ? ofDim(op->dims[0]) : std::nullopt;
  case OpKind::Neg: {
    auto x = affineOf(op->operand(0), depth + 1);
    return x ? addScaled(Affine{}, *x, -1) : std::nullopt;
  }
  case OpKind::Add:
  case OpKind::Sub: {
    auto x = affineOf(op->operand(0), depth + 1), y = affineOf(op->operand(1), depth + 1);
    if (!x || !y)
      return std::nullopt;
    return addScaled(*x, *y, op->kind == OpKind::Add ? 1 : -1);
  }
  case OpKind::Mul: {
    auto x = affineOf(op->operand(0), depth + 1), y = affineOf(op->operand(1), depth + 1);
    if (!x || !y)
      return std::nullopt;
    if (x->terms.empty())
      return addScaled(Affine{}, *y, x->k);
    if (y->terms.empty())
      return addScaled(Affine{}, *x, y->k);
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

/// Least and greatest value of a form over size symbols only.
Wide boxMin(const Affine &a) {
  Wide m = a.k;
  for (const auto &[atom, c] : a.terms)
    m += c < 0 ? c * kMaxSize : 0;
  return m;
}
Wide boxMax(const Affine &a) {
  Wide m = a.k;
  for (const auto &[atom, c] : a.terms)
    m += c > 0 ? c * kMaxSize : 0;
  return m;
}

std::optional<Affine> extreme(Affine a, bool greatest, int depth);

/// The exact value of x lies in int64 wherever x is computed.
bool fitsI64(const Affine &x, int depth) {
  auto lo = extreme(x, false, depth), hi = extreme(x, true, depth);
  return lo && hi && boxMin(*lo) >= INT64_MIN && boxMax(*hi) <= INT64_MAX;
}

/// A form over size symbols that bounds `a` from below (or above) over every loop counter's range,
/// for the counters' values inside their loops.
std::optional<Affine> extreme(Affine a, bool greatest, int depth) {
  for (int steps = 0; steps < kMaxDepth; ++steps) {
    // The innermost counter first: its bounds may mention outer counters, never inner ones.
    const ir::Value *inner = nullptr;
    Counter ic;
    for (const auto &[atom, c] : a.terms) {
      if (!atom.first)
        continue;
      auto cnt = counterOf(atom.first);
      if (!cnt)
        return std::nullopt;
      if (!inner || cnt->depth > ic.depth) {
        inner = atom.first;
        ic = *cnt;
      }
    }
    if (!inner)
      return a;
    if (depth > kMaxDepth)
      return std::nullopt;
    Affine lo, last; // inner's range is [lo, last]
    if (ic.extent) {
      auto e = ofDim(*ic.extent);
      if (!e || !fitsI64(*e, depth + 1))
        return std::nullopt;
      auto l = addScaled(*e, Affine{.terms = {}, .k = 1}, -1);
      if (!l)
        return std::nullopt;
      last = *l;
    } else {
      auto l = affineOf(ic.lo, depth + 1), h = affineOf(ic.hi, depth + 1);
      if (!l || !h || !fitsI64(*l, depth + 1) || !fitsI64(*h, depth + 1))
        return std::nullopt;
      auto hm1 = addScaled(*h, Affine{.terms = {}, .k = 1}, -1);
      if (!hm1)
        return std::nullopt;
      lo = *l;
      last = *hm1;
    }
    Wide c = a.terms.at({inner, 0});
    a.terms.erase({inner, 0});
    auto next = addScaled(a, (c > 0) == greatest ? last : lo, c);
    if (!next)
      return std::nullopt;
    a = std::move(*next);
  }
  return std::nullopt;
}

} // namespace

bool provenInRange(const ir::Value *idx, const ir::Dim &extent) {
  auto a = affineOf(idx, 0), e = ofDim(extent);
  if (!a || !e || !fitsI64(*e, 0))
    return false;
  auto least = extreme(*a, false, 0), greatest = extreme(*a, true, 0);
  if (!least || !greatest || boxMin(*least) < 0)
    return false;
  // extent - greatest - 1 >= 0 for every size: the greatest index is below the extent.
  auto gap = addScaled(*e, *greatest, -1);
  return gap && boxMin(*gap) >= 1;
}

} // namespace diffc::codegen
