// Activity analysis: which values of a function vary with the inputs being differentiated. Only
// active values get tangents (forward mode) or adjoints (reverse mode), so derivative code is
// emitted only where a derivative can be nonzero.
#pragma once

#include "ir/IR.h"

#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace diffc::ad {

/// Float values, and tapes whose entries are floats: the types a derivative can flow through.
bool differentiable(const ir::Type &t);

class Activity {
public:
  /// Values depending on `seeds` through differentiable ops, found by a fixpoint over the whole
  /// function (loop-carried values and tapes settle after a few rounds). A tape is active when
  /// anything active is pushed onto it or onto a tape it was derived from.
  Activity(const ir::Function &fn, const std::vector<const ir::Value *> &seeds);

  bool active(const ir::Value *v) const;

private:
  const ir::Value *tapeClass(const ir::Value *v) const;
  void unite(const ir::Value *a, const ir::Value *b);
  bool mark(const ir::Value *v);
  bool step(const ir::Op &op);

  std::unordered_set<const ir::Value *> active_;
  mutable std::unordered_map<const ir::Value *, const ir::Value *> parent_; // tape union-find
  std::unordered_set<const ir::Value *> activeTapes_;                       // class roots
};

} // namespace diffc::ad
