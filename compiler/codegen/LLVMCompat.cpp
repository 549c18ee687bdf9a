#include "codegen/LLVMCompat.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/SubtargetFeature.h>
#include <llvm/Transforms/IPO/AlwaysInliner.h>

#include <mutex>

namespace diffc::codegen::compat {

namespace {
llvm::CodeGenOptLevel codegenLevel(unsigned opt) {
  switch (opt) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

llvm::Expected<llvm::orc::JITTargetMachineBuilder> hostBuilder(unsigned optLevel) {
  initNativeTarget();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb)
    return jtmb.takeError();
  jtmb->setCodeGenOptLevel(codegenLevel(optLevel));
  // Objects may be linked into position-independent executables; the JIT does not mind.
  jtmb->setRelocationModel(llvm::Reloc::PIC_);
  return jtmb;
}
} // namespace

void initNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> hostTargetMachine(unsigned optLevel) {
  auto jtmb = hostBuilder(optLevel);
  if (!jtmb)
    return jtmb.takeError();
  return jtmb->createTargetMachine();
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> cpuTargetMachine(const std::string &cpu,
                                                                      unsigned optLevel) {
  // Ask the host's subtarget table first: LLVM only warns on stderr about an unknown CPU.
  auto host = hostTargetMachine(optLevel);
  if (!host)
    return host.takeError();
  const std::string triple = (*host)->getTargetTriple().str();
  if (!(*host)->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "unknown CPU '" + cpu + "' for " + triple);
  auto jtmb = hostBuilder(optLevel);
  if (!jtmb)
    return jtmb.takeError();
  jtmb->setCPU(cpu);
  jtmb->getFeatures() = llvm::SubtargetFeatures(); // the CPU's own features, not the host's
  return jtmb->createTargetMachine();
}

void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm, unsigned optLevel, bool jit) {
  m.setDataLayout(tm.createDataLayout());
  m.setTargetTriple(tm.getTargetTriple().str());
  // Give every function the host CPU so the vectoriser's cost model sees its vector units.
  for (llvm::Function &f : m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", tm.getTargetCPU());
    f.addFnAttr("target-features", tm.getTargetFeatureString());
  }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = optLevel >= 2;
  // No SLP vectoriser: diffc's tensor work is loops (the loop vectoriser's job), and SLP's pairs
  // of adjacent element updates in a loop, `d_x[i] += a; d_x[i + 1] += b` in the reverse of any
  // x[i], x[i + 1] stencil, store 16 bytes that the next iteration's pair reloads half of: a
  // store-forwarding stall per iteration (Rosenbrock's gradient 3.2x slower). It gained nothing
  // measurable on any benchmark case (tests/bench, 2026-11-29).
  pto.SLPVectorization = false;
  pto.LoopUnrolling = !jit;
  pto.LoopInterleaving = !jit;
  llvm::PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm;
  if (optLevel > 0) {
    // A function whose one use is the call from its C entry point is inlined into the entry
    // before the pipeline starts. The inliner would inline it anyway, but only after the
    // function simplification pipeline has run over its body, which then runs again over the
    // entry: the body is simplified twice. Inlined first, it is simplified once (cold MLP
    // gradient: LLVM's optimiser -21 % instructions, machine code +4 %; run times unchanged,
    // tests/bench/compile/README.md).
    for (llvm::Function &f : m) {
      if (f.isDeclaration() || !f.hasLocalLinkage() || !f.hasOneUse() ||
          f.hasFnAttribute(llvm::Attribute::NoInline))
        continue;
      auto *call = llvm::dyn_cast<llvm::CallInst>(f.user_back());
      if (call && call->getCalledFunction() == &f && !call->getFunction()->hasLocalLinkage())
        f.addFnAttr(llvm::Attribute::AlwaysInline);
    }
    mpm.addPass(llvm::AlwaysInlinerPass());
  }
  mpm.addPass(optLevel == 0 ? pb.buildO0DefaultPipeline(level)
                            : pb.buildPerModuleDefaultPipeline(level));
  mpm.run(m, mam);
}

llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>> createHostJit(unsigned optLevel) {
  auto jtmb = hostBuilder(optLevel);
  if (!jtmb)
    return jtmb.takeError();
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit)
    return jit.takeError();
  // libm and libc come from the host process.
  auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!gen)
    return gen.takeError();
  (*jit)->getMainJITDylib().addGenerator(std::move(*gen));
  return jit;
}

namespace {
std::string emitTo(llvm::Module &m, llvm::TargetMachine &tm, llvm::raw_pwrite_stream &out) {
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, out, nullptr, llvm::CodeGenFileType::ObjectFile))
    return "this target cannot emit object files";
  pm.run(m);
  return {};
}
} // namespace

std::string emitObjectBuffer(llvm::Module &m, llvm::TargetMachine &tm,
                             llvm::SmallVectorImpl<char> &out) {
  llvm::raw_svector_ostream os(out);
  return emitTo(m, tm, os);
}

std::string emitObject(llvm::Module &m, llvm::TargetMachine &tm, const std::string &path) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return "cannot open " + path + ": " + ec.message();
  if (std::string err = emitTo(m, tm, out); !err.empty())
    return err;
  out.flush();
  if (out.has_error())
    return "cannot write " + path;
  return {};
}

} // namespace diffc::codegen::compat
