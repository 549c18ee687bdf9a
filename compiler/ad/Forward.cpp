// Forward mode: one sweep over the function that emits each op and, beside it, the tangent of
// each active result (t_y = J t_x) from the shared rule table. Control flow carries tangents as
// extra values: `if` yields them, loops carry them, a map gets a companion map of tangents.
#include "ad/Activity.h"
#include "ad/Modes.h"
#include "ad/Rules.h"
#include "ad/Util.h"
#include "support/Diagnostics.h"

#include <unordered_map>

namespace diffc::ad {

using namespace ir;

namespace {

struct FScope {
  FScope *parent = nullptr;
  std::unordered_map<const Value *, Value *> vals;
  std::unordered_map<const Value *, Value *> tans;
};

class Forward {
public:
  Forward(Module &m, Function &dst, const Activity &act) : m_(m), b_(dst), e_(b_), act_(act) {}

  Value *val(FScope &s, const Value *v) {
    for (FScope *p = &s; p; p = p->parent)
      if (auto it = p->vals.find(v); it != p->vals.end())
        return it->second;
    throw InternalError("jvp: value used before its definition");
  }
  Value *tan(FScope &s, const Value *v) {
    if (!act_.active(v))
      return nullptr;
    for (FScope *p = &s; p; p = p->parent)
      if (auto it = p->tans.find(v); it != p->tans.end())
        return it->second;
    return nullptr;
  }
  Value *tanOrZero(FScope &s, const Value *v) {
    if (Value *t = tan(s, v))
      return t;
    if (v->type.isTape)
      return b_.value(OpKind::TapeNew, {}, v->type);
    return e_.zeros(v->type);
  }
  void setTan(FScope &s, const Value *v, Value *t) {
    if (!t || !act_.active(v))
      return;
    if (t->name.empty() && t->def)
      t->name = derivName("t_", v);
    s.tans[v] = t;
  }

  void block(const Block &blk, FScope &s, bool tangents = true) {
    for (const auto &op : blk.ops)
      if (!isTerminator(op->kind))
        emit(*op, s, tangents);
  }

  Builder &builder() { return b_; }

private:
  Lookup lookupIn(FScope &s) {
    return [this, &s](const Value *v) { return val(s, v); };
  }

  Op *plain(const Op &op, FScope &s) {
    Op *c = clonePlain(b_, op, lookupIn(s));
    for (size_t i = 0; i < op.results.size(); ++i)
      s.vals[op.results[i]] = c->results[i];
    return c;
  }

  void emit(const Op &op, FScope &s, bool tangents) {
    b_.setLoc(op.loc);
    // Clones of primal ops keep their own origin (clonePlain); the tangent rules' ops get this.
    b_.setOrigin({Role::Tangent, op.kind});
    bool anyActive = false;
    for (const Value *r : op.results)
      anyActive |= act_.active(r);
    if (!tangents || !anyActive) {
      plain(op, s);
      return;
    }
    switch (op.kind) {
    case OpKind::If:
      return ifOp(op, s);
    case OpKind::For:
      return forOp(op, s);
    case OpKind::While:
      return whileOp(op, s);
    case OpKind::Map:
      return mapOp(op, s);
    case OpKind::Call:
      return callOp(op, s);
    case OpKind::TapeNew:
    case OpKind::TapePush:
    case OpKind::TapePop:
      return tapeOp(op, s);
    default:
      break;
    }
    plain(op, s);
    RuleCtx ctx{e_, op, lookupIn(s), [](unsigned) { return true; }, false};
    if (isElementwise(op.kind)) {
      // t_y = sum_i (dy/dx_i) t_i
      Value *t = nullptr;
      for (unsigned i = 0; i < op.operands.size(); ++i)
        if (Value *ti = tan(s, op.operands[i]))
          if (Value *d = scaleByPartial(ctx, i, ti))
            t = t ? e_.add(t, d) : d;
      if (t)
        setTan(s, op.results[0], e_.expand(t, op.results[0]->type));
      return;
    }
    std::vector<Value *> ts;
    for (const Value *o : op.operands)
      ts.push_back(tan(s, o));
    std::vector<Value *> out = tangentRule(ctx, ts);
    for (size_t i = 0; i < out.size() && i < op.results.size(); ++i)
      setTan(s, op.results[i], out[i]);
  }

  /// Indices of the active results of a control-flow op (they get tangent slots).
  std::vector<size_t> activeResults(const Op &op) {
    std::vector<size_t> ks;
    for (size_t k = 0; k < op.results.size(); ++k)
      if (act_.active(op.results[k]))
        ks.push_back(k);
    return ks;
  }

  std::vector<Type> slotTypes(const Op &op, const std::vector<size_t> &ks) {
    std::vector<Type> ts;
    for (const Value *r : op.results)
      ts.push_back(r->type);
    for (size_t k : ks)
      ts.push_back(op.results[k]->type);
    return ts;
  }

  void bindResults(const Op &op, Op *n, const std::vector<size_t> &ks, FScope &s) {
    for (size_t k = 0; k < op.results.size(); ++k) {
      n->results[k]->name = op.results[k]->name;
      s.vals[op.results[k]] = n->results[k];
    }
    for (size_t j = 0; j < ks.size(); ++j)
      setTan(s, op.results[ks[j]], n->results[op.results.size() + j]);
  }

  /// The yield of a region copy: the primal values, then the tangents of slots ks.
  void yieldWithTangents(const Block &src, FScope &s, const std::vector<size_t> &ks) {
    const Op *y = src.terminator();
    std::vector<Value *> vs;
    for (const Value *v : y->operands)
      vs.push_back(val(s, v));
    for (size_t k : ks)
      vs.push_back(tanOrZero(s, y->operands[k]));
    b_.create(OpKind::Yield, vs, {});
  }

  void ifOp(const Op &op, FScope &s) {
    std::vector<size_t> ks = activeResults(op);
    Op *n = b_.create(OpKind::If, {val(s, op.operands[0])}, slotTypes(op, ks));
    Block *outer = b_.insertionBlock();
    for (const auto &r : op.regions) {
      Block *blk = b_.addRegion(n, {});
      FScope bs{&s, {}, {}};
      b_.setInsertionBlock(blk);
      block(*r, bs);
      yieldWithTangents(*r, bs, ks);
    }
    b_.setInsertionBlock(outer);
    bindResults(op, n, ks, s);
  }

  /// Region arguments of a loop body copy: the primal ones, then tangents of carried slots ks
  /// (slot k is argument k + argBase).
  Block *loopRegion(Op *n, const Block &src, FScope &bs, const std::vector<size_t> &ks,
                    size_t argBase) {
    std::vector<Type> types;
    std::vector<std::string> names;
    for (const Value *a : src.args) {
      types.push_back(a->type);
      names.push_back(a->name);
    }
    for (size_t k : ks) {
      types.push_back(src.args[k + argBase]->type);
      names.push_back(derivName("t_", src.args[k + argBase]));
    }
    Block *blk = b_.addRegion(n, types, names);
    for (size_t i = 0; i < src.args.size(); ++i)
      bs.vals[src.args[i]] = blk->args[i];
    for (size_t j = 0; j < ks.size(); ++j)
      bs.tans[src.args[ks[j] + argBase]] = blk->args[src.args.size() + j];
    return blk;
  }

  void forOp(const Op &op, FScope &s) {
    std::vector<size_t> ks = activeResults(op);
    std::vector<Value *> operands;
    for (const Value *o : op.operands)
      operands.push_back(val(s, o));
    for (size_t k : ks)
      operands.push_back(tanOrZero(s, op.operands[carriedOperandBase(op) + k]));
    Op *n = b_.create(OpKind::For, operands, slotTypes(op, ks));
    n->ival = op.ival;
    Block *outer = b_.insertionBlock();
    FScope bs{&s, {}, {}};
    Block *blk = loopRegion(n, *op.region(0), bs, ks, 1);
    b_.setInsertionBlock(blk);
    block(*op.region(0), bs);
    yieldWithTangents(*op.region(0), bs, ks);
    b_.setInsertionBlock(outer);
    bindResults(op, n, ks, s);
  }

  void whileOp(const Op &op, FScope &s) {
    std::vector<size_t> ks = activeResults(op);
    std::vector<Value *> operands;
    for (const Value *o : op.operands)
      operands.push_back(val(s, o));
    for (size_t k : ks)
      operands.push_back(tanOrZero(s, op.operands[carriedOperandBase(op) + k]));
    Op *n = b_.create(OpKind::While, operands, slotTypes(op, ks));
    Block *outer = b_.insertionBlock();
    {
      FScope cs{&s, {}, {}};
      Block *cond = loopRegion(n, *op.region(0), cs, ks, 0);
      b_.setInsertionBlock(cond);
      block(*op.region(0), cs, /*tangents=*/false);
      b_.create(OpKind::Yield, {val(cs, op.region(0)->terminator()->operands[0])}, {});
    }
    FScope bs{&s, {}, {}};
    Block *body = loopRegion(n, *op.region(1), bs, ks, 0);
    b_.setInsertionBlock(body);
    block(*op.region(1), bs);
    yieldWithTangents(*op.region(1), bs, ks);
    b_.setInsertionBlock(outer);
    bindResults(op, n, ks, s);
  }

  /// The primal map, then a map of tangents that recomputes each element with its tangent.
  void mapOp(const Op &op, FScope &s) {
    plain(op, s);
    const Block &src = *op.region(0);
    Op *n = b_.create(OpKind::Map, {}, {op.results[0]->type});
    n->dims = op.dims;
    Block *outer = b_.insertionBlock();
    FScope bs{&s, {}, {}};
    std::vector<Type> types(src.args.size(), Type::i64());
    std::vector<std::string> names;
    for (const Value *a : src.args)
      names.push_back(a->name);
    Block *blk = b_.addRegion(n, types, names);
    for (size_t i = 0; i < src.args.size(); ++i)
      bs.vals[src.args[i]] = blk->args[i];
    b_.setInsertionBlock(blk);
    block(src, bs);
    b_.create(OpKind::Yield, {tanOrZero(bs, src.terminator()->operands[0])}, {});
    b_.setInsertionBlock(outer);
    setTan(s, op.results[0], n->result());
  }

  /// A call that was not inlined (the callee has a @vjp rule): call the callee's tangent
  /// program, which returns the results and their tangents.
  void callOp(const Op &op, FScope &s) {
    const Function *callee = m_.lookup(op.callee);
    std::string name = calleeDerivName(m_, op.callee, /*reverse=*/false);
    if (!callee || !m_.lookup(name))
      throw InternalError("jvp: no tangent program for @" + op.callee);
    std::vector<Value *> args;
    for (const Value *o : op.operands)
      args.push_back(val(s, o));
    for (size_t i = 0; i < op.operands.size(); ++i)
      if (differentiable(callee->params()[i]->type))
        args.push_back(tanOrZero(s, op.operands[i]));
    std::vector<Type> types;
    std::vector<size_t> floats;
    for (size_t k = 0; k < op.results.size(); ++k) {
      types.push_back(op.results[k]->type);
      if (differentiable(op.results[k]->type))
        floats.push_back(k);
    }
    for (size_t k : floats)
      types.push_back(op.results[k]->type);
    Op *n = b_.create(OpKind::Call, args, types);
    n->callee = name;
    n->dims = op.dims;
    bindResults(op, n, floats, s);
  }

  /// Tapes of active values carry a tape of tangents beside them, pushed and popped in step.
  void tapeOp(const Op &op, FScope &s) {
    plain(op, s);
    const Value *r = op.results[0];
    switch (op.kind) {
    case OpKind::TapeNew:
      setTan(s, r, b_.value(OpKind::TapeNew, {}, r->type));
      return;
    case OpKind::TapePush:
      setTan(s, r,
             b_.value(OpKind::TapePush,
                      {tanOrZero(s, op.operands[0]), tanOrZero(s, op.operands[1])}, r->type));
      return;
    case OpKind::TapePop: {
      Op *n = b_.create(OpKind::TapePop, {tanOrZero(s, op.operands[0])},
                        {op.results[0]->type, op.results[1]->type});
      setTan(s, op.results[0], n->results[0]);
      setTan(s, op.results[1], n->results[1]);
      return;
    }
    default:
      return;
    }
  }

  Module &m_;
  Builder b_;
  Emitter e_;
  const Activity &act_;
};

} // namespace

void emitJvp(Module &m, const Function &src, Function &dst, const std::vector<unsigned> &wrt) {
  std::vector<const Value *> seeds;
  for (unsigned i : wrt)
    seeds.push_back(src.params()[i]);
  Activity act(src, seeds);
  ensureCalleeDerivatives(m, src, /*reverse=*/false);

  dst.sizeParams = src.sizeParams;
  dst.loc = src.loc;
  FScope root;
  for (const Value *p : src.params())
    root.vals[p] = dst.addParam(p->type, p->name);
  for (unsigned i : wrt) {
    const Value *p = src.params()[i];
    root.tans[p] = dst.addParam(p->type, derivName("t_", p).empty() ? "t" : derivName("t_", p));
  }
  Forward fw(m, dst, act);
  fw.builder().setInsertionBlock(dst.body.get());
  fw.builder().setLoc(src.loc);
  fw.block(*src.body, root);

  const Op *ret = src.body->terminator();
  std::vector<Value *> results;
  for (const Value *v : ret->operands)
    results.push_back(fw.val(root, v));
  dst.resultTypes = src.resultTypes;
  dst.resultNames.assign(src.resultTypes.size(), "");
  for (size_t k = 0; k < src.resultNames.size() && k < dst.resultNames.size(); ++k)
    dst.resultNames[k] = src.resultNames[k];
  size_t nFloat = 0;
  for (const Type &t : src.resultTypes)
    nFloat += differentiable(t) ? 1 : 0;
  for (size_t k = 0; k < ret->operands.size(); ++k) {
    if (!differentiable(src.resultTypes[k]))
      continue;
    results.push_back(fw.tanOrZero(root, ret->operands[k]));
    dst.resultTypes.push_back(src.resultTypes[k]);
    std::string base = k < src.resultNames.size() && !src.resultNames[k].empty()
                           ? src.resultNames[k]
                           : (nFloat == 1 ? std::string("out") : "out" + std::to_string(k));
    dst.resultNames.push_back("t_" + base);
  }
  dst.resultIsTuple = true;
  fw.builder().create(OpKind::Return, results, {});
}

} // namespace diffc::ad
