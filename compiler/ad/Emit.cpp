#include "ad/Emit.h"

#include "support/Diagnostics.h"

namespace diffc::ad {

using namespace ir;

namespace {

[[noreturn]] void bug(const std::string &msg) { throw InternalError("ad: " + msg); }

/// The shape of an elementwise result: the operands' common shape, a scalar broadcasting.
Shape commonShape(std::initializer_list<const Value *> vs) {
  const Shape *s = nullptr;
  for (const Value *v : vs) {
    if (v->type.isScalar())
      continue;
    if (s && *s != v->type.shape)
      bug("elementwise operands of different shapes");
    s = &v->type.shape;
  }
  return s ? *s : Shape{};
}

} // namespace

std::string derivName(const char *prefix, const Value *v) {
  if (!v || v->name.empty())
    return {};
  return prefix + v->name;
}

std::string byteSize(const Type &t, const Function &fn) {
  int64_t elemBytes = t.elem == ElemType::F32 ? 4 : t.elem == ElemType::Bool ? 1 : 8;
  Dim d = Emitter::count(t.shape) * Dim::constant(elemBytes);
  return d.str(fn.sizeParams);
}

Dim Emitter::count(const Shape &s) {
  Dim n = Dim::constant(1);
  for (const Dim &d : s)
    n = n * d;
  return n;
}

Value *Emitter::cst(double v, ElemType e) {
  if (e == ElemType::I64)
    return b.constI64(static_cast<int64_t>(v));
  if (e == ElemType::Bool)
    return b.constBool(v != 0);
  return b.constF64(e == ElemType::F32 ? static_cast<double>(static_cast<float>(v)) : v, e);
}

Value *Emitter::zeros(const Type &t) {
  if (t.isTape)
    bug("zeros of a tape type");
  Value *z = cst(0, t.elem);
  return t.isScalar() ? z : fill(z, t);
}

Value *Emitter::dim(const Dim &d) {
  if (d.isConstant())
    return b.constI64(d.constantValue());
  return b.dimValue(d);
}

Value *Emitter::un(OpKind k, Value *a) { return b.value(k, {a}, a->type); }

Value *Emitter::bin(OpKind k, Value *a, Value *c) {
  if (a->type.elem != c->type.elem)
    bug(std::string("operands of '") + opMnemonic(k) + "' have different element types");
  return b.value(k, {a, c}, Type(a->type.elem, commonShape({a, c})));
}

Value *Emitter::cmp(OpKind k, Value *a, Value *c) {
  if (a->type.elem != c->type.elem)
    bug(std::string("operands of '") + opMnemonic(k) + "' have different element types");
  return b.value(k, {a, c}, Type(ElemType::Bool, commonShape({a, c})));
}

Value *Emitter::select(Value *c, Value *a, Value *alt) {
  if (a->type.elem != alt->type.elem)
    bug("select sides of different element types");
  return b.value(OpKind::Select, {c, a, alt}, Type(a->type.elem, commonShape({c, a, alt})));
}

Value *Emitter::guardedMul(Value *p, Value *v) {
  Value *zero = cst(0, v->type.elem);
  return select(cmp(OpKind::Eq, v, zero), zero, mul(p, v));
}

Value *Emitter::guardedDiv(Value *v, Value *q) {
  Value *zero = cst(0, v->type.elem);
  return select(cmp(OpKind::Eq, v, zero), zero, div(v, q));
}

Value *Emitter::sum(Value *x) {
  if (x->type.isScalar())
    return x;
  return b.value(OpKind::Sum, {x}, Type(x->type.elem));
}

Value *Emitter::fill(Value *s, const Type &t) { return b.value(OpKind::Fill, {s}, t); }

Value *Emitter::cast(Value *v, ElemType e) {
  if (v->type.elem == e)
    return v;
  return b.value(OpKind::Cast, {v}, v->type.withElem(e));
}

Value *Emitter::coerce(Value *v, const Type &t) {
  if (v->type == t)
    return v;
  v = cast(v, t.elem);
  if (v->type.shape == t.shape)
    return v;
  if (t.isScalar())
    return sum(v);
  if (v->type.isScalar())
    return fill(v, t);
  return b.value(OpKind::SumTo, {v}, t);
}

Value *Emitter::expand(Value *v, const Type &t) {
  if (v->type.shape == t.shape)
    return v;
  if (v->type.isScalar())
    return fill(v, Type(v->type.elem, t.shape));
  return b.value(OpKind::Broadcast, {v}, Type(v->type.elem, t.shape));
}

Value *Emitter::reshape(Value *x, const Shape &s) {
  if (x->type.shape == s)
    return x;
  return b.value(OpKind::Reshape, {x}, Type(x->type.elem, s));
}

Value *Emitter::transpose(Value *x) {
  const Shape &s = x->type.shape;
  return b.value(OpKind::Transpose, {x}, Type(x->type.elem, {s.at(1), s.at(0)}));
}

Value *Emitter::matmul(Value *a, Value *c) {
  Shape s;
  if (a->type.rank() == 2)
    s.push_back(a->type.shape[0]);
  if (c->type.rank() == 2)
    s.push_back(c->type.shape[1]);
  return b.value(OpKind::MatMul, {a, c}, Type(a->type.elem, s));
}

Value *Emitter::outer(Value *a, Value *c) {
  return b.value(OpKind::Outer, {a, c},
                 Type(a->type.elem, {a->type.shape.at(0), c->type.shape.at(0)}));
}

Value *Emitter::unop(OpKind k, Value *x, const Type &t) { return b.value(k, {x}, t); }

Type Emitter::indexedType(const Type &x, const IndexSpec &spec) {
  Shape s;
  size_t nextLen = 0;
  for (size_t a = 0; a < x.rank(); ++a) {
    int64_t m = a < spec.modes.size() ? spec.modes[a] : kFull;
    if (m == kFull)
      s.push_back(x.shape[a]);
    else if (m == kSlice)
      s.push_back(spec.lengths.at(nextLen++));
  }
  return Type(x.elem, s);
}

Value *Emitter::index(Value *x, const IndexSpec &spec) {
  std::vector<Value *> ops{x};
  ops.insert(ops.end(), spec.operands.begin(), spec.operands.end());
  Op *op = b.create(OpKind::Index, ops, {indexedType(x->type, spec)});
  op->ints = spec.modes;
  op->dims = spec.lengths;
  return op->result();
}

Value *Emitter::update(Value *x, Value *v, const IndexSpec &spec) {
  std::vector<Value *> ops{x, v};
  ops.insert(ops.end(), spec.operands.begin(), spec.operands.end());
  Op *op = b.create(OpKind::Update, ops, {x->type});
  op->ints = spec.modes;
  op->dims = spec.lengths;
  return op->result();
}

Value *Emitter::updateAdd(Value *x, Value *v, const IndexSpec &spec) {
  std::vector<Value *> ops{x, v};
  ops.insert(ops.end(), spec.operands.begin(), spec.operands.end());
  Op *op = b.create(OpKind::UpdateAdd, ops, {x->type});
  op->ints = spec.modes;
  op->dims = spec.lengths;
  return op->result();
}

Value *Emitter::rowSum(Value *x) {
  const Shape &s = x->type.shape;
  if (s.size() <= 1)
    return sum(x);
  Shape lead(s.begin(), s.end() - 1);
  Dim n = s.back();
  Value *rows = reshape(x, {count(lead), n});
  Value *ones = fill(cst(1, x->type.elem), Type(x->type.elem, {n}));
  Value *sums = matmul(rows, ones); // [M]
  Shape keep = lead;
  keep.push_back(Dim::constant(1));
  return b.value(OpKind::Broadcast, {reshape(sums, keep)}, x->type);
}

} // namespace diffc::ad
