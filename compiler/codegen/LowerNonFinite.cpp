// `--check-nan` in compiled code (CodegenOptions::checkNonFinite): after every op that can turn
// finite operands into NaN or an infinity (ir/NonFinite.h, the interpreter's list too), a check of
// its result that returns DIFFC_ERR_NONFINITE with the op, its origin, the first bad element and
// the operands there; and, before a call from outside, a check of the arguments
// (DIFFC_ERR_NONFINITE_INPUT). A tensor is scanned by a loop that only ORs "not finite" flags, so
// it vectorises; the element is located by a second loop only when that flag is set.
#include "codegen/Lowering.h"

#include "ir/NonFinite.h"

namespace diffc::codegen {

using ir::ElemType;

llvm::Constant *ModuleLowering::checkSite(const std::string &op, const std::string &origin,
                                          const std::vector<std::string> &names,
                                          unsigned operands) {
  llvm::LLVMContext &c = context();
  llvm::Type *i32 = llvm::Type::getInt32Ty(c);
  llvm::Constant *empty = cstring("");
  auto name = [&](size_t i) { return i < names.size() ? cstring(names[i]) : empty; };
  // diffc_site: {op, origin, operands, reserved, names[2]}
  llvm::Constant *init = llvm::ConstantStruct::getAnon(
      {cstring(op), cstring(origin), llvm::ConstantInt::get(i32, operands),
       llvm::ConstantInt::get(i32, 0), name(0), name(1)});
  auto *g = new llvm::GlobalVariable(out_, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                     init, "diffc.site");
  return g;
}

llvm::Value *FnLowering::notFinite(llvm::Value *x) {
  // |x| is not below +inf exactly for NaN (unordered) and the infinities.
  llvm::Value *ax = B.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
  return B.CreateFCmpUGE(ax, llvm::ConstantFP::getInfinity(x->getType()));
}

void FnLowering::checkFinite(const ir::Value *v, int code, llvm::Constant *site,
                             const std::vector<const ir::Value *> &operands) {
  SourceLoc loc = curOp ? curOp->loc : fn.loc;
  ElemType e = v->type.elem;
  auto toDouble = [&](const ir::Value *x, llvm::Value *idx) {
    return castElem(x->type.elem, ElemType::F64, read(x, idx));
  };
  auto fail = [&](llvm::Value *idx, llvm::Value *value) {
    std::vector<llvm::Value *> vals;
    for (const ir::Value *o : operands)
      vals.push_back(toDouble(o, idx));
    failNonFinite(code, site, loc, idx, castElem(e, ElemType::F64, value), vals);
  };
  llvm::MDBuilder md(C);
  llvm::BasicBlock *cont = newBlock("finite");
  if (v->type.isScalar()) {
    llvm::Value *x = get(v);
    llvm::BasicBlock *bad = newBlock("nonfinite");
    B.CreateCondBr(notFinite(x), bad, cont, md.createUnlikelyBranchWeights());
    B.SetInsertPoint(bad);
    fail(nullptr, x);
    B.SetInsertPoint(cont);
    return;
  }
  llvm::Value *data = get(v);
  llvm::Value *n = numel(v->type.shape);
  llvm::Value *any = loopCarried(
      constI64(0), n, {B.getFalse()}, [&](llvm::Value *i, const std::vector<llvm::Value *> &acc) {
        return std::vector<llvm::Value *>{B.CreateOr(acc[0], notFinite(load(e, data, i)))};
      })[0];
  llvm::BasicBlock *find = newBlock("nonfinite.find");
  B.CreateCondBr(any, find, cont, md.createUnlikelyBranchWeights());
  B.SetInsertPoint(find);
  loop(constI64(0), n, [&](llvm::Value *i) {
    llvm::Value *x = load(e, data, i);
    llvm::BasicBlock *bad = newBlock("nonfinite"), *next = newBlock("nonfinite.next");
    B.CreateCondBr(notFinite(x), bad, next);
    B.SetInsertPoint(bad);
    fail(i, x);
    B.SetInsertPoint(next);
  });
  B.CreateBr(cont);
  B.SetInsertPoint(cont);
}

void FnLowering::failNonFinite(int code, llvm::Constant *site, SourceLoc loc, llvm::Value *idx,
                               llvm::Value *value, const std::vector<llvm::Value *> &operands) {
  llvm::Value *zero = llvm::ConstantFP::get(f64, 0.0);
  llvm::Value *status = B.CreateCall(
      M.runtime("diffc_rt_nonfinite"),
      {ctx, llvm::ConstantInt::get(i32, code), fnName_, llvm::ConstantInt::get(i32, loc.line),
       llvm::ConstantInt::get(i32, loc.col), site, idx ? idx : constI64(-1), value,
       operands.size() > 0 ? operands[0] : zero, operands.size() > 1 ? operands[1] : zero});
  B.CreateRet(status);
}

llvm::Constant *FnLowering::siteOf(const ir::Op &op) {
  std::vector<std::string> names;
  for (unsigned k = 0; k < ir::reportedOperands(op); ++k)
    names.push_back(op.operand(k)->name);
  return M.checkSite(ir::opMnemonic(op.kind), ir::originText(op.origin), names,
                     static_cast<unsigned>(names.size()));
}

void FnLowering::checkResult(const ir::Op &op) {
  std::vector<const ir::Value *> operands;
  for (unsigned k = 0; k < ir::reportedOperands(op); ++k)
    operands.push_back(op.operand(k));
  const ir::Op *saved = curOp;
  curOp = &op;
  checkFinite(op.result(), DIFFC_ERR_NONFINITE, siteOf(op), operands);
  curOp = saved;
}

void FnLowering::checkAddedElement(const ir::Op &op, llvm::Value *flat, llvm::Value *sum,
                                   llvm::Value *old, llvm::Value *val) {
  ElemType e = op.result()->type.elem;
  llvm::BasicBlock *bad = newBlock("nonfinite"), *next = newBlock("finite");
  llvm::MDBuilder md(C);
  B.CreateCondBr(notFinite(sum), bad, next, md.createUnlikelyBranchWeights());
  B.SetInsertPoint(bad);
  auto d = [&](llvm::Value *v) { return castElem(e, ElemType::F64, v); };
  failNonFinite(DIFFC_ERR_NONFINITE, siteOf(op), op.loc, flat, d(sum), {d(old), d(val)});
  B.SetInsertPoint(next);
}

void FnLowering::runInputCheck() {
  begin();
  curOp = nullptr;
  for (size_t i = 0; i < fn.params().size(); ++i) {
    const ir::Value *p = fn.params()[i];
    if (!p->type.isFloat())
      continue;
    // No op and no operand values; names[0] is the parameter.
    std::string name = p->name.empty() ? "#" + std::to_string(i) : p->name;
    llvm::Constant *site = M.checkSite("", "input", {name}, 0);
    checkFinite(p, DIFFC_ERR_NONFINITE_INPUT, site, {});
  }
  B.CreateRet(llvm::ConstantInt::get(i32, 0));
}

llvm::Function *ModuleLowering::emitInputCheck(const ir::Function &fn) {
  // i32 (ptr ctx, i64 size..., PARAMS...): the implementation's signature without the results,
  // so that FnLowering binds sizes and parameters as usual.
  llvm::FunctionType *impl = implOf(fn)->getFunctionType();
  size_t nparams = impl->getNumParams() - fn.resultTypes.size();
  std::vector<llvm::Type *> params(impl->param_begin(), impl->param_begin() + nparams);
  auto *ty = llvm::FunctionType::get(impl->getReturnType(), params, false);
  auto *f =
      llvm::Function::Create(ty, llvm::Function::InternalLinkage, "diffc.inputs." + fn.name, out_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  FnLowering fl(*this, fn, f);
  fl.runInputCheck();
  return f;
}

} // namespace diffc::codegen
