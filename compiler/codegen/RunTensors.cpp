// Running compiled functions on interpreter-style tensors (what `diffc run` needs), and turning
// error records into text.
#include "codegen/Codegen.h"

#include "interp/RuntimeError.h"
#include "ir/SizeInference.h"

#include <cmath>
#include <cstdint>
#include <fmt/format.h>

namespace diffc::codegen {

using ir::ElemType;

namespace {

struct CtxDeleter {
  void operator()(diffc_ctx *c) const { diffc_ctx_destroy(c); }
};

int64_t bytesOf(ElemType e) { return e == ElemType::Bool ? 1 : e == ElemType::F32 ? 4 : 8; }

/// Native storage of one argument or result (8-byte aligned).
struct Buffer {
  std::vector<uint64_t> words;
  void *data() { return words.data(); }
  const void *data() const { return words.data(); }
  void resize(size_t n, ElemType e) {
    words.assign((n * static_cast<size_t>(bytesOf(e)) + 7) / 8 + 1, 0);
  }
};

std::string paramName(const ir::Function &fn, size_t i) {
  const std::string &n = fn.params()[i]->name;
  return n.empty() ? fmt::format("#{}", i) : n;
}

} // namespace

diffc_ctx *threadContext() {
  thread_local std::unique_ptr<diffc_ctx, CtxDeleter> ctx(diffc_ctx_create());
  return ctx.get();
}

int64_t threadTapeBytes() {
  diffc_ctx *ctx = threadContext();
  return ctx ? ctx->tape_bytes : 0;
}

std::string describeRuntimeError(const diffc_error &err, const std::string &sourceName) {
  char buf[512];
  diffc_error_message(&err, buf, sizeof buf);
  std::string where;
  if (err.line > 0)
    where = sourceName.empty() ? fmt::format("{}:{}: ", err.line, err.col)
                               : fmt::format("{}:{}:{}: ", sourceName, err.line, err.col);
  else if (!sourceName.empty())
    where = sourceName + ": ";
  std::string in = err.function ? fmt::format(" (in '{}')", err.function) : std::string();
  return fmt::format("{}runtime error: {}{}", where, buf, in);
}

/// What a prepared call holds: native arguments, result buffers and the sizes.
struct PreparedCall::Impl {
  const ir::Function *fn = nullptr;
  EntryFn entry = nullptr;
  int64_t maxMemory = 0;
  std::vector<Buffer> argBufs, resBufs;
  std::vector<const void *> argPtrs;
  std::vector<void *> resPtrs;
  std::vector<int64_t> sizes;
  std::vector<std::vector<int64_t>> resultShapes;
};

std::unique_ptr<PreparedCall> JitModule::prepare(std::string_view name,
                                                 const std::vector<interp::Tensor> &args) const {
  const ir::Function *fn = module_->lookup(name);
  if (!fn)
    throw interp::RuntimeError(fmt::format("no function named '{}'", name));
  EntryFn entry = this->entry(name);
  if (!entry)
    throw interp::RuntimeError(
        fmt::format("function '{}' takes or returns a tape and cannot be called from outside",
                    fn->name),
        fn->loc, fn->name);
  auto fail = [&](const std::string &msg) { throw interp::RuntimeError(msg, fn->loc, fn->name); };
  if (args.size() != fn->params().size())
    fail(fmt::format("function '{}' takes {} arguments, got {}", fn->name, fn->params().size(),
                     args.size()));

  // Arguments: checked like the interpreter checks them, then converted to native elements.
  auto pc = std::unique_ptr<PreparedCall>(new PreparedCall);
  pc->impl_ = std::make_unique<PreparedCall::Impl>();
  PreparedCall::Impl &c = *pc->impl_;
  c.fn = fn;
  c.entry = entry;
  c.maxMemory = maxMemory_;
  std::vector<Buffer> &argBufs = c.argBufs;
  argBufs.resize(args.size());
  std::vector<const void *> &argPtrs = c.argPtrs;
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < args.size(); ++i) {
    const ir::Type &t = fn->params()[i]->type;
    const interp::Tensor &a = args[i];
    std::string pname = paramName(*fn, i);
    if (a.elem != t.elem)
      fail(fmt::format("parameter '{}': expects {} elements, got {}", pname,
                       ir::elemTypeName(t.elem), ir::elemTypeName(a.elem)));
    size_t n = 1;
    for (int64_t d : a.shape)
      if (d < 0 || __builtin_mul_overflow(n, static_cast<size_t>(d), &n))
        fail(fmt::format("parameter '{}': invalid shape {}", pname, ir::shapeStr(a.shape)));
    if (n != a.data.size())
      fail(fmt::format("parameter '{}': shape {} needs {} values, got {}", pname,
                       ir::shapeStr(a.shape), n, a.data.size()));
    Buffer &buf = argBufs[i];
    buf.resize(n, t.elem);
    for (size_t k = 0; k < n; ++k) {
      double v = a.data[k];
      switch (t.elem) {
      case ElemType::F64:
        static_cast<double *>(buf.data())[k] = v;
        break;
      case ElemType::F32:
        static_cast<float *>(buf.data())[k] = static_cast<float>(v);
        break;
      case ElemType::I64:
        if (!(std::trunc(v) == v && std::fabs(v) <= static_cast<double>(interp::kMaxExactInt)))
          fail(fmt::format("parameter '{}': {} is not an i64 value (an integer with |v| <= 2^53)",
                           pname, v));
        static_cast<int64_t *>(buf.data())[k] = static_cast<int64_t>(v);
        break;
      case ElemType::Bool:
        if (v != 0 && v != 1)
          fail(fmt::format("parameter '{}': {} is not a bool value (0 or 1)", pname, v));
        static_cast<uint8_t *>(buf.data())[k] = v != 0;
        break;
      }
    }
    argPtrs.push_back(buf.data());
    shapes.push_back(a.shape);
  }
  ir::SizeBindingResult sizes = ir::inferSizes(*fn, shapes);
  if (!sizes.ok())
    fail(sizes.error);

  c.sizes = sizes.sizes;
  std::vector<std::vector<int64_t>> &resultShapes = c.resultShapes;
  std::vector<Buffer> &resBufs = c.resBufs;
  resBufs.resize(fn->resultTypes.size());
  std::vector<void *> &resPtrs = c.resPtrs;
  for (size_t r = 0; r < fn->resultTypes.size(); ++r) {
    const ir::Type &t = fn->resultTypes[r];
    auto shape = ir::evalShape(t.shape, sizes.sizes);
    if (!shape)
      fail(fmt::format("result {} has an invalid shape {} for these sizes", r,
                       t.str(fn->sizeParams)));
    size_t n = 1;
    for (int64_t d : *shape)
      if (__builtin_mul_overflow(n, static_cast<size_t>(d), &n))
        fail(fmt::format("result {} is too large", r));
    // Its byte count must fit as well (Buffer::resize rounds it up to words).
    if (n > (SIZE_MAX - 16) / 8)
      fail(fmt::format("result {} is too large", r));
    resBufs[r].resize(n, t.elem);
    resPtrs.push_back(resBufs[r].data());
    resultShapes.push_back(*shape);
  }

  return pc;
}

PreparedCall::PreparedCall() = default;
PreparedCall::~PreparedCall() = default;

void PreparedCall::run() {
  Impl &c = *impl_;
  const ir::Function *fn = c.fn;
  auto fail = [&](const std::string &msg) { throw interp::RuntimeError(msg, fn->loc, fn->name); };
  diffc_ctx *ctx = threadContext();
  if (!ctx)
    fail("out of memory");
  diffc_ctx_set_memory_limit(ctx, c.maxMemory);
  int32_t status = c.entry(ctx, c.sizes.data(), c.argPtrs.data(), c.resPtrs.data());
  if (status != 0) {
    char buf[512];
    diffc_error_message(&ctx->error, buf, sizeof buf);
    SourceLoc loc{static_cast<uint32_t>(ctx->error.line), static_cast<uint32_t>(ctx->error.col)};
    throw interp::RuntimeError(buf, loc, ctx->error.function ? ctx->error.function : fn->name);
  }
}

std::vector<interp::Tensor> PreparedCall::results() const {
  const Impl &c = *impl_;
  const ir::Function *fn = c.fn;
  const std::vector<std::vector<int64_t>> &resultShapes = c.resultShapes;
  std::vector<interp::Tensor> out;
  for (size_t r = 0; r < fn->resultTypes.size(); ++r) {
    interp::Tensor t;
    t.elem = fn->resultTypes[r].elem;
    t.shape = resultShapes[r];
    size_t n = 1;
    for (int64_t d : t.shape)
      n *= static_cast<size_t>(d);
    t.data.resize(n);
    const void *p = c.resBufs[r].data();
    for (size_t k = 0; k < n; ++k) {
      switch (t.elem) {
      case ElemType::F64:
        t.data[k] = static_cast<const double *>(p)[k];
        break;
      case ElemType::F32:
        t.data[k] = static_cast<double>(static_cast<const float *>(p)[k]);
        break;
      case ElemType::I64: {
        // interp::Tensor holds i64 values exactly as doubles only up to 2^53 (the interpreter's
        // range); compiled code wraps, and a larger value would print rounded (2^63 - 3 as
        // -2^63 through an out-of-range double-to-int64 conversion).
        int64_t v = static_cast<const int64_t *>(p)[k];
        if (v > interp::kMaxExactInt || v < -interp::kMaxExactInt)
          throw interp::RuntimeError(
              fmt::format("integer overflow: result {} is {}, outside the i64 range |v| <= 2^53 "
                          "that results are returned in",
                          r, v),
              fn->loc, fn->name);
        t.data[k] = static_cast<double>(v);
        break;
      }
      case ElemType::Bool:
        t.data[k] = static_cast<const uint8_t *>(p)[k] ? 1.0 : 0.0;
        break;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<interp::Tensor> JitModule::call(std::string_view name,
                                            const std::vector<interp::Tensor> &args) const {
  std::unique_ptr<PreparedCall> pc = prepare(name, args);
  pc->run();
  return pc->results();
}

} // namespace diffc::codegen
