// A loop's tape: the bytes it pushes onto tapes it does not also pop. Tapes are followed as
// families (passes::detail::tapeFamilies: one family is one stack at run time), so that a loop of a
// reverse sweep that pops the forward sweep's tapes while filling tapes of its own (the forward
// sweep of a gradient of a gradient) is charged for the latter only, and a loop that recomputes
// and reverses a @checkpoint segment, emptying the tapes it filled, for nothing. Loops inside a map
// body (an in-language grad per element) are noted per element.
#include "ad/TapeMemory.h"

#include "ad/Emit.h"
#include "passes/DeadCodeImpl.h"

#include <map>
#include <optional>
#include <set>

namespace diffc::ad {

using namespace ir;

namespace {

/// The i64 value v as a size formula, when it is built from constants, `dim` and + - *.
std::optional<Dim> asDim(const Value *v) {
  const Op *d = v->def;
  if (!d || v->type != Type::i64())
    return std::nullopt;
  switch (d->kind) {
  case OpKind::Const:
    return Dim::constant(d->ival);
  case OpKind::DimValue:
    return d->dims.size() == 1 ? std::optional<Dim>(d->dims[0]) : std::nullopt;
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul: {
    auto a = asDim(d->operands[0]), b = asDim(d->operands[1]);
    if (!a || !b)
      return std::nullopt;
    return d->kind == OpKind::Add ? *a + *b : d->kind == OpKind::Sub ? *a - *b : *a * *b;
  }
  default:
    return std::nullopt;
  }
}

/// What one run of a block pushes onto each tape family, and which families it pops.
struct Bytes {
  struct Amount {
    Dim bytes;
    bool known = true; // false: a loop inside has no size formula for its trip count
  };
  std::map<uint32_t, Amount> pushed;
  std::set<uint32_t> popped;
  bool atMost = false; // branches of an `if` push different amounts: their sum bounds it
};

class Annotator {
public:
  explicit Annotator(const Function &fn) : fn_(fn), family_(passes::detail::tapeFamilies(fn)) {}

  Bytes block(Block &b) {
    Bytes out;
    for (auto &op : b.ops)
      add(out, this->op(*op));
    return out;
  }

private:
  static void add(Bytes &to, const Bytes &b) {
    for (const auto &[f, a] : b.pushed) {
      auto [it, fresh] = to.pushed.try_emplace(f, a);
      if (!fresh) {
        it->second.bytes = it->second.bytes + a.bytes;
        it->second.known = it->second.known && a.known;
      }
    }
    to.popped.insert(b.popped.begin(), b.popped.end());
    to.atMost = to.atMost || b.atMost;
  }

  std::string str(const Dim &d) const { return d.str(fn_.sizeParams); }

  /// `e*(n)`, with the parentheses only where a factor is a sum.
  std::string product(const Dim &e, const Dim &n) const {
    if (e == Dim::constant(1))
      return str(n);
    auto paren = [&](const Dim &d) { return d.terms().size() > 1 ? "(" + str(d) + ")" : str(d); };
    if (n.isConstant() || (e.terms().size() == 1 && n.terms().size() == 1))
      return str(e * n);
    return paren(e) + "*" + paren(n);
  }

  static int64_t elemBytes(ElemType e) {
    return e == ElemType::F32 ? 4 : e == ElemType::Bool ? 1 : 8;
  }

  Bytes op(Op &o) {
    Bytes b;
    switch (o.kind) {
    case OpKind::TapePush: {
      const Type &t = o.operands[1]->type;
      // Pushes AD made in this run have their note; those of an inner grad inlined into this
      // function (inside a map body, say) lost it with the clone.
      if (o.note.empty())
        o.note = "stored for reverse: " + byteSize(t, fn_) + " bytes per entry";
      b.pushed[family_[o.results[0]->id]].bytes =
          Emitter::count(t.shape) * Dim::constant(elemBytes(t.elem));
      return b;
    }
    case OpKind::TapePop:
      b.popped.insert(family_[o.results[0]->id]);
      return b;
    case OpKind::If: {
      Bytes a = block(*o.regions[0]), c = block(*o.regions[1]);
      bool same = a.pushed.size() == c.pushed.size();
      for (const auto &[f, x] : a.pushed)
        same = same && c.pushed.count(f) && c.pushed[f].bytes == x.bytes;
      add(a, c);
      if (same) // both branches push the same: one branch's amounts, not their sum
        for (auto &[f, x] : a.pushed)
          x.bytes = c.pushed[f].bytes;
      else
        a.atMost = true;
      return a;
    }
    case OpKind::For:
    case OpKind::While:
      return loop(o);
    case OpKind::Map:
      // A map body holds tapes of its own (an inner grad's), filled and emptied per element:
      // nothing is left on a tape outside, but the loops inside get their notes per element.
      block(*o.regions[0]);
      return b;
    default:
      return b;
    }
  }

  Bytes loop(Op &o) {
    bool isFor = o.kind == OpKind::For;
    Bytes body = block(loopBody(o));
    std::optional<Dim> trips;
    if (isFor) {
      auto lo = asDim(o.operands[0]), hi = asDim(o.operands[1]);
      if (lo && hi)
        trips = *hi - *lo;
    }
    // The tapes this loop fills: pushed and not popped again inside it.
    Dim perIter;
    bool fills = false, known = true;
    for (const auto &[f, a] : body.pushed)
      if (!body.popped.count(f)) {
        fills = true;
        perIter = perIter + a.bytes;
        known = known && a.known;
      }
    std::string bound = body.atMost ? "at most " : "";
    if (fills && !known)
      o.note = "tape: grows with the trip counts of the loops inside";
    else if (fills && trips)
      o.note = "tape: " + bound + product(perIter, *trips) + " bytes";
    else if (fills)
      o.note = "tape: " + bound + str(perIter) + " bytes per iteration";
    Bytes out = body;
    for (auto &[f, a] : out.pushed) {
      if (trips)
        a.bytes = a.bytes * *trips;
      a.known = a.known && trips.has_value();
    }
    return out;
  }

  const Function &fn_;
  std::vector<uint32_t> family_;
};

} // namespace

void noteTapeMemory(Function &fn) { Annotator(fn).block(*fn.body); }

} // namespace diffc::ad
