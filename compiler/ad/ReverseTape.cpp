// Reverse mode over a function that stores tapes itself: the gradient of a function whose body
// holds a gradient (its forward sweep pushing, its reverse sweep popping). A tape is a stack, and
// its adjoint is a stack of the same height holding the adjoint of each entry:
//
//   t1 = tape.push t0, v        reverses into   (dt0, dv) = tape.pop dt1
//   (t1, v) = tape.pop t0       reverses into   dt0 = tape.push dt1, dv
//   t0 = tape.new               reverses into   nothing
//
// The adjoint tapes are ordinary tapes of the new program, pushed where the primal one was popped
// and popped where it was pushed, so the derivative of a loop that pops n entries costs O(n) and
// the new program can be differentiated again the same way (third order and beyond).
//
// An adjoint tape that an adjoint marked masked (zeros standing for an untaken side, see
// Rules.h) was pushed onto is masked itself, and so is every entry popped from it: the products
// the popped adjoints enter stay guarded (0 * inf is 0, not NaN), as they would without the tape.
//
// Heights must match: every op with an active tape result is reversed, even when nothing else
// downstream of it has an adjoint (a popped entry nobody differentiates still gets a zero pushed
// in its place), and the adjoint of a tape nothing uses afterwards is an empty tape. That tape is
// the last one of its family; the reverse sweep it came from popped everything the forward sweep
// pushed, so it is empty too.
#include "ad/Reverse.h"

#include "support/Diagnostics.h"

namespace diffc::ad::rev {

using namespace ir;

Value *Reverse::orZeros(Value *v, const Type &t) {
  if (v)
    return v;
  if (t.isTape)
    return b_.value(OpKind::TapeNew, {}, t, "d_tape");
  return e_.zeros(t);
}

bool Reverse::seedTapeAdjoints(const Op &op, std::vector<Value *> &dys) {
  bool seeded = false;
  for (size_t k = 0; k < op.results.size(); ++k) {
    const Value *r = op.results[k];
    if (dys[k] || !r->type.isTape || !act_.active(r))
      continue;
    dys[k] = orZeros(nullptr, r->type);
    seeded = true;
  }
  return seeded;
}

void Reverse::reverseTape(const Op &op, Scope &s, const std::vector<Value *> &dys) {
  switch (op.kind) {
  case OpKind::TapeNew:
    return;
  case OpKind::TapePush: {
    const Value *t = op.operands[0], *v = op.operands[1];
    Value *dt = orZeros(dys[0], op.results[0]->type);
    Op *pop = b_.create(OpKind::TapePop, {dt}, {dt->type, v->type});
    pop->results[0]->name = dt->name;
    bool masked = isMasked(dt);
    accumulate(s, t, pop->results[0], masked);
    accumulate(s, v, pop->results[1], masked);
    return;
  }
  case OpKind::TapePop: {
    const Value *t = op.operands[0], *v = op.results[1];
    Value *dt = orZeros(dys[0], op.results[0]->type);
    Value *dv = orZeros(act_.active(v) ? dys[1] : nullptr, v->type);
    Op *push = b_.create(OpKind::TapePush, {dt, dv}, {dt->type});
    push->result()->name = dt->name;
    accumulate(s, t, push->result(), isMasked(dt) || isMasked(dv));
    return;
  }
  default:
    throw InternalError("reverse: not a tape op");
  }
}

} // namespace diffc::ad::rev
