#include "ad/Prepare.h"

#include "ad/AD.h"

#include "ad/Util.h"
#include "passes/Clone.h"
#include "passes/Inline.h"
#include "passes/Simplify.h"

#include <fmt/format.h>

namespace diffc::ad {

using namespace ir;

namespace {

void addCounter(Function &fn, Op *w) {
  Builder b(fn);
  b.setLoc(w->loc);
  // The initial 0, just before the loop.
  Block *outer = w->parent;
  size_t pos = 0;
  while (outer->ops[pos].get() != w)
    ++pos;
  b.setInsertionBlock(outer);
  Value *zero = b.constI64(0);
  moveLastTo(*outer, pos);
  w->operands.push_back(zero);
  for (auto &r : w->regions) {
    Value *a = fn.newValue(Type::i64(), "iters");
    a->ownerBlock = r.get();
    a->index = static_cast<unsigned>(r->args.size());
    r->args.push_back(a);
  }
  // n + 1 at the end of the body.
  Block *body = w->region(1);
  std::unique_ptr<Op> y = std::move(body->ops.back());
  body->ops.pop_back();
  b.setInsertionBlock(body);
  Value *next = b.value(OpKind::Add, {body->args.back(), b.constI64(1)}, Type::i64());
  y->operands.push_back(next);
  body->ops.push_back(std::move(y));
  addResult(fn, w, Type::i64(), "iters");
}

/// Splits a `@checkpoint` loop `for i = lo..hi` into segments of K = ceil(sqrt(max(hi - lo, 0)))
/// steps:
///
///   for s = 0..S iter(c0 = init) {               S = ceil((hi - lo) / K)
///     for i = lo + s K .. min(lo + s K + K, hi) iter(c = c0) { body }   (Op::ival = 2)
///   }
///
/// Reverse mode stores the outer loop's carried values (one snapshot per segment) and, for each
/// segment in reverse, recomputes the inner loop from its snapshot with tapes of its own: about
/// 2 sqrt(n) stored entries instead of n, for one extra forward run.
void splitCheckpoint(Function &fn, Op *x) {
  Builder b(fn);
  b.setLoc(x->loc);
  Block *blk = x->parent;
  size_t pos = 0;
  while (blk->ops[pos].get() != x)
    ++pos;
  b.setInsertionBlock(blk);
  auto before = [&](Value *v) {
    moveLastTo(*blk, pos++);
    return v;
  };
  Value *lo = x->operands[0], *hi = x->operands[1];
  Value *one = before(b.constI64(1));
  Value *zero = before(b.constI64(0));
  // A loop whose start is past its end (`for t in n..T` with n > T) runs no step: 0, not a
  // negative count whose square root is NaN.
  Value *span = before(b.value(OpKind::Sub, {hi, lo}, Type::i64()));
  Value *n = before(b.value(OpKind::Max, {span, zero}, Type::i64(), "steps"));
  Value *nf = before(b.value(OpKind::Cast, {n}, Type::f64()));
  Value *root = before(
      b.value(OpKind::Ceil, {before(b.value(OpKind::Sqrt, {nf}, Type::f64()))}, Type::f64()));
  Value *k0 = before(b.value(OpKind::Cast, {root}, Type::i64()));
  Value *k = before(b.value(OpKind::Max, {k0, one}, Type::i64(), "segment"));
  Value *km1 = before(b.value(OpKind::Sub, {k, one}, Type::i64()));
  Value *segs =
      before(b.value(OpKind::Div, {before(b.value(OpKind::Add, {n, km1}, Type::i64())), k},
                     Type::i64(), "segments"));

  std::vector<Value *> operands{zero, segs};
  std::vector<Type> types;
  for (size_t i = 2; i < x->operands.size(); ++i) {
    operands.push_back(x->operands[i]);
    types.push_back(x->operands[i]->type);
  }
  Op *outer = b.create(OpKind::For, operands, types);
  std::vector<Type> argTypes{Type::i64()};
  argTypes.insert(argTypes.end(), types.begin(), types.end());
  std::vector<std::string> names{"seg"};
  for (size_t i = 1; i < x->region(0)->args.size(); ++i)
    names.push_back(x->region(0)->args[i]->name);
  Block *body = b.addRegion(outer, argTypes, names);
  b.setInsertionBlock(body);
  Value *a = b.value(OpKind::Add, {lo, b.value(OpKind::Mul, {body->args[0], k}, Type::i64())},
                     Type::i64());
  Value *e = b.value(OpKind::Min, {b.value(OpKind::Add, {a, k}, Type::i64()), hi}, Type::i64());

  // The original loop becomes the inner one.
  std::unique_ptr<Op> inner = std::move(blk->ops[pos]);
  blk->ops.erase(blk->ops.begin() + static_cast<std::ptrdiff_t>(pos));
  inner->parent = body;
  inner->operands[0] = a;
  inner->operands[1] = e;
  for (size_t i = 2; i < inner->operands.size(); ++i)
    inner->operands[i] = body->args[i - 1];
  inner->ival = kRecomputeLoop;
  Op *x2 = inner.get();
  body->ops.push_back(std::move(inner));
  // Uses of the loop's results now use the outer loop's.
  for (size_t r = 0; r < x2->results.size(); ++r) {
    outer->results[r]->name = x2->results[r]->name;
    walk(*fn.body, [&](Op &op) {
      if (&op == x2)
        return;
      for (Value *&v : op.operands)
        if (v == x2->results[r])
          v = outer->results[r];
    });
  }
  b.create(OpKind::Yield, x2->results, {});
  moveLastTo(*blk, pos);
}

} // namespace

std::unique_ptr<Function> prepare(Module &m, const Function &f, bool forReverse) {
  auto fn = std::make_unique<Function>();
  fn->name = f.name;
  fn->sizeParams = f.sizeParams;
  fn->resultTypes = f.resultTypes;
  fn->resultNames = f.resultNames;
  fn->resultIsTuple = f.resultIsTuple;
  fn->loc = f.loc;
  passes::ValueMap map;
  for (const Value *p : f.params())
    map[p] = fn->addParam(p->type, p->name);
  if (forReverse && !f.vjpRule.empty()) {
    // A function with a @vjp rule differentiates, in reverse, by its rule also when it is the
    // function asked for (diffc run --grad, the host API), not only where it is called: its
    // body becomes a call of itself, which the reverse sweep reverses with the rule.
    Builder b(*fn);
    b.setLoc(f.loc);
    b.setInsertionBlock(fn->body.get());
    std::vector<Value *> args(fn->body->args.begin(), fn->body->args.end());
    Op *call = b.create(OpKind::Call, args, f.resultTypes);
    call->callee = f.name;
    for (size_t i = 0; i < f.sizeParams.size(); ++i)
      call->dims.push_back(Dim::symbol(static_cast<uint32_t>(i)));
    b.create(OpKind::Return, call->results, {});
    return fn;
  }
  passes::cloneOpsInto(*f.body, *fn->body, map, {}, /*includeTerminator=*/true);
  try {
    passes::inlineCalls(m, *fn, /*all=*/true);
  } catch (const passes::InlineLimitError &e) {
    // AD differentiates one function with every call inlined.
    throw ADError(fmt::format("cannot differentiate '{}': {}", f.name, e.what()), f.loc);
  }
  // Differentiate the simplified program: no dead code, shared subexpressions computed once.
  passes::simplify(m, *fn);
  if (forReverse) {
    std::vector<Op *> checkpoints;
    walk(*fn->body, [&](Op &op) {
      if (op.kind == OpKind::For && op.ival == 1)
        checkpoints.push_back(&op);
    });
    for (Op *x : checkpoints)
      splitCheckpoint(*fn, x);
    std::vector<Op *> whiles;
    walk(*fn->body, [&](Op &op) {
      if (op.kind == OpKind::While)
        whiles.push_back(&op);
    });
    for (Op *w : whiles)
      addCounter(*fn, w);
  }
  return fn;
}

} // namespace diffc::ad
