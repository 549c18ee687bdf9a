// Reverse mode: scopes and adjoint accumulation, the reverse of straight-line ops and calls, and
// the driver that puts the forward sweep, the seeds and the reverse sweep together.
#include "ad/Reverse.h"

#include "ad/AD.h"
#include "ad/Modes.h"
#include "ad/Prepare.h"
#include "ad/Rules.h"
#include "ir/Printer.h"
#include "ir/SizeInference.h"
#include "support/Diagnostics.h"

#include <algorithm>
#include <functional>

namespace diffc::ad::rev {

using namespace ir;

Reverse::Reverse(Module &m, const Function &src, Function &dst, const Activity &act,
                 const ValueSet *needed)
    : m_(m), src_(src), dst_(dst), b_(dst), e_(b_), act_(act), needed_(needed) {
  findInductions();
  if (!needed_)
    return;
  chooseInductions();
  // Needed values per block in definition order, so that pops and recomputations at the start
  // of a reverse block come before their uses.
  std::function<void(const Block &)> visit = [&](const Block &blk) {
    auto &list = neededIn_[&blk];
    for (const Value *a : blk.args)
      if (needed_->count(a))
        list.push_back(a);
    for (const auto &op : blk.ops) {
      for (const Value *r : op->results)
        if (needed_->count(r))
          list.push_back(r);
      for (const auto &r : op->regions)
        visit(*r);
    }
  };
  visit(*src.body);
  for (const auto &[blk, list] : neededIn_)
    for (const Value *v : list) {
      if (isRootBlock(blk) || recomputable(v) || inductionProvided(v))
        continue;
      if (cheapFromNeeded(v))
        fromNeeded_.insert(v);
      else
        taped_.insert(v);
    }
  choosePacked();
}

// ---- Values ----------------------------------------------------------------------------------

Value *Reverse::lookup(Scope &s, const Value *v) {
  for (Scope *p = &s; p; p = p->parent) {
    if (auto it = p->vals.find(v); it != p->vals.end()) {
      if (inReverse_ && p->kind == Scope::Kind::Root && p->block == defBlock(v))
        keptAtRoot_.insert(v);
      return it->second;
    }
    if (p->kind == Scope::Kind::Reverse && p->block == defBlock(v)) {
      if (!dry())
        throw InternalError("reverse: value %" + v->name +
                            " is needed by the reverse sweep but was neither stored nor "
                            "recomputed");
      // Dry run: record the need (and what recomputing it needs), hand out a stand-in.
      if (recorded_.insert(v).second && recomputable(v) && v->def)
        for (const Value *o : v->def->operands)
          lookup(*p, o);
      break;
    }
  }
  if (!dry())
    throw InternalError("reverse: no value for %" + v->name);
  auto [it, fresh] = placeholders_.try_emplace(v, nullptr);
  if (fresh)
    it->second = dst_.newValue(v->type, v->name);
  return it->second;
}

Lookup Reverse::lookupIn(Scope &s) {
  return [this, &s](const Value *v) { return lookup(s, v); };
}

// ---- Adjoints --------------------------------------------------------------------------------

Value *Reverse::findAdj(Scope &s, const Value *v) {
  for (Scope *p = &s; p; p = p->parent)
    if (auto it = p->adj.find(v); it != p->adj.end())
      return it->second;
  return nullptr;
}

void Reverse::setAdj(Scope &s, const Value *v, Value *a, bool masked) {
  // Constants stay unnamed: the simplifier merges equal constants, and a name would follow.
  if (a->name.empty() && a->def && a->def->kind != OpKind::Const)
    a->name = derivName("d_", v);
  s.adj[v] = a;
  if (masked)
    masked_.insert(a);
}

void Reverse::accumulate(Scope &s, const Value *v, Value *contrib, bool masked) {
  if (!contrib || !act_.active(v))
    return;
  contrib = e_.coerce(contrib, v->type);
  Value *cur = findAdj(s, v);
  // A tape is used once (each push or pop makes a new one), so its adjoint is set, not added.
  if (cur && v->type.isTape)
    throw InternalError("reverse: tape %" + v->name + " has two adjoints");
  // Adjoints are accumulated: every use of v adds its share.
  Value *n = cur ? e_.add(cur, contrib) : contrib;
  setAdj(s, v, n, masked || (cur && isMasked(cur)));
}

void Reverse::accumulateIndexed(Scope &s, const Value *v, Value *dv, const IndexSpec &spec,
                                bool masked) {
  if (!dv || !act_.active(v))
    return;
  Value *cur = findAdj(s, v);
  dv = e_.coerce(dv, Emitter::indexedType(v->type, spec));
  // In place: an indexed read inside a loop costs O(1) in reverse, not a copy of the adjoint.
  Value *n = e_.updateAdd(cur ? cur : e_.zeros(v->type), dv, spec);
  n->name = derivName("d_", v);
  setAdj(s, v, n, masked || (cur && isMasked(cur)));
}

// ---- Straight-line code ----------------------------------------------------------------------

namespace {

class ScopeSink : public AdjointSink {
public:
  ScopeSink(Reverse &r, Scope &s, const Op &op) : r_(r), s_(s), op_(op) {}
  void add(unsigned i, Value *contrib, bool masked) override {
    r_.accumulate(s_, op_.operands.at(i), contrib, masked);
  }
  void addIndexed(unsigned i, Value *v, const IndexSpec &spec, bool masked) override {
    r_.accumulateIndexed(s_, op_.operands.at(i), v, spec, masked);
  }

private:
  Reverse &r_;
  Scope &s_;
  const Op &op_;
};

} // namespace

void Reverse::reverseOps(const Block &blk, Scope &s) {
  for (auto it = blk.ops.rbegin(); it != blk.ops.rend(); ++it)
    if (!isTerminator((*it)->kind))
      reverseOp(**it, s);
}

void Reverse::reverseOp(const Op &op, Scope &s) {
  std::vector<Value *> dys;
  bool any = false, guard = false;
  for (const Value *r : op.results) {
    Value *d = act_.active(r) ? findAdj(s, r) : nullptr;
    dys.push_back(d);
    any |= d != nullptr;
    guard |= d && isMasked(d);
  }
  b_.setLoc(op.loc);
  b_.setOrigin({ir::Role::Adjoint, op.kind});
  any |= seedTapeAdjoints(op, dys);
  if (!any && !inductionStep(op))
    return; // nothing downstream depends on this op
  switch (op.kind) {
  case OpKind::If:
    return reverseIf(op, s, dys);
  case OpKind::For:
    if (op.ival == kRecomputeLoop)
      return reverseRecompute(op, s, dys);
    return reverseLoop(op, s, dys);
  case OpKind::While:
    return reverseLoop(op, s, dys);
  case OpKind::Map:
    return reverseMap(op, s, dys);
  case OpKind::Call:
    return reverseCall(op, s, dys);
  case OpKind::TapeNew:
  case OpKind::TapePush:
  case OpKind::TapePop:
    return reverseTape(op, s, dys);
  default:
    break;
  }
  RuleCtx ctx{e_, op, lookupIn(s), [&](unsigned i) { return act_.active(op.operands.at(i)); },
              guard};
  ScopeSink sink(*this, s, op);
  adjointRule(ctx, dys, sink);
}

namespace {

/// Binds the size parameters of `fn` from the types its parameters take at a call.
std::vector<Dim> bindSizes(const Function &fn, const std::vector<Type> &argTypes) {
  std::vector<Shape> shapes;
  for (const Type &t : argTypes)
    shapes.push_back(t.shape);
  std::vector<std::optional<Dim>> bound = bindSizesSymbolic(fn, shapes);
  std::vector<Dim> subst(fn.sizeParams.size());
  for (size_t k = 0; k < bound.size(); ++k)
    if (bound[k])
      subst[k] = *bound[k];
  for (size_t k = 0; k < bound.size(); ++k)
    if (!bound[k])
      throw InternalError("reverse: cannot bind size parameter " + fn.sizeParams[k] + " of @" +
                          fn.name);
  return subst;
}

} // namespace

void Reverse::reverseCall(const Op &op, Scope &s, const std::vector<Value *> &dys) {
  const Function *callee = m_.lookup(op.callee);
  if (!callee)
    throw InternalError("reverse: call of unknown @" + op.callee);
  std::vector<Value *> args;
  for (const Value *o : op.operands)
    args.push_back(lookup(s, o));
  std::vector<unsigned> floatParams;
  std::vector<Type> adjTypes;
  for (unsigned i = 0; i < op.operands.size(); ++i)
    if (op.operands[i]->type.isFloat()) {
      floatParams.push_back(i);
      adjTypes.push_back(op.operands[i]->type);
    }
  std::vector<Value *> adjs;
  if (!callee->vjpRule.empty()) {
    // The user's rule: (inputs..., y, dy) -> adjoints of the float inputs.
    const Function *rule = m_.lookup(callee->vjpRule);
    if (!rule)
      throw InternalError("reverse: @vjp rule @" + callee->vjpRule + " does not exist");
    std::vector<Value *> ruleArgs = args;
    ruleArgs.push_back(lookup(s, op.results.at(0)));
    ruleArgs.push_back(orZeros(dys.at(0), op.results[0]->type));
    std::vector<Type> argTypes;
    for (Value *a : ruleArgs)
      argTypes.push_back(a->type);
    Op *c = b_.create(OpKind::Call, ruleArgs, adjTypes);
    c->callee = rule->name;
    c->dims = bindSizes(*rule, argTypes);
    adjs = c->results;
  } else {
    // The callee's adjoint program: (inputs..., seeds...) -> (results..., adjoints...).
    std::vector<Value *> callArgs = args;
    std::vector<Type> types;
    for (size_t k = 0; k < op.results.size(); ++k) {
      types.push_back(op.results[k]->type);
      if (op.results[k]->type.isFloat())
        callArgs.push_back(orZeros(dys[k], op.results[k]->type));
    }
    types.insert(types.end(), adjTypes.begin(), adjTypes.end());
    Op *c = b_.create(OpKind::Call, callArgs, types);
    c->callee = calleeDerivName(m_, op.callee, /*reverse=*/true);
    c->dims = op.dims;
    adjs.assign(c->results.begin() + static_cast<std::ptrdiff_t>(op.results.size()),
                c->results.end());
  }
  for (size_t j = 0; j < floatParams.size(); ++j)
    accumulate(s, op.operands[floatParams[j]], adjs[j], false);
}

// ---- Driver ----------------------------------------------------------------------------------

void Reverse::run(const std::vector<Value *> &seeds, const std::vector<unsigned> &wrt) {
  Scope root{Scope::Kind::Root, nullptr, src_.body.get(), {}, {}, {}};
  for (size_t i = 0; i < src_.params().size(); ++i)
    root.vals[src_.params()[i]] = dst_.params()[i];
  b_.setInsertionBlock(dst_.body.get());
  b_.setLoc(src_.loc);

  // Forward sweep.
  createTapes(src_.body.get(), root);
  forwardOps(*src_.body, root);

  // Seeds: the adjoints of the returned values.
  const Op *ret = src_.body->terminator();
  size_t next = 0;
  for (const Value *v : ret->operands)
    if (v->type.isFloat()) {
      Value *seed = next < seeds.size() ? seeds[next] : nullptr;
      ++next;
      accumulate(root, v, seed, false);
    }

  // Reverse sweep.
  inReverse_ = true;
  reverseOps(*src_.body, root);
  b_.setOrigin({ir::Role::Adjoint, std::nullopt}); // zero gradients, the return

  std::vector<Value *> results;
  for (const Value *v : ret->operands)
    results.push_back(lookup(root, v));
  for (unsigned i : wrt) {
    const Value *p = src_.params()[i];
    Value *d = findAdj(root, p);
    results.push_back(d ? d : e_.zeros(p->type));
  }
  b_.setLoc(src_.loc);
  b_.create(OpKind::Return, results, {});

  // Say what the forward sweep keeps alive for the reverse sweep.
  if (!dry())
    for (const Value *v : keptAtRoot_) {
      if (defBlock(v) != src_.body.get())
        continue;
      Value *n = root.vals.count(v) ? root.vals[v] : nullptr;
      if (n && n->def && n->type.isTensor() && n->def->note.empty())
        n->def->note = "kept for reverse: " + byteSize(n->type, dst_) + " bytes";
    }
}

} // namespace diffc::ad::rev
