// The semantics of one element, the single definition every tensor lowering uses. It mirrors
// interp/Elementwise.cpp operation for operation (the same libm functions, the same formulas, the
// same NaN and tie rules) so compiled results are bit-equal to the interpreter's. libm is called
// with builtin recognition off: LLVM would otherwise replace some calls by expansions whose
// rounding can differ (x ^ 2 is x * x by definition, ir/FloatPow.h). Exact operations (sqrt,
// fabs, floor, ceil, round) use LLVM intrinsics.
//
// Known difference: i64 arithmetic wraps modulo 2^64 here, where the interpreter reports results
// beyond 2^53 as an error (it keeps integers in doubles). Division by zero is an error in both.
#include "codegen/Lowering.h"

#include "support/Diagnostics.h"

#include <fmt/format.h>

namespace diffc::codegen {

using ir::ElemType;
using ir::OpKind;

llvm::Value *FnLowering::call1(const char *name, llvm::Value *x) {
  llvm::Type *t = x->getType();
  std::string n = t->isFloatTy() ? std::string(name) + "f" : std::string(name);
  llvm::CallInst *c = B.CreateCall(M.libm(n.c_str(), t, 1), {x});
  c->addFnAttr(llvm::Attribute::NoBuiltin);
  return c;
}

llvm::Value *FnLowering::call2(const char *name, llvm::Value *a, llvm::Value *b) {
  llvm::Type *t = a->getType();
  std::string n = t->isFloatTy() ? std::string(name) + "f" : std::string(name);
  llvm::CallInst *c = B.CreateCall(M.libm(n.c_str(), t, 2), {a, b});
  c->addFnAttr(llvm::Attribute::NoBuiltin);
  return c;
}

llvm::Value *FnLowering::isNaN(llvm::Value *x) { return B.CreateFCmpUNO(x, x); }

llvm::Value *FnLowering::maxElem(ElemType e, llvm::Value *a, llvm::Value *b) {
  switch (e) {
  case ElemType::Bool:
    return B.CreateOr(a, b);
  case ElemType::I64:
    return B.CreateSelect(B.CreateICmpSGE(a, b), a, b);
  default: {
    // NaN propagates as a + b; ties pick a (matters for -0.0 vs +0.0).
    llvm::Value *nan = B.CreateFCmpUNO(a, b);
    llvm::Value *pick = B.CreateSelect(B.CreateFCmpOGE(a, b), a, b);
    return B.CreateSelect(nan, B.CreateFAdd(a, b), pick);
  }
  }
}

llvm::Value *FnLowering::minElem(ElemType e, llvm::Value *a, llvm::Value *b) {
  switch (e) {
  case ElemType::Bool:
    return B.CreateAnd(a, b);
  case ElemType::I64:
    return B.CreateSelect(B.CreateICmpSLE(a, b), a, b);
  default: {
    llvm::Value *nan = B.CreateFCmpUNO(a, b);
    llvm::Value *pick = B.CreateSelect(B.CreateFCmpOLE(a, b), a, b);
    return B.CreateSelect(nan, B.CreateFAdd(a, b), pick);
  }
  }
}

namespace {
[[noreturn]] void undefinedOn(OpKind k, ElemType e) {
  throw InternalError(
      fmt::format("codegen: '{}' is not defined on {}", ir::opMnemonic(k), ir::elemTypeName(e)));
}
} // namespace

llvm::Value *FnLowering::unaryElem(OpKind k, ElemType e, llvm::Value *x) {
  if (e == ElemType::Bool) {
    if (k == OpKind::Not)
      return B.CreateNot(x);
    undefinedOn(k, e);
  }
  if (e == ElemType::I64) {
    llvm::Value *zero = constI64(0);
    switch (k) {
    case OpKind::Neg:
      return B.CreateSub(zero, x);
    case OpKind::Abs:
      return B.CreateSelect(B.CreateICmpSLT(x, zero), B.CreateSub(zero, x), x);
    case OpKind::Sign:
      return B.CreateSelect(B.CreateICmpSGT(x, zero), constI64(1),
                            B.CreateSelect(B.CreateICmpSLT(x, zero), constI64(-1), zero));
    case OpKind::Relu:
      return B.CreateSelect(B.CreateICmpSGT(x, zero), x, zero);
    case OpKind::Floor:
    case OpKind::Ceil:
    case OpKind::Round:
      return x;
    default:
      undefinedOn(k, e);
    }
  }
  llvm::Type *t = x->getType();
  llvm::Value *zero = llvm::ConstantFP::get(t, 0.0), *one = llvm::ConstantFP::get(t, 1.0);
  auto fp = [&](llvm::Value *v) {
    setFastMath(v);
    return v;
  };
  auto relu = [&](llvm::Value *v) {
    return B.CreateSelect(isNaN(v), v, B.CreateSelect(B.CreateFCmpOGT(v, zero), v, zero));
  };
  switch (k) {
  case OpKind::Neg:
    return fp(B.CreateFNeg(x));
  case OpKind::Exp:
    return call1("exp", x);
  case OpKind::Log:
    return call1("log", x);
  case OpKind::Log1p:
    return call1("log1p", x);
  case OpKind::Expm1:
    return call1("expm1", x);
  case OpKind::Sqrt:
    return fp(B.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x));
  case OpKind::Cbrt:
    return call1("cbrt", x);
  case OpKind::Sin:
    return call1("sin", x);
  case OpKind::Cos:
    return call1("cos", x);
  case OpKind::Tan:
    return call1("tan", x);
  case OpKind::Asin:
    return call1("asin", x);
  case OpKind::Acos:
    return call1("acos", x);
  case OpKind::Atan:
    return call1("atan", x);
  case OpKind::Sinh:
    return call1("sinh", x);
  case OpKind::Cosh:
    return call1("cosh", x);
  case OpKind::Tanh:
    return call1("tanh", x);
  case OpKind::Sigmoid: {
    // x >= 0: 1 / (1 + e^-x); otherwise e^x / (1 + e^x). One exp of a non-positive argument.
    llvm::Value *nonNeg = B.CreateFCmpOGE(x, zero);
    llvm::Value *z = call1("exp", B.CreateSelect(nonNeg, B.CreateFNeg(x), x));
    llvm::Value *den = fp(B.CreateFAdd(one, z));
    return B.CreateSelect(nonNeg, fp(B.CreateFDiv(one, den)), fp(B.CreateFDiv(z, den)));
  }
  case OpKind::Relu:
    return relu(x);
  case OpKind::Softplus: {
    // log1p(e^-|x|) + max(x, 0)
    llvm::Value *ax = B.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
    llvm::Value *l = call1("log1p", call1("exp", B.CreateFNeg(ax)));
    return fp(B.CreateFAdd(l, relu(x)));
  }
  case OpKind::Abs:
    return B.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
  case OpKind::Sign: {
    llvm::Value *s = B.CreateSelect(
        B.CreateFCmpOGT(x, zero), one,
        B.CreateSelect(B.CreateFCmpOLT(x, zero), llvm::ConstantFP::get(t, -1.0), zero));
    return B.CreateSelect(isNaN(x), x, s);
  }
  case OpKind::Floor:
    return B.CreateUnaryIntrinsic(llvm::Intrinsic::floor, x);
  case OpKind::Ceil:
    return B.CreateUnaryIntrinsic(llvm::Intrinsic::ceil, x);
  case OpKind::Round:
    return B.CreateUnaryIntrinsic(llvm::Intrinsic::round, x); // halfway away from zero
  case OpKind::Erf:
    return call1("erf", x);
  case OpKind::Lgamma: {
    // The reentrant variant: plain lgamma writes the global signgam (a data race across threads).
    const char *name = t->isFloatTy() ? "lgammaf_r" : "lgamma_r";
    llvm::FunctionCallee f =
        M.llvmModule().getOrInsertFunction(name, llvm::FunctionType::get(t, {t, ptr}, false));
    llvm::Value *sign;
    {
      llvm::IRBuilderBase::InsertPointGuard guard(B);
      toPrologue();
      sign = B.CreateAlloca(i32);
    }
    llvm::CallInst *c = B.CreateCall(f, {x, sign});
    c->addFnAttr(llvm::Attribute::NoBuiltin);
    return c;
  }
  default:
    undefinedOn(k, e);
  }
}

llvm::Value *FnLowering::binaryElem(OpKind k, ElemType e, llvm::Value *a, llvm::Value *b) {
  if (e == ElemType::Bool) {
    switch (k) {
    case OpKind::And:
    case OpKind::Min:
      return B.CreateAnd(a, b);
    case OpKind::Or:
    case OpKind::Max:
      return B.CreateOr(a, b);
    default:
      undefinedOn(k, e);
    }
  }
  if (e == ElemType::I64) {
    llvm::Value *zero = constI64(0);
    switch (k) {
    case OpKind::Add:
      return B.CreateAdd(a, b);
    case OpKind::Sub:
      return B.CreateSub(a, b);
    case OpKind::Mul:
      return B.CreateMul(a, b);
    case OpKind::Div:
    case OpKind::Mod: {
      check(B.CreateICmpNE(b, zero), DIFFC_ERR_DIV_ZERO);
      // INT64_MIN / -1 overflows (undefined in LLVM); the interpreter reports it as overflow too.
      llvm::Value *ovf =
          B.CreateAnd(B.CreateICmpEQ(a, constI64(INT64_MIN)), B.CreateICmpEQ(b, constI64(-1)));
      check(B.CreateNot(ovf), DIFFC_ERR_OVERFLOW);
      return k == OpKind::Div ? B.CreateSDiv(a, b) : B.CreateSRem(a, b);
    }
    case OpKind::Pow:
      check(B.CreateNot(B.CreateAnd(B.CreateICmpEQ(a, zero), B.CreateICmpSLT(b, zero))),
            DIFFC_ERR_DIV_ZERO);
      return B.CreateCall(M.runtime("diffc_rt_ipow"), {a, b});
    case OpKind::Min:
      return minElem(e, a, b);
    case OpKind::Max:
      return maxElem(e, a, b);
    default:
      undefinedOn(k, e);
    }
  }
  auto fp = [&](llvm::Value *v) {
    setFastMath(v);
    return v;
  };
  switch (k) {
  case OpKind::Add:
    return fp(B.CreateFAdd(a, b));
  case OpKind::Sub:
    return fp(B.CreateFSub(a, b));
  case OpKind::Mul:
    return fp(B.CreateFMul(a, b));
  case OpKind::Div:
    return fp(B.CreateFDiv(a, b));
  case OpKind::Mod:
    return B.CreateFRem(a, b); // fmod
  case OpKind::Pow: {
    // ir/FloatPow.h: a ^ 2 is a * a. A constant exponent (the usual `x ^ 2`) picks the product at
    // compile time; otherwise the exponent is tested at run time.
    llvm::Value *square = fp(B.CreateFMul(a, a));
    if (auto *c = llvm::dyn_cast<llvm::ConstantFP>(b))
      return c->isExactlyValue(2.0) ? square : call2("pow", a, b);
    llvm::Value *isTwo = B.CreateFCmpOEQ(b, llvm::ConstantFP::get(b->getType(), 2.0));
    return B.CreateSelect(isTwo, square, call2("pow", a, b));
  }
  case OpKind::Min:
    return minElem(e, a, b);
  case OpKind::Max:
    return maxElem(e, a, b);
  case OpKind::Atan2:
    return call2("atan2", a, b);
  case OpKind::Hypot:
    return call2("hypot", a, b);
  default:
    undefinedOn(k, e);
  }
}

llvm::Value *FnLowering::compareElem(OpKind k, ElemType e, llvm::Value *a, llvm::Value *b) {
  if (ir::isFloat(e)) {
    switch (k) {
    case OpKind::Eq:
      return B.CreateFCmpOEQ(a, b);
    case OpKind::Ne:
      return B.CreateFCmpUNE(a, b);
    case OpKind::Lt:
      return B.CreateFCmpOLT(a, b);
    case OpKind::Le:
      return B.CreateFCmpOLE(a, b);
    case OpKind::Gt:
      return B.CreateFCmpOGT(a, b);
    case OpKind::Ge:
      return B.CreateFCmpOGE(a, b);
    default:
      break;
    }
  } else {
    bool u = e == ElemType::Bool; // false < true
    switch (k) {
    case OpKind::Eq:
      return B.CreateICmpEQ(a, b);
    case OpKind::Ne:
      return B.CreateICmpNE(a, b);
    case OpKind::Lt:
      return u ? B.CreateICmpULT(a, b) : B.CreateICmpSLT(a, b);
    case OpKind::Le:
      return u ? B.CreateICmpULE(a, b) : B.CreateICmpSLE(a, b);
    case OpKind::Gt:
      return u ? B.CreateICmpUGT(a, b) : B.CreateICmpSGT(a, b);
    case OpKind::Ge:
      return u ? B.CreateICmpUGE(a, b) : B.CreateICmpSGE(a, b);
    default:
      break;
    }
  }
  throw InternalError(fmt::format("codegen: '{}' is not a comparison", ir::opMnemonic(k)));
}

llvm::Value *FnLowering::castElem(ElemType from, ElemType to, llvm::Value *x) {
  if (from == to)
    return x;
  switch (to) {
  case ElemType::F64:
    if (from == ElemType::F32)
      return B.CreateFPExt(x, f64);
    return from == ElemType::Bool ? B.CreateUIToFP(x, f64) : B.CreateSIToFP(x, f64);
  case ElemType::F32:
    if (from == ElemType::F64)
      return B.CreateFPTrunc(x, f32);
    if (from == ElemType::Bool)
      return B.CreateUIToFP(x, f32);
    return B.CreateFPTrunc(B.CreateSIToFP(x, f64), f32); // via double, as the interpreter
  case ElemType::Bool:
    if (ir::isFloat(from))
      return B.CreateFCmpUNE(x, llvm::ConstantFP::get(x->getType(), 0.0));
    return B.CreateICmpNE(x, llvm::ConstantInt::get(x->getType(), 0));
  case ElemType::I64: {
    if (from == ElemType::Bool)
      return B.CreateZExt(x, i64);
    llvm::Value *d = from == ElemType::F32 ? B.CreateFPExt(x, f64) : x;
    // NaN, infinities and |v| > 2^53 have no i64 value in the interpreter: an error in both.
    llvm::Value *t = B.CreateUnaryIntrinsic(llvm::Intrinsic::trunc, d);
    llvm::Value *mag = B.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, t);
    llvm::Value *ok = B.CreateFCmpOLE(mag, llvm::ConstantFP::get(f64, 9007199254740992.0));
    check(ok, DIFFC_ERR_CAST, B.CreateBitCast(d, i64));
    return B.CreateFPToSI(t, i64);
  }
  }
  return x;
}

} // namespace diffc::codegen
