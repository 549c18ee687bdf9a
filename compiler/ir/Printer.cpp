#include "ir/Printer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace diffc::ir {

// ---- Floats -------------------------------------------------------------------------------------

std::string formatFloat(double v) {
  if (std::isnan(v))
    return std::signbit(v) ? "-nan" : "nan";
  if (std::isinf(v))
    return v < 0 ? "-inf" : "inf";
  char buf[64];
  // to_chars without a format is the shortest text that reads back to the same bits.
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  size_t e = s.find('e');
  if (e == std::string::npos)
    return s.find('.') == std::string::npos ? s + ".0" : s;
  // `1e+20` -> `1e20`, `1e-07` -> `1e-7`: same value, easier to read.
  std::string exp = s.substr(e + 1);
  bool neg = !exp.empty() && exp[0] == '-';
  if (!exp.empty() && (exp[0] == '-' || exp[0] == '+'))
    exp.erase(0, 1);
  size_t nz = exp.find_first_not_of('0');
  exp = nz == std::string::npos ? "0" : exp.substr(nz);
  return s.substr(0, e) + "e" + (neg ? "-" : "") + exp;
}

// ---- Names --------------------------------------------------------------------------------------

namespace {
bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

/// Source names are identifiers already; anything else is made printable (and parseable) here.
std::string sanitize(const std::string &name) {
  std::string out;
  for (char c : name)
    out += isNameChar(c) ? c : '_';
  if (!out.empty() && out[0] >= '0' && out[0] <= '9')
    out.insert(out.begin(), '_');
  return out;
}

std::string functionRef(const std::string &name) {
  bool plain = !name.empty();
  for (char c : name)
    plain = plain && isNameChar(c);
  if (plain)
    return "@" + name;
  std::string out = "@\"";
  for (char c : name) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}
} // namespace

ValueNamer::ValueNamer(const Function &fn) {
  if (fn.body)
    defineBlock(*fn.body);
}

void ValueNamer::defineBlock(const Block &b) {
  for (const Value *v : b.args)
    define(v);
  for (const auto &op : b.ops) {
    for (const Value *v : op->results)
      define(v);
    for (const auto &r : op->regions)
      if (r)
        defineBlock(*r);
  }
}

void ValueNamer::define(const Value *v) {
  if (!v || names_.count(v))
    return;
  std::string base = sanitize(v->name);
  std::string name;
  if (base.empty()) {
    do
      name = std::to_string(nextNumber_++);
    while (used_.count(name));
  } else {
    name = base;
    unsigned &k = nextSuffix_[base];
    while (used_.count(name))
      name = base + "." + std::to_string(++k);
  }
  used_.insert(name);
  names_.emplace(v, "%" + name);
}

std::string ValueNamer::operator()(const Value *v) {
  if (!v)
    return "%<null>";
  auto it = names_.find(v);
  if (it == names_.end()) {
    define(v);
    it = names_.find(v);
  }
  return it->second;
}

// ---- Functions and ops --------------------------------------------------------------------------

namespace {

class FunctionPrinter {
public:
  explicit FunctionPrinter(const Function &fn) : fn_(fn), names_(fn) {}

  std::string run() {
    out_ = "func " + functionRef(fn_.name);
    if (!fn_.sizeParams.empty()) {
      out_ += "[";
      for (size_t i = 0; i < fn_.sizeParams.size(); ++i)
        out_ += (i ? ", " : "") + fn_.sizeParams[i];
      out_ += "]";
    }
    out_ += "(";
    if (fn_.body)
      for (size_t i = 0; i < fn_.body->args.size(); ++i) {
        const Value *p = fn_.body->args[i];
        out_ += (i ? ", " : "") + names_(p) + ": " + (p ? type(p->type) : "?");
      }
    out_ += ") -> " + results();
    if (!fn_.vjpRule.empty())
      out_ += " vjp " + functionRef(fn_.vjpRule);
    out_ += " {\n";
    if (fn_.body)
      block(*fn_.body, 1);
    out_ += "}\n";
    return std::move(out_);
  }

private:
  std::string results() {
    bool anyName = false;
    for (const auto &n : fn_.resultNames)
      anyName = anyName || !n.empty();
    std::string items;
    for (size_t i = 0; i < fn_.resultTypes.size(); ++i) {
      items += i ? ", " : "";
      if (i < fn_.resultNames.size() && !fn_.resultNames[i].empty())
        items += sanitize(fn_.resultNames[i]) + ": ";
      items += type(fn_.resultTypes[i]);
    }
    if (fn_.resultIsTuple)
      return "tuple(" + items + ")";
    if (fn_.resultTypes.size() != 1 || anyName)
      return "(" + items + ")";
    return items;
  }

  std::string type(const Type &t) const { return t.str(fn_.sizeParams); }
  std::string dim(const Dim &d) const { return d.str(fn_.sizeParams); }
  std::string val(const Value *v) { return names_(v); }

  /// Operand i, or a placeholder when the op is malformed (the verifier prints broken IR too).
  std::string operand(const Op &op, size_t i) {
    return i < op.operands.size() ? val(op.operands[i]) : "%<missing>";
  }
  std::string operandList(const Op &op, size_t from = 0) {
    std::string s;
    for (size_t i = from; i < op.operands.size(); ++i)
      s += (i > from ? ", " : "") + val(op.operands[i]);
    return s;
  }
  std::string dimAttr(const Op &op, size_t i) const {
    return i < op.dims.size() ? dim(op.dims[i]) : "<missing dim>";
  }
  const Block *region(const Op &op, size_t i) const {
    return i < op.regions.size() ? op.regions[i].get() : nullptr;
  }
  std::string regionArg(const Block *b, size_t i) {
    return b && i < b->args.size() ? val(b->args[i]) : "%<missing>";
  }

  void indent(int level) { out_.append(2 * static_cast<size_t>(level), ' '); }

  void block(const Block &b, int level) {
    for (const auto &op : b.ops)
      if (op)
        this->op(*op, level);
  }

  /// `%x[%i, :, %j +: 3]`, reading index operands from `first` on.
  std::string indexList(const Op &op, size_t first) {
    std::string s = operand(op, 0) + "[";
    size_t next = first, nextDim = 0;
    for (size_t a = 0; a < op.ints.size(); ++a) {
      s += a ? ", " : "";
      switch (op.ints[a]) {
      case kPoint:
        s += operand(op, next++);
        break;
      case kSlice:
        s += operand(op, next++) + " +: " + dimAttr(op, nextDim++);
        break;
      case kFull:
        s += ":";
        break;
      default:
        s += "<bad mode " + std::to_string(op.ints[a]) + ">";
      }
    }
    s += "]";
    for (; next < op.operands.size(); ++next)
      s += " <extra " + val(op.operands[next]) + ">";
    return s;
  }

  /// The op's text up to its first region (or all of it for ops without regions), without the
  /// result types.
  std::string header(const Op &op) {
    std::string m = opMnemonic(op.kind);
    switch (op.kind) {
    case OpKind::Const: {
      ElemType e = op.results.empty() || !op.results[0] ? ElemType::I64 : op.results[0]->type.elem;
      if (isFloat(e))
        return m + " " + formatFloat(op.fval);
      if (e == ElemType::Bool)
        return m + (op.ival ? " true" : " false");
      return m + " " + std::to_string(op.ival);
    }
    case OpKind::DimValue:
      return m + " " + dimAttr(op, 0);
    case OpKind::Index:
      return m + " " + indexList(op, 1);
    case OpKind::Update:
    case OpKind::UpdateAdd:
      return m + " " + indexList(op, 2) + ", " + operand(op, 1);
    case OpKind::Call: {
      std::string s = m + " " + functionRef(op.callee);
      if (!op.dims.empty()) {
        s += "[";
        for (size_t i = 0; i < op.dims.size(); ++i)
          s += (i ? ", " : "") + dim(op.dims[i]);
        s += "]";
      }
      return s + "(" + operandList(op) + ")";
    }
    case OpKind::If:
      return m + " " + operand(op, 0);
    case OpKind::For: {
      const Block *body = region(op, 0);
      // `for checkpoint %i = ...` marks a source `@checkpoint` loop (Op::ival = 1).
      std::string s = m + (op.ival == 1 ? " checkpoint " : " ") + regionArg(body, 0) + " = " +
                      operand(op, 0) + " to " + operand(op, 1);
      size_t carried = op.operands.size() > 2 ? op.operands.size() - 2 : 0;
      if (body && body->args.size() > 1 + carried)
        carried = body->args.size() - 1;
      if (carried) {
        s += " iter(";
        for (size_t i = 0; i < carried; ++i)
          s += (i ? ", " : "") + regionArg(body, i + 1) + " = " + operand(op, i + 2);
        s += ")";
      }
      return s;
    }
    case OpKind::While: {
      const Block *cond = region(op, 0);
      size_t n = std::max(op.operands.size(), cond ? cond->args.size() : 0);
      std::string s = m + " (";
      for (size_t i = 0; i < n; ++i)
        s += (i ? ", " : "") + regionArg(cond, i) + " = " + operand(op, i);
      return s + ")";
    }
    case OpKind::Map: {
      const Block *body = region(op, 0);
      size_t n = std::max(op.dims.size(), body ? body->args.size() : 0);
      std::string s = m + " (";
      for (size_t i = 0; i < n; ++i)
        s += (i ? ", " : "") + regionArg(body, i) + " < " + dimAttr(op, i);
      return s + ")";
    }
    default: {
      std::string ops = operandList(op);
      return ops.empty() ? m : m + " " + ops;
    }
    }
  }

  /// What stands between the previous `}` (or the header) and region i's `{`.
  std::string regionIntro(const Op &op, size_t i) {
    if (op.kind == OpKind::If && i == 1)
      return " else";
    if (op.kind == OpKind::While && i == 1) {
      const Block *body = region(op, 1);
      std::string s = " do (";
      for (size_t k = 0; body && k < body->args.size(); ++k)
        s += (k ? ", " : "") + val(body->args[k]);
      return s + ")";
    }
    bool expected = (op.kind == OpKind::If || op.kind == OpKind::While)  ? i < 2
                    : (op.kind == OpKind::For || op.kind == OpKind::Map) ? i < 1
                                                                         : false;
    if (expected)
      return "";
    // A region this op kind does not have: shown so that broken IR can be read.
    std::string s = " region(";
    const Block *b = region(op, i);
    for (size_t k = 0; b && k < b->args.size(); ++k)
      s += (k ? ", " : "") + val(b->args[k]);
    return s + ")";
  }

  std::string note(const Op &op) const {
    std::string n = op.note;
    for (char &c : n)
      if (c == '\n' || c == '\r')
        c = ' ';
    size_t b = n.find_first_not_of(" \t"), e = n.find_last_not_of(" \t");
    if (b == std::string::npos)
      return "";
    return "  // " + n.substr(b, e - b + 1);
  }

  void op(const Op &op, int level) {
    indent(level);
    for (size_t i = 0; i < op.results.size(); ++i)
      out_ += (i ? ", " : "") + val(op.results[i]);
    if (!op.results.empty())
      out_ += " = ";
    out_ += header(op);
    for (size_t i = 0; i < op.regions.size(); ++i) {
      out_ += regionIntro(op, i) + " {";
      if (i == 0)
        out_ += note(op);
      out_ += "\n";
      if (op.regions[i])
        block(*op.regions[i], level + 1);
      indent(level);
      out_ += "}";
    }
    if (!op.results.empty()) {
      out_ += " : ";
      for (size_t i = 0; i < op.results.size(); ++i)
        out_ += (i ? ", " : "") + (op.results[i] ? type(op.results[i]->type) : "?");
    }
    if (op.regions.empty())
      out_ += note(op);
    out_ += "\n";
  }

  const Function &fn_;
  ValueNamer names_;
  std::string out_;
};

} // namespace

std::string printFunction(const Function &fn) { return FunctionPrinter(fn).run(); }

std::string printModule(const Module &m) {
  std::string out;
  for (size_t i = 0; i < m.functions.size(); ++i) {
    if (i)
      out += "\n";
    if (m.functions[i])
      out += printFunction(*m.functions[i]);
  }
  return out;
}

} // namespace diffc::ir
