// Per-op type rules of the verifier, following the conventions at the top of Ops.def.
#include "ir/DimBounds.h"
#include "ir/VerifierImpl.h"

#include <optional>

namespace diffc::ir {

namespace {

std::string num(size_t n) { return std::to_string(n); }

bool isNumeric(ElemType e) { return e != ElemType::Bool; }

/// Ops whose operands or results may be tapes; every other op works on tensors and scalars.
bool takesTapes(OpKind k) {
  switch (k) {
  case OpKind::Call:
  case OpKind::If:
  case OpKind::For:
  case OpKind::While:
  case OpKind::Yield:
  case OpKind::Return:
  case OpKind::TapeNew:
  case OpKind::TapePush:
  case OpKind::TapePop:
    return true;
  default:
    return false;
  }
}

size_t expectedRegions(OpKind k) {
  switch (k) {
  case OpKind::If:
  case OpKind::While:
    return 2;
  case OpKind::For:
  case OpKind::Map:
    return 1;
  default:
    return 0;
  }
}

/// Result count, or nullopt when it varies (call, if, for, while).
std::optional<size_t> expectedResults(OpKind k) {
  switch (k) {
  case OpKind::Call:
  case OpKind::If:
  case OpKind::For:
  case OpKind::While:
    return std::nullopt;
  case OpKind::Yield:
  case OpKind::Return:
    return 0;
  case OpKind::TapePop:
    return 2;
  default:
    return 1;
  }
}

class OpRules {
public:
  OpRules(VerifyContext &cx, const Op &op) : cx_(cx), op_(op) {}

  void run() {
    if (!generalShape())
      return;
    switch (opClass(op_.kind)) {
    case OpClass::Unary:
      return unary();
    case OpClass::Binary:
      return binary();
    case OpClass::Compare:
      return compare();
    case OpClass::Other:
      return other();
    }
  }

private:
  // ---- Helpers ---------------------------------------------------------------------------------

  void fail(const std::string &msg) {
    cx_.fail(op_, msg);
    ok_ = false;
  }
  std::string str(const Type &t) const { return cx_.str(t); }
  std::string str(const Dim &d) const { return cx_.str(d); }
  const Type &in(size_t i) const { return op_.operands[i]->type; }
  const Type &out(size_t i = 0) const { return op_.results[i]->type; }

  bool operandCount(size_t n) {
    if (op_.operands.size() == n)
      return true;
    fail("expected " + num(n) + " operand(s), got " + num(op_.operands.size()));
    return false;
  }
  bool operandCountAtLeast(size_t n) {
    if (op_.operands.size() >= n)
      return true;
    fail("expected at least " + num(n) + " operand(s), got " + num(op_.operands.size()));
    return false;
  }

  /// Counts, null pointers and tapes, common to every op. False when the op is too broken for
  /// the per-kind rules.
  bool generalShape() {
    for (const Value *v : op_.operands)
      if (!v)
        return false; // reported by the structural walk
    for (const Value *v : op_.results)
      if (!v)
        return false;
    if (op_.regions.size() != expectedRegions(op_.kind)) {
      fail("expected " + num(expectedRegions(op_.kind)) + " region(s), got " +
           num(op_.regions.size()));
      return false;
    }
    for (const auto &r : op_.regions)
      if (!r)
        return false;
    if (auto n = expectedResults(op_.kind); n && op_.results.size() != *n) {
      fail("expected " + num(*n) + " result(s), got " + num(op_.results.size()));
      return false;
    }
    if (!takesTapes(op_.kind)) {
      for (size_t i = 0; i < op_.operands.size(); ++i)
        if (in(i).isTape)
          fail("operand " + num(i) + " is a tape (" + str(in(i)) + ")");
      for (size_t i = 0; i < op_.results.size(); ++i)
        if (out(i).isTape)
          fail("result " + num(i) + " is a tape (" + str(out(i)) + ")");
    }
    return ok_;
  }

  /// Elementwise operand rule: the result's type, or a scalar of its element type.
  void elementwiseOperand(size_t i, const Type &want) {
    const Type &t = in(i);
    if (t != want && !(t.isScalar() && t.elem == want.elem))
      fail("operand " + num(i) + " has type " + str(t) + ", expected " + str(want) +
           (want.isScalar() ? "" : std::string(" or ") + elemTypeName(want.elem)));
  }

  void sameType(const Type &got, const Type &want, const std::string &what) {
    if (got != want)
      fail(what + " has type " + str(got) + ", expected " + str(want));
  }

  void elemIs(bool okElem, ElemType e, const char *what) {
    if (!okElem)
      fail(std::string("element type ") + elemTypeName(e) + " is not " + what);
  }

  void scalarOf(const Type &t, ElemType e, const std::string &what) {
    if (!t.isScalar() || t.elem != e)
      fail(what + " has type " + str(t) + ", expected " + elemTypeName(e));
  }

  /// The types yielded by region r, compared with `want`.
  void yields(size_t r, const std::vector<Type> &want, const std::string &regionName) {
    const Op *term = op_.regions[r]->terminator();
    if (!term || term->kind != OpKind::Yield)
      return; // reported by the structural walk
    if (term->operands.size() != want.size()) {
      fail(regionName + " yields " + num(term->operands.size()) + " value(s), expected " +
           num(want.size()));
      return;
    }
    for (size_t i = 0; i < want.size(); ++i)
      if (term->operands[i] && term->operands[i]->type != want[i])
        fail(regionName + " yields " + str(term->operands[i]->type) + " as value " + num(i) +
             ", expected " + str(want[i]));
  }

  void regionArgs(size_t r, const std::vector<Type> &want, const std::string &regionName) {
    const auto &args = op_.regions[r]->args;
    if (args.size() != want.size()) {
      fail(regionName + " has " + num(args.size()) + " argument(s), expected " + num(want.size()));
      return;
    }
    for (size_t i = 0; i < want.size(); ++i)
      if (args[i] && args[i]->type != want[i])
        fail(regionName + " argument " + num(i) + " has type " + str(args[i]->type) +
             ", expected " + str(want[i]));
  }

  std::string list(const std::vector<Type> &ts) const {
    std::string s;
    for (size_t i = 0; i < ts.size(); ++i)
      s += (i ? ", " : "") + str(ts[i]);
    return s;
  }
  std::vector<Type> resultTypes() const {
    std::vector<Type> ts;
    for (const Value *v : op_.results)
      ts.push_back(v->type);
    return ts;
  }
  std::vector<Type> operandTypes(size_t from) const {
    std::vector<Type> ts;
    for (size_t i = from; i < op_.operands.size(); ++i)
      ts.push_back(op_.operands[i]->type);
    return ts;
  }

  // ---- Elementwise -----------------------------------------------------------------------------

  void unary() {
    if (!operandCount(1))
      return;
    sameType(out(), in(0), "result");
    ElemType e = in(0).elem;
    switch (op_.kind) {
    case OpKind::Not:
      return elemIs(e == ElemType::Bool, e, "bool");
    case OpKind::Neg:
    case OpKind::Abs:
    case OpKind::Sign:
      return elemIs(isNumeric(e), e, "numeric");
    default:
      return elemIs(isFloat(e), e, "a float");
    }
  }

  void binary() {
    if (!operandCount(2))
      return;
    elementwiseOperand(0, out());
    elementwiseOperand(1, out());
    if (!out().isScalar() && in(0) != out() && in(1) != out())
      fail("no operand has the result type " + str(out()));
    ElemType e = out().elem;
    switch (op_.kind) {
    case OpKind::And:
    case OpKind::Or:
      return elemIs(e == ElemType::Bool, e, "bool");
    case OpKind::Pow:
    case OpKind::Atan2:
    case OpKind::Hypot:
      return elemIs(isFloat(e), e, "a float");
    default:
      return elemIs(isNumeric(e), e, "numeric");
    }
  }

  void compare() {
    if (!operandCount(2))
      return;
    if (out().elem != ElemType::Bool)
      fail("result has type " + str(out()) + ", expected bool elements");
    if (in(0).elem != in(1).elem)
      fail("operands have different element types (" + str(in(0)) + ", " + str(in(1)) + ")");
    for (size_t i = 0; i < 2; ++i)
      if (!in(i).isScalar() && in(i).shape != out().shape)
        fail("operand " + num(i) + " has type " + str(in(i)) + ", expected shape of " + str(out()) +
             " or a scalar");
    if (!out().isScalar() && in(0).isScalar() && in(1).isScalar())
      fail("both operands are scalars but the result has type " + str(out()));
    bool ordering = op_.kind != OpKind::Eq && op_.kind != OpKind::Ne;
    if (ordering)
      elemIs(isNumeric(in(0).elem), in(0).elem, "ordered");
  }

  // ---- Everything else -------------------------------------------------------------------------

  void other() {
    switch (op_.kind) {
    case OpKind::Const:
      return constant();
    case OpKind::DimValue:
      if (operandCount(0))
        scalarOf(out(), ElemType::I64, "result");
      if (op_.dims.size() != 1)
        fail("expected 1 dim attribute, got " + num(op_.dims.size()));
      return;
    case OpKind::Fill:
      if (operandCount(1)) {
        scalarOf(in(0), out().elem, "operand 0");
      }
      return;
    case OpKind::Eye:
      if (operandCount(0) && (out().rank() != 2 || out().shape[0] != out().shape[1]))
        fail("result has type " + str(out()) + ", expected a square matrix");
      return;
    case OpKind::Select:
      return select();
    case OpKind::Cast:
      if (operandCount(1) && in(0).shape != out().shape)
        fail("cast changes the shape from " + str(in(0)) + " to " + str(out()));
      return;
    case OpKind::StopGradient:
      if (operandCount(1))
        sameType(out(), in(0), "result");
      return;
    case OpKind::Broadcast:
      if (operandCount(1))
        broadcastable(in(0), out(), "operand " + str(in(0)) + " cannot broadcast to " + str(out()));
      return;
    case OpKind::SumTo:
      if (operandCount(1))
        broadcastable(out(), in(0),
                      "result " + str(out()) + " does not broadcast to operand " + str(in(0)));
      return;
    case OpKind::Reshape:
      return reshape();
    case OpKind::Transpose:
      return transpose();
    case OpKind::Concat:
      return concat();
    case OpKind::Pack:
      return pack();
    case OpKind::Diag:
      if (!operandCount(1))
        return;
      if (in(0).rank() != 1)
        return fail("operand has type " + str(in(0)) + ", expected a vector");
      sameType(out(), Type(in(0).elem, {in(0).shape[0], in(0).shape[0]}), "result");
      return;
    case OpKind::Sum:
    case OpKind::Prod:
    case OpKind::ReduceMax:
    case OpKind::ReduceMin:
    case OpKind::Logsumexp:
    case OpKind::Norm:
      return reduction();
    case OpKind::Argmax:
      if (!operandCount(1))
        return;
      if (in(0).rank() < 1)
        fail("operand has type " + str(in(0)) + ", expected a tensor");
      elemIs(isNumeric(in(0).elem), in(0).elem, "numeric");
      scalarOf(out(), ElemType::I64, "result");
      return;
    case OpKind::MatMul:
      return matmul();
    case OpKind::Outer:
      if (!operandCount(2))
        return;
      if (in(0).rank() != 1 || in(1).rank() != 1 || in(0).elem != in(1).elem)
        return fail("operands " + str(in(0)) + ", " + str(in(1)) +
                    " are not vectors of one element type");
      sameType(out(), Type(in(0).elem, {in(0).shape[0], in(1).shape[0]}), "result");
      return;
    case OpKind::Softmax:
    case OpKind::LogSoftmax:
      if (!operandCount(1))
        return;
      if (in(0).rank() < 1)
        fail("operand has type " + str(in(0)) + ", expected a tensor");
      elemIs(isFloat(in(0).elem), in(0).elem, "a float");
      sameType(out(), in(0), "result");
      return;
    case OpKind::Index:
      if (operandCountAtLeast(1))
        if (auto t = indexedType(1))
          sameType(out(), *t, "result");
      return;
    case OpKind::Update:
    case OpKind::UpdateAdd:
      if (!operandCountAtLeast(2))
        return;
      sameType(out(), in(0), "result");
      if (auto t = indexedType(2))
        sameType(in(1), *t, "the new value (operand 1)");
      return;
    case OpKind::Call:
      return call();
    case OpKind::If:
      return ifOp();
    case OpKind::For:
      return forOp();
    case OpKind::While:
      return whileOp();
    case OpKind::Map:
      return map();
    case OpKind::Yield:
      return; // checked against its parent op
    case OpKind::Return:
      return ret();
    case OpKind::TapeNew:
      if (operandCount(0) && !out().isTape)
        fail("result has type " + str(out()) + ", expected a tape");
      return;
    case OpKind::TapePush:
      if (!operandCount(2))
        return;
      if (!in(0).isTape)
        return fail("operand 0 has type " + str(in(0)) + ", expected a tape");
      sameType(in(1), in(0).entry(), "the pushed value");
      sameType(out(), in(0), "result");
      return;
    case OpKind::TapePop:
      if (!operandCount(1))
        return;
      if (!in(0).isTape)
        return fail("operand 0 has type " + str(in(0)) + ", expected a tape");
      sameType(out(0), in(0), "result 0");
      sameType(out(1), in(0).entry(), "result 1");
      return;
    default:
      fail("has no verifier rule");
    }
  }

  void constant() {
    if (!operandCount(0))
      return;
    if (!out().isScalar())
      return fail("result has type " + str(out()) + ", expected a scalar");
    if (out().elem == ElemType::Bool && op_.ival != 0 && op_.ival != 1)
      fail("bool constant has value " + std::to_string(op_.ival));
  }

  void select() {
    if (!operandCount(3))
      return;
    const Type &c = in(0);
    if (c.elem != ElemType::Bool || (!c.isScalar() && c.shape != out().shape))
      fail("condition has type " + str(c) + ", expected bool of the result's shape or a scalar");
    elementwiseOperand(1, out());
    elementwiseOperand(2, out());
  }

  /// `from` broadcasts to `to`: dims aligned right, each equal to the target's or 1.
  void broadcastable(const Type &from, const Type &to, const std::string &msg) {
    bool good = from.elem == to.elem && from.rank() <= to.rank();
    for (size_t i = 0; good && i < from.rank(); ++i) {
      const Dim &f = from.shape[from.rank() - 1 - i];
      const Dim &t = to.shape[to.rank() - 1 - i];
      good = f == t || f == Dim::constant(1);
    }
    if (!good)
      fail(msg);
  }

  static std::optional<Dim> count(const Shape &s) {
    std::optional<Dim> n = Dim::constant(1);
    for (const Dim &d : s)
      if (n)
        n = checkedMul(*n, d);
    return n;
  }

  void reshape() {
    if (!operandCount(1))
      return;
    if (in(0).elem != out().elem)
      fail("element type changes from " + str(in(0)) + " to " + str(out()));
    std::optional<Dim> a = count(in(0).shape), b = count(out().shape);
    if (!a || !b)
      return fail("element counts are too large to compare");
    if (*a != *b)
      fail("element counts differ: " + str(*a) + " in " + str(in(0)) + ", " + str(*b) + " in " +
           str(out()));
  }

  void transpose() {
    if (!operandCount(1))
      return;
    if (in(0).rank() != 2)
      return fail("operand has type " + str(in(0)) + ", expected a matrix");
    sameType(out(), Type(in(0).elem, {in(0).shape[1], in(0).shape[0]}), "result");
  }

  void concat() {
    if (!operandCountAtLeast(1))
      return;
    if (out().rank() < 1)
      return fail("result has type " + str(out()) + ", expected a tensor");
    Dim first;
    for (size_t i = 0; i < op_.operands.size(); ++i) {
      const Type &t = in(i);
      bool good = t.elem == out().elem && t.rank() == out().rank();
      for (size_t a = 1; good && a < t.rank(); ++a)
        good = t.shape[a] == out().shape[a];
      if (!good)
        return fail("operand " + num(i) + " has type " + str(t) + ", which cannot be part of " +
                    str(out()));
      std::optional<Dim> sum = checkedAdd(first, t.shape[0]);
      if (!sum)
        return fail("first dims are too large to add");
      first = *sum;
    }
    if (first != out().shape[0])
      fail("first dims add up to " + str(first) + ", but the result has " + str(out().shape[0]));
  }

  void pack() {
    if (!operandCountAtLeast(1))
      return;
    for (size_t i = 1; i < op_.operands.size(); ++i)
      sameType(in(i), in(0), "operand " + num(i));
    Shape s{Dim::constant(static_cast<int64_t>(op_.operands.size()))};
    s.insert(s.end(), in(0).shape.begin(), in(0).shape.end());
    sameType(out(), Type(in(0).elem, s), "result");
  }

  void reduction() {
    if (!operandCount(1))
      return;
    ElemType e = in(0).elem;
    bool floatOnly = op_.kind == OpKind::Logsumexp || op_.kind == OpKind::Norm;
    elemIs(floatOnly ? isFloat(e) : isNumeric(e), e, floatOnly ? "a float" : "numeric");
    sameType(out(), Type(e), "result");
  }

  void matmul() {
    if (!operandCount(2))
      return;
    const Type &a = in(0), &b = in(1);
    if (a.elem != b.elem || !isNumeric(a.elem) || a.rank() < 1 || a.rank() > 2 || b.rank() < 1 ||
        b.rank() > 2)
      return fail("operands " + str(a) + ", " + str(b) +
                  " are not vectors or matrices of one numeric element type");
    const Dim &ka = a.shape.back(), &kb = b.shape[0];
    if (ka != kb)
      return fail("inner dims differ: " + str(a) + " times " + str(b));
    Shape s;
    if (a.rank() == 2)
      s.push_back(a.shape[0]);
    if (b.rank() == 2)
      s.push_back(b.shape[1]);
    sameType(out(), Type(a.elem, s), "result");
  }

  /// The type of x[indices] where the index operands start at `first`; nullopt after a failure.
  std::optional<Type> indexedType(size_t first) {
    const Type &x = in(0);
    if (op_.ints.size() != x.rank()) {
      fail(num(op_.ints.size()) + " index mode(s) for " + str(x) + " of rank " + num(x.rank()));
      return std::nullopt;
    }
    size_t next = first, nextDim = 0;
    Shape s;
    for (size_t a = 0; a < op_.ints.size(); ++a) {
      int64_t mode = op_.ints[a];
      if (mode == kFull) {
        s.push_back(x.shape[a]);
        continue;
      }
      if (mode != kPoint && mode != kSlice) {
        fail("index mode " + std::to_string(mode) + " on axis " + num(a) + " is not 0, 1 or 2");
        return std::nullopt;
      }
      if (next >= op_.operands.size()) {
        fail("missing the index operand for axis " + num(a));
        return std::nullopt;
      }
      scalarOf(in(next), ElemType::I64, "index operand " + num(next));
      ++next;
      if (mode == kSlice) {
        if (nextDim >= op_.dims.size()) {
          fail("missing the slice length for axis " + num(a));
          return std::nullopt;
        }
        s.push_back(op_.dims[nextDim++]);
      }
    }
    if (next != op_.operands.size())
      fail(num(op_.operands.size() - next) + " index operand(s) more than the modes use");
    if (nextDim != op_.dims.size())
      fail(num(op_.dims.size() - nextDim) + " slice length(s) more than the slices use");
    return Type(x.elem, s);
  }

  void call() {
    const Function *callee = cx_.module.lookup(op_.callee);
    if (!callee)
      return fail("callee @" + op_.callee + " does not exist");
    if (op_.dims.size() != callee->sizeParams.size())
      return fail("@" + op_.callee + " has " + num(callee->sizeParams.size()) +
                  " size parameter(s), the call gives " + num(op_.dims.size()));
    // The callee's type with its size parameters replaced by the call's dims.
    auto subst = [&](const Type &t, const std::string &what) -> std::optional<Type> {
      Shape s;
      for (const Dim &d : t.shape) {
        std::optional<Dim> r = checkedSubstitute(d, op_.dims);
        if (!r) {
          fail("the dims of " + what + " are too large to compare");
          return std::nullopt;
        }
        s.push_back(std::move(*r));
      }
      return Type(t.elem, s, t.isTape);
    };
    if (!callee->body)
      return; // reported when the callee is verified
    const auto &params = callee->params();
    if (op_.operands.size() != params.size())
      return fail("@" + op_.callee + " takes " + num(params.size()) + " argument(s), got " +
                  num(op_.operands.size()));
    for (size_t i = 0; i < params.size(); ++i) {
      std::string what = "argument " + num(i);
      if (params[i])
        if (auto want = subst(params[i]->type, what))
          sameType(in(i), *want, what);
    }
    if (op_.results.size() != callee->resultTypes.size())
      return fail("@" + op_.callee + " returns " + num(callee->resultTypes.size()) +
                  " value(s), the call has " + num(op_.results.size()) + " result(s)");
    for (size_t i = 0; i < op_.results.size(); ++i) {
      std::string what = "result " + num(i);
      if (auto want = subst(callee->resultTypes[i], what))
        sameType(out(i), *want, what);
    }
  }

  void ifOp() {
    if (!operandCount(1))
      return;
    scalarOf(in(0), ElemType::Bool, "condition");
    regionArgs(0, {}, "then region");
    regionArgs(1, {}, "else region");
    yields(0, resultTypes(), "then region");
    yields(1, resultTypes(), "else region");
  }

  void forOp() {
    if (!operandCountAtLeast(2))
      return;
    scalarOf(in(0), ElemType::I64, "lower bound");
    scalarOf(in(1), ElemType::I64, "upper bound");
    std::vector<Type> carried = operandTypes(2);
    if (carried != resultTypes())
      return fail("carried values (" + list(carried) + ") and results (" + list(resultTypes()) +
                  ") differ in type");
    std::vector<Type> args{Type::i64()};
    args.insert(args.end(), carried.begin(), carried.end());
    regionArgs(0, args, "body");
    yields(0, carried, "body");
  }

  void whileOp() {
    std::vector<Type> carried = operandTypes(0);
    if (carried != resultTypes())
      return fail("carried values (" + list(carried) + ") and results (" + list(resultTypes()) +
                  ") differ in type");
    regionArgs(0, carried, "condition region");
    yields(0, {Type::boolean()}, "condition region");
    regionArgs(1, carried, "body");
    yields(1, carried, "body");
  }

  void map() {
    if (!operandCount(0))
      return;
    if (op_.dims.empty())
      return fail("map has no extents");
    regionArgs(0, std::vector<Type>(op_.dims.size(), Type::i64()), "body");
    const Op *term = op_.regions[0]->terminator();
    if (!term || term->kind != OpKind::Yield)
      return;
    if (term->operands.size() != 1 || !term->operands[0])
      return fail("body yields " + num(term->operands.size()) + " value(s), expected 1");
    const Type &e = term->operands[0]->type;
    if (e.isTape)
      return fail("body yields a tape");
    Shape s = op_.dims;
    s.insert(s.end(), e.shape.begin(), e.shape.end());
    sameType(out(), Type(e.elem, s), "result");
  }

  void ret() {
    const auto &want = cx_.fn.resultTypes;
    if (op_.operands.size() != want.size())
      return fail("returns " + num(op_.operands.size()) + " value(s), the function has " +
                  num(want.size()) + " result(s)");
    for (size_t i = 0; i < want.size(); ++i)
      sameType(in(i), want[i], "value " + num(i));
  }

  VerifyContext &cx_;
  const Op &op_;
  bool ok_ = true;
};

} // namespace

void verifyOpTypes(VerifyContext &cx, const Op &op) { OpRules(cx, op).run(); }

} // namespace diffc::ir
