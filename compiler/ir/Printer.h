// The textual form of the IR: what `diffc ir` shows and what the IR parser (IRParser.h) reads
// back. print -> parse -> print gives the same text for every op. Golden tests pin this output.
//
// A module is its functions separated by blank lines:
//
//   func @loss[N, D](%w: f64[D], %b: f64, %X: f64[N, D], %y: f64[N]) -> f64 {
//     %0 = matmul %X, %w : f64[N]
//     %1 = broadcast %b : f64[N]
//     %z = add %0, %1 : f64[N]
//     %p = sigmoid %z : f64[N]  // a note: free text attached to the op
//     ...
//     return %l
//   }
//
// Function header: `func @name[SIZES](PARAMS) -> RESULTS [vjp @rule] {`. `[SIZES]` (the size
// parameters every dim refers to) is left out when there are none. RESULTS is one type (`f64`), or
// a parenthesised list when there are none or several or some have names (`(f64, d_w: f64[D])`),
// or `tuple(...)` when the source function returns a tuple (Function::resultIsTuple). `vjp @g`
// names the user's reverse-mode rule. Function names that are not plain (`[A-Za-z0-9_.]+`) are
// quoted: `@"my fn"`.
//
// Ops, one per line, regions indented by two spaces:
//
//   RESULTS = MNEMONIC OPERANDS... : RESULT-TYPES  // note
//
// RESULTS is `%a` or `%a, %b`; values keep their source names, a repeated name gets `.1`, `.2`
// in order of appearance, and unnamed values are numbered `%0`, `%1`, ... per function (the
// parser keeps `%x.1` as the name "x.1" and reads `%7` as unnamed, so numbers may change when
// hand-written IR is printed again). An op without results has no `: types` part. Types are
// `f64`, `f32`, `i64`, `bool`, tensors `f64[N, D - 1]` (dims are polynomials in the size
// parameters: `N - 1`, `2*N + 1`, `N*D`) and tapes `tape<f64[D]>`. Most ops are just the mnemonic
// and their operands (`%z = add %x, %y : f64[N]`, `yield %a, %b`, `return %z`). The others:
//
//   %c = const 1.5 : f64               floats print the shortest text that reads back to the same
//   %k = const -3 : i64                bits, always with `.` or `e` (`1.0`, `1e-7`, `inf`, `nan`)
//   %t = const true : bool
//   %n = dim N - 1 : i64               the value of a dim expression
//   %r = index %x[%i, :, %j +: 3] : f64[D, 3]
//                                      per axis: `%i` one point, `:` the whole axis, `%j +: L` the
//                                      slice of L elements starting at %j (L a dim)
//   %u = update %x[%i, :], %v : f64[N, D]      x with x[%i, :] replaced by %v
//   %u = update_add %x[%i], %v : f64[N]        x with %v added to x[%i]
//   %y = call @f[D, N - 1](%a, %b) : f64       [..]: the callee's size parameters, in order,
//                                              as dims of the caller (left out when none)
//   %r = if %c {                       both regions end in `yield`; `: types` after the last `}`
//     yield %a
//   } else {
//     yield %b
//   } : f64
//   %acc = for %i = %lo to %hi iter(%a = %a0) {     i = lo .. hi-1; %a carries a value from one
//     ...                                           iteration to the next (starting at %a0); the
//     yield %a1                                     results are the final carried values;
//   } : f64                                         `iter(...)` is left out when nothing is carried;
//                                                   `for checkpoint %i = ...` is a @checkpoint loop
//   %x = while (%xc = %x0) {                the first region is the condition, its args are the
//     yield %cond                           carried values; `do (...)` names the body's args
//   } do (%xb) {
//     yield %x1
//   } : f64
//   %m = map (%i < N, %j < M) {             a tensor built element by element; the result type is
//     yield %e                              the extents followed by the element's shape
//   } : f64[N, M]
//   %t = tape.new : tape<f64[D]>
//   %t1 = tape.push %t, %v : tape<f64[D]>
//   %t2, %top = tape.pop %t1 : tape<f64[D]>, f64[D]
//
// A `// comment` at the end of an op's first line is that op's note (Op::note); other comments
// are ignored by the parser. Source locations and Module::sourceName are not printed.
#pragma once

#include "ir/IR.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

namespace diffc::ir {

/// The whole module, functions separated by blank lines.
std::string printModule(const Module &m);
/// One function, ending in a newline.
std::string printFunction(const Function &fn);

/// Shortest decimal text that reads back to the same double, always with `.` or `e` (`1.0`,
/// `0.1`, `1e-7`, `-0.0`), or `inf`, `-inf`, `nan`, `-nan`.
std::string formatFloat(double v);

/// The printed names (`%w`, `%w.1`, `%3`) of the values of one function, assigned in the order
/// the printer shows definitions. Used by the printer and by messages that name values.
class ValueNamer {
public:
  explicit ValueNamer(const Function &fn);
  /// `%name`; a value not defined in the function gets a fresh name on first use.
  std::string operator()(const Value *v);

private:
  void define(const Value *v);
  void defineBlock(const Block &b);
  std::unordered_map<const Value *, std::string> names_;
  std::unordered_map<std::string, unsigned> nextSuffix_;
  std::unordered_set<std::string> used_;
  unsigned nextNumber_ = 0;
};

} // namespace diffc::ir
