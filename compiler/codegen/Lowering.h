// Lowering of diffc IR to LLVM IR (internal to codegen).
//
// Every IR function F becomes an internal LLVM function
//
//   i32 @"F"(ptr ctx, i64 size..., PARAMS..., ptr result...)
//
// where scalars are passed by value (f64 double, f32 float, i64 i64, bool i1), tensors and tapes
// as pointers, and each result is a pointer to storage the caller provides (a buffer of the
// result's shape for a tensor, one element for a scalar, a pointer slot for a tape). It returns 0,
// or a diffc_status after filling ctx->error. Functions that can be called from outside also get
// a C entry point with the signature documented in diffc/abi.h (see Entry.cpp).
//
// Memory: every temporary tensor comes from the ctx's temp arena (an inline bump allocation);
// loops and calls take a mark and release back to it, so memory does not grow with the number of
// iterations. Values are immutable; `update`, `update_add` and the tape ops write into their
// operand only when Ownership says it is dead afterwards, otherwise they copy first.
#pragma once

#include "codegen/Codegen.h"
#include "codegen/LLVMCompat.h"
#include "codegen/Ownership.h"
#include "ir/IR.h"

#include <array>
#include <functional>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace diffc::codegen {

/// The op after op in its block, or null.
const ir::Op *nextOp(const ir::Op &op);

/// The body of a loop that cannot fail and allocates nothing: scalar arithmetic, reads and
/// in-place updates at indexes proven in range (LoopPairing.cpp).
bool quietBody(const ir::Block &b, const Ownership &own);

/// Module-wide state: LLVM types, runtime declarations, and the LLVM function of each IR function.
class ModuleLowering {
public:
  ModuleLowering(const ir::Module &m, llvm::Module &out, const CodegenOptions &opts);

  /// Declares every IR function, then lowers each body. Throws InternalError on IR it cannot
  /// lower (which the verifier should have rejected).
  void lowerAll();
  /// Adds the C entry point of fn under `symbol` (abi.h); fn must have no tape params/results.
  llvm::Function *emitEntry(const ir::Function &fn, const std::string &symbol);

  const ir::Module &irModule() const { return irm_; }
  llvm::Module &llvmModule() { return out_; }
  llvm::LLVMContext &context() { return out_.getContext(); }
  const CodegenOptions &options() const { return opts_; }
  llvm::Function *implOf(const ir::Function &fn) const { return impls_.at(&fn); }
  /// True when fn can reach itself through calls (it then counts its depth in ctx).
  bool isRecursive(const ir::Function &fn) const { return recursive_.count(&fn) != 0; }
  /// True when another function of the module calls fn (its body may then run many times per
  /// call from outside).
  bool isCalled(const ir::Function &fn) const { return called_.count(&fn) != 0; }

  /// A libm function taking and returning `t` (double or float), called without builtin
  /// recognition so that LLVM never replaces it by something with other rounding.
  llvm::FunctionCallee libm(const char *name, llvm::Type *t, unsigned arity);
  llvm::FunctionCallee runtime(const char *name);
  /// A private constant C string (function names for error records).
  llvm::Constant *cstring(const std::string &s);
  /// A private constant diffc_site (abi.h) for a non-finite check (LowerNonFinite.cpp).
  llvm::Constant *checkSite(const std::string &op, const std::string &origin,
                            const std::vector<std::string> &names, unsigned operands);
  /// An internal function checking fn's float arguments are finite (before a call from outside).
  llvm::Function *emitInputCheck(const ir::Function &fn);

private:
  void declare(const ir::Function &fn);
  void findRecursion();

  const ir::Module &irm_;
  llvm::Module &out_;
  CodegenOptions opts_;
  std::unordered_map<const ir::Function *, llvm::Function *> impls_;
  std::unordered_map<const ir::Function *, bool> recursive_;
  std::unordered_set<const ir::Function *> called_;
  std::map<std::string, llvm::Constant *> strings_;
};

/// Lowers the body of one IR function.
class FnLowering {
public:
  /// Lowers fn into its implementation, or into `target` (runInputCheck).
  FnLowering(ModuleLowering &m, const ir::Function &fn, llvm::Function *target = nullptr);
  void run();
  /// The body of emitInputCheck's function: every float parameter checked finite, then 0.
  void runInputCheck();

  // ---- Infrastructure (FnLowering.cpp) -------------------------------------------------------
  ModuleLowering &M;
  const ir::Function &fn;
  llvm::Function *F;
  llvm::LLVMContext &C;
  llvm::IRBuilder<> B;
  Ownership own;
  llvm::Type *i1, *i8, *i32, *i64, *f32, *f64, *ptr;
  llvm::Value *ctx = nullptr;
  const ir::Op *curOp = nullptr; // the op being lowered (error locations)

  llvm::Value *get(const ir::Value *v) const;
  void set(const ir::Value *v, llvm::Value *x);

  llvm::Value *constI64(int64_t v) { return llvm::ConstantInt::get(i64, v); }
  /// The value of a dim, computed once in the prologue.
  llvm::Value *dim(const ir::Dim &d);
  std::vector<llvm::Value *> dims(const ir::Shape &s);
  /// Number of elements of a shape, checked to fit in int64 unless fitsLikeParam.
  llvm::Value *numel(const ir::Shape &s);
  /// d >= 0 is known: a constant, or a size parameter alone (checked on entry).
  bool nonNegative(const ir::Dim &d);
  /// Elements of shape s of bytesPerElem bytes each take no more bytes than a tensor parameter.
  bool fitsLikeParam(const ir::Shape &s, int64_t bytesPerElem);

  /// Memory type of one element (bool is i8) and its scalar SSA type (bool is i1).
  llvm::Type *memTy(ir::ElemType e);
  llvm::Type *valTy(ir::ElemType e);
  /// LLVM type of an IR value (scalar SSA type, or ptr for tensors and tapes).
  llvm::Type *typeOf(const ir::Type &t);
  static int64_t elemBytes(ir::ElemType e);
  llvm::Value *elemPtr(ir::ElemType e, llvm::Value *base, llvm::Value *idx);
  llvm::Value *load(ir::ElemType e, llvm::Value *base, llvm::Value *idx);
  void store(ir::ElemType e, llvm::Value *base, llvm::Value *idx, llvm::Value *v);
  /// Element `idx` of v: v itself when it is a scalar, else a load from its buffer.
  llvm::Value *read(const ir::Value *v, llvm::Value *idx);
  void copy(ir::ElemType e, llvm::Value *dst, llvm::Value *src, llvm::Value *count);
  /// memcpy of `bytes` between buffers that do not overlap; small symbolic sizes inline.
  void copyBytes(llvm::Value *dst, llvm::Value *src, llvm::Value *bytes);
  void zero(ir::ElemType e, llvm::Value *dst, llvm::Value *count);
  llvm::Value *zeroOf(ir::ElemType e);
  llvm::Value *oneOf(ir::ElemType e);

  /// A buffer for a value of type t (checks its extents are non-negative and the byte size fits).
  llvm::Value *allocTensor(const ir::Type &t);
  /// The byte size of a value of type t, with allocTensor's checks.
  llvm::Value *tensorBytes(const ir::Type &t);
  /// True when allocTensor gives tensors of type t a stack slot instead of arena memory.
  static bool onStack(const ir::Type &t);
  llvm::Value *allocBytes(llvm::Value *bytes, llvm::Value *arena);
  /// A fresh copy of tensor value v.
  llvm::Value *copyOf(const ir::Value *v);
  struct Mark {
    llvm::Value *chunk, *cur;
  };
  Mark mark();
  void release(Mark m);

  /// Continues when `ok` holds; otherwise fills the error record (at curOp's location) and
  /// returns `code` from the function.
  void check(llvm::Value *ok, int code, llvm::Value *a = nullptr, llvm::Value *b = nullptr,
             llvm::Value *c = nullptr, llvm::Value *d = nullptr);
  /// A block returning the status of the error record a runtime function has filled.
  llvm::BasicBlock *recordedFailure();
  /// Returns `status` from the function when it is not 0.
  void propagate(llvm::Value *status);

  // Non-finite checks (LowerNonFinite.cpp).
  llvm::Value *notFinite(llvm::Value *x);
  /// Returns `code` (DIFFC_ERR_NONFINITE*) at the first NaN / inf element of v, with site and
  /// the values of `operands` (scalars or of v's shape) at that element.
  void checkFinite(const ir::Value *v, int code, llvm::Constant *site,
                   const std::vector<const ir::Value *> &operands);
  /// The check after op (one of ir::mayProduceNonFinite).
  void checkResult(const ir::Op &op);
  /// The check of one sum of update_add (ir::checkedWhileUpdating): sum = old + val at flat.
  void checkAddedElement(const ir::Op &op, llvm::Value *flat, llvm::Value *sum, llvm::Value *old,
                         llvm::Value *val);
  /// The diffc_site of op's check.
  llvm::Constant *siteOf(const ir::Op &op);
  /// Fills the error record (value and operands as doubles; idx null for a scalar) and returns.
  void failNonFinite(int code, llvm::Constant *site, SourceLoc loc, llvm::Value *idx,
                     llvm::Value *value, const std::vector<llvm::Value *> &operands);

  /// for (iv = lo; iv < hi; ++iv) body(iv), as a loop LLVM recognises.
  void loop(llvm::Value *lo, llvm::Value *hi, const std::function<void(llvm::Value *)> &body);
  /// The same with carried values: body returns the next values; returns the final ones.
  std::vector<llvm::Value *> loopCarried(
      llvm::Value *lo, llvm::Value *hi, std::vector<llvm::Value *> init,
      const std::function<std::vector<llvm::Value *>(llvm::Value *,
                                                     const std::vector<llvm::Value *> &)> &body);
  /// Nested loops over extents (row-major order); body gets one index per extent.
  void loopNest(const std::vector<llvm::Value *> &extents,
                const std::function<void(const std::vector<llvm::Value *> &)> &body);
  /// Row-major strides of a shape, in elements.
  std::vector<llvm::Value *> strides(const std::vector<llvm::Value *> &extents);
  llvm::BasicBlock *newBlock(const char *name);
  void setFastMath(llvm::Value *v);

  // ---- Ops ---------------------------------------------------------------------------------
  void lowerBlockBody(const ir::Block &b); // every op but the terminator
  void lowerOp(const ir::Op &op);
  /// Whether op i of b is computed element by element inside its only consumer (Fusion.cpp)
  /// instead of into a buffer of its own.
  bool fusible(const ir::Block &b, size_t i) const;
  /// Element idx of the fused value v (see fusible), computed from its operands' elements.
  llvm::Value *fusedElem(const ir::Value *v, llvm::Value *idx);
  std::unordered_set<const ir::Value *> fused_;

  // Scalar element semantics (Scalar.cpp), matching interp/Elementwise.cpp exactly.
  llvm::Value *unaryElem(ir::OpKind k, ir::ElemType e, llvm::Value *x);
  llvm::Value *binaryElem(ir::OpKind k, ir::ElemType e, llvm::Value *a, llvm::Value *b);
  llvm::Value *compareElem(ir::OpKind k, ir::ElemType e, llvm::Value *a, llvm::Value *b);
  llvm::Value *castElem(ir::ElemType from, ir::ElemType to, llvm::Value *x);
  llvm::Value *call1(const char *fn, llvm::Value *x);
  llvm::Value *call2(const char *fn, llvm::Value *a, llvm::Value *b);
  llvm::Value *isNaN(llvm::Value *x);
  llvm::Value *maxElem(ir::ElemType e, llvm::Value *a, llvm::Value *b);
  llvm::Value *minElem(ir::ElemType e, llvm::Value *a, llvm::Value *b);

  // Elementwise.cpp
  void lowerElementwise(const ir::Op &op);
  void lowerSelect(const ir::Op &op);
  void lowerCast(const ir::Op &op);
  void lowerFill(const ir::Op &op);
  void lowerBroadcast(const ir::Op &op);
  /// Broadcast bc is not materialised: its one use is the elementwise op right after it, which
  /// reads bc's operand in place.
  bool broadcastIntoNext(const ir::Op &bc) const;
  void lowerSumTo(const ir::Op &op);
  // Shape.cpp
  void lowerConst(const ir::Op &op);
  void lowerEye(const ir::Op &op);
  void lowerReshape(const ir::Op &op);
  void lowerTranspose(const ir::Op &op);
  void lowerConcat(const ir::Op &op);
  void lowerPack(const ir::Op &op);
  void lowerDiag(const ir::Op &op);
  // Reduce.cpp
  void lowerReduce(const ir::Op &op);
  void lowerArgmax(const ir::Op &op);
  void lowerSoftmax(const ir::Op &op);
  // Linalg.cpp
  void lowerMatMul(const ir::Op &op);
  void lowerMatMulKernel(const ir::Op &op);
  /// A transpose: materialised by lowerTranspose unless a neighbouring matmul takes it over.
  void lowerTransposeOf(const ir::Op &op);
  /// Transpose t is read in place by the matmul right after it (its only user).
  bool transposeIntoMatMul(const ir::Op &t);
  /// Matmul mm writes its product transposed, for the transpose right after it (its only user).
  bool matMulTransposed(const ir::Op &mm);
  /// The add right after mm (and a broadcast of a row vector) that adds that row to every row of
  /// mm's product, its only user: mm's kernel call does it in place. Null when there is none.
  const ir::Op *biasAddAfter(const ir::Op &mm);
  /// Whether v is used, and only by user (in any of its operand slots).
  bool onlyUsedBy(const ir::Value *v, const ir::Op &user) const;
  void lowerOuter(const ir::Op &op);
  // Index.cpp
  void lowerIndex(const ir::Op &op);
  void lowerUpdate(const ir::Op &op);
  // Control.cpp
  void lowerIf(const ir::Op &op);
  void lowerFor(const ir::Op &op);
  /// For loops over one range run as one loop, each iteration running their bodies in order
  /// (a single loop, or a pair from loopPartner).
  void lowerForGroup(const std::vector<const ir::Op *> &ops);
  /// The index of the `for` after op i of b that runs as one loop with it, or 0 (LoopPairing.cpp).
  size_t loopPartner(const ir::Block &b, size_t i) const;
  /// The `for` op as one loop per group of its in-place additions, or nothing when it stays one
  /// loop (LoopSplit.cpp): the groups, in the order their loops run.
  std::vector<std::vector<const ir::Op *>> loopPieces(const ir::Op &op) const;
  /// op's loop, split by loopPieces when it can be; `with`, if not null, is paired with it
  /// (loopPartner) and runs in the first piece's loop.
  void lowerForSplit(const ir::Op *with, const ir::Op &op);
  /// The additions the piece being lowered leaves to the other pieces (lowerUpdate skips them).
  std::unordered_set<const ir::Op *> skipUpdates_;
  void lowerWhile(const ir::Op &op);
  void lowerMap(const ir::Op &op);
  void lowerCall(const ir::Op &op);
  void lowerReturn(const ir::Op &op);
  /// Results built in the caller's buffer from the start: the `fill` that starts each, with the
  /// result's index (FnLowering.cpp).
  void findDirectResults();
  std::unordered_map<const ir::Value *, unsigned> directResult_;
  /// The pointer argument for result r.
  llvm::Value *resultArg(unsigned r) const;
  /// Whether return operand v (result r) is a loop result built in result r's buffer.
  bool builtInPlace(const ir::Value *v, unsigned r) const;
  void copyUnlessSame(ir::ElemType e, llvm::Value *dst, llvm::Value *src, llvm::Value *count);
  /// The value a region yields for result i, made safe to outlive the region per Ownership.
  llvm::Value *yieldOperand(const ir::Op &yield, unsigned i);
  // Tape.cpp
  void lowerTapeNew(const ir::Op &op);
  void lowerTapePush(const ir::Op &op);
  void lowerTapePop(const ir::Op &op);
  llvm::Value *tapeEntryBytes(const ir::Type &tapeType);
  /// A tape a counted `for` loop only pushes onto (no other use inside the body): its room is
  /// reserved once before the loop and each push stores at an index computed from the loop
  /// counter, so that no count or capacity goes through memory per push.
  struct CountedTape {
    unsigned carried = 0;               // index among the loop's carried values
    std::vector<const ir::Op *> pushes; // the body's pushes onto it, in order
    llvm::Value *data = nullptr, *base = nullptr, *entryBytes = nullptr;
  };
  std::vector<CountedTape> reserveCountedTapes(const ir::Op &forOp,
                                               const std::vector<llvm::Value *> &init,
                                               llvm::Value *trips);
  /// Reserves, before a counted `for` loop, the room its inner counted loops' pushes onto its
  /// carried tapes take over all its iterations.
  void reserveNestedTapes(const ir::Op &forOp, const std::vector<llvm::Value *> &init,
                          llvm::Value *trips);
  /// Sets the destinations of the pushes of iteration `step` (0-based) of the loop.
  void placeCountedPushes(const std::vector<CountedTape> &tapes, llvm::Value *step);
  /// Stores the counts after iteration `step` into the tape headers `cur`.
  void storeCountedTapes(const std::vector<CountedTape> &tapes,
                         const std::vector<llvm::Value *> &cur, llvm::Value *step);
  std::unordered_map<const ir::Op *, llvm::Value *> pushDest_; // counted pushes: entry address

private:
  /// The prologue and entry blocks, ctx and the parameters (run and runInputCheck).
  void begin();
  llvm::BasicBlock *prologue_ = nullptr; // dims and allocas go here
  /// Moves B to the end of the prologue (callers hold an InsertPointGuard).
  void toPrologue() { B.SetInsertPoint(prologue_->getTerminator()); }
  std::unordered_map<const ir::Value *, llvm::Value *> vals_;
  std::map<ir::Dim, llvm::Value *> dimCache_;
  /// check()'s failure blocks by what they report: code, line, column and the four values.
  using FailKey = std::tuple<int, uint32_t, uint32_t, std::array<llvm::Value *, 4>>;
  std::map<FailKey, llvm::BasicBlock *> failBlocks_;
  int loopDepth_ = 0; // loops (of any kind) around the code being emitted
  llvm::BasicBlock *recordedFailure_ = nullptr;
  llvm::Value *fnName_ = nullptr;
};

} // namespace diffc::codegen
