#include "codegen/Build.h"

#include "codegen/Lowering.h"
#include "support/Diagnostics.h"

#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <set>

namespace diffc::codegen {

std::string sanitizeSymbol(const std::string &name) {
  std::string s = name;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      c = '_';
  return s;
}

std::unique_ptr<llvm::TargetMachine> hostMachine(unsigned optLevel) {
  auto tm = compat::hostTargetMachine(optLevel);
  if (!tm)
    throw CodegenError("cannot target this machine: " + compat::takeMessage(tm.takeError()));
  return std::move(*tm);
}

BuiltModule buildModule(const ir::Module &m, const CodegenOptions &opts, llvm::TargetMachine &tm,
                        bool optimize,
                        const std::function<std::string(const ir::Function &, size_t)> &symbolFor) {
  BuiltModule out;
  out.context = std::make_unique<llvm::LLVMContext>();
  out.module =
      std::make_unique<llvm::Module>(m.sourceName.empty() ? "diffc" : m.sourceName, *out.context);
  out.module->setDataLayout(tm.createDataLayout());
  out.module->setTargetTriple(tm.getTargetTriple().str());
  ModuleLowering lowering(m, *out.module, opts);
  lowering.lowerAll();
  for (size_t i = 0; i < m.functions.size(); ++i) {
    const ir::Function &fn = *m.functions[i];
    std::string sym = hasEntryPoint(fn) ? symbolFor(fn, i) : std::string();
    if (!sym.empty())
      lowering.emitEntry(fn, sym);
    out.symbols.push_back(sym);
  }
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*out.module, &os)) {
    std::string text;
    llvm::raw_string_ostream ts(text);
    out.module->print(ts, nullptr);
    throw InternalError("codegen produced invalid LLVM IR: " + problems + "\n" + text);
  }
  if (optimize)
    compat::optimizeModule(*out.module, tm, opts.optLevel);
  return out;
}

std::string emitLLVM(const ir::Module &m, std::string_view fnName, bool optimized,
                     const CodegenOptions &opts) {
  const ir::Function *fn = m.lookup(fnName);
  if (!fn)
    throw CodegenError("no function named '" + std::string(fnName) + "'");
  auto tm = hostMachine(opts.optLevel);
  BuiltModule b = buildModule(m, opts, *tm, optimized, [&](const ir::Function &f, size_t) {
    return &f == fn ? "diffc_" + sanitizeSymbol(f.name) : std::string();
  });
  std::string text;
  llvm::raw_string_ostream os(text);
  b.module->print(os, nullptr);
  return text;
}

void emitObjectNamed(const ir::Module &m, const std::string &path,
                     const std::vector<std::string> &symbols, const CodegenOptions &opts,
                     const std::string &cpu) {
  std::unique_ptr<llvm::TargetMachine> tm;
  if (cpu.empty()) {
    tm = hostMachine(opts.optLevel);
  } else {
    auto named = compat::cpuTargetMachine(cpu, opts.optLevel);
    if (!named)
      throw CodegenError(compat::takeMessage(named.takeError()));
    tm = std::move(*named);
  }
  BuiltModule b = buildModule(m, opts, *tm, true, [&](const ir::Function &, size_t i) {
    return i < symbols.size() ? symbols[i] : std::string();
  });
  std::string err = compat::emitObject(*b.module, *tm, path);
  if (!err.empty())
    throw CodegenError(err);
}

std::vector<std::string> emitObject(const ir::Module &m, const std::string &path,
                                    const std::string &prefix, const CodegenOptions &opts) {
  auto tm = hostMachine(opts.optLevel);
  std::set<std::string> used;
  BuiltModule b = buildModule(m, opts, *tm, true, [&](const ir::Function &f, size_t) {
    std::string base = prefix + sanitizeSymbol(f.name);
    if (isCKeyword(base))
      base += "_"; // `fn double(...)` is `double_` in C, as `diffc build` names it
    std::string sym = base;
    for (int k = 2; !used.insert(sym).second; ++k)
      sym = base + "_" + std::to_string(k);
    return sym;
  });
  std::string err = compat::emitObject(*b.module, *tm, path);
  if (!err.empty())
    throw CodegenError(err);
  return b.symbols;
}

} // namespace diffc::codegen
