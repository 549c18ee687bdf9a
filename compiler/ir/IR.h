// The typed SSA IR with structured control flow: the spine of diffc.
//
// A Module holds Functions. A Function has size parameters (symbols its dims refer to), typed
// parameters, result types and a body Block. A Block is a list of Ops ending in a terminator
// (`return` for a function body, `yield` for a region); it may have arguments (loop indices,
// loop-carried values). An Op has operands, results, attributes and nested regions (one Block
// each). Regions may use values defined in enclosing blocks. Every Value is defined exactly once:
// as an Op result or a Block argument.
//
// Values are owned by their Function (stable addresses); Ops by their Block; Blocks by their Op or
// Function. Build through Builder, which checks nothing; run the verifier after every pass.
#pragma once

#include "ir/Type.h"
#include "support/SourceFile.h"

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffc::ir {

enum class OpKind : uint16_t {
#define DIFFC_OP(K, M, C) K,
#include "ir/Ops.def"
};

enum class OpClass : uint8_t { Unary, Binary, Compare, Other };

const char *opMnemonic(OpKind k);
OpClass opClass(OpKind k);
/// The kind whose mnemonic is `m`, or false.
bool opKindFromMnemonic(std::string_view m, OpKind &out);
inline bool isElementwise(OpKind k) { return opClass(k) != OpClass::Other; }
inline bool isTerminator(OpKind k) { return k == OpKind::Yield || k == OpKind::Return; }

struct Op;
struct Block;
struct Function;

struct Value {
  uint32_t id = 0; // unique within its Function
  Type type;
  std::string name;            // source name where there is one ("w", "d_w"), else empty
  Op *def = nullptr;           // defining op, or null for a block argument
  Block *ownerBlock = nullptr; // for block arguments
  unsigned index = 0;          // result index in def, or argument index in ownerBlock
};

/// Which computation an op belongs to, for reports about it (`--check-nan`): the program as
/// written, or code AD derived from one of its ops. Not printed and not semantic.
enum class Role : uint8_t { Forward, Adjoint, Tangent };

struct Origin {
  Role role = Role::Forward;
  /// For derived code: the kind of the primal op it differentiates, when there is one (its
  /// location is the op's `loc`).
  std::optional<OpKind> primal;
};

/// Index modes for `index`, `update`, `update_add` (one per axis of the indexed tensor).
enum IndexMode : int64_t { kPoint = 0, kSlice = 1, kFull = 2 };

struct Op {
  OpKind kind;
  std::vector<Value *> operands;
  std::vector<Value *> results;
  std::vector<std::unique_ptr<Block>> regions;
  Block *parent = nullptr;
  SourceLoc loc;
  Origin origin;

  // Attributes; which ones an op uses is documented in Ops.def.
  double fval = 0;
  int64_t ival = 0;
  std::vector<int64_t> ints;
  std::vector<Dim> dims;
  std::string callee;
  /// Free text the printer shows as a trailing `// comment` (for example what the reverse sweep
  /// stores and its size). Not semantic; the IR parser ignores comments.
  std::string note;

  Value *result(unsigned i = 0) const { return results.at(i); }
  Value *operand(unsigned i) const { return operands.at(i); }
  Block *region(unsigned i) const { return regions.at(i).get(); }
};

struct Block {
  std::vector<Value *> args;
  std::vector<std::unique_ptr<Op>> ops;
  Op *parentOp = nullptr; // null for a function body
  Function *function = nullptr;

  Op *terminator() const { return ops.empty() ? nullptr : ops.back().get(); }
};

// Loop layout: a for's operands are (lo, hi, carried...) and its body's arguments (index,
// carried...); a while's operands and both regions' arguments are the carried values, and its
// body is its second region (the first is the condition).
inline size_t carriedOperandBase(const Op &loop) { return loop.kind == OpKind::For ? 2 : 0; }
inline size_t carriedArgBase(const Op &loop) { return loop.kind == OpKind::For ? 1 : 0; }
inline Block &loopBody(const Op &loop) { return *loop.region(loop.kind == OpKind::For ? 0 : 1); }

/// What eraseCarried took out of the loop besides its own argument and result.
struct ErasedCarried {
  Value *init;    // the loop's operand that started carried value k
  Value *yielded; // what the body yielded for it
};

/// Removes carried value k of a for/while: its init operand, its argument in every region, the
/// body's yield of it and the loop's result (later arguments and results are renumbered). The
/// caller has already redirected the uses of the argument and the result.
ErasedCarried eraseCarried(Op &loop, size_t k);

struct Function {
  std::string name;
  std::vector<std::string> sizeParams; // symbol i of every Dim in this function is sizeParams[i]
  std::vector<Type> resultTypes;
  std::vector<std::string> resultNames; // optional names ("d_w"); empty or one per result
  /// The source function returns a tuple (printed as a JSON array by `diffc run`), even when the
  /// flattened results are one value.
  bool resultIsTuple = false;
  std::unique_ptr<Block> body;
  /// Where the function was written (for diagnostics and runtime errors).
  SourceLoc loc;
  /// `@vjp(g)`: the name of the user's rule for reverse mode, else empty.
  std::string vjpRule;

  Function();
  Function(const Function &) = delete;
  Function &operator=(const Function &) = delete;

  /// The parameters: the body block's arguments.
  const std::vector<Value *> &params() const { return body->args; }
  /// Appends a parameter.
  Value *addParam(Type type, std::string name);

  /// A new value owned by this function (not yet defined anywhere).
  Value *newValue(Type type, std::string name = {});
  uint32_t numValues() const { return static_cast<uint32_t>(values_.size()); }

private:
  std::deque<Value> values_;
};

/// A derivative the source asked for with `grad(e, x)` / `jvp(e, x, v)`: lowering puts `e` in a
/// function of its own (`base`) and calls `name`, which the AD stage must create from `base` before
/// anything else runs (inner requests come first, so nested ones see their callees).
struct DerivativeRequest {
  enum class Kind { Grad, Jvp } kind = Kind::Grad;
  std::string name;             // the function the call refers to: "<base>.grad" / "<base>.jvp"
  std::string base;             // the function holding e
  std::vector<std::string> wrt; // parameters of base to differentiate with respect to
  SourceLoc loc;
};

struct Module {
  std::string sourceName; // file the module came from, for runtime error locations
  std::vector<std::unique_ptr<Function>> functions;
  std::vector<DerivativeRequest> derivatives;

  Function *lookup(std::string_view name) const;
  Function *addFunction(std::string name);
};

/// Appends ops at the end of a block (the common case when lowering or transforming).
class Builder {
public:
  explicit Builder(Function &fn) : fn_(fn) {}
  Function &function() const { return fn_; }

  void setInsertionBlock(Block *b) { block_ = b; }
  Block *insertionBlock() const { return block_; }
  void setLoc(SourceLoc loc) { loc_ = loc; }
  SourceLoc loc() const { return loc_; }
  /// The origin given to ops created from now on (forward code until set).
  void setOrigin(Origin o) { origin_ = o; }
  Origin origin() const { return origin_; }

  /// A new op with results of the given types, appended to the insertion block.
  Op *create(OpKind kind, std::vector<Value *> operands, std::vector<Type> resultTypes,
             std::string resultName = {});
  /// As create() with one result; returns that result.
  Value *value(OpKind kind, std::vector<Value *> operands, Type resultType,
               std::string resultName = {});
  /// Adds a region (empty block with arguments of the given types) to op.
  Block *addRegion(Op *op, std::vector<Type> argTypes, std::vector<std::string> argNames = {});

  Value *constF64(double v, ElemType e = ElemType::F64);
  Value *constI64(int64_t v);
  Value *constBool(bool v);
  Value *dimValue(const Dim &d);

private:
  Function &fn_;
  Block *block_ = nullptr;
  SourceLoc loc_;
  Origin origin_;
};

/// Calls f on every op nested in block (pre-order, regions included).
template <typename F> void walk(Block &block, F &&f) {
  for (auto &op : block.ops) {
    f(*op);
    for (auto &r : op->regions)
      walk(*r, f);
  }
}

} // namespace diffc::ir
