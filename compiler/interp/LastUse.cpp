#include "interp/LastUse.h"

#include <functional>
#include <unordered_set>

namespace diffc::interp::detail {

namespace {

using ValueSet = std::unordered_set<const ir::Value *>;

class Analysis {
public:
  explicit Analysis(const ir::Function &fn) { info_.used.assign(fn.numValues(), false); }

  LastUseInfo run(const ir::Function &fn) {
    recordDefs(*fn.body);
    analyzeBlock(*fn.body, [](const ir::Value *) { return false; });
    return std::move(info_);
  }

private:
  void recordDefs(const ir::Block &b) {
    for (const ir::Value *v : b.args)
      defBlock_[v] = &b;
    for (const auto &op : b.ops) {
      for (const ir::Value *v : op->results)
        defBlock_[v] = &b;
      for (const ir::Value *v : op->operands)
        if (v->id < info_.used.size())
          info_.used[v->id] = true;
      for (const auto &r : op->regions)
        recordDefs(*r);
    }
  }

  /// Every value read anywhere inside op's regions.
  const ValueSet &regionUses(const ir::Op &op) {
    auto it = regionUses_.find(&op);
    if (it != regionUses_.end())
      return it->second;
    ValueSet s;
    for (const auto &r : op.regions)
      for (const auto &inner : r->ops) {
        s.insert(inner->operands.begin(), inner->operands.end());
        const ValueSet &deeper = regionUses(*inner);
        s.insert(deeper.begin(), deeper.end());
      }
    return regionUses_[&op] = std::move(s);
  }

  bool definedIn(const ir::Value *v, const ir::Block &b) const {
    auto it = defBlock_.find(v);
    return it != defBlock_.end() && it->second == &b;
  }

  /// outerMovable(v): may this block move v, defined outside it, at its last use here?
  void analyzeBlock(const ir::Block &b, const std::function<bool(const ir::Value *)> &outerMovable) {
    ValueSet laterUsed; // values read by the ops after the current one (regions included)
    for (size_t k = b.ops.size(); k-- > 0;) {
      const ir::Op &op = *b.ops[k];
      const ValueSet &inRegions = regionUses(op);
      auto movableHere = [&](const ir::Value *v) {
        return !laterUsed.count(v) && (definedIn(v, b) || outerMovable(v));
      };
      std::vector<bool> take(op.operands.size(), false);
      ValueSet readLater; // operands after index j of this op
      for (size_t j = op.operands.size(); j-- > 0;) {
        const ir::Value *v = op.operands[j];
        take[j] = !readLater.count(v) && !inRegions.count(v) && movableHere(v);
        readLater.insert(v);
      }
      info_.take.emplace(&op, std::move(take));
      for (const auto &r : op.regions) {
        if (op.kind == ir::OpKind::If)
          analyzeBlock(*r, [&](const ir::Value *v) { return !readLater.count(v) && movableHere(v); });
        else
          analyzeBlock(*r, [](const ir::Value *) { return false; });
      }
      laterUsed.insert(op.operands.begin(), op.operands.end());
      laterUsed.insert(inRegions.begin(), inRegions.end());
    }
  }

  LastUseInfo info_;
  std::unordered_map<const ir::Value *, const ir::Block *> defBlock_;
  std::unordered_map<const ir::Op *, ValueSet> regionUses_;
};

} // namespace

LastUseInfo analyzeLastUses(const ir::Function &fn) { return Analysis(fn).run(fn); }

} // namespace diffc::interp::detail
