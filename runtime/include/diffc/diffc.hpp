// The C++ host API: compile .diff source with the JIT and call its functions and gradients.
//
//   diffc::Jit jit;                                        // owns the LLVM JIT
//   diffc::Module m = jit.compile_file("logistic.diff");   // throws diffc::CompileError
//   diffc::Function loss = m.function("loss");
//   diffc::Function dloss = m.gradient("loss");            // value, then d/d every f64 param
//   double v = loss(diffc::view(w, {D}), b, diffc::view(X, {N, D}), diffc::view(y, {N})).scalar();
//   diffc::Result r = dloss(diffc::view(w, {D}), b, diffc::view(X, {N, D}), diffc::view(y, {N}));
//   r.value(); r.grad("w"); r.grad(0);
//   // or, allocating nothing per call:
//   dloss.call_into({diffc::view(w, {D}), b, ...}, {diffc::out(v), diffc::view(gw, {D}), ...});
//
// Arguments are views of caller memory (never copied for matching element types) or scalars.
// Shapes are checked at every call: a mismatch throws diffc::Error naming the parameter and both
// shapes. Faults of the program (index out of range, integer division by zero, ...) throw
// diffc::Error with the source location. Jit, Module and Function may be used from many threads
// at once; each thread calls with its own scratch memory.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace diffc {

/// A bad call (wrong argument count, type or shape) or a fault of the compiled program.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The source did not compile; what() holds the rendered diagnostics (FILE:LINE:COL: error: ...).
class CompileError : public Error {
public:
  using Error::Error;
};

enum class Elem : uint8_t { f64, f32, i64, boolean };

/// A tensor in caller memory: row-major, contiguous. Rank 0 is one element.
struct View {
  void *data = nullptr;
  Elem elem = Elem::f64;
  std::vector<int64_t> shape;
  bool writable = false;
};

/// A view's shape, `{N, D}`: the extents may be of any integer type (int, int64_t, size_t), so
/// sizes kept as `size_t` need no cast; a std::vector<int64_t> converts too.
struct Extents {
  struct Extent {
    template <std::integral T> constexpr Extent(T n) : n(static_cast<int64_t>(n)) {}
    int64_t n;
  };
  Extents(std::initializer_list<Extent> extents) {
    for (Extent e : extents)
      dims.push_back(e.n);
  }
  Extents(std::vector<int64_t> d) : dims(std::move(d)) {}
  std::vector<int64_t> dims;
};

/// Views of a vector check that the shape fits in it (Error otherwise, never a read past its end).
View view(std::vector<double> &v, Extents shape);
View view(const std::vector<double> &v, Extents shape);
View view(std::vector<float> &v, Extents shape);
View view(const std::vector<float> &v, Extents shape);
View view(std::vector<int64_t> &v, Extents shape);
View view(const std::vector<int64_t> &v, Extents shape);
View view(double *data, Extents shape);
View view(const double *data, Extents shape);
/// A scalar result slot (rank 0) for call_into.
View out(double &x);
View out(int64_t &x);

/// One argument: a view or a scalar.
struct Arg {
  Arg(const View &v) : isView(true), view(v) {}
  Arg(double x) : scalar(x), elem(Elem::f64) {}
  Arg(float x) : scalar(x), elem(Elem::f32) {}
  // Any integer type (int, int64_t, size_t, long long) is an i64 argument.
  template <std::integral T>
  requires(!std::same_as<T, bool>) Arg(T x)
      : scalar(static_cast<double>(x)), integer(static_cast<int64_t>(x)), elem(Elem::i64) {}
  Arg(bool x) : scalar(x ? 1 : 0), integer(x ? 1 : 0), elem(Elem::boolean) {}

  bool isView = false;
  View view;
  double scalar = 0;
  int64_t integer = 0;
  Elem elem = Elem::f64;
};

/// One result, owned: elements converted to double (exact for every diffc element type).
struct Tensor {
  Elem elem = Elem::f64;
  std::vector<int64_t> shape;
  std::vector<double> data;
  double scalar() const; // the single element of a rank-0 result (Error otherwise)
};

/// The results of one call, by position and by name.
class Result {
public:
  size_t size() const { return results_.size(); }
  const Tensor &operator[](size_t i) const;
  /// The result named `name` ("d_w" for a gradient result); Error when there is none.
  const Tensor &get(std::string_view name) const;
  /// The first result as a scalar (the function value of a gradient).
  double scalar() const;
  double value() const { return scalar(); }
  const Tensor &value_tensor() const { return (*this)[0]; }
  /// The gradient with respect to parameter `param` (result "d_<param>").
  const Tensor &grad(std::string_view param) const;
  /// The i-th gradient result (result i + 1).
  const Tensor &grad(size_t i) const;
  const Tensor &grad(int i) const { return grad(static_cast<size_t>(i)); }

private:
  friend class Function;
  std::vector<Tensor> results_;
  std::vector<std::string> names_;
};

struct FunctionImpl;

/// A compiled function. Cheap to copy; callable from many threads at once.
class Function {
public:
  template <typename... Args> Result operator()(Args &&...args) const {
    return call({Arg(std::forward<Args>(args))...});
  }
  Result call(std::initializer_list<Arg> args) const { return call(std::span(args)); }
  Result call(std::span<const Arg> args) const;
  /// Writes every result into caller-owned memory: one output per result (a view of the
  /// result's shape, or out(x) for a scalar), overlapping no argument and no other output
  /// (diffc::Error otherwise). Allocates nothing once the thread is warm.
  void call_into(std::initializer_list<Arg> args, std::initializer_list<View> outputs) const {
    call_into(std::span(args), std::span(outputs));
  }
  void call_into(std::span<const Arg> args, std::span<const View> outputs) const;

  const std::string &name() const;
  std::vector<std::string> parameter_names() const;
  std::vector<std::string> result_names() const;
  /// This function with another cap on the scratch memory (temporaries, tapes) of each call, in
  /// bytes (0: none); a call that needs more throws Error ("memory limit ... exceeded").
  Function with_max_memory(int64_t bytes) const;

private:
  friend class Module;
  std::shared_ptr<const FunctionImpl> impl_;
};

struct ModuleImpl;

struct Options {
  unsigned opt_level = 2; // LLVM -O level
  bool fast_math = false; // reassociate floating point (results differ in the last bits)
  /// Stop at the first operation (forward or in a gradient) that produces NaN or inf, and at
  /// arguments that hold one: the call throws Error naming the op, its source location, the
  /// element and its operands (`diffc run --check-nan`). Slower; off by default.
  bool check_nan = false;
  /// Keep compiled machine code in the on-disk compile cache and reuse it (README "Compile
  /// cache"); the environment variable DIFFC_CACHE=0 turns it off as well.
  bool cache = true;
  std::string cache_dir;  // empty: $DIFFC_CACHE_DIR, $XDG_CACHE_HOME/diffc or ~/.cache/diffc
  int64_t max_memory = 0; // cap on one call's scratch memory (temporaries, tapes), bytes; 0: none
};

/// A compiled source file.
class Module {
public:
  /// Error when there is no such function or it cannot be called from C++.
  Function function(std::string_view name) const;
  /// value and gradient of a scalar f64 function with respect to `wrt` (default: every float
  /// parameter), compiled on first request. Error when it cannot be differentiated.
  Function gradient(std::string_view name, std::vector<std::string> wrt = {}) const;
  /// f's results and then d_<p> per wrt parameter, from f's parameters and one seed per float
  /// result (reverse mode).
  Function vjp(std::string_view name, std::vector<std::string> wrt = {}) const;
  /// f's results and then one tangent per float result, from f's parameters and one tangent
  /// t_<p> per wrt parameter (forward mode).
  Function jvp(std::string_view name, std::vector<std::string> wrt = {}) const;
  /// Hessian-vector product of a scalar f64 function (forward over reverse: the jvp of its
  /// gradient): from f's parameters and one tangent t_<p> per wrt parameter, the value, the
  /// gradient d_<p>, the directional derivative, and H v, one result per wrt parameter.
  /// Column j of the Hessian is hvp with v = e_j (`diffc run --hessian` does that).
  Function hvp(std::string_view name, std::vector<std::string> wrt = {}) const;
  std::vector<std::string> function_names() const;

private:
  friend class Jit;
  std::shared_ptr<ModuleImpl> impl_;
};

struct JitImpl;

/// Owns the LLVM JIT for the host CPU. Modules keep it alive as long as they need it.
class Jit {
public:
  explicit Jit(Options defaults = {});
  Module compile_file(const std::string &path) const;
  Module compile_file(const std::string &path, const Options &opts) const;
  Module compile_string(std::string_view source, const std::string &name = "<string>") const;
  Module compile_string(std::string_view source, const std::string &name,
                        const Options &opts) const;

private:
  std::shared_ptr<JitImpl> impl_;
};

} // namespace diffc
