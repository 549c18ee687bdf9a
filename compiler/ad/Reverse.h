// Reverse mode, internal structure. The transformation runs twice over the same prepared
// function: a dry run that only records which primal values the reverse sweep reads (`needed`),
// then the real run, which knows up front what each loop and branch must store on tapes.
//
// Scopes follow the primal blocks. A root scope (the function body, or a map body whose reverse
// recomputes it element by element) holds the forward sweep's values and then runs the reverse
// sweep of that block in the same place. A forward scope is the copy of a loop body or branch in
// the forward sweep; after each needed value is defined there it is pushed onto its own tape. A
// reverse scope is the reverse of such a block: it starts by popping (or recomputing) the values
// of its block the reverse code needs, then runs the block's ops backwards. Every tape is created
// at its root and threaded as an extra carried value through each loop and branch around it,
// forwards then backwards, so pops meet pushes in LIFO order.
//
// Files: Reverse.cpp (scopes, adjoints, straight-line ops, calls, the driver), ReverseSweep.cpp
// (the forward sweep and its tapes), ReverseControl.cpp (if, for, while), ReverseMap.cpp (map),
// ReverseTape.cpp (the adjoints of tape ops, for reverse over reverse), ReverseInduction.cpp
// (loop-carried integers run backwards instead of stored).
#pragma once

#include "ad/Activity.h"
#include "ad/Emit.h"
#include "ad/Util.h"

#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace diffc::ad::rev {

struct Scope {
  enum class Kind { Root, Forward, Reverse };
  Kind kind;
  Scope *parent = nullptr;
  const ir::Block *block = nullptr;                        // the primal block this scope stands for
  std::unordered_map<const ir::Value *, ir::Value *> vals; // primal -> new value
  std::unordered_map<const ir::Value *, ir::Value *> adj;  // primal -> its adjoint
  std::unordered_map<const ir::Value *, ir::Value *> tape; // taped primal -> current tape
};

using ValueSet = std::unordered_set<const ir::Value *>;

/// A loop-carried i64 whose update the reverse sweep can undo (see ReverseInduction.cpp): from
/// the value the body yields back to the block argument, each step either adds or subtracts an
/// amount that does not depend on the chain, or is a nested loop that carries the chain through
/// an induction of its own.
struct Induction {
  struct Step {
    const ir::Value *after = nullptr, *before = nullptr;
    const ir::Value *amount = nullptr; // after = before + amount (add), before - amount (!add)
    bool add = true;
    const ir::Op *loop = nullptr; // or after is this nested loop's result `slot`, before its init
    size_t slot = 0;
  };
  const ir::Value *arg = nullptr, *yielded = nullptr;
  std::vector<Step> steps; // from the yielded value back to the block argument
};
using SlotKey = std::pair<const ir::Op *, size_t>;

class Reverse {
public:
  /// needed: null for the dry run (which records into needed()), else the dry run's record.
  Reverse(ir::Module &m, const ir::Function &src, ir::Function &dst, const Activity &act,
          const ValueSet *needed);

  /// Emits the whole adjoint program into dst's body (params already added): the forward
  /// sweep, the seeds (one per float result of src; null seeds are zero), the reverse sweep and
  /// the return of src's results followed by the adjoints of the parameters `wrt`.
  void run(const std::vector<ir::Value *> &seeds, const std::vector<unsigned> &wrt);

  const ValueSet &needed() const { return recorded_; }

  // ---- Reverse.cpp: values and adjoints
  ir::Value *lookup(Scope &s, const ir::Value *v);
  Lookup lookupIn(Scope &s);
  ir::Value *findAdj(Scope &s, const ir::Value *v);
  void setAdj(Scope &s, const ir::Value *v, ir::Value *a, bool masked);
  void accumulate(Scope &s, const ir::Value *v, ir::Value *contrib, bool masked);
  void accumulateIndexed(Scope &s, const ir::Value *v, ir::Value *dv, const IndexSpec &spec,
                         bool masked);
  bool isMasked(const ir::Value *adjoint) const { return masked_.count(adjoint) != 0; }
  /// v, or a zero of type t. The zero adjoint of a tape is an empty tape (see ReverseTape.cpp).
  ir::Value *orZeros(ir::Value *v, const ir::Type &t);

  void reverseOps(const ir::Block &blk, Scope &s);
  void reverseOp(const ir::Op &op, Scope &s);
  void reverseCall(const ir::Op &op, Scope &s, const std::vector<ir::Value *> &dys);

  // ---- ReverseTape.cpp: reverse over code that itself stores tapes (a gradient of a gradient)
  /// Gives every active tape result of op without an adjoint an empty adjoint tape, so that op is
  /// reversed and the adjoint tapes stay as long as the tapes they belong to. True when any did.
  bool seedTapeAdjoints(const ir::Op &op, std::vector<ir::Value *> &dys);
  /// tape.push reverses into a pop of the adjoint tape, tape.pop into a push, tape.new to nothing.
  void reverseTape(const ir::Op &op, Scope &s, const std::vector<ir::Value *> &dys);

  // ---- ReverseSweep.cpp: forward sweep, tapes, values at the start of a reverse block
  void forwardOps(const ir::Block &blk, Scope &s);
  void forwardOp(const ir::Op &op, Scope &s);
  void forwardLoop(const ir::Op &op, Scope &s);
  void forwardIf(const ir::Op &op, Scope &s);
  /// Where the tapes of values defined in b are created: the function body or a map body (both
  /// recomputed as a whole in reverse). A recompute loop's tapes come from there too, threaded
  /// through the loops around it, so that its segments reuse one tape's storage.
  const void *rootKey(const ir::Block *b) const;
  /// tape.new for every taped value whose root key is `key`, at the insertion point.
  void createTapes(const void *key, Scope &s);
  void pushIfTaped(const ir::Value *v, Scope &s);
  ir::Value *curTape(Scope &s, const ir::Value *v);
  /// The type of v's tape (of its packed map when v is packed).
  ir::Type tapeType(const ir::Value *v) const;
  /// The taped values defined inside op whose tapes op threads (those of op's root), in a fixed
  /// order.
  const std::vector<const ir::Value *> &tapesIn(const ir::Op &op);
  /// Pops / recomputes the needed values of s.block at the start of a reverse scope. The for
  /// loop index (if needed) must already be in s.vals.
  void materialize(Scope &s);
  bool isRootBlock(const ir::Block *b) const;
  /// Whether the reverse sweep recomputes v where it needs it instead of storing it: loop
  /// indices, constants, i64 index arithmetic, and scalar reads and cheap scalar arithmetic whose
  /// operands it has for free (see operandsFree).
  bool recomputable(const ir::Value *v) const;
  /// Whether v, needed and not recomputable, is recomputed anyway from operands the reverse
  /// sweep needs for other reasons: a few scalar flops in place of a tape (the projectile's speed
  /// norm(v) from the velocity v it stores).
  bool cheapFromNeeded(const ir::Value *v) const;
  /// Whether the reverse of block blk has o without storing it: kept at a root, needed anyway,
  /// or recomputable there from such values.
  bool availableAt(const ir::Value *o, const ir::Block *blk) const;
  /// Clones v's op into reverse scope s (after any operand of s's block it recomputes too).
  ir::Value *recompute(Scope &s, const ir::Value *v);
  /// Whether operands [from, to) of op are free for the reverse sweep: defined in a root block
  /// (kept there) or recomputable themselves.
  bool operandsFree(const ir::Op &op, size_t from, size_t to = SIZE_MAX) const;
  bool taped(const ir::Value *v) const { return taped_.count(v) != 0; }
  bool needed(const ir::Value *v) const { return needed_ && needed_->count(v) != 0; }

  // ---- ReverseInduction.cpp: loop-carried integers run backwards instead of stored
  /// Finds the inductions of every loop of src (the same in both runs).
  void findInductions();
  /// After the dry run: which inductions the reverse sweep carries, and the values they provide.
  void chooseInductions();
  /// The induction of slot k of loop op that the reverse loop carries, or null.
  const Induction *carriedInduction(const ir::Op &op, size_t k) const;
  /// Whether op is a nested step of an induction: its reverse must run (to give the value the
  /// chain had before it) even when no adjoint flows through it.
  bool inductionStep(const ir::Op &op) const { return stepLoops_.count(&op) != 0; }
  bool inductionProvided(const ir::Value *v) const { return inductionVals_.count(v) != 0; }
  /// Sets the chain's values in reverse scope s from its yielded value `after` back to its block
  /// argument, or to the first nested loop (continued by inductionLoopDone once that loop's
  /// reverse has given its initial value).
  void runInduction(Scope &s, const Induction &ind, ir::Value *after);
  void inductionLoopDone(Scope &s, const ir::Op &loop, size_t slot, ir::Value *init);
  /// Dry run: records what carrying ind needs in s (the amounts); true if it is carried.
  bool recordInduction(Scope &s, const ir::Op &op, size_t k);

  // ---- ReverseControl.cpp
  void reverseIf(const ir::Op &op, Scope &s, const std::vector<ir::Value *> &dys);
  /// for and while (a while runs backwards as a for over its counted iterations).
  void reverseLoop(const ir::Op &op, Scope &s, const std::vector<ir::Value *> &dys);
  /// A recompute loop: runs its forward sweep again (with its own tapes) from the values it
  /// starts from, then reverses it.
  void reverseRecompute(const ir::Op &op, Scope &s, const std::vector<ir::Value *> &dys);
  /// Active values used inside op's regions (the cond region of a while excluded) and defined
  /// outside op: their adjoints are carried through op's reverse.
  const std::vector<const ir::Value *> &activeFree(const ir::Op &op);

  // ---- ReverseMap.cpp
  void reverseMap(const ir::Op &op, Scope &s, const std::vector<ir::Value *> &dys);
  /// After the dry run: the stored maps whose elements are packed with a vector their body
  /// computes by a loop nest (see ReverseMap.cpp).
  void choosePacked();
  /// The forward sweep of a packed map: the map of [element, vector]; s.vals gets the elements.
  void forwardPackedMap(const ir::Op &op, Scope &s);
  /// The part of packed value p at the map's indices idx (or all of them when idx is empty):
  /// the element, or the vector of length *vecLen.
  ir::Value *packedPart(ir::Value *p, const std::vector<ir::Value *> &idx, const ir::Dim *vecLen);

  ir::Module &m_;
  const ir::Function &src_;
  ir::Function &dst_;
  ir::Builder b_;
  Emitter e_;
  const Activity &act_;
  const ValueSet *needed_; // null in the dry run
  bool dry() const { return needed_ == nullptr; }
  ValueSet recorded_;
  ValueSet taped_;
  ValueSet fromNeeded_;                                             // see cheapFromNeeded
  std::unordered_map<const ir::Value *, ir::Value *> placeholders_; // dry run only
  ValueSet masked_;
  /// Whether code being emitted belongs to a reverse sweep (for the notes on kept values).
  bool inReverse_ = false;
  /// The recompute loop whose forward sweep is being emitted again, if any.
  const ir::Op *recomputing_ = nullptr;
  ValueSet keptAtRoot_;
  mutable std::unordered_map<const ir::Value *, bool> freeOperand_; // operandsFree's memo
  mutable std::unordered_map<const ir::Value *, bool> availableAt_; // availableAt's memo
  std::map<const ir::Op *, std::vector<const ir::Value *>> tapesIn_, free_;
  std::map<SlotKey, Induction> inductions_;
  std::set<SlotKey> stepSlots_, carried_; // nested steps of inductions; carried inductions
  std::unordered_set<const ir::Op *> stepLoops_;
  ValueSet inductionVals_; // values of carried inductions (never stored)
  /// A nested loop of an induction whose reverse gives the chain's next value: the chain, its
  /// step, the scope it runs in.
  std::map<const ir::Op *, std::tuple<const Induction *, size_t, Scope *>> pendingStep_;
  void walkInduction(Scope &s, const Induction &ind, size_t from);
  ir::Value *inductionAmount(Scope &s, const ir::Value *c);
  /// A stored map result whose tape holds each element followed by a vector of its body (a loop
  /// nest's result, which the reverse of the map reads instead of running the nest again).
  struct Packed {
    const ir::Value *vec = nullptr;
    ir::Type type; // of the whole packed map
  };
  std::unordered_map<const ir::Value *, Packed> packed_;
  /// The packed value last pushed (forward sweep) or popped (reverse sweep) per map result.
  std::unordered_map<const ir::Value *, ir::Value *> packedNow_;
  /// Needed values per block, in definition order (arguments first).
  std::unordered_map<const ir::Block *, std::vector<const ir::Value *>> neededIn_;
};

} // namespace diffc::ad::rev
