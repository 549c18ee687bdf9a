// Evaluation of the ops without regions, following the conventions of ir/Ops.def.
#include "interp/Elementwise.h"
#include "interp/Frame.h"
#include "interp/Indexing.h"
#include "interp/NonFiniteCheck.h"
#include "interp/TensorOps.h"
#include "ir/NonFinite.h"

namespace diffc::interp::detail {

using ir::ElemType;
using ir::OpKind;

uint64_t &sharedTargetCopies() {
  thread_local uint64_t count = 0;
  return count;
}

namespace {

Values tensorResult(Tensor t) { return {RtValue::of(std::move(t))}; }

std::vector<const Tensor *> tensorsOf(const Values &vs, size_t from = 0) {
  std::vector<const Tensor *> out;
  for (size_t i = from; i < vs.size(); ++i)
    out.push_back(&tensorOf(vs[i]));
  return out;
}

/// The tensor of v, copied first unless v holds the only reference (then it is updated in place).
Tensor &mutableTensor(RtValue &v) {
  tensorOf(v);
  if (v.tensor.use_count() != 1) {
    v.tensor = RtValue::of(Tensor(*v.tensor)).tensor;
    ++sharedTargetCopies();
  }
  return *v.tensor;
}

Tape &mutableTape(RtValue &v) {
  if (!v.tape)
    internalf("expected a tape value, got a tensor");
  if (v.tape.use_count() != 1) {
    v.tape = std::make_shared<Tape>(*v.tape);
    ++sharedTargetCopies();
  }
  return *v.tape;
}

/// Per-axis ranges of an index / update op; its index operands start at firstIndex.
std::vector<AxisRange> rangesFor(const Frame &f, const ir::Op &op, const Values &ins,
                                 size_t firstIndex) {
  std::vector<int64_t> lens;
  for (const ir::Dim &d : op.dims)
    lens.push_back(evalDim(f, d));
  return resolveIndex(op.ints, tensorOf(ins[0]).shape, tensorsOf(ins, firstIndex), lens);
}

Tensor constant(const ir::Op &op, ElemType e) {
  switch (e) {
  case ElemType::F64:
  case ElemType::F32:
    return Tensor::scalar(roundToElem(e, op.fval), e);
  case ElemType::I64:
    return Tensor::scalar(intResult(op.ival), e);
  case ElemType::Bool:
    return Tensor::scalar(op.ival != 0 ? 1 : 0, e);
  }
  internalf("bad constant type");
}

} // namespace

Values evalPure(Frame &f, const ir::Op &op, Values &ins) {
  if (op.results.size() != (op.kind == OpKind::TapePop ? 2u : 1u))
    internalf("'{}' with {} results", ir::opMnemonic(op.kind), op.results.size());
  const ir::Type &rt = op.result(0)->type;
  ElemType e = rt.elem;
  auto shape = [&] { return concreteShape(f, rt); };
  auto arity = [&](size_t n) {
    if (ins.size() != n)
      internalf("'{}' takes {} operands, got {}", ir::opMnemonic(op.kind), n, ins.size());
  };
  auto x = [&]() -> const Tensor & {
    if (ins.empty())
      internalf("'{}' without operands", ir::opMnemonic(op.kind));
    return tensorOf(ins[0]);
  };
  switch (op.kind) {
  case OpKind::Const:
    return tensorResult(constant(op, e));
  case OpKind::DimValue:
    if (op.dims.size() != 1)
      internalf("'dim' with {} dims", op.dims.size());
    return tensorResult(Tensor::scalar(intResult(evalDim(f, op.dims[0])), ElemType::I64));
  case OpKind::Fill:
    arity(1);
    return tensorResult(fill(x(), e, shape()));
  case OpKind::Eye:
    return tensorResult(eye(e, shape()));
  case OpKind::Select:
    arity(3);
    return tensorResult(select(x(), tensorOf(ins[1]), tensorOf(ins[2]), e, shape()));
  case OpKind::Cast:
    arity(1);
    return tensorResult(cast(x(), e));
  case OpKind::StopGradient:
    arity(1);
    return {std::move(ins[0])};
  case OpKind::Broadcast:
    arity(1);
    return tensorResult(broadcastTo(x(), shape()));
  case OpKind::SumTo:
    arity(1);
    return tensorResult(sumTo(x(), shape()));
  case OpKind::Reshape:
    arity(1);
    return tensorResult(reshape(x(), shape()));
  case OpKind::Transpose:
    arity(1);
    return tensorResult(transpose(x()));
  case OpKind::Concat:
    return tensorResult(concat(tensorsOf(ins), e, shape()));
  case OpKind::Pack:
    return tensorResult(pack(tensorsOf(ins), e, shape()));
  case OpKind::Diag:
    arity(1);
    return tensorResult(diag(x()));
  case OpKind::Sum:
  case OpKind::Prod:
  case OpKind::ReduceMax:
  case OpKind::ReduceMin:
  case OpKind::Logsumexp:
  case OpKind::Norm:
    arity(1);
    return tensorResult(reduce(op.kind, x()));
  case OpKind::Argmax:
    arity(1);
    return tensorResult(argmax(x()));
  case OpKind::MatMul:
    arity(2);
    return tensorResult(matmul(x(), tensorOf(ins[1])));
  case OpKind::Outer:
    arity(2);
    return tensorResult(outer(x(), tensorOf(ins[1])));
  case OpKind::Softmax:
  case OpKind::LogSoftmax:
    arity(1);
    return tensorResult(softmax(op.kind, x()));
  case OpKind::Index:
    return tensorResult(readIndexed(x(), rangesFor(f, op, ins, 1)));
  case OpKind::Update:
  case OpKind::UpdateAdd: {
    if (ins.size() < 2)
      internalf("'{}' without a value operand", ir::opMnemonic(op.kind));
    auto ranges = rangesFor(f, op, ins, 2);
    Tensor &x = mutableTensor(ins[0]);
    std::function<void(size_t, double, double)> added;
    if (f.ctx.checkNonFinite && ir::checkedWhileUpdating(op))
      added = [&](size_t flat, double old, double val) {
        if (!std::isfinite(x.data[flat]))
          reportNonFinite(f, op, static_cast<int64_t>(flat), x.data[flat], old, val);
      };
    writeIndexed(x, ranges, tensorOf(ins[1]), op.kind == OpKind::UpdateAdd, added);
    return {std::move(ins[0])};
  }
  case OpKind::TapeNew:
    return {RtValue{nullptr, std::make_shared<Tape>()}};
  case OpKind::TapePush: {
    arity(2);
    if (!hasType(f, rt.entry(), ins[1]))
      typeMismatch(f, rt.entry(), ins[1], "operand", 1);
    mutableTape(ins[0]).push(ins[1].tensor);
    return {std::move(ins[0])};
  }
  case OpKind::TapePop: {
    arity(1);
    Tape &t = mutableTape(ins[0]);
    if (t.entries.empty())
      internalf("'tape.pop' of an empty tape in '{}' (the reverse sweep pops more than the "
                "forward sweep pushed)",
                f.fn.name);
    RtValue v{std::move(t.entries.back()), nullptr};
    t.entries.pop_back();
    return {std::move(ins[0]), std::move(v)};
  }
  default:
    if (!ir::isElementwise(op.kind))
      internalf("op '{}' cannot be evaluated here", ir::opMnemonic(op.kind));
    return tensorResult(elementwise(op, e, shape(), tensorsOf(ins)));
  }
}

} // namespace diffc::interp::detail
