// Module-level lowering: declarations of every function and of the runtime, and the C entry
// points (the calling convention of diffc/abi.h).
#include "codegen/Lowering.h"

#include "support/Diagnostics.h"

#include <fmt/format.h>
#include <functional>
#include <unordered_set>

namespace diffc::codegen {

ModuleLowering::ModuleLowering(const ir::Module &m, llvm::Module &out, const CodegenOptions &opts)
    : irm_(m), out_(out), opts_(opts) {}

bool hasEntryPoint(const ir::Function &fn) {
  for (const ir::Value *p : fn.params())
    if (p->type.isTape)
      return false;
  for (const ir::Type &t : fn.resultTypes)
    if (t.isTape)
      return false;
  return true;
}

void ModuleLowering::declare(const ir::Function &fn) {
  llvm::LLVMContext &c = context();
  llvm::Type *ptr = compat::ptrTy(c), *i64 = llvm::Type::getInt64Ty(c);
  std::vector<llvm::Type *> params{ptr};
  params.insert(params.end(), fn.sizeParams.size(), i64);
  auto scalarTy = [&](ir::ElemType e) -> llvm::Type * {
    switch (e) {
    case ir::ElemType::F64:
      return llvm::Type::getDoubleTy(c);
    case ir::ElemType::F32:
      return llvm::Type::getFloatTy(c);
    case ir::ElemType::I64:
      return i64;
    case ir::ElemType::Bool:
      return llvm::Type::getInt1Ty(c);
    }
    return i64;
  };
  for (const ir::Value *p : fn.params())
    params.push_back(p->type.isScalar() ? scalarTy(p->type.elem) : ptr);
  params.insert(params.end(), fn.resultTypes.size(), ptr);
  auto *ty = llvm::FunctionType::get(llvm::Type::getInt32Ty(c), params, false);
  // Prefixed so that a diffc function named like a libm function never clashes with it.
  auto *f =
      llvm::Function::Create(ty, llvm::Function::InternalLinkage, "diffc.fn." + fn.name, out_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  unsigned first = 1 + static_cast<unsigned>(fn.sizeParams.size());
  for (size_t i = 0; i < fn.params().size(); ++i) {
    const ir::Type &t = fn.params()[i]->type;
    if (t.isTensor()) {
      // Parameters are never written (only owned buffers are), so they may share memory.
      f->addParamAttr(first + static_cast<unsigned>(i), llvm::Attribute::NoAlias);
      f->addParamAttr(first + static_cast<unsigned>(i), llvm::Attribute::ReadOnly);
    }
  }
  unsigned firstResult = first + static_cast<unsigned>(fn.params().size());
  for (size_t i = 0; i < fn.resultTypes.size(); ++i)
    f->addParamAttr(firstResult + static_cast<unsigned>(i), llvm::Attribute::NoAlias);
  impls_[&fn] = f;
}

void ModuleLowering::findRecursion() {
  std::unordered_map<const ir::Function *, std::vector<const ir::Function *>> callees;
  for (const auto &f : irm_.functions)
    ir::walk(*f->body, [&](const ir::Op &op) {
      if (op.kind == ir::OpKind::Call)
        if (const ir::Function *g = irm_.lookup(op.callee)) {
          callees[f.get()].push_back(g);
          called_.insert(g);
        }
    });
  for (const auto &f : irm_.functions) {
    std::unordered_set<const ir::Function *> seen;
    std::vector<const ir::Function *> work = callees[f.get()];
    while (!work.empty()) {
      const ir::Function *g = work.back();
      work.pop_back();
      if (g == f.get()) {
        recursive_[f.get()] = true;
        break;
      }
      if (seen.insert(g).second)
        work.insert(work.end(), callees[g].begin(), callees[g].end());
    }
  }
}

void ModuleLowering::lowerAll() {
  for (const auto &f : irm_.functions)
    declare(*f);
  findRecursion();
  for (const auto &f : irm_.functions) {
    FnLowering fl(*this, *f);
    fl.run();
  }
}

llvm::FunctionCallee ModuleLowering::runtime(const char *name) {
  llvm::LLVMContext &c = context();
  llvm::Type *ptr = compat::ptrTy(c), *i64 = llvm::Type::getInt64Ty(c),
             *i32 = llvm::Type::getInt32Ty(c), *vd = llvm::Type::getVoidTy(c),
             *dbl = llvm::Type::getDoubleTy(c);
  std::string_view n = name;
  llvm::FunctionType *ty = nullptr;
  if (n == "diffc_rt_alloc_slow")
    ty = llvm::FunctionType::get(ptr, {ptr, i64}, false);
  else if (n == "diffc_rt_alloc")
    ty = llvm::FunctionType::get(ptr, {ptr, i64, ptr, i32, i32}, false);
  else if (n == "diffc_rt_release_slow")
    ty = llvm::FunctionType::get(vd, {ptr, ptr, ptr}, false);
  else if (n == "diffc_rt_tape_grow")
    ty = llvm::FunctionType::get(i32, {ptr, ptr, i64}, false);
  else if (n == "diffc_rt_tape_reserve")
    ty = llvm::FunctionType::get(i32, {ptr, ptr, i64, i64}, false);
  else if (n == "diffc_rt_tape_clone")
    ty = llvm::FunctionType::get(ptr, {ptr, ptr, i64}, false);
  else if (n == "diffc_rt_fail")
    ty = llvm::FunctionType::get(i32, {ptr, i32, ptr, i32, i32, i64, i64, i64, i64}, false);
  else if (n == "diffc_rt_nonfinite")
    ty = llvm::FunctionType::get(i32, {ptr, i32, ptr, i32, i32, ptr, i64, dbl, dbl, dbl}, false);
  else if (n == "diffc_rt_matmul_f64" || n == "diffc_rt_matmul_f32")
    ty = llvm::FunctionType::get(vd, {ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64}, false);
  else if (n == "diffc_rt_add_row_f64" || n == "diffc_rt_add_row_f32")
    ty = llvm::FunctionType::get(vd, {ptr, ptr, i64, i64}, false);
  else if (n == "diffc_rt_ipow")
    ty = llvm::FunctionType::get(i64, {i64, i64}, false);
  else
    throw InternalError(fmt::format("codegen: unknown runtime function '{}'", name));
  llvm::FunctionCallee callee = out_.getOrInsertFunction(name, ty);
  if (auto *f = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
    f->addFnAttr(llvm::Attribute::NoUnwind);
    if (n == "diffc_rt_fail" || n == "diffc_rt_nonfinite") {
      f->addFnAttr(llvm::Attribute::Cold);
      f->addFnAttr(llvm::Attribute::NoInline);
    }
    if (n == "diffc_rt_ipow")
      f->setDoesNotAccessMemory();
    if (n == "diffc_rt_alloc")
      f->addRetAttr(llvm::Attribute::NoAlias); // fresh memory, as from malloc
    if (n == "diffc_rt_matmul_f64" || n == "diffc_rt_matmul_f32") {
      // Touches its operands alone: LLVM keeps what it knows about other memory across it.
      f->setOnlyAccessesArgMemory();
      f->addFnAttr(llvm::Attribute::WillReturn);
      f->addParamAttr(0, llvm::Attribute::NoAlias);
      for (unsigned i = 0; i < 3; ++i)
        f->addParamAttr(i, llvm::Attribute::NoCapture);
      f->addParamAttr(1, llvm::Attribute::ReadOnly);
      f->addParamAttr(2, llvm::Attribute::ReadOnly);
    }
    if (n == "diffc_rt_add_row_f64" || n == "diffc_rt_add_row_f32") {
      f->setOnlyAccessesArgMemory();
      f->addFnAttr(llvm::Attribute::WillReturn);
      f->addParamAttr(0, llvm::Attribute::NoAlias);
      f->addParamAttr(0, llvm::Attribute::NoCapture);
      f->addParamAttr(1, llvm::Attribute::NoCapture);
      f->addParamAttr(1, llvm::Attribute::ReadOnly);
    }
  }
  return callee;
}

llvm::FunctionCallee ModuleLowering::libm(const char *name, llvm::Type *t, unsigned arity) {
  std::vector<llvm::Type *> params(arity, t);
  llvm::FunctionCallee callee =
      out_.getOrInsertFunction(name, llvm::FunctionType::get(t, params, false));
  if (auto *f = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
    // Pure for our purposes (errno is never read), so LLVM may hoist and share calls.
    f->setDoesNotAccessMemory();
    f->addFnAttr(llvm::Attribute::NoUnwind);
    f->addFnAttr(llvm::Attribute::WillReturn);
  }
  return callee;
}

llvm::Constant *ModuleLowering::cstring(const std::string &s) {
  auto it = strings_.find(s);
  if (it != strings_.end())
    return it->second;
  llvm::Constant *init = llvm::ConstantDataArray::getString(context(), s);
  auto *g = new llvm::GlobalVariable(out_, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                     init, "diffc.str");
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  strings_[s] = g;
  return g;
}

llvm::Function *ModuleLowering::emitEntry(const ir::Function &fn, const std::string &symbol) {
  if (!hasEntryPoint(fn))
    throw InternalError(fmt::format("codegen: '{}' takes or returns a tape", fn.name));
  llvm::LLVMContext &c = context();
  llvm::Type *ptr = compat::ptrTy(c), *i64 = llvm::Type::getInt64Ty(c),
             *i32 = llvm::Type::getInt32Ty(c), *i8 = llvm::Type::getInt8Ty(c);
  auto *ty = llvm::FunctionType::get(i32, {ptr, ptr, ptr, ptr}, false);
  auto *f = llvm::Function::Create(ty, llvm::Function::ExternalLinkage, symbol, out_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Value *ctx = f->getArg(0), *sizes = f->getArg(1), *args = f->getArg(2),
              *results = f->getArg(3);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(c, "entry", f));
  b.CreateStore(llvm::ConstantInt::get(i32, 0),
                b.CreateConstInBoundsGEP1_64(i8, ctx, offsetof(diffc_ctx, error)));
  b.CreateStore(llvm::ConstantInt::get(i64, 0),
                b.CreateConstInBoundsGEP1_64(i8, ctx, offsetof(diffc_ctx, depth)));

  // Sizes, each checked non-negative (they come from outside).
  std::vector<llvm::Value *> callArgs{ctx};
  for (size_t s = 0; s < fn.sizeParams.size(); ++s) {
    llvm::Value *v = b.CreateLoad(i64, b.CreateConstInBoundsGEP1_64(i64, sizes, s));
    llvm::BasicBlock *bad = llvm::BasicBlock::Create(c, "badsize", f);
    llvm::BasicBlock *ok = llvm::BasicBlock::Create(c, "size.ok", f);
    b.CreateCondBr(b.CreateICmpSLT(v, llvm::ConstantInt::get(i64, 0)), bad, ok);
    b.SetInsertPoint(bad);
    llvm::Value *z = llvm::ConstantInt::get(i64, 0);
    b.CreateRet(b.CreateCall(runtime("diffc_rt_fail"),
                             {ctx, llvm::ConstantInt::get(i32, DIFFC_ERR_NEGATIVE_SIZE),
                              cstring(fn.name), llvm::ConstantInt::get(i32, fn.loc.line),
                              llvm::ConstantInt::get(i32, fn.loc.col), v, z, z, z}));
    b.SetInsertPoint(ok);
    callArgs.push_back(v);
  }
  for (size_t i = 0; i < fn.params().size(); ++i) {
    const ir::Type &t = fn.params()[i]->type;
    llvm::Value *p = b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, args, i));
    if (!t.isScalar()) {
      callArgs.push_back(p);
      continue;
    }
    switch (t.elem) {
    case ir::ElemType::F64:
      callArgs.push_back(b.CreateLoad(llvm::Type::getDoubleTy(c), p));
      break;
    case ir::ElemType::F32:
      callArgs.push_back(b.CreateLoad(llvm::Type::getFloatTy(c), p));
      break;
    case ir::ElemType::I64:
      callArgs.push_back(b.CreateLoad(i64, p));
      break;
    case ir::ElemType::Bool:
      callArgs.push_back(b.CreateICmpNE(b.CreateLoad(i8, p), llvm::ConstantInt::get(i8, 0)));
      break;
    }
  }
  for (size_t i = 0; i < fn.resultTypes.size(); ++i)
    callArgs.push_back(b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, results, i)));

  // Everything the call allocates is returned to the arenas afterwards, so a ctx reused for the
  // next call allocates from warm chunks.
  auto markOf = [&](uint64_t arena) {
    llvm::Value *a = b.CreateConstInBoundsGEP1_64(i8, ctx, arena);
    return std::array<llvm::Value *, 3>{
        a, b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(i8, a, offsetof(diffc_arena, chunk))),
        b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(i8, a, offsetof(diffc_arena, cur)))};
  };
  if (opts_.checkNonFinite) {
    // Everything but the result pointers.
    std::vector<llvm::Value *> inputs(callArgs.begin(),
                                      callArgs.end() - static_cast<long>(fn.resultTypes.size()));
    llvm::Value *st = b.CreateCall(emitInputCheck(fn), inputs);
    llvm::BasicBlock *bad = llvm::BasicBlock::Create(c, "badinput", f);
    llvm::BasicBlock *ok = llvm::BasicBlock::Create(c, "inputs.ok", f);
    b.CreateCondBr(b.CreateICmpEQ(st, llvm::ConstantInt::get(i32, 0)), ok, bad);
    b.SetInsertPoint(bad);
    b.CreateRet(st);
    b.SetInsertPoint(ok);
  }
  auto temp = markOf(offsetof(diffc_ctx, temp));
  auto tape = markOf(offsetof(diffc_ctx, tape));
  llvm::Value *status = b.CreateCall(implOf(fn), callArgs);
  b.CreateCall(runtime("diffc_rt_release_slow"), {temp[0], temp[1], temp[2]});
  b.CreateCall(runtime("diffc_rt_release_slow"), {tape[0], tape[1], tape[2]});
  b.CreateRet(status);
  return f;
}

} // namespace diffc::codegen
