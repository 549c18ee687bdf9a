// Interpreter internals shared by the op evaluator (EvalOp.cpp) and the block / control-flow
// driver (Interpreter.cpp): the per-call context, function activations, value accessors, and
// error helpers.
//
// Calls recurse on the C++ stack, so the functions on that path keep their frames small: every
// error message is formatted in a cold out-of-line helper, never in the frame of the caller.
#pragma once

#include "interp/LastUse.h"
#include "interp/RtValue.h"
#include "ir/IR.h"
#include "support/Diagnostics.h"

#include <fmt/format.h>
#include <unordered_map>

namespace diffc::interp::detail {

using Values = std::vector<RtValue>;

/// A broken IR invariant (a compiler bug), formatted out of line.
template <typename... A>
[[noreturn, gnu::cold, gnu::noinline]] void internalf(fmt::format_string<A...> s, A &&...a) {
  throw InternalError("interpreter: " + fmt::format(s, std::forward<A>(a)...));
}
/// A fault of the program, formatted out of line; becomes a RuntimeError at the op.
template <typename... A>
[[noreturn, gnu::cold, gnu::noinline]] void failf(fmt::format_string<A...> s, A &&...a) {
  throw OpFailure(fmt::format(s, std::forward<A>(a)...));
}

/// State shared by all frames of one top-level call.
struct Context {
  const ir::Module &module;
  std::unordered_map<const ir::Function *, LastUseInfo> infos;
  unsigned depth = 0;
  /// Calls are refused when the stack pointer is below this (null: not known).
  const char *stackLimit = nullptr;
  /// InterpreterOptions::checkNonFinite.
  bool checkNonFinite = false;

  const LastUseInfo &infoFor(const ir::Function &fn) {
    auto it = infos.find(&fn);
    if (it == infos.end())
      it = infos.emplace(&fn, analyzeLastUses(fn)).first;
    return it->second;
  }
};

/// One activation of a function: its sizes and a slot per IR value.
struct Frame {
  Context &ctx;
  const ir::Function &fn;
  const LastUseInfo &info;
  std::vector<int64_t> sizes;
  Values slots;
};

const Tensor &tensorOf(const RtValue &v);
int64_t intOf(const RtValue &v);
bool boolOf(const RtValue &v);
/// A size expression's value for the frame's sizes (OpFailure on overflow).
int64_t evalDim(const Frame &f, const ir::Dim &d);
/// The concrete shape of a value of type t (OpFailure for a negative extent).
std::vector<int64_t> concreteShape(const Frame &f, const ir::Type &t);
/// Whether a runtime value has IR type t in frame f.
bool hasType(const Frame &f, const ir::Type &t, const RtValue &v);
/// The InternalError for a value that does not have its IR type; `what` and `index` say which
/// (`result 0 of 'add'` when op is given).
[[noreturn, gnu::cold, gnu::noinline]] void typeMismatch(const Frame &f, const ir::Type &t,
                                                         const RtValue &v, const char *what,
                                                         size_t index, const ir::Op *op = nullptr);
/// `name` or `#i` for an unnamed parameter.
std::string paramName(const ir::Function &fn, size_t i);

/// Evaluates an op without regions (everything but if / for / while / map / call) on its
/// operands; returns its results.
Values evalPure(Frame &f, const ir::Op &op, Values &ins);

} // namespace diffc::interp::detail
