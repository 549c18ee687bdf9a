#include "ir/IRParser.h"

#include "ir/DimBounds.h"
#include "ir/IRLexer.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace diffc::ir {

namespace {

// Limits that keep garbage input from exhausting the stack (dim sizes: DimBounds.h).
constexpr int kMaxDepth = 200;

bool allDigits(const std::string &s) {
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return !s.empty();
}

class Parser {
public:
  Parser(const SourceFile &file, DiagnosticEngine &diags) : file_(file), diags_(diags) {
    IRLexResult lexed = lexIR(file.text());
    toks_ = std::move(lexed.tokens);
    comments_ = std::move(lexed.trailingComments);
  }

  /// module ::= function*
  std::unique_ptr<Module> parseModule() {
    auto m = std::make_unique<Module>();
    m->sourceName = file_.name();
    while (peek().kind != IRTok::Eof)
      if (!parseFunction(*m))
        return nullptr;
    return m;
  }

private:
  // ---- Tokens and errors -----------------------------------------------------------------------

  const IRToken &peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return toks_[i < toks_.size() ? i : toks_.size() - 1];
  }
  const IRToken &take() {
    const IRToken &t = peek();
    if (pos_ < toks_.size() - 1)
      ++pos_;
    return t;
  }
  bool is(IRTok k) const { return peek().kind == k; }
  bool isIdent(std::string_view word) const { return is(IRTok::Ident) && peek().text == word; }

  bool error(const IRToken &at, const std::string &msg) {
    if (!failed_) {
      failed_ = true;
      // A lexer error is reported in place of whatever the parser expected there.
      if (peek().kind == IRTok::Error)
        diags_.error(peek().span, peek().text);
      else if (at.kind == IRTok::Error)
        diags_.error(at.span, at.text);
      else
        diags_.error(at.span, msg);
    }
    return false;
  }
  std::string describe(const IRToken &t) const {
    switch (t.kind) {
    case IRTok::Eof:
      return "end of input";
    case IRTok::ValueId:
      return "'%" + t.text + "'";
    case IRTok::FuncId:
      return "'@" + t.text + "'";
    default:
      return "'" + t.text + "'";
    }
  }
  bool expect(IRTok k, const char *what) {
    if (!is(k))
      return error(peek(), std::string("expected ") + what + ", found " + describe(peek()));
    take();
    return true;
  }
  bool expectWord(const char *word) {
    if (!isIdent(word))
      return error(peek(), std::string("expected '") + word + "', found " + describe(peek()));
    take();
    return true;
  }

  /// Guards recursion (regions, parenthesised dims) against deeply nested garbage.
  struct DepthGuard {
    Parser &p;
    bool ok;
    explicit DepthGuard(Parser &parser) : p(parser), ok(++parser.depth_ <= kMaxDepth) {
      if (!ok)
        p.error(p.peek(), "nesting too deep");
    }
    ~DepthGuard() { --p.depth_; }
  };

  SourceLoc locOf(const IRToken &t) const { return file_.locOf(t.span.begin); }

  // ---- Functions -------------------------------------------------------------------------------

  /// function ::= 'func' funcref sizes? '(' params? ')' '->' results ('vjp' funcref)?
  ///              '{' op* '}'
  bool parseFunction(Module &m) {
    const IRToken &start = peek();
    if (!expectWord("func"))
      return false;
    const IRToken &nameTok = peek();
    if (!expect(IRTok::FuncId, "a function name like '@f'"))
      return false;
    if (m.lookup(nameTok.text))
      return error(nameTok, "redefinition of function '@" + nameTok.text + "'");
    fn_ = m.addFunction(nameTok.text);
    fn_->loc = locOf(start);
    values_.clear();

    if (is(IRTok::LBracket)) {
      take();
      do {
        const IRToken &s = peek();
        if (!expect(IRTok::Ident, "a size parameter name"))
          return false;
        for (const auto &prev : fn_->sizeParams)
          if (prev == s.text)
            return error(s, "duplicate size parameter '" + s.text + "'");
        fn_->sizeParams.push_back(s.text);
      } while (is(IRTok::Comma) && (take(), true));
      if (!expect(IRTok::RBracket, "',' or ']' after size parameters"))
        return false;
    }

    if (!expect(IRTok::LParen, "'(' before the parameters"))
      return false;
    if (!is(IRTok::RParen)) {
      do {
        const IRToken &p = peek();
        Type t;
        if (!expect(IRTok::ValueId, "a parameter like '%x: f64'") ||
            !expect(IRTok::Colon, "':' after the parameter name") || !parseType(t))
          return false;
        if (!define(p, fn_->addParam(t, valueName(p))))
          return false;
      } while (is(IRTok::Comma) && (take(), true));
    }
    if (!expect(IRTok::RParen, "',' or ')' after the parameters") ||
        !expect(IRTok::Arrow, "'->' before the result types") || !parseResults())
      return false;
    if (isIdent("vjp")) {
      take();
      const IRToken &rule = peek();
      if (!expect(IRTok::FuncId, "the rule's name like '@f_vjp' after 'vjp'"))
        return false;
      fn_->vjpRule = rule.text;
    }
    if (!expect(IRTok::LBrace, "'{' to open the function body"))
      return false;
    fn_->body->function = fn_;
    return parseOps(*fn_->body) && expect(IRTok::RBrace, "'}' to close the function body");
  }

  /// results ::= type | '(' result-list ')' | 'tuple' '(' result-list ')'
  /// result  ::= (ident ':')? type
  bool parseResults() {
    bool tuple = isIdent("tuple") && peek(1).kind == IRTok::LParen;
    if (!tuple && !is(IRTok::LParen)) {
      Type t;
      if (!parseType(t))
        return false;
      fn_->resultTypes.push_back(std::move(t));
      return true;
    }
    if (tuple)
      take();
    take(); // '('
    fn_->resultIsTuple = tuple;
    std::vector<std::string> names;
    bool anyName = false;
    if (!is(IRTok::RParen)) {
      do {
        std::string name;
        if (is(IRTok::Ident) && peek(1).kind == IRTok::Colon) {
          name = take().text;
          take();
          anyName = true;
        }
        Type t;
        if (!parseType(t))
          return false;
        fn_->resultTypes.push_back(std::move(t));
        names.push_back(std::move(name));
      } while (is(IRTok::Comma) && (take(), true));
    }
    if (anyName)
      fn_->resultNames = std::move(names);
    return expect(IRTok::RParen, "',' or ')' after the result types");
  }

  // ---- Types and dims --------------------------------------------------------------------------

  /// type ::= elem ('[' dim (',' dim)* ']')? | 'tape' '<' type '>'
  bool parseType(Type &out) {
    const IRToken &t = peek();
    if (isIdent("tape")) {
      take();
      if (!expect(IRTok::Less, "'<' after 'tape'"))
        return false;
      const IRToken &inner = peek();
      Type entry;
      if (!parseType(entry))
        return false;
      if (entry.isTape)
        return error(inner, "a tape cannot hold tapes");
      if (!expect(IRTok::Greater, "'>' to close the tape type"))
        return false;
      out = Type(entry.elem, entry.shape, true);
      return true;
    }
    if (!is(IRTok::Ident))
      return error(t, "expected a type like 'f64[N]', found " + describe(t));
    ElemType e;
    if (t.text == "f64")
      e = ElemType::F64;
    else if (t.text == "f32")
      e = ElemType::F32;
    else if (t.text == "i64")
      e = ElemType::I64;
    else if (t.text == "bool")
      e = ElemType::Bool;
    else
      return error(t, "unknown type '" + t.text + "'");
    take();
    Shape shape;
    if (is(IRTok::LBracket)) {
      take();
      do {
        Dim d;
        if (!parseDim(d))
          return false;
        shape.push_back(std::move(d));
      } while (is(IRTok::Comma) && (take(), true));
      if (!expect(IRTok::RBracket, "',' or ']' in the shape"))
        return false;
    }
    out = Type(e, std::move(shape));
    return true;
  }

  /// dim ::= term (('+' | '-') term)*
  bool parseDim(Dim &out) {
    const IRToken &start = peek();
    if (!parseDimTerm(out))
      return false;
    while (is(IRTok::Plus) || is(IRTok::Minus)) {
      bool minus = take().kind == IRTok::Minus;
      Dim rhs;
      if (!parseDimTerm(rhs))
        return false;
      std::optional<Dim> sum = checkedAdd(out, minus ? -rhs : rhs);
      if (!sum)
        return error(start, "dim expression too large");
      out = std::move(*sum);
    }
    return true;
  }

  /// term ::= factor ('*' factor)*
  bool parseDimTerm(Dim &out) {
    const IRToken &start = peek();
    if (!parseDimFactor(out))
      return false;
    while (is(IRTok::Star)) {
      take();
      Dim rhs;
      if (!parseDimFactor(rhs))
        return false;
      std::optional<Dim> prod = checkedMul(out, rhs);
      if (!prod)
        return error(start, "dim expression too large");
      out = std::move(*prod);
    }
    return true;
  }

  /// factor ::= integer | size-name | '-' factor | '(' dim ')'
  bool parseDimFactor(Dim &out) {
    DepthGuard guard(*this);
    if (!guard.ok)
      return false;
    const IRToken &t = peek();
    switch (t.kind) {
    case IRTok::Int: {
      uint64_t v = 0;
      auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (r.ec != std::errc() || v > kMaxDimMagnitude)
        return error(t, "dim constant too large");
      take();
      out = Dim::constant(static_cast<int64_t>(v));
      return true;
    }
    case IRTok::Ident:
      for (size_t i = 0; i < fn_->sizeParams.size(); ++i)
        if (fn_->sizeParams[i] == t.text) {
          take();
          out = Dim::symbol(static_cast<uint32_t>(i));
          return true;
        }
      return error(t, "unknown size parameter '" + t.text + "'");
    case IRTok::Minus:
      take();
      if (!parseDimFactor(out))
        return false;
      out = -out;
      return true;
    case IRTok::LParen:
      take();
      return parseDim(out) && expect(IRTok::RParen, "')' in the dim expression");
    default:
      return error(t, "expected a dim (a size parameter, an integer or an expression), found " +
                          describe(t));
    }
  }

  // ---- Values ----------------------------------------------------------------------------------

  /// `%3` is a numbered (unnamed) value; every other name is kept as written.
  static std::string valueName(const IRToken &t) { return allDigits(t.text) ? "" : t.text; }

  bool define(const IRToken &t, Value *v) {
    auto [it, inserted] = values_.emplace(t.text, v);
    if (!inserted)
      return error(t, "redefinition of '%" + t.text + "'");
    return true;
  }

  bool parseOperand(Value *&out) {
    const IRToken &t = peek();
    if (!expect(IRTok::ValueId, "a value like '%x'"))
      return false;
    auto it = values_.find(t.text);
    if (it == values_.end())
      return error(t, "use of undefined value '%" + t.text + "'");
    out = it->second;
    return true;
  }

  /// Operands up to the end of the line (an op with none is followed by the next line's op).
  bool parseOperandList(Op &op) {
    if (!is(IRTok::ValueId) || peek().lineStart)
      return true;
    do {
      Value *v;
      if (!parseOperand(v))
        return false;
      op.operands.push_back(v);
    } while (is(IRTok::Comma) && (take(), true));
    return true;
  }

  // ---- Blocks and ops --------------------------------------------------------------------------

  /// Ops up to (not including) the closing '}'.
  bool parseOps(Block &b) {
    while (!is(IRTok::RBrace)) {
      if (is(IRTok::Eof))
        return error(peek(), "expected '}' before the end of input");
      if (!parseOp(b))
        return false;
    }
    return true;
  }

  /// region ::= '{' op* '}' with arguments of the given types and names (already read).
  bool parseRegion(Op &op, const std::vector<Type> &argTypes,
                   const std::vector<const IRToken *> &argNames) {
    DepthGuard guard(*this);
    if (!guard.ok || !expect(IRTok::LBrace, "'{' to open the region"))
      return false;
    auto block = std::make_unique<Block>();
    block->parentOp = &op;
    block->function = fn_;
    for (size_t i = 0; i < argTypes.size(); ++i) {
      Value *v = fn_->newValue(argTypes[i], valueName(*argNames[i]));
      v->ownerBlock = block.get();
      v->index = static_cast<unsigned>(i);
      block->args.push_back(v);
      if (!define(*argNames[i], v))
        return false;
    }
    Block *raw = block.get();
    op.regions.push_back(std::move(block));
    return parseOps(*raw) && expect(IRTok::RBrace, "'}' to close the region");
  }

  /// op ::= (value (',' value)* '=')? mnemonic body (':' type (',' type)*)?
  bool parseOp(Block &b) {
    const IRToken &start = peek();
    std::vector<const IRToken *> resultNames;
    if (is(IRTok::ValueId)) {
      do {
        const IRToken &r = peek();
        if (!expect(IRTok::ValueId, "a result name like '%x'"))
          return false;
        resultNames.push_back(&r);
      } while (is(IRTok::Comma) && (take(), true));
      if (!expect(IRTok::Equal, "'=' after the result names"))
        return false;
    }
    const IRToken &mn = peek();
    if (!is(IRTok::Ident))
      return error(mn, "expected an op, found " + describe(mn));
    auto op = std::make_unique<Op>();
    if (!opKindFromMnemonic(mn.text, op->kind))
      return error(mn, "unknown op '" + mn.text + "'");
    take();
    op->parent = &b;
    op->loc = locOf(start);

    const IRToken *constTok = nullptr;
    bool constNeg = false;
    if (!parseOpBody(*op, constTok, constNeg))
      return false;

    std::vector<Type> types;
    const IRToken &colon = peek();
    if (is(IRTok::Colon)) {
      take();
      do {
        Type t;
        if (!parseType(t))
          return false;
        types.push_back(std::move(t));
      } while (is(IRTok::Comma) && (take(), true));
    }
    if (types.size() != resultNames.size())
      return error(resultNames.empty() ? colon : start,
                   std::to_string(resultNames.size()) + " result name(s) but " +
                       std::to_string(types.size()) + " result type(s)");
    if (constTok && !constValue(*op, *constTok, constNeg, types))
      return false;

    auto note = comments_.find(start.line);
    if (note != comments_.end())
      op->note = note->second;
    for (size_t i = 0; i < types.size(); ++i) {
      Value *v = fn_->newValue(types[i], valueName(*resultNames[i]));
      v->def = op.get();
      v->index = static_cast<unsigned>(i);
      op->results.push_back(v);
      if (!define(*resultNames[i], v))
        return false;
    }
    b.ops.push_back(std::move(op));
    return true;
  }

  /// Everything between the mnemonic and the result types, per op kind (syntax in Printer.h).
  bool parseOpBody(Op &op, const IRToken *&constTok, bool &constNeg) {
    switch (op.kind) {
    case OpKind::Const:
      constNeg = is(IRTok::Minus) && (take(), true);
      constTok = &peek();
      if (!is(IRTok::Int) && !is(IRTok::Float) && !is(IRTok::Ident))
        return error(peek(), "expected a constant, found " + describe(peek()));
      take();
      return true;
    case OpKind::DimValue: {
      Dim d;
      if (!parseDim(d))
        return false;
      op.dims.push_back(std::move(d));
      return true;
    }
    case OpKind::Index:
      return parseIndexed(op, nullptr);
    case OpKind::Update:
    case OpKind::UpdateAdd: {
      Value *v = nullptr;
      if (!parseIndexed(op, &v))
        return false;
      op.operands.insert(op.operands.begin() + 1, v);
      return true;
    }
    case OpKind::Call:
      return parseCall(op);
    case OpKind::If:
      return parseIf(op);
    case OpKind::For:
      return parseFor(op);
    case OpKind::While:
      return parseWhile(op);
    case OpKind::Map:
      return parseMap(op);
    default:
      return parseOperandList(op);
    }
  }

  /// The literal of `const`, read according to the result type.
  bool constValue(Op &op, const IRToken &t, bool neg, const std::vector<Type> &types) {
    if (types.size() != 1)
      return error(t, "'const' has exactly one result");
    ElemType e = types[0].elem;
    if (isFloat(e)) {
      double v;
      if (t.kind == IRTok::Ident && (t.text == "inf" || t.text == "nan")) {
        v = t.text == "inf" ? std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::quiet_NaN();
      } else if (t.kind == IRTok::Int || t.kind == IRTok::Float) {
        auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
        if (r.ec != std::errc() || r.ptr != t.text.data() + t.text.size())
          return error(t, "float constant '" + t.text + "' out of range");
      } else {
        return error(t, "expected a float constant, found " + describe(t));
      }
      op.fval = neg ? -v : v;
      return true;
    }
    if (e == ElemType::Bool) {
      if (neg || t.kind != IRTok::Ident || (t.text != "true" && t.text != "false"))
        return error(t, "expected 'true' or 'false'");
      op.ival = t.text == "true";
      return true;
    }
    uint64_t v = 0;
    if (t.kind != IRTok::Int)
      return error(t, "expected an integer constant, found " + describe(t));
    auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
    uint64_t limit = neg ? uint64_t(1) << 63 : (uint64_t(1) << 63) - 1;
    if (r.ec != std::errc() || v > limit)
      return error(t, "integer constant '" + t.text + "' out of range");
    op.ival = neg ? static_cast<int64_t>(uint64_t(0) - v) : static_cast<int64_t>(v);
    return true;
  }

  /// indexed ::= value '[' item (',' item)* ']' (',' value)?     (the value is update's v)
  /// item    ::= value | value '+:' dim | ':'
  bool parseIndexed(Op &op, Value **updateValue) {
    Value *x;
    if (!parseOperand(x) || !expect(IRTok::LBracket, "'[' after the indexed value"))
      return false;
    op.operands.push_back(x);
    if (!is(IRTok::RBracket)) {
      do {
        if (is(IRTok::Colon)) {
          take();
          op.ints.push_back(kFull);
          continue;
        }
        Value *i;
        if (!parseOperand(i))
          return false;
        op.operands.push_back(i);
        if (is(IRTok::PlusColon)) {
          take();
          Dim len;
          if (!parseDim(len))
            return false;
          op.dims.push_back(std::move(len));
          op.ints.push_back(kSlice);
        } else {
          op.ints.push_back(kPoint);
        }
      } while (is(IRTok::Comma) && (take(), true));
    }
    if (!expect(IRTok::RBracket, "',' or ']' in the index"))
      return false;
    if (!updateValue)
      return true;
    return expect(IRTok::Comma, "',' and the new value after the index") &&
           parseOperand(*updateValue);
  }

  /// call ::= funcref ('[' dim (',' dim)* ']')? '(' values? ')'
  bool parseCall(Op &op) {
    const IRToken &callee = peek();
    if (!expect(IRTok::FuncId, "the callee like '@f'"))
      return false;
    op.callee = callee.text;
    if (is(IRTok::LBracket)) {
      take();
      do {
        Dim d;
        if (!parseDim(d))
          return false;
        op.dims.push_back(std::move(d));
      } while (is(IRTok::Comma) && (take(), true));
      if (!expect(IRTok::RBracket, "',' or ']' after the size arguments"))
        return false;
    }
    if (!expect(IRTok::LParen, "'(' before the call arguments"))
      return false;
    if (!is(IRTok::RParen)) {
      do {
        Value *v;
        if (!parseOperand(v))
          return false;
        op.operands.push_back(v);
      } while (is(IRTok::Comma) && (take(), true));
    }
    return expect(IRTok::RParen, "',' or ')' after the call arguments");
  }

  /// if ::= value region 'else' region
  bool parseIf(Op &op) {
    Value *c;
    if (!parseOperand(c))
      return false;
    op.operands.push_back(c);
    return parseRegion(op, {}, {}) && expectWord("else") && parseRegion(op, {}, {});
  }

  /// carried ::= value '=' value      (the region argument and its initial value)
  bool parseCarried(Op &op, std::vector<Type> &types, std::vector<const IRToken *> &names) {
    const IRToken &name = peek();
    Value *init;
    if (!expect(IRTok::ValueId, "a carried value like '%acc = %init'") ||
        !expect(IRTok::Equal, "'=' and the initial value") || !parseOperand(init))
      return false;
    op.operands.push_back(init);
    types.push_back(init->type);
    names.push_back(&name);
    return true;
  }

  /// for ::= value '=' value 'to' value ('iter' '(' carried (',' carried)* ')')? region
  bool parseFor(Op &op) {
    if (isIdent("checkpoint")) {
      take();
      op.ival = 1;
    }
    const IRToken &index = peek();
    Value *lo, *hi;
    if (!expect(IRTok::ValueId, "the loop index like '%i'") ||
        !expect(IRTok::Equal, "'=' after the loop index") || !parseOperand(lo) ||
        !expectWord("to") || !parseOperand(hi))
      return false;
    op.operands = {lo, hi};
    std::vector<Type> types{Type::i64()};
    std::vector<const IRToken *> names{&index};
    if (isIdent("iter")) {
      take();
      if (!expect(IRTok::LParen, "'(' after 'iter'"))
        return false;
      do {
        if (!parseCarried(op, types, names))
          return false;
      } while (is(IRTok::Comma) && (take(), true));
      if (!expect(IRTok::RParen, "',' or ')' after the carried values"))
        return false;
    }
    return parseRegion(op, types, names);
  }

  /// while ::= '(' (carried (',' carried)*)? ')' region 'do' '(' values? ')' region
  bool parseWhile(Op &op) {
    std::vector<Type> types;
    std::vector<const IRToken *> names;
    if (!expect(IRTok::LParen, "'(' and the carried values"))
      return false;
    if (!is(IRTok::RParen)) {
      do {
        if (!parseCarried(op, types, names))
          return false;
      } while (is(IRTok::Comma) && (take(), true));
    }
    if (!expect(IRTok::RParen, "',' or ')' after the carried values") ||
        !parseRegion(op, types, names) || !expectWord("do") ||
        !expect(IRTok::LParen, "'(' and the body's arguments"))
      return false;
    std::vector<const IRToken *> bodyNames;
    if (!is(IRTok::RParen)) {
      do {
        const IRToken &t = peek();
        if (!expect(IRTok::ValueId, "a body argument like '%x'"))
          return false;
        bodyNames.push_back(&t);
      } while (is(IRTok::Comma) && (take(), true));
    }
    const IRToken &close = peek();
    if (!expect(IRTok::RParen, "',' or ')' after the body's arguments"))
      return false;
    if (bodyNames.size() != types.size())
      return error(close, "the body has " + std::to_string(bodyNames.size()) +
                              " argument(s) but the loop carries " + std::to_string(types.size()) +
                              " value(s)");
    return parseRegion(op, types, bodyNames);
  }

  /// map ::= '(' value '<' dim (',' value '<' dim)* ')' region
  bool parseMap(Op &op) {
    std::vector<Type> types;
    std::vector<const IRToken *> names;
    if (!expect(IRTok::LParen, "'(' and the map's indices"))
      return false;
    do {
      const IRToken &name = peek();
      Dim extent;
      if (!expect(IRTok::ValueId, "an index like '%i < N'") ||
          !expect(IRTok::Less, "'<' and the extent after the index") || !parseDim(extent))
        return false;
      op.dims.push_back(std::move(extent));
      types.push_back(Type::i64());
      names.push_back(&name);
    } while (is(IRTok::Comma) && (take(), true));
    return expect(IRTok::RParen, "',' or ')' after the map's indices") &&
           parseRegion(op, types, names);
  }

  const SourceFile &file_;
  DiagnosticEngine &diags_;
  std::vector<IRToken> toks_;
  std::map<uint32_t, std::string> comments_;
  size_t pos_ = 0;
  bool failed_ = false;
  int depth_ = 0;
  Function *fn_ = nullptr;
  std::unordered_map<std::string, Value *> values_;
};

} // namespace

std::unique_ptr<Module> parseIR(const SourceFile &file, DiagnosticEngine &diags) {
  Parser p(file, diags);
  return p.parseModule();
}

} // namespace diffc::ir
