#include "ir/Verifier.h"

#include "ir/Printer.h"
#include "ir/VerifierImpl.h"
#include "support/Diagnostics.h"

#include <unordered_set>

namespace diffc::ir {

void VerifyContext::fail(const Op &op, const std::string &msg) {
  std::string label;
  for (size_t i = 0; i < op.results.size(); ++i)
    label += (i ? ", " : "") + names(op.results[i]);
  if (!label.empty())
    label += " = ";
  label += opMnemonic(op.kind);
  errors.push_back("@" + fn.name + ": " + label + ": " + msg);
}

void VerifyContext::fail(const std::string &msg) { errors.push_back("@" + fn.name + ": " + msg); }

namespace {

/// The structural walk: definitions, visibility, terminators, back pointers, dim symbols.
class StructureVerifier {
public:
  explicit StructureVerifier(VerifyContext &cx) : cx_(cx), fn_(cx.fn) {}

  void run() {
    if (!fn_.body) {
      cx_.fail("function has no body");
      return;
    }
    collectDefinitions(*fn_.body);
    if (fn_.body->parentOp)
      cx_.fail("function body has a parent op");
    if (fn_.body->function != &fn_)
      cx_.fail("function body does not point back to its function");
    if (!fn_.resultNames.empty() && fn_.resultNames.size() != fn_.resultTypes.size())
      cx_.fail(std::to_string(fn_.resultNames.size()) + " result names for " +
               std::to_string(fn_.resultTypes.size()) + " results");
    for (size_t i = 0; i < fn_.resultTypes.size(); ++i)
      checkSymbols(fn_.resultTypes[i].shape, "result " + std::to_string(i), nullptr);
    block(*fn_.body, nullptr);
  }

private:
  void collectDefinitions(const Block &b) {
    for (const Value *v : b.args)
      everDefined_.insert(v);
    for (const auto &op : b.ops) {
      if (!op)
        continue;
      for (const Value *v : op->results)
        everDefined_.insert(v);
      for (const auto &r : op->regions)
        if (r)
          collectDefinitions(*r);
    }
  }

  void checkSymbols(const Shape &dims, const std::string &what, const Op *op) {
    for (const Dim &d : dims)
      for (uint32_t s : d.symbols())
        if (s >= fn_.sizeParams.size()) {
          std::string msg = what + " uses size symbol $" + std::to_string(s) +
                            " but the function has " + std::to_string(fn_.sizeParams.size()) +
                            " size parameter(s)";
          op ? cx_.fail(*op, msg) : cx_.fail(msg);
        }
  }

  /// Makes v visible; checks it was not defined before and that its back pointers agree.
  void define(const Value *v, const Op *defOp, const Block *owner, unsigned index) {
    std::string where = defOp ? std::string("result ") + std::to_string(index) + " of '" +
                                    opMnemonic(defOp->kind) + "'"
                              : "block argument " + std::to_string(index);
    if (!v) {
      cx_.fail(where + " is null");
      return;
    }
    if (!defined_.insert(v).second) {
      cx_.fail(cx_.names(v) + " is defined twice (again as " + where + ")");
      return;
    }
    if (v->def != defOp || (!defOp && v->ownerBlock != owner) || v->index != index)
      cx_.fail(cx_.names(v) + " (" + where + ") has inconsistent def/ownerBlock/index fields");
    checkSymbols(v->type.shape, "the type of " + cx_.names(v), defOp);
    visible_.insert(v);
    scopeLog_.push_back(v);
  }

  void block(const Block &b, const Op *parentOp) {
    size_t mark = scopeLog_.size();
    for (unsigned i = 0; i < b.args.size(); ++i)
      define(b.args[i], nullptr, &b, i);
    if (b.ops.empty()) {
      std::string msg = parentOp ? "region is empty; it must end in 'yield'"
                                 : "function body is empty; it must end in 'return'";
      parentOp ? cx_.fail(*parentOp, msg) : cx_.fail(msg);
    }
    for (size_t i = 0; i < b.ops.size(); ++i) {
      const Op *op = b.ops[i].get();
      if (!op) {
        cx_.fail("null op in a block");
        continue;
      }
      this->op(*op, b, parentOp, i + 1 == b.ops.size());
    }
    // Values defined in this block are not visible after it.
    while (scopeLog_.size() > mark) {
      visible_.erase(scopeLog_.back());
      scopeLog_.pop_back();
    }
  }

  void op(const Op &op, const Block &b, const Op *parentOp, bool last) {
    if (op.parent != &b)
      cx_.fail(op, "op's parent pointer is not the block holding it");
    for (size_t k = 0; k < op.operands.size(); ++k) {
      const Value *v = op.operands[k];
      if (!v)
        cx_.fail(op, "operand " + std::to_string(k) + " is null");
      else if (!visible_.count(v))
        cx_.fail(op, "operand " + std::to_string(k) + " " + cx_.names(v) +
                         (everDefined_.count(v)
                              ? " is not visible here (defined later, or inside a region)"
                              : " is not defined in this function"));
    }
    bool terminator = isTerminator(op.kind);
    if (terminator && !last)
      cx_.fail(op, "terminator is not the last op of its block");
    if (!terminator && last)
      cx_.fail(op, std::string("block ends without a terminator (expected '") +
                       (parentOp ? "yield" : "return") + "')");
    if (op.kind == OpKind::Return && parentOp)
      cx_.fail(op, "'return' inside a region (use 'yield')");
    if (op.kind == OpKind::Yield && !parentOp)
      cx_.fail(op, "'yield' in the function body (use 'return')");
    checkSymbols(op.dims, "attribute dims", &op);

    for (size_t r = 0; r < op.regions.size(); ++r) {
      const Block *region = op.regions[r].get();
      if (!region) {
        cx_.fail(op, "region " + std::to_string(r) + " is null");
        continue;
      }
      if (region->parentOp != &op)
        cx_.fail(op, "region " + std::to_string(r) + "'s parentOp is not this op");
      if (region->function != &fn_)
        cx_.fail(op, "region " + std::to_string(r) + "'s function is not this function");
      block(*region, &op);
    }
    for (unsigned i = 0; i < op.results.size(); ++i)
      define(op.results[i], &op, nullptr, i);
    verifyOpTypes(cx_, op);
  }

  VerifyContext &cx_;
  const Function &fn_;
  std::unordered_set<const Value *> everDefined_;
  std::unordered_set<const Value *> defined_;
  std::unordered_set<const Value *> visible_;
  std::vector<const Value *> scopeLog_;
};

} // namespace

std::vector<std::string> verifyFunction(const Module &m, const Function &fn) {
  VerifyContext cx(m, fn);
  StructureVerifier(cx).run();
  return std::move(cx.errors);
}

std::vector<std::string> verifyModule(const Module &m) {
  std::vector<std::string> errors;
  std::unordered_set<std::string> seen;
  for (const auto &f : m.functions) {
    if (!f) {
      errors.push_back("null function in the module");
      continue;
    }
    if (!seen.insert(f->name).second)
      errors.push_back("@" + f->name + ": function defined twice");
    if (!f->vjpRule.empty() && !m.lookup(f->vjpRule))
      errors.push_back("@" + f->name + ": vjp rule @" + f->vjpRule + " does not exist");
    for (auto &e : verifyFunction(m, *f))
      errors.push_back(std::move(e));
  }
  return errors;
}

void verifyOrThrow(const Module &m, std::string_view afterStage) {
  std::vector<std::string> errors = verifyModule(m);
  if (errors.empty())
    return;
  std::string msg = "IR verification failed after " + std::string(afterStage) + ":\n";
  for (const auto &e : errors)
    msg += "  " + e + "\n";
  msg += "--- IR ---\n" + printModule(m);
  throw InternalError(msg);
}

} // namespace diffc::ir
