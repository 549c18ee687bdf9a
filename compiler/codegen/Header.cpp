// The C/C++ header that goes with an ahead-of-time object (emitObject): the calling convention in
// words, one raw entry point per exported function, and a typed inline wrapper per entry point so
// that C and C++ callers need not build the pointer arrays of diffc/abi.h by hand.
#include "codegen/Codegen.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace diffc::codegen {

// .diff identifiers may be C or C++ keywords (`double`, `class`) or names the header itself uses;
// the wrappers' parameter names and the entry symbols must not be.
bool isCKeyword(const std::string &s) {
  static const std::set<std::string> kWords = {"auto",
                                               "break",
                                               "case",
                                               "char",
                                               "const",
                                               "continue",
                                               "default",
                                               "do",
                                               "double",
                                               "else",
                                               "enum",
                                               "extern",
                                               "float",
                                               "for",
                                               "goto",
                                               "if",
                                               "inline",
                                               "int",
                                               "long",
                                               "register",
                                               "restrict",
                                               "return",
                                               "short",
                                               "signed",
                                               "sizeof",
                                               "static",
                                               "struct",
                                               "switch",
                                               "typedef",
                                               "union",
                                               "unsigned",
                                               "void",
                                               "volatile",
                                               "while",
                                               "bool",
                                               "true",
                                               "false",
                                               "class",
                                               "delete",
                                               "new",
                                               "this",
                                               "template",
                                               "typename",
                                               "private",
                                               "public",
                                               "protected",
                                               "operator",
                                               "friend",
                                               "virtual",
                                               "namespace",
                                               "using",
                                               "try",
                                               "catch",
                                               "throw",
                                               "mutable",
                                               "explicit",
                                               "export",
                                               "and",
                                               "or",
                                               "not",
                                               "xor",
                                               "compl",
                                               "bitand",
                                               "bitor",
                                               "asm",
                                               "alignas",
                                               "alignof",
                                               "constexpr",
                                               "decltype",
                                               "noexcept",
                                               "nullptr",
                                               "requires",
                                               "concept",
                                               "typeid",
                                               "wchar_t",
                                               "char8_t",
                                               "char16_t",
                                               "char32_t",
                                               "static_assert",
                                               "thread_local",
                                               "const_cast",
                                               "dynamic_cast",
                                               "reinterpret_cast",
                                               "static_cast",
                                               "co_await",
                                               "co_return",
                                               "co_yield",
                                               "and_eq",
                                               "or_eq",
                                               "xor_eq",
                                               "not_eq",
                                               "_Bool",
                                               "_Complex",
                                               "_Imaginary",
                                               "int64_t",
                                               "int32_t",
                                               "uint8_t",
                                               "NULL",
                                               "ctx"};
  return kWords.count(s) != 0;
}

namespace {

const char *cType(ir::ElemType e) {
  switch (e) {
  case ir::ElemType::F64:
    return "double";
  case ir::ElemType::F32:
    return "float";
  case ir::ElemType::I64:
    return "int64_t";
  case ir::ElemType::Bool:
    return "uint8_t";
  }
  return "double";
}

/// A C identifier for `name`, distinct from everything in `used` (which it joins).
std::string uniqueIdent(std::string name, std::set<std::string> &used) {
  for (char &c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      c = '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    name = "_" + name;
  while (isCKeyword(name) || used.count(name))
    name += "_";
  used.insert(name);
  return name;
}

std::string joined(const std::vector<std::string> &parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i)
    s += (i ? ", " : "") + parts[i];
  return s;
}

/// `head(a, b, ...)tail`, continued on lines aligned after the parenthesis where one line would
/// pass 100 columns (the style of the project's own sources).
std::string wrapped(const std::string &head, const std::vector<std::string> &parts,
                    const std::string &tail) {
  std::string out = head + "(", indent(head.size() + 1, ' ');
  size_t lineStart = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string piece = parts[i] + (i + 1 < parts.size() ? "," : tail);
    bool first = i == 0;
    if (!first && out.size() - lineStart + 1 + piece.size() > 100) {
      out += "\n";
      lineStart = out.size();
      out += indent;
    } else if (!first) {
      out += " ";
    }
    out += piece;
  }
  if (parts.empty())
    out += tail;
  return out;
}

/// The name of result r of fn: its IR name (`d_w`), else `value` for a gradient's first result,
/// else `result` / `result<r>`.
std::string resultName(const ir::Function &fn, size_t r) {
  if (r < fn.resultNames.size() && !fn.resultNames[r].empty())
    return fn.resultNames[r];
  if (r == 0 && fn.name.size() > 5 && fn.name.ends_with(".grad"))
    return "value";
  if (fn.resultTypes.size() == 1)
    return "result";
  return "result" + std::to_string(r);
}

const char *kPreamble = R"( *
 * Calling convention (the full text is in diffc/abi.h). Each function F below is an entry point
 *
 *   int32_t F(diffc_ctx *ctx, const int64_t *sizes, const void *const *args,
 *             void *const *results);
 *
 *   ctx      scratch memory and the error record, from diffc_ctx_create(); one per thread, kept
 *            across calls (a warm ctx makes a call allocate nothing); diffc_ctx_destroy() at end.
 *   sizes    the function's size parameters, in the order listed ("sizes:"); NULL when none.
 *            Every argument must have the shape its type gives for these sizes.
 *   args     one pointer per parameter, in the order listed ("args:"): a tensor points to its
 *            elements (row-major, contiguous), a scalar to one element. Element types: f64 =
 *            double, f32 = float, i64 = int64_t, bool = uint8_t (0 or 1). Only read.
 *   results  one caller-owned buffer per result, in the order listed ("results:"), of the
 *            result's shape; not overlapping the arguments or each other.
 *   returns  0 (DIFFC_OK), or a diffc_status: then ctx->error holds what went wrong and where
 *            (diffc_error_message() renders it) and the results are unspecified.
 *
 * F_call(ctx, sizes..., params..., results...) is the same call with typed arguments: each size
 * as an int64_t, scalar parameters by value, tensors and results as element pointers.
 * For a function with one scalar float result, F_grad returns the value and then d_<p>, the
 * gradient with respect to each float parameter p (same shape as p).
 * Link with the diffc_rt library (CMake: diffc::rt) and libm; no LLVM is needed.
 */
)";

/// `static inline int32_t F_call(...)`: packs typed arguments into the arrays F expects.
std::string typedWrapper(const ir::Function &fn, const std::string &symbol,
                         const std::string &wrapper) {
  // A parameter or result named like the entry point (`fn result(x: f64) -> f64`, whose result
  // is `result`) would hide the function the wrapper calls.
  std::set<std::string> used = {"ctx", symbol};
  std::vector<std::string> decl = {"diffc_ctx *ctx"}, sizes, args, results;
  for (const std::string &s : fn.sizeParams) {
    std::string id = uniqueIdent(s, used);
    decl.push_back("int64_t " + id);
    sizes.push_back(id);
  }
  for (const ir::Value *p : fn.params()) {
    std::string id = uniqueIdent(p->name, used);
    const char *t = cType(p->type.elem);
    if (p->type.isScalar()) {
      decl.push_back(std::string(t) + " " + id);
      args.push_back("&" + id);
    } else {
      decl.push_back("const " + std::string(t) + " *" + id);
      args.push_back(id);
    }
  }
  for (size_t r = 0; r < fn.resultTypes.size(); ++r) {
    std::string id = uniqueIdent(resultName(fn, r), used);
    decl.push_back(std::string(cType(fn.resultTypes[r].elem)) + " *" + id);
    results.push_back(id);
  }
  std::string sz = uniqueIdent("diffc_sizes", used), ar = uniqueIdent("diffc_args", used),
              rs = uniqueIdent("diffc_results", used);
  std::string w = wrapped("static inline int32_t " + wrapper, decl, ") {") + "\n";
  if (!sizes.empty())
    w += "  const int64_t " + sz + "[" + std::to_string(sizes.size()) + "] = {" + joined(sizes) +
         "};\n";
  if (!args.empty())
    w += "  const void *const " + ar + "[" + std::to_string(args.size()) + "] = {" + joined(args) +
         "};\n";
  w += "  void *const " + rs + "[" + std::to_string(results.size()) + "] = {" + joined(results) +
       "};\n";
  w += "  return " + symbol + "(ctx, " + (sizes.empty() ? "NULL" : sz) + ", " +
       (args.empty() ? "NULL" : ar) + ", " + rs + ");\n}\n";
  return w;
}

/// The exported functions, each derived function (AD names them "<f>.grad", "<f>.jvp", ...)
/// right after the function it derives from, so a reader finds `loss_grad` next to `loss`.
std::vector<size_t> documentationOrder(const ir::Module &m,
                                       const std::vector<std::string> &symbols) {
  std::vector<std::pair<size_t, size_t>> keyed; // (index of the base function, own index)
  for (size_t i = 0; i < m.functions.size() && i < symbols.size(); ++i) {
    if (symbols[i].empty())
      continue;
    const std::string &name = m.functions[i]->name;
    size_t base = i;
    if (size_t dot = name.find('.'); dot != std::string::npos)
      for (size_t j = 0; j < m.functions.size(); ++j)
        if (m.functions[j]->name == name.substr(0, dot))
          base = j;
    keyed.emplace_back(base, i);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<size_t> order;
  for (auto &k : keyed)
    order.push_back(k.second);
  return order;
}

} // namespace

std::string emitHeader(const ir::Module &m, const std::vector<std::string> &symbols,
                       const std::string &guard) {
  std::string source = m.sourceName.empty() ? "<module>" : m.sourceName;
  std::string h = "/* Generated by diffc from " + source + ". Do not edit.\n" + kPreamble;
  h += "#ifndef " + guard + "\n#define " + guard + "\n\n#include \"diffc/abi.h\"\n\n";
  h += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  // Wrapper names must not collide with any entry point or with each other.
  std::set<std::string> names(symbols.begin(), symbols.end());
  for (size_t i : documentationOrder(m, symbols)) {
    const ir::Function &fn = *m.functions[i];
    h += "/* " + fn.name;
    if (fn.name.ends_with(".grad"))
      h += ": value and gradient of " + fn.name.substr(0, fn.name.size() - 5);
    if (!fn.sizeParams.empty())
      h += "\n *   sizes:   " + joined(fn.sizeParams);
    std::vector<std::string> params, results;
    for (const ir::Value *p : fn.params())
      params.push_back(p->name + ": " + p->type.str(fn.sizeParams));
    for (size_t r = 0; r < fn.resultTypes.size(); ++r)
      results.push_back(resultName(fn, r) + ": " + fn.resultTypes[r].str(fn.sizeParams));
    h += "\n *   args:    " + (params.empty() ? std::string("(none)") : joined(params));
    h += "\n *   results: " + joined(results) + "\n */\n";
    h += wrapped("int32_t " + symbols[i],
                 {"diffc_ctx *ctx", "const int64_t *sizes", "const void *const *args",
                  "void *const *results"},
                 ");") +
         "\n";
    std::string wrapper = symbols[i] + "_call";
    while (!names.insert(wrapper).second)
      wrapper += "_";
    h += typedWrapper(fn, symbols[i], wrapper) + "\n";
  }
  h += "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return h;
}

} // namespace diffc::codegen
