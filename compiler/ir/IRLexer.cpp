#include "ir/IRLexer.h"

namespace diffc::ir {

namespace {
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isIdentStart(c) || isDigit(c) || c == '.'; }

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}
} // namespace

IRLexResult lexIR(const std::string &text) {
  IRLexResult out;
  const size_t n = text.size();
  size_t i = 0;
  uint32_t line = 1;
  bool lineHasToken = false;

  auto push = [&](IRTok kind, size_t begin, std::string s) {
    IRToken t;
    t.kind = kind;
    t.text = std::move(s);
    t.span = {static_cast<uint32_t>(begin), static_cast<uint32_t>(i)};
    t.line = line;
    t.lineStart = !lineHasToken;
    lineHasToken = true;
    out.tokens.push_back(std::move(t));
  };

  while (i < n) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      lineHasToken = false;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    size_t begin = i;
    if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      size_t end = text.find('\n', i);
      if (end == std::string::npos)
        end = n;
      if (lineHasToken)
        out.trailingComments[line] = trim(std::string_view(text).substr(i + 2, end - i - 2));
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isNameChar(text[i]))
        ++i;
      push(IRTok::Ident, begin, text.substr(begin, i - begin));
      continue;
    }
    if (isDigit(c)) {
      bool isFloat = false;
      while (i < n && isDigit(text[i]))
        ++i;
      if (i < n && text[i] == '.') {
        isFloat = true;
        ++i;
        while (i < n && isDigit(text[i]))
          ++i;
      }
      if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (text[j] == '+' || text[j] == '-'))
          ++j;
        if (j < n && isDigit(text[j])) {
          isFloat = true;
          i = j;
          while (i < n && isDigit(text[i]))
            ++i;
        }
      }
      push(isFloat ? IRTok::Float : IRTok::Int, begin, text.substr(begin, i - begin));
      continue;
    }
    if (c == '%') {
      ++i;
      while (i < n && isNameChar(text[i]))
        ++i;
      if (i == begin + 1) {
        push(IRTok::Error, begin, "expected a value name after '%'");
        return out;
      }
      push(IRTok::ValueId, begin, text.substr(begin + 1, i - begin - 1));
      continue;
    }
    if (c == '@') {
      ++i;
      if (i < n && text[i] == '"') {
        std::string name;
        ++i;
        while (i < n && text[i] != '"' && text[i] != '\n') {
          if (text[i] == '\\' && i + 1 < n && text[i + 1] != '\n')
            ++i;
          name += text[i++];
        }
        if (i >= n || text[i] != '"') {
          push(IRTok::Error, begin, "unterminated quoted function name");
          return out;
        }
        ++i;
        push(IRTok::FuncId, begin, std::move(name));
        continue;
      }
      while (i < n && isNameChar(text[i]))
        ++i;
      if (i == begin + 1) {
        push(IRTok::Error, begin, "expected a function name after '@'");
        return out;
      }
      push(IRTok::FuncId, begin, text.substr(begin + 1, i - begin - 1));
      continue;
    }
    ++i;
    IRTok kind;
    switch (c) {
    case '(':
      kind = IRTok::LParen;
      break;
    case ')':
      kind = IRTok::RParen;
      break;
    case '[':
      kind = IRTok::LBracket;
      break;
    case ']':
      kind = IRTok::RBracket;
      break;
    case '{':
      kind = IRTok::LBrace;
      break;
    case '}':
      kind = IRTok::RBrace;
      break;
    case ',':
      kind = IRTok::Comma;
      break;
    case ':':
      kind = IRTok::Colon;
      break;
    case '=':
      kind = IRTok::Equal;
      break;
    case '<':
      kind = IRTok::Less;
      break;
    case '>':
      kind = IRTok::Greater;
      break;
    case '*':
      kind = IRTok::Star;
      break;
    case '+':
      kind = IRTok::Plus;
      if (i < n && text[i] == ':') {
        ++i;
        kind = IRTok::PlusColon;
      }
      break;
    case '-':
      kind = IRTok::Minus;
      if (i < n && text[i] == '>') {
        ++i;
        kind = IRTok::Arrow;
      }
      break;
    default: {
      unsigned char u = static_cast<unsigned char>(c);
      std::string msg = u >= 0x20 && u < 0x7f ? std::string("unexpected character '") + c + "'"
                                              : "unexpected byte " + std::to_string(u);
      push(IRTok::Error, begin, msg);
      return out;
    }
    }
    push(kind, begin, text.substr(begin, i - begin));
  }
  IRToken eof;
  eof.kind = IRTok::Eof;
  eof.span = {static_cast<uint32_t>(n), static_cast<uint32_t>(n)};
  eof.line = line;
  eof.lineStart = !lineHasToken;
  out.tokens.push_back(std::move(eof));
  return out;
}

} // namespace diffc::ir
