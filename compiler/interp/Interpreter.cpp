// The interpreter's driver: blocks, control flow, calls, and the public entry point. Ops without
// regions are evaluated in EvalOp.cpp.
#include "interp/Interpreter.h"

#include "interp/Elementwise.h"
#include "interp/Frame.h"
#include "interp/NonFiniteCheck.h"
#include "ir/NonFinite.h"
#include "ir/SizeInference.h"

#include <cmath>
#include <fmt/ranges.h>
#include <pthread.h>

namespace diffc::interp {

using namespace detail;
using ir::ElemType;
using ir::OpKind;

namespace {

/// Stack kept free below the deepest call: room for the op evaluations, kernels, error formatting
/// and exception unwinding that happen inside the innermost function.
constexpr size_t kStackReserve = 256 * 1024;

/// The lowest address calls may reach on this thread's stack (the stack grows down), or null
/// when it cannot be determined.
const char *stackLimitOfThisThread() {
#ifdef __linux__
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return nullptr;
  void *addr = nullptr;
  size_t size = 0;
  int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || !addr)
    return nullptr;
  return static_cast<const char *>(addr) + kStackReserve;
#else
  return nullptr;
#endif
}

void bind(Frame &f, const ir::Value &v, RtValue val) {
  if (v.id >= f.slots.size())
    internalf("value %{} does not belong to '{}'", v.id, f.fn.name);
  if (f.info.used[v.id])
    f.slots[v.id] = std::move(val);
}

Values readOperands(Frame &f, const ir::Op &op) {
  Values ins(op.operands.size());
  for (size_t j = 0; j < op.operands.size(); ++j) {
    const ir::Value *v = op.operands[j];
    if (v->id >= f.slots.size() || !f.slots[v->id].defined())
      internalf("'{}' in '{}' reads value %{} before its definition or after its last use",
                ir::opMnemonic(op.kind), f.fn.name, v->id);
    RtValue &slot = f.slots[v->id];
    if (f.info.mayTake(op, j))
      ins[j] = std::move(slot);
    else
      ins[j] = slot;
  }
  return ins;
}

Values runFunction(Context &ctx, const ir::Function &fn, std::vector<int64_t> sizes, Values args);
Values runBlock(Frame &f, const ir::Block &b, Values args);

Values runIf(Frame &f, const ir::Op &op, Values &ins) {
  if (ins.size() != 1 || op.regions.empty() || op.regions.size() > 2)
    internalf("'if' needs one condition and one or two regions");
  bool c = boolOf(ins[0]);
  ins.clear();
  if (!c && op.regions.size() < 2) {
    if (!op.results.empty())
      internalf("'if' with results but no else region");
    return {};
  }
  return runBlock(f, *op.region(c ? 0 : 1), {});
}

Values runFor(Frame &f, const ir::Op &op, Values &ins) {
  if (ins.size() < 2 || op.regions.size() != 1)
    internalf("'for' needs lo, hi and one region");
  int64_t lo = intOf(ins[0]), hi = intOf(ins[1]);
  Values carried(std::make_move_iterator(ins.begin() + 2), std::make_move_iterator(ins.end()));
  ins.clear();
  for (int64_t i = lo; i < hi; ++i) {
    Values args;
    args.reserve(carried.size() + 1);
    args.push_back(RtValue::of(Tensor::scalar(static_cast<double>(i), ElemType::I64)));
    for (RtValue &v : carried)
      args.push_back(std::move(v));
    carried = runBlock(f, *op.region(0), std::move(args));
  }
  return carried;
}

Values runWhile(Frame &f, const ir::Op &op, Values &ins) {
  if (op.regions.size() != 2)
    internalf("'while' needs a cond and a body region");
  Values carried = std::move(ins);
  for (;;) {
    // The cond region gets shared references; they are released when it ends, so the body
    // receives the carried values uniquely owned again.
    Values c = runBlock(f, *op.region(0), carried);
    if (c.size() != 1)
      internalf("'while' cond region yields {} values", c.size());
    if (!boolOf(c[0]))
      break;
    carried = runBlock(f, *op.region(1), std::move(carried));
  }
  return carried;
}

Values runMap(Frame &f, const ir::Op &op, const Values &ins) {
  if (!ins.empty() || op.regions.size() != 1 || op.results.size() != 1 ||
      op.region(0)->args.size() != op.dims.size())
    internalf("'map' needs no operands, one region with an index per extent, one result");
  const ir::Type &rt = op.result(0)->type;
  std::vector<int64_t> shape = concreteShape(f, rt);
  size_t nExt = op.dims.size();
  std::vector<int64_t> extents;
  for (const ir::Dim &d : op.dims)
    extents.push_back(evalDim(f, d));
  if (shape.size() < nExt || !std::equal(extents.begin(), extents.end(), shape.begin()))
    internalf("'map' extents [{}] differ from its result shape [{}]", fmt::join(extents, ", "),
              fmt::join(shape, ", "));
  std::vector<int64_t> elemShape(shape.begin() + static_cast<ptrdiff_t>(nExt), shape.end());
  size_t elemSize = numElements(elemShape);
  Tensor out = Tensor::zeros(rt.elem, shape);
  size_t count = numElements(extents);
  std::vector<int64_t> idx(nExt, 0);
  for (size_t k = 0; k < count; ++k) {
    Values args;
    for (int64_t i : idx)
      args.push_back(RtValue::of(Tensor::scalar(static_cast<double>(i), ElemType::I64)));
    Values r = runBlock(f, *op.region(0), std::move(args));
    if (r.size() != 1)
      internalf("'map' region yields {} values", r.size());
    const Tensor &el = tensorOf(r[0]);
    if (el.elem != rt.elem || el.shape != elemShape)
      internalf("'map' element is {} [{}], expected {} [{}]", ir::elemTypeName(el.elem),
                fmt::join(el.shape, ", "), ir::elemTypeName(rt.elem), fmt::join(elemShape, ", "));
    std::copy(el.data.begin(), el.data.end(),
              out.data.begin() + static_cast<ptrdiff_t>(k * elemSize));
    for (size_t a = nExt; a-- > 0;) {
      if (++idx[a] < extents[a])
        break;
      idx[a] = 0;
    }
  }
  return {RtValue::of(std::move(out))};
}

/// Whether argument v fits the callee's parameter i for the callee's sizes.
bool argumentFits(const ir::Function &callee, const std::vector<int64_t> &sizes, size_t i,
                  const RtValue &v) {
  const ir::Type &t = callee.params()[i]->type;
  if (t.isTape)
    return v.tape != nullptr;
  if (!v.tensor)
    return false;
  auto want = ir::evalShape(t.shape, sizes);
  return want && *want == v.tensor->shape && v.tensor->elem == t.elem;
}

[[noreturn, gnu::cold, gnu::noinline]] void badArgument(const ir::Function &callee,
                                                        const std::vector<int64_t> &sizes, size_t i,
                                                        const RtValue &v) {
  const ir::Type &t = callee.params()[i]->type;
  if (t.isTape || !v.tensor)
    internalf("call to '{}': argument {} is a {}", callee.name, i, v.tape ? "tape" : "tensor");
  auto want = ir::evalShape(t.shape, sizes);
  failf("call to '{}': parameter '{}' expects {} = {}, got {} {}", callee.name,
        paramName(callee, i), t.str(callee.sizeParams),
        want ? ir::shapeStr(*want) : "an invalid shape", ir::elemTypeName(v.tensor->elem),
        ir::shapeStr(v.tensor->shape));
}

Values runCall(Frame &f, const ir::Op &op, Values &ins) {
  const ir::Function *callee = f.ctx.module.lookup(op.callee);
  if (!callee)
    internalf("call of unknown function '{}'", op.callee);
  if (op.dims.size() != callee->sizeParams.size() || ins.size() != callee->params().size())
    internalf("call of '{}' with {} sizes and {} arguments", callee->name, op.dims.size(),
              ins.size());
  std::vector<int64_t> sizes;
  for (size_t s = 0; s < op.dims.size(); ++s) {
    int64_t v = evalDim(f, op.dims[s]);
    if (v < 0)
      failf("call to '{}': size {} = {} evaluates to {}", callee->name, callee->sizeParams[s],
            op.dims[s].str(f.fn.sizeParams), v);
    sizes.push_back(v);
  }
  for (size_t i = 0; i < ins.size(); ++i)
    if (!argumentFits(*callee, sizes, i, ins[i]))
      badArgument(*callee, sizes, i, ins[i]);
  if (f.ctx.depth >= Interpreter::kMaxCallDepth)
    failf("call depth limit of {} exceeded calling '{}' (unbounded recursion?)",
          Interpreter::kMaxCallDepth, callee->name);
  if (f.ctx.stackLimit && static_cast<const char *>(__builtin_frame_address(0)) < f.ctx.stackLimit)
    failf("out of stack space at call depth {} calling '{}' (recursion too deep for this thread)",
          f.ctx.depth, callee->name);
  ++f.ctx.depth;
  struct DepthGuard {
    unsigned &d;
    ~DepthGuard() { --d; }
  } guard{f.ctx.depth};
  return runFunction(f.ctx, *callee, std::move(sizes), std::move(ins));
}

bool isControl(OpKind k) {
  return k == OpKind::If || k == OpKind::For || k == OpKind::While || k == OpKind::Map ||
         k == OpKind::Call;
}

[[gnu::noinline]] Values evalControl(Frame &f, const ir::Op &op, Values &ins) {
  switch (op.kind) {
  case OpKind::If:
    return runIf(f, op, ins);
  case OpKind::For:
    return runFor(f, op, ins);
  case OpKind::While:
    return runWhile(f, op, ins);
  case OpKind::Map:
    return runMap(f, op, ins);
  case OpKind::Call:
    return runCall(f, op, ins);
  default:
    internalf("'{}' is not a control op", ir::opMnemonic(op.kind));
  }
}

/// Rethrows the exception in flight, turning a fault found by a kernel into a RuntimeError at op.
[[noreturn, gnu::cold, gnu::noinline]] void rethrowAtOp(const Frame &f, const ir::Op &op) {
  try {
    throw;
  } catch (const OpFailure &e) {
    throw RuntimeError(e.what(), op.loc, f.fn.name);
  } catch (const std::length_error &) {
    throw RuntimeError(fmt::format("'{}': tensor too large", ir::opMnemonic(op.kind)), op.loc,
                       f.fn.name);
  } catch (const std::bad_alloc &) {
    throw RuntimeError(fmt::format("'{}': out of memory", ir::opMnemonic(op.kind)), op.loc,
                       f.fn.name);
  }
}

/// Under a memory cap, refuses an op whose new result would not fit before computing it, so that a
/// huge request fails without being allocated. Faults in the result's shape are left to the op.
void checkResultFits(const Frame &f, const ir::Op &op) {
  MemoryMeter *m = MemoryMeter::current();
  switch (op.kind) {
  case OpKind::If:
  case OpKind::For:
  case OpKind::While:
  case OpKind::Call:
  case OpKind::StopGradient:
  case OpKind::Update:
  case OpKind::UpdateAdd:
  case OpKind::TapeNew:
  case OpKind::TapePush:
  case OpKind::TapePop:
    return; // no new tensor, or one the op's callee / region makes and charges itself
  default:
    break;
  }
  if (!m || op.results.empty() || op.result(0)->type.isTape || op.result(0)->type.isScalar())
    return;
  size_t n = 0;
  try {
    n = numElements(concreteShape(f, op.result(0)->type));
  } catch (const std::exception &) {
    return;
  }
  ElemType e = op.result(0)->type.elem;
  m->check(elemBytes(e, n), arenaBytes(e, n));
}

void runOp(Frame &f, const ir::Op &op) {
  bool control = isControl(op.kind);
  if (ir::isTerminator(op.kind) || (!control && !op.regions.empty()))
    internalf("'{}' cannot appear here (a terminator mid-block, or regions on a plain op)",
              ir::opMnemonic(op.kind));
  Values ins = readOperands(f, op);
  Values outs;
  // Shared references keep the operands a report shows as they were (an op may not update them
  // in place then).
  bool checked =
      f.ctx.checkNonFinite && ir::mayProduceNonFinite(op) && !ir::checkedWhileUpdating(op);
  Values before = checked && ir::reportedOperands(op) ? ins : Values();
  try {
    checkResultFits(f, op);
    outs = control ? evalControl(f, op, ins) : evalPure(f, op, ins);
  } catch (...) {
    rethrowAtOp(f, op);
  }
  if (checked && !outs.empty())
    checkResultFinite(f, op, outs[0], before);
  if (outs.size() != op.results.size())
    internalf("'{}' produced {} values for {} results", ir::opMnemonic(op.kind), outs.size(),
              op.results.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    const ir::Value &r = *op.results[i];
    if (!hasType(f, r.type, outs[i]))
      typeMismatch(f, r.type, outs[i], "result", i, &op);
    bind(f, r, std::move(outs[i]));
  }
}

Values runBlock(Frame &f, const ir::Block &b, Values args) {
  if (args.size() != b.args.size())
    internalf("block of '{}' takes {} arguments, got {}", f.fn.name, b.args.size(), args.size());
  const ir::Op *term = b.terminator();
  if (!term || !ir::isTerminator(term->kind))
    internalf("a block of '{}' does not end in yield or return", f.fn.name);
  for (size_t i = 0; i < args.size(); ++i) {
    if (!hasType(f, b.args[i]->type, args[i]))
      typeMismatch(f, b.args[i]->type, args[i], "block argument", i);
    bind(f, *b.args[i], std::move(args[i]));
  }
  for (size_t k = 0; k + 1 < b.ops.size(); ++k)
    runOp(f, *b.ops[k]);
  Values results = readOperands(f, *term);
  // Release what this block defined: a region runs again, and references left in its slots would
  // make the next in-place update copy.
  for (const ir::Value *a : b.args)
    f.slots[a->id] = {};
  for (const auto &op : b.ops)
    for (const ir::Value *r : op->results)
      f.slots[r->id] = {};
  return results;
}

Values runFunction(Context &ctx, const ir::Function &fn, std::vector<int64_t> sizes, Values args) {
  Frame f{ctx, fn, ctx.infoFor(fn), std::move(sizes), Values(fn.numValues())};
  Values results = runBlock(f, *fn.body, std::move(args));
  if (results.size() != fn.resultTypes.size())
    internalf("'{}' returned {} values for {} result types", fn.name, results.size(),
              fn.resultTypes.size());
  for (size_t i = 0; i < results.size(); ++i)
    if (!hasType(f, fn.resultTypes[i], results[i]))
      typeMismatch(f, fn.resultTypes[i], results[i], "function result", i);
  return results;
}

/// Checks that an argument from outside is a well-formed value of its parameter's element type.
void checkArgument(const ir::Function &fn, size_t i, Tensor &a) {
  const ir::Type &t = fn.params()[i]->type;
  std::string name = paramName(fn, i);
  auto fail = [&](const std::string &msg) {
    throw RuntimeError(fmt::format("parameter '{}': {}", name, msg), fn.loc, fn.name);
  };
  if (t.isTape)
    fail("a tape cannot be passed from outside");
  if (a.elem != t.elem)
    fail(fmt::format("expects {} elements, got {}", ir::elemTypeName(t.elem),
                     ir::elemTypeName(a.elem)));
  size_t n = 0;
  try {
    n = numElements(a.shape);
  } catch (const std::length_error &) {
    fail(fmt::format("invalid shape {}", ir::shapeStr(a.shape)));
  }
  if (n != a.data.size())
    fail(fmt::format("shape {} needs {} values, got {}", ir::shapeStr(a.shape), n, a.data.size()));
  for (double &v : a.data) {
    if (t.elem == ElemType::F32)
      v = roundToElem(ElemType::F32, v);
    else if (t.elem == ElemType::I64 &&
             !(std::trunc(v) == v && std::fabs(v) <= static_cast<double>(kMaxExactInt)))
      fail(fmt::format("{} is not an i64 value (an integer with |v| <= 2^53)", v));
    else if (t.elem == ElemType::Bool && v != 0 && v != 1)
      fail(fmt::format("{} is not a bool value (0 or 1)", v));
    if (v == 0 && !ir::isFloat(t.elem))
      v = 0.0; // no -0.0 in integer data
  }
}

} // namespace

std::vector<Tensor> Interpreter::call(const ir::Function &fn, std::vector<Tensor> args) const {
  if (args.size() != fn.params().size())
    throw RuntimeError(fmt::format("function '{}' takes {} arguments, got {}", fn.name,
                                   fn.params().size(), args.size()),
                       fn.loc, fn.name);
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < args.size(); ++i) {
    checkArgument(fn, i, args[i]);
    shapes.push_back(args[i].shape);
  }
  ir::SizeBindingResult sizes = ir::inferSizes(fn, shapes);
  if (!sizes.ok())
    throw RuntimeError(sizes.error, fn.loc, fn.name);
  if (opts_.checkNonFinite)
    checkInputsFinite(fn, args);
  Values vals;
  for (Tensor &a : args)
    vals.push_back(RtValue::of(std::move(a)));
  Context ctx{module_, {}, 1, stackLimitOfThisThread(), opts_.checkNonFinite};
  // Declared before every value of the call, so that it outlives them (they release into it).
  MemoryMeter meter(opts_.maxMemory);
  MeterScope scope(opts_.maxMemory > 0 ? &meter : nullptr);
  Values res = runFunction(ctx, fn, std::move(sizes.sizes), std::move(vals));
  std::vector<Tensor> out;
  for (RtValue &r : res) {
    if (!r.tensor)
      throw RuntimeError(
          fmt::format("function '{}' returns a tape, which cannot be passed out", fn.name), fn.loc,
          fn.name);
    out.push_back(r.tensor.use_count() == 1 ? std::move(*r.tensor) : *r.tensor);
  }
  return out;
}

std::vector<Tensor> Interpreter::call(std::string_view fnName, std::vector<Tensor> args) const {
  const ir::Function *fn = module_.lookup(fnName);
  if (!fn)
    throw RuntimeError(fmt::format("no function named '{}'", fnName));
  return call(*fn, std::move(args));
}

} // namespace diffc::interp
