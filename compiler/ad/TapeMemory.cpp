#include "ad/TapeMemory.h"

#include "ad/Emit.h"

#include <optional>

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

/// Bytes pushed by one run of a block: known as a formula, or not (a while loop inside).
struct Bytes {
  Dim total;
  bool known = true;
  bool atMost = false; // branches of an `if` push different amounts: the sum bounds it
  bool any = false;    // the block pushes at all
  bool pops = false;   // the block pops: it belongs to a reverse sweep, whose loops get no note
};

class Annotator {
public:
  explicit Annotator(const Function &fn) : fn_(fn) {}

  Bytes block(Block &b) {
    Bytes out;
    for (auto &op : b.ops)
      add(out, this->op(*op));
    return out;
  }

private:
  static void add(Bytes &to, const Bytes &b) {
    to.total = to.total + b.total;
    to.known = to.known && b.known;
    to.atMost = to.atMost || b.atMost;
    to.any = to.any || b.any;
    to.pops = to.pops || b.pops;
  }

  std::string str(const Dim &d) const { return d.str(fn_.sizeParams); }

  /// `e*(n)`, with the parentheses only where the factor is a sum.
  std::string product(const Dim &e, const Dim &n) const {
    if (e == Dim::constant(1))
      return str(n);
    auto paren = [&](const Dim &d) { return d.terms().size() > 1 ? "(" + str(d) + ")" : str(d); };
    if (n.isConstant() || (e.terms().size() == 1 && n.terms().size() == 1))
      return str(e * n);
    return paren(e) + "*" + paren(n);
  }

  Bytes op(Op &o) {
    switch (o.kind) {
    case OpKind::TapePush: {
      Bytes b;
      b.total = Emitter::count(o.operands[1]->type.shape) *
                Dim::constant(o.operands[1]->type.elem == ElemType::F32    ? 4
                              : o.operands[1]->type.elem == ElemType::Bool ? 1
                                                                           : 8);
      b.any = true;
      return b;
    }
    case OpKind::TapePop: {
      Bytes b;
      b.pops = true;
      return b;
    }
    case OpKind::If: {
      Bytes a = block(*o.regions[0]), c = block(*o.regions[1]);
      if (a.total == c.total) {
        a.known = a.known && c.known;
        a.any = a.any || c.any;
        a.pops = a.pops || c.pops;
        return a;
      }
      add(a, c);
      a.atMost = true;
      return a;
    }
    case OpKind::For:
    case OpKind::While:
      return loop(o);
    default:
      return {}; // map bodies hold tapes of their own, released with each element
    }
  }

  Bytes loop(Op &o) {
    bool isFor = o.kind == OpKind::For;
    Bytes body = block(*o.regions[isFor ? 0 : 1]);
    // A loop of a reverse sweep pops; the loops inside it that push (a recomputed @checkpoint
    // segment) have notes of their own.
    if (!body.any || body.pops)
      return body;
    std::optional<Dim> trips;
    if (isFor) {
      auto lo = asDim(o.operands[0]), hi = asDim(o.operands[1]);
      if (lo && hi)
        trips = *hi - *lo;
    }
    std::string bound = body.atMost ? "at most " : "";
    Bytes out = body;
    if (!body.known) {
      o.note = "tape: grows with the trip counts of the loops inside";
    } else if (trips) {
      o.note = "tape: " + bound + product(body.total, *trips) + " bytes";
      out.total = body.total * *trips;
    } else {
      o.note = "tape: " + bound + str(body.total) + " bytes per iteration";
      out.known = false;
    }
    return out;
  }

  const Function &fn_;
};

} // namespace

void noteTapeMemory(Function &fn) { Annotator(fn).block(*fn.body); }

} // namespace diffc::ad
