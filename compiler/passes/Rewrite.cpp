#include "passes/Rewrite.h"

namespace diffc::passes {

using namespace ir;

Value *resolve(const Replacements &repl, Value *v) {
  // Chains are short; a cycle would be a bug of the caller, so bound the walk by the map's size.
  size_t steps = 0;
  for (auto it = repl.find(v); it != repl.end() && steps <= repl.size(); it = repl.find(v)) {
    v = it->second;
    ++steps;
  }
  return v;
}

bool replaceUses(Function &fn, const Replacements &repl) {
  if (repl.empty())
    return false;
  bool changed = false;
  walk(*fn.body, [&](Op &op) {
    for (Value *&v : op.operands) {
      Value *r = resolve(repl, v);
      changed = changed || r != v;
      v = r;
    }
  });
  return changed;
}

void replaceAllUses(Function &fn, Value *from, Value *to) {
  if (from == to)
    return;
  replaceUses(fn, {{from, to}});
  moveName(from, to);
}

void moveName(const Value *from, Value *to) {
  if (to->name.empty() && !from->name.empty())
    to->name = from->name;
}

} // namespace diffc::passes
