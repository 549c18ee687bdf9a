// Rules for the tensor ops (everything without regions that is not elementwise), forward and
// reverse side by side per op. Reverse rules are the transposes of the forward ones.
#include "ad/Rules.h"

#include "support/Diagnostics.h"

namespace diffc::ad {

using namespace ir;

namespace {

[[noreturn]] void noRule(const Op &op) {
  throw InternalError(std::string("ad: no derivative rule for '") + opMnemonic(op.kind) + "'");
}

/// d/dx_i prod(x) = prod_{j != i} x_j, without dividing by zero: with z the number of zeros in
/// x and p the product of the nonzero entries it is p/x_i when z = 0, p at the zero when z = 1,
/// and 0 otherwise.
Value *prodPartials(RuleCtx &c) {
  Emitter &e = c.e;
  Value *x = c.x(0);
  Value *isZero = e.cmp(OpKind::Eq, x, c.c(0));
  Value *xs = e.select(isZero, c.c(1), x);
  Value *p = e.b.value(OpKind::Prod, {xs}, Type(c.elem()));
  Value *zeros = e.sum(e.select(isZero, c.c(1), c.c(0)));
  Value *onlyZero = e.bin(OpKind::And, e.cmp(OpKind::Eq, zeros, c.c(1)), isZero);
  return e.select(e.cmp(OpKind::Eq, zeros, c.c(0)), e.div(p, xs), e.select(onlyZero, p, c.c(0)));
}

/// The flat position of the element reduce_max / reduce_min picks: the first maximum (of -x for
/// the minimum), matching the ties-go-first convention of max(a, b).
Value *pickedIndex(RuleCtx &c) {
  Value *x = c.x(0);
  if (c.op.kind == OpKind::ReduceMin)
    x = c.e.neg(x);
  return c.e.b.value(OpKind::Argmax, {x}, Type::i64());
}

Shape flatShape(const Type &t) { return {Emitter::count(t.shape)}; }

IndexSpec pointSpec(Value *k) { return IndexSpec{{kPoint}, {k}, {}}; }

/// exp(x - lse) = the softmax of all elements of x, the gradient of logsumexp. From the result
/// lse rather than as softmax(x): one exp per element and no max or division pass again (the
/// forward already found the max and the sum), as the hand-derived GMM gradient does.
Value *softmaxAll(RuleCtx &c) { return c.e.un(OpKind::Exp, c.e.sub(c.x(0), c.y())); }

/// The diagonal of a square matrix, as a map over its rows.
Value *diagonal(Emitter &e, Value *m) {
  Dim n = m->type.shape.at(0);
  Op *map = e.b.create(OpKind::Map, {}, {Type(m->type.elem, {n})});
  map->dims = {n};
  Block *body = e.b.addRegion(map, {Type::i64()}, {"i"});
  Block *outer = e.b.insertionBlock();
  e.b.setInsertionBlock(body);
  Value *i = body->args[0];
  Value *d = e.index(m, IndexSpec{{kPoint, kPoint}, {i, i}, {}});
  e.b.create(OpKind::Yield, {d}, {});
  e.b.setInsertionBlock(outer);
  return map->result();
}

/// Part k of a concat's first axis: rows [offset, offset + len) as a slice.
IndexSpec concatPart(Emitter &e, const Type &whole, const Dim &offset, const Dim &len) {
  IndexSpec s;
  s.modes.assign(whole.rank(), kFull);
  s.modes[0] = kSlice;
  s.operands = {e.dim(offset)};
  s.lengths = {len};
  return s;
}

bool floatCast(const Op &op) {
  return isFloat(op.operands[0]->type.elem) && isFloat(op.results[0]->type.elem);
}

} // namespace

std::vector<Value *> tangentRule(RuleCtx &c, const std::vector<Value *> &t) {
  Emitter &e = c.e;
  const Op &op = c.op;
  const Type &rt = op.results.empty() ? op.operands[0]->type : op.results[0]->type;
  auto orZero = [&](unsigned i) { return t[i] ? t[i] : e.zeros(op.operands[i]->type); };
  auto one = [&](Value *v) { return std::vector<Value *>{v}; };
  bool any = false;
  for (Value *v : t)
    any |= v != nullptr;
  if (!any)
    return std::vector<Value *>(op.results.size(), nullptr);
  switch (op.kind) {
  case OpKind::Fill: // linear: fill(t)
    return one(e.fill(t[0], rt));
  case OpKind::Select: // select(c, t_a, t_b): the untaken side's tangent is dropped, not scaled
    return one(e.expand(e.select(c.x(0), orZero(1), orZero(2)), rt));
  case OpKind::Cast: // linear between float types; integer casts have derivative 0
    return one(floatCast(op) ? e.cast(t[0], rt.elem) : nullptr);
  case OpKind::StopGradient:
    return one(nullptr);
  case OpKind::Broadcast: // linear
    return one(e.expand(t[0], rt));
  case OpKind::SumTo: // linear
    return one(e.coerce(t[0], rt));
  case OpKind::Reshape:
    return one(e.reshape(t[0], rt.shape));
  case OpKind::Transpose:
    return one(e.transpose(t[0]));
  case OpKind::Concat:
  case OpKind::Pack: {
    std::vector<Value *> parts;
    for (unsigned i = 0; i < op.operands.size(); ++i)
      parts.push_back(orZero(i));
    return one(e.b.value(op.kind, parts, rt));
  }
  case OpKind::Diag:
    return one(e.unop(OpKind::Diag, t[0], rt));
  case OpKind::Sum: // d sum(x) = sum(t)
    return one(e.sum(t[0]));
  case OpKind::Prod: // d prod(x) = sum_i (prod_{j != i} x_j) t_i
    if (op.operands[0]->type.isScalar())
      return one(t[0]);
    return one(e.sum(e.mul(prodPartials(c), t[0])));
  case OpKind::ReduceMax: // the tangent of the picked element
  case OpKind::ReduceMin:
    if (op.operands[0]->type.isScalar())
      return one(t[0]);
    return one(e.index(e.reshape(t[0], flatShape(t[0]->type)), pointSpec(pickedIndex(c))));
  case OpKind::Logsumexp: // d lse(x) = sum(softmax(x) * t)
    if (op.operands[0]->type.isScalar())
      return one(t[0]);
    return one(e.sum(e.mul(softmaxAll(c), t[0])));
  case OpKind::Norm: { // d |x| = <x, t> / |x|, taken as 0 at x = 0
    Value *y = c.y();
    Value *positive = e.cmp(OpKind::Gt, y, c.c(0)); // divide by 1, not 0, where it is not used
    Value *d = e.div(e.sum(e.mul(c.x(0), t[0])), e.select(positive, y, c.c(1)));
    return one(e.select(positive, d, c.c(0)));
  }
  case OpKind::MatMul: // bilinear: t_a b + a t_b
  case OpKind::Outer: {
    Value *r = nullptr;
    if (t[0])
      r = e.b.value(op.kind, {t[0], c.x(1)}, rt);
    if (t[1]) {
      Value *s = e.b.value(op.kind, {c.x(0), t[1]}, rt);
      r = r ? e.add(r, s) : s;
    }
    return one(r);
  }
  case OpKind::Softmax: { // d softmax = y * (t - rowsum(y * t))
    Value *y = c.y();
    return one(e.mul(y, e.sub(t[0], e.rowSum(e.mul(y, t[0])))));
  }
  case OpKind::LogSoftmax: { // d log_softmax = t - rowsum(softmax(x) * t), softmax(x) = exp(y)
    Value *sm = e.un(OpKind::Exp, c.y());
    return one(e.sub(t[0], e.rowSum(e.mul(sm, t[0]))));
  }
  case OpKind::Index: // linear in x: the same part of the tangent
    return one(e.index(t[0], c.indexSpec(1)));
  case OpKind::Update: // the tangent with the part replaced by the value's tangent
    return one(e.update(orZero(0), orZero(1), c.indexSpec(2)));
  case OpKind::UpdateAdd:
    if (!t[1])
      return one(t[0]);
    return one(e.updateAdd(orZero(0), t[1], c.indexSpec(2)));
  case OpKind::Const:
  case OpKind::DimValue:
  case OpKind::Eye:
  case OpKind::Argmax:
    return one(nullptr);
  default:
    noRule(op);
  }
}

void adjointRule(RuleCtx &c, const std::vector<Value *> &dys, AdjointSink &sink) {
  Emitter &e = c.e;
  const Op &op = c.op;
  Value *dy = dys.empty() ? nullptr : dys[0];
  if (!dy)
    return;
  const Type &xt = op.operands.empty() ? dy->type : op.operands[0]->type;
  auto wants = [&](unsigned i) { return i < op.operands.size() && c.wants(i); };
  bool g = c.guard;
  if (isElementwise(op.kind)) {
    for (unsigned i = 0; i < op.operands.size(); ++i)
      if (wants(i))
        if (Value *d = scaleByPartial(c, i, dy))
          sink.add(i, d, g || masksAdjoint(op.kind));
    return;
  }
  switch (op.kind) {
  case OpKind::Fill: // fill is a broadcast of a scalar: the adjoint sums
    if (wants(0))
      sink.add(0, e.sum(dy), g);
    return;
  case OpKind::Select: { // d_a = select(c, d_y, 0), d_b = select(c, 0, d_y): never 0 * inf
    Value *zero = e.cst(0, dy->type.elem);
    if (wants(1))
      sink.add(1, e.select(c.x(0), dy, zero), true);
    if (wants(2))
      sink.add(2, e.select(c.x(0), zero, dy), true);
    return;
  }
  case OpKind::Cast:
    if (wants(0) && floatCast(op))
      sink.add(0, e.cast(dy, xt.elem), g);
    return;
  case OpKind::StopGradient:
    return;
  case OpKind::Broadcast: // transpose of broadcast: sum back to the operand's shape
    if (wants(0))
      sink.add(0, e.coerce(dy, xt), g);
    return;
  case OpKind::SumTo: // transpose of sum_to: broadcast
    if (wants(0))
      sink.add(0, e.expand(dy, xt), g);
    return;
  case OpKind::Reshape:
    if (wants(0))
      sink.add(0, e.reshape(dy, xt.shape), g);
    return;
  case OpKind::Transpose:
    if (wants(0))
      sink.add(0, e.transpose(dy), g);
    return;
  case OpKind::Concat: { // each operand's rows of the adjoint
    Dim offset;
    for (unsigned i = 0; i < op.operands.size(); ++i) {
      const Type &ti = op.operands[i]->type;
      if (wants(i))
        sink.add(i, e.index(dy, concatPart(e, dy->type, offset, ti.shape[0])), g);
      offset = offset + ti.shape[0];
    }
    return;
  }
  case OpKind::Pack: // operand k is row k
    for (unsigned i = 0; i < op.operands.size(); ++i)
      if (wants(i)) {
        IndexSpec s;
        s.modes.assign(dy->type.rank(), kFull);
        s.modes[0] = kPoint;
        s.operands = {e.i64(i)};
        sink.add(i, e.index(dy, s), g);
      }
    return;
  case OpKind::Diag: // the diagonal of the adjoint
    if (wants(0))
      sink.add(0, diagonal(e, dy), g);
    return;
  case OpKind::Sum: // d/dx_i sum(x) = 1: the adjoint broadcasts
    if (wants(0))
      sink.add(0, e.expand(dy, xt), g);
    return;
  case OpKind::Prod: // d/dx_i prod(x) = prod_{j != i} x_j
    if (wants(0))
      sink.add(0, xt.isScalar() ? dy : c.times(prodPartials(c), dy), g);
    return;
  case OpKind::ReduceMax: // all of the adjoint to the picked (first extreme) element
  case OpKind::ReduceMin: {
    if (!wants(0))
      return;
    if (xt.isScalar())
      return sink.add(0, dy, g);
    Shape flat = flatShape(xt);
    Value *d = e.updateAdd(e.zeros(Type(xt.elem, flat)), dy, pointSpec(pickedIndex(c)));
    sink.add(0, e.reshape(d, xt.shape), g);
    return;
  }
  case OpKind::Logsumexp: // d/dx lse(x) = softmax(x)
    if (wants(0))
      sink.add(0, xt.isScalar() ? dy : c.times(softmaxAll(c), dy), g);
    return;
  case OpKind::Norm: { // d/dx |x| = x / |x|, taken as 0 at x = 0
    if (!wants(0))
      return;
    Value *y = c.y();
    Value *zero = c.c(0);
    Value *positive = e.cmp(OpKind::Gt, y, zero); // divide by 1, not 0, where it is not used
    Value *d = e.mul(c.x(0), e.div(dy, e.select(positive, y, c.c(1))));
    sink.add(0, e.select(positive, d, zero), g);
    return;
  }
  case OpKind::MatMul: {
    Value *a = nullptr, *b = nullptr;
    size_t ra = op.operands[0]->type.rank(), rb = op.operands[1]->type.rank();
    if (wants(0)) {
      b = c.x(1);
      if (ra == 2 && rb == 2) // d_A = d_Y B^T
        sink.add(0, e.matmul(dy, e.transpose(b)), g);
      else if (ra == 2) // y = A b: d_A = outer(d_y, b)
        sink.add(0, e.outer(dy, b), g);
      else if (rb == 2) // y = a B: d_a = B d_y
        sink.add(0, e.matmul(b, dy), g);
      else // y = <a, b>: d_a = d_y b
        sink.add(0, e.mul(b, dy), g);
    }
    if (wants(1)) {
      a = c.x(0);
      if (ra == 2) // d_B = A^T d_Y (and d_b = A^T d_y)
        sink.add(1, e.matmul(e.transpose(a), dy), g);
      else if (rb == 2) // y = a B: d_B = outer(a, d_y)
        sink.add(1, e.outer(a, dy), g);
      else // y = <a, b>: d_b = d_y a
        sink.add(1, e.mul(a, dy), g);
    }
    return;
  }
  case OpKind::Outer: // Y = x y^T: d_x = d_Y y, d_y = d_Y^T x = x d_Y
    if (wants(0))
      sink.add(0, e.matmul(dy, c.x(1)), g);
    if (wants(1))
      sink.add(1, e.matmul(c.x(0), dy), g);
    return;
  case OpKind::Softmax: // d_x = y * (d_y - rowsum(d_y * y))
    if (wants(0)) {
      Value *y = c.y();
      sink.add(0, e.mul(y, e.sub(dy, e.rowSum(e.mul(dy, y)))), g);
    }
    return;
  case OpKind::LogSoftmax: // d_x = d_y - softmax(x) * rowsum(d_y), softmax(x) = exp(y)
    if (wants(0)) {
      Value *sm = e.un(OpKind::Exp, c.y());
      sink.add(0, e.sub(dy, e.mul(sm, e.rowSum(dy))), g);
    }
    return;
  case OpKind::Index: // the adjoint goes into the indexed part, in place
    if (wants(0))
      sink.addIndexed(0, dy, c.indexSpec(1), g);
    return;
  case OpKind::Update: { // d_v = d_y[part]; d_x = d_y with the overwritten part zeroed
    IndexSpec s = c.indexSpec(2);
    if (wants(1))
      sink.add(1, e.index(dy, s), g);
    if (wants(0))
      sink.add(0, e.update(dy, e.zeros(op.operands[1]->type), s), g);
    return;
  }
  case OpKind::UpdateAdd: { // d_v = d_y[part]; d_x = d_y
    if (wants(1))
      sink.add(1, e.index(dy, c.indexSpec(2)), g);
    if (wants(0))
      sink.add(0, dy, g);
    return;
  }
  case OpKind::Const:
  case OpKind::DimValue:
  case OpKind::Eye:
  case OpKind::Argmax:
    return;
  default:
    noRule(op);
  }
}

} // namespace diffc::ad
