// Calling compiled functions: argument checks, size binding, result storage. The path through
// call_into allocates nothing when the arguments are right (small fixed arrays on the stack, the
// thread's reusable context); errors may allocate to build their message.
#include "Host.h"

#include "ir/SizeInference.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace diffc {

using ir::ElemType;

namespace {

constexpr size_t kMaxInline = 32; // parameters / results / sizes handled without allocation

Elem toElem(ElemType e) {
  switch (e) {
  case ElemType::F64:
    return Elem::f64;
  case ElemType::F32:
    return Elem::f32;
  case ElemType::I64:
    return Elem::i64;
  case ElemType::Bool:
    return Elem::boolean;
  }
  return Elem::f64;
}

const char *elemName(Elem e) {
  switch (e) {
  case Elem::f64:
    return "f64";
  case Elem::f32:
    return "f32";
  case Elem::i64:
    return "i64";
  case Elem::boolean:
    return "bool";
  }
  return "?";
}

size_t elemBytes(Elem e) { return e == Elem::boolean ? 1 : e == Elem::f32 ? 4 : 8; }

std::string paramName(const ir::Function &fn, size_t i) {
  const std::string &n = fn.params()[i]->name;
  return n.empty() ? fmt::format("#{}", i) : n;
}

/// A fixed array on the stack, or on the heap past kMaxInline entries.
template <typename T> struct Slots {
  T inline_[kMaxInline];
  std::vector<T> heap;
  T *data;
  explicit Slots(size_t n) : data(inline_) {
    if (n > kMaxInline) {
      heap.resize(n);
      data = heap.data();
    }
  }
};

} // namespace

// Callers build the message only when the check fails (`if (!ok) check(false, fmt::format(...))`):
// formatting it eagerly would allocate on every call, which call_into promises not to do.
void FunctionImpl::check(bool ok, const std::string &msg) const {
  if (!ok)
    throw Error(fmt::format("diffc: call of '{}': {}", fn->name, msg));
}

void FunctionImpl::bind(std::span<const Arg> args, int64_t *sizes, const void **argPtrs,
                        uint64_t *scalarSlots) const {
  const auto &params = fn->params();
  if (args.size() != params.size())
    check(false, fmt::format("takes {} arguments, got {}", params.size(), args.size()));
  bool shapesOk = true;
  for (size_t i = 0; i < params.size(); ++i) {
    const ir::Type &t = params[i]->type;
    const Arg &a = args[i];
    Elem want = toElem(t.elem);
    if (t.isScalar() && (!a.isView || a.view.shape.empty())) {
      void *slot = &scalarSlots[i];
      if (a.isView) { // a rank-0 view
        if (a.view.elem != want)
          check(false, fmt::format("parameter '{}' expects {}, got {}", paramName(*fn, i),
                                   elemName(want), elemName(a.view.elem)));
        argPtrs[i] = a.view.data;
        continue;
      }
      switch (want) {
      case Elem::f64:
        if (a.elem == Elem::boolean)
          check(false, fmt::format("parameter '{}' expects f64, got bool", paramName(*fn, i)));
        *static_cast<double *>(slot) =
            a.elem == Elem::i64 ? static_cast<double>(a.integer) : a.scalar;
        break;
      case Elem::f32:
        if (a.elem == Elem::boolean)
          check(false, fmt::format("parameter '{}' expects f32, got bool", paramName(*fn, i)));
        *static_cast<float *>(slot) = static_cast<float>(a.scalar);
        break;
      case Elem::i64:
        if (!(a.elem == Elem::i64 ||
              (std::trunc(a.scalar) == a.scalar && std::fabs(a.scalar) < 9.2e18)))
          check(false,
                fmt::format("parameter '{}' expects i64, got {}", paramName(*fn, i), a.scalar));
        *static_cast<int64_t *>(slot) =
            a.elem == Elem::i64 ? a.integer : static_cast<int64_t>(a.scalar);
        break;
      case Elem::boolean:
        if (a.elem != Elem::boolean)
          check(false, fmt::format("parameter '{}' expects bool, got {}", paramName(*fn, i),
                                   elemName(a.elem)));
        *static_cast<uint8_t *>(slot) = a.integer != 0;
        break;
      }
      argPtrs[i] = slot;
      continue;
    }
    if (!a.isView) {
      shapesOk = false; // a scalar for a tensor: reported with the shapes below
      argPtrs[i] = nullptr;
      continue;
    }
    if (a.view.elem != want)
      check(false, fmt::format("parameter '{}' expects {} elements, got {}", paramName(*fn, i),
                               elemName(want), elemName(a.view.elem)));
    if (a.view.shape.size() != t.rank())
      shapesOk = false;
    argPtrs[i] = a.view.data;
  }
  if (affineBinding && shapesOk) {
    std::vector<std::vector<int64_t>> shapes;
    for (const Arg &a : args)
      shapes.push_back(a.isView ? a.view.shape : std::vector<int64_t>{});
    ir::SizeBindingResult r = ir::inferSizes(*fn, shapes);
    check(r.ok(), r.error);
    std::copy(r.sizes.begin(), r.sizes.end(), sizes);
    return;
  }
  // Bind each size from its first occurrence, then check every extent.
  for (size_t s = 0; s < binding.size() && shapesOk; ++s) {
    auto [p, axis] = binding[s];
    sizes[s] = args[p].view.shape[axis];
  }
  std::span<const int64_t> sz(sizes, binding.size());
  for (size_t i = 0; i < params.size() && shapesOk; ++i) {
    const ir::Type &t = params[i]->type;
    for (size_t a = 0; a < t.rank() && shapesOk; ++a) {
      auto d = t.shape[a].evaluate(sz);
      shapesOk = d && *d == args[i].view.shape[a];
    }
  }
  if (shapesOk)
    return;
  // The slow path only builds the message (naming the parameter and both shapes).
  std::vector<std::vector<int64_t>> shapes;
  for (const Arg &a : args)
    shapes.push_back(a.isView ? a.view.shape : std::vector<int64_t>{});
  ir::SizeBindingResult r = ir::inferSizes(*fn, shapes);
  check(false, r.ok() ? std::string("argument shapes do not match the parameters") : r.error);
}

void FunctionImpl::run(const int64_t *sizes, const void *const *args, void *const *results) const {
  diffc_ctx *ctx = codegen::threadContext();
  if (!ctx)
    throw Error("diffc: out of memory");
  diffc_ctx_set_memory_limit(ctx, maxMemory);
  if (entry(ctx, sizes, args, results) != 0)
    throw Error(codegen::describeRuntimeError(ctx->error, sourceName));
}

Result Function::call(std::span<const Arg> args) const {
  const FunctionImpl &f = *impl_;
  size_t np = f.fn->params().size(), nr = f.fn->resultTypes.size();
  Slots<int64_t> sizes(f.binding.size());
  Slots<const void *> argPtrs(np);
  Slots<uint64_t> scalars(np);
  f.bind(args, sizes.data, argPtrs.data, scalars.data);
  std::span<const int64_t> sz(sizes.data, f.binding.size());

  Result r;
  r.names_ = f.resultNames;
  std::vector<std::vector<uint64_t>> raw(nr); // non-f64 results, converted afterwards
  std::vector<void *> resPtrs(nr);
  for (size_t i = 0; i < nr; ++i) {
    const ir::Type &t = f.fn->resultTypes[i];
    Tensor out;
    out.elem = toElem(t.elem);
    auto shape = ir::evalShape(t.shape, sz);
    if (!shape)
      f.check(false, fmt::format("result {} has an invalid shape", i));
    out.shape = *shape;
    size_t n = 1;
    for (int64_t d : out.shape)
      n *= static_cast<size_t>(d);
    out.data.resize(n);
    if (out.elem == Elem::f64) {
      resPtrs[i] = out.data.data();
    } else {
      raw[i].resize((n * elemBytes(out.elem)) / 8 + 1);
      resPtrs[i] = raw[i].data();
    }
    r.results_.push_back(std::move(out));
  }
  f.run(sizes.data, argPtrs.data, resPtrs.data());
  for (size_t i = 0; i < nr; ++i) {
    Tensor &t = r.results_[i];
    for (size_t k = 0; k < t.data.size() && t.elem != Elem::f64; ++k) {
      const void *p = raw[i].data();
      t.data[k] = t.elem == Elem::f32   ? static_cast<const float *>(p)[k]
                  : t.elem == Elem::i64 ? static_cast<double>(static_cast<const int64_t *>(p)[k])
                                        : static_cast<const uint8_t *>(p)[k];
    }
  }
  return r;
}

void Function::call_into(std::span<const Arg> args, std::span<const View> outputs) const {
  const FunctionImpl &f = *impl_;
  size_t np = f.fn->params().size(), nr = f.fn->resultTypes.size();
  Slots<int64_t> sizes(f.binding.size());
  Slots<const void *> argPtrs(np);
  Slots<uint64_t> scalars(np);
  f.bind(args, sizes.data, argPtrs.data, scalars.data);
  std::span<const int64_t> sz(sizes.data, f.binding.size());
  if (outputs.size() != nr)
    f.check(false, fmt::format("has {} results, got {} outputs", nr, outputs.size()));
  Slots<void *> resPtrs(nr);
  for (size_t i = 0; i < nr; ++i) {
    const ir::Type &t = f.fn->resultTypes[i];
    const View &o = outputs[i];
    bool ok = o.writable && o.elem == toElem(t.elem) && o.shape.size() == t.rank();
    for (size_t a = 0; a < t.rank() && ok; ++a) {
      auto d = t.shape[a].evaluate(sz);
      ok = d && *d == o.shape[a];
    }
    if (!ok) {
      std::string rname = i < f.resultNames.size() && !f.resultNames[i].empty() ? f.resultNames[i]
                                                                                : std::to_string(i);
      auto want = ir::evalShape(t.shape, sz);
      f.check(o.writable, fmt::format("output for result '{}' is read-only", rname));
      f.check(false,
              fmt::format("output for result '{}' must be {} {}, got {} {}", rname,
                          ir::elemTypeName(t.elem), want ? ir::shapeStr(*want) : std::string("?"),
                          elemName(o.elem), ir::shapeStr(o.shape)));
    }
    resPtrs.data[i] = o.data;
  }
  // Compiled code may build a result in its output from the start (a gradient's accumulator), so
  // an output must not share memory with an argument or another output (abi.h).
  auto bytesOf = [](const View &v) {
    size_t n = elemBytes(v.elem);
    for (int64_t d : v.shape)
      n *= static_cast<size_t>(d);
    return n;
  };
  auto overlap = [&](const View &a, const View &b) {
    auto pa = reinterpret_cast<uintptr_t>(a.data), pb = reinterpret_cast<uintptr_t>(b.data);
    size_t na = bytesOf(a), nb = bytesOf(b);
    return na && nb && pa < pb + nb && pb < pa + na;
  };
  for (size_t i = 0; i < nr; ++i) {
    auto rname = [&](size_t k) {
      return k < f.resultNames.size() && !f.resultNames[k].empty() ? f.resultNames[k]
                                                                   : std::to_string(k);
    };
    for (size_t p = 0; p < np; ++p)
      if (args[p].isView && overlap(outputs[i], args[p].view))
        f.check(false, fmt::format("output for result '{}' overlaps argument '{}'", rname(i),
                                   paramName(*f.fn, p)));
    for (size_t k = 0; k < i; ++k)
      if (overlap(outputs[i], outputs[k]))
        f.check(false, fmt::format("output for result '{}' overlaps the output for result '{}'",
                                   rname(i), rname(k)));
  }
  f.run(sizes.data, argPtrs.data, resPtrs.data);
}

const std::string &Function::name() const { return impl_->fn->name; }

std::vector<std::string> Function::parameter_names() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < impl_->fn->params().size(); ++i)
    out.push_back(paramName(*impl_->fn, i));
  return out;
}

std::vector<std::string> Function::result_names() const { return impl_->resultNames; }

Function Function::with_max_memory(int64_t bytes) const {
  auto f = std::make_shared<FunctionImpl>(*impl_);
  f->maxMemory = bytes > 0 ? bytes : 0;
  Function out = *this;
  out.impl_ = std::move(f);
  return out;
}

std::shared_ptr<FunctionImpl> makeFunction(std::shared_ptr<codegen::JitModule> m,
                                           std::string_view name) {
  const ir::Function *fn = m->module().lookup(name);
  if (!fn)
    throw Error(fmt::format("diffc: no function named '{}'", name));
  codegen::EntryFn entry = m->entry(name);
  if (!entry)
    throw Error(
        fmt::format("diffc: '{}' takes or returns a tape and cannot be called from C++", name));
  auto f = std::make_shared<FunctionImpl>();
  f->module = std::move(m);
  f->fn = fn;
  f->entry = entry;
  f->sourceName = f->module->module().sourceName;
  f->maxMemory = f->module->maxMemory();
  f->resultNames = fn->resultNames;
  f->resultNames.resize(fn->resultTypes.size());
  std::vector<bool> inferable = ir::inferableSizes(*fn);
  for (size_t s = 0; s < fn->sizeParams.size(); ++s) {
    bool found = false;
    for (size_t p = 0; p < fn->params().size() && !found; ++p) {
      const ir::Shape &shape = fn->params()[p]->type.shape;
      for (size_t a = 0; a < shape.size() && !found; ++a)
        if (shape[a].asSymbol() == s) {
          f->binding.push_back({p, a});
          found = true;
        }
    }
    if (!found && inferable[s]) {
      f->binding.push_back({0, 0}); // unused: ir::inferSizes binds it
      f->affineBinding = true;
      found = true;
    }
    if (!found)
      throw Error(fmt::format("diffc: size {} of '{}' cannot be inferred from its arguments",
                              fn->sizeParams[s], fn->name));
  }
  return f;
}

} // namespace diffc
