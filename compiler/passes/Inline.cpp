#include "passes/Inline.h"

#include "passes/Clone.h"
#include "passes/Rewrite.h"
#include "support/Diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace diffc::passes {

using namespace ir;

namespace {

class Inliner {
public:
  Inliner(Module &m, Function &fn, bool all) : m_(m), fn_(fn), all_(all) {}

  /// Checks the limits before changing anything, so that a failure leaves fn as it was.
  void run() {
    std::unordered_map<const Function *, size_t> sizes;
    std::vector<const Function *> stack;
    if (expandedSize(fn_, sizes, stack, 0) > kMaxInlinedOps)
      throw InlineLimitError(fmt::format("inlining every call into '{}' would copy more than {} "
                                         "operations",
                                         fn_.name, kMaxInlinedOps));
    block(*fn_.body, 0);
  }

private:
  /// v after every replacement made so far (a call result may stand for another call's result).
  Value *resolve(Value *v) const { return passes::resolve(repl_, v); }

  /// Ops in fn once the calls the inliner would inline are inlined (saturating just above the
  /// limit); throws on recursion. Each function is counted once (memoised in sizes).
  size_t expandedSize(const Function &fn, std::unordered_map<const Function *, size_t> &sizes,
                      std::vector<const Function *> &stack, unsigned level) const {
    if (auto it = sizes.find(&fn); it != sizes.end())
      return it->second;
    for (const Function *f : stack)
      if (f == &fn)
        throw InternalError(
            fmt::format("inline: @{} is recursive (through @{})", fn.name, stack.back()->name));
    // Checked here, before recursing further, so that a very long chain of calls cannot exhaust
    // the C++ stack.
    if (level > kMaxInlineDepth)
      throw InlineLimitError(fmt::format("calls from '{}' nest deeper than {} (through '{}')",
                                         fn_.name, kMaxInlineDepth, fn.name));
    stack.push_back(&fn);
    size_t total = 0;
    walk(*fn.body, [&](const Op &op) {
      ++total;
      if (op.kind != OpKind::Call || (!all_ && level > 0))
        return;
      const Function *callee = m_.lookup(op.callee);
      if (!callee)
        throw InternalError(
            fmt::format("inline: @{} calls unknown function @{}", fn.name, op.callee));
      if (callee->vjpRule.empty())
        total += expandedSize(*callee, sizes, stack, level + 1);
      total = std::min(total, kMaxInlinedOps + 1);
    });
    stack.pop_back();
    sizes.emplace(&fn, total);
    return total;
  }

  Function *calleeToInline(const Op &op) const {
    if (op.kind != OpKind::Call)
      return nullptr;
    Function *callee = m_.lookup(op.callee);
    if (!callee)
      throw InternalError(
          fmt::format("inline: @{} calls unknown function @{}", fn_.name, op.callee));
    if (!callee->vjpRule.empty())
      return nullptr; // keeps its custom derivative
    if (callee == &fn_)
      throw InternalError(fmt::format("inline: @{} calls itself", fn_.name));
    return callee;
  }

  /// Rebuilds b's op list, replacing calls by callee bodies. depth counts the inlined calls
  /// enclosing b.
  void block(Block &b, unsigned depth) {
    std::vector<std::unique_ptr<Op>> old = std::move(b.ops);
    b.ops.clear();
    for (auto &op : old) {
      for (Value *&v : op->operands)
        v = resolve(v);
      Function *callee = calleeToInline(*op);
      if (!callee) {
        for (auto &r : op->regions)
          block(*r, depth);
        b.ops.push_back(std::move(op));
        continue;
      }
      if (depth >= kMaxInlineDepth)
        throw InlineLimitError(fmt::format("calls from '{}' nest deeper than {} (through '{}')",
                                           fn_.name, kMaxInlineDepth, callee->name));
      expand(*op, *callee, b, depth);
    }
  }

  /// Appends the body of callee, specialised for the call op, to b.
  void expand(const Op &call, const Function &callee, Block &b, unsigned depth) {
    if (call.dims.size() != callee.sizeParams.size())
      throw InternalError(fmt::format("inline: call of @{} in @{} gives {} dims for {} size "
                                      "parameters",
                                      callee.name, fn_.name, call.dims.size(),
                                      callee.sizeParams.size()));
    if (call.operands.size() != callee.params().size())
      throw InternalError(fmt::format("inline: call of @{} in @{} passes {} arguments for {} "
                                      "parameters",
                                      callee.name, fn_.name, call.operands.size(),
                                      callee.params().size()));
    const Op *ret = callee.body->terminator();
    if (!ret || ret->kind != OpKind::Return || ret->operands.size() != call.results.size())
      throw InternalError(
          fmt::format("inline: @{} does not return {} values", callee.name, call.results.size()));

    uint32_t firstNew = fn_.numValues();
    ValueMap map;
    for (size_t i = 0; i < call.operands.size(); ++i)
      map[callee.params()[i]] = call.operands[i];
    CloneOptions opts;
    opts.dimSubst = &call.dims;
    Block tmp;
    tmp.function = &fn_;
    tmp.parentOp = b.parentOp;
    cloneOpsInto(*callee.body, tmp, map, opts);
    if (all_)
      block(tmp, depth + 1);

    for (size_t i = 0; i < call.results.size(); ++i) {
      Value *r = resolve(mapValue(map, ret->operands[i]));
      Value *old = call.results[i];
      // The caller's name for the result reads better in the caller than the callee's name,
      // but a value of the caller (an argument returned as it is) keeps its own.
      if (!old->name.empty() && r->id >= firstNew)
        r->name = old->name;
      repl_[old] = r;
    }
    for (auto &op : tmp.ops) {
      op->parent = &b;
      b.ops.push_back(std::move(op));
    }
  }

  Module &m_;
  Function &fn_;
  bool all_;
  Replacements repl_;
};

} // namespace

void inlineCalls(Module &m, Function &fn, bool all) { Inliner(m, fn, all).run(); }

} // namespace diffc::passes
