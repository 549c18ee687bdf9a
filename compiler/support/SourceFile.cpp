#include "support/SourceFile.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <istream>

namespace diffc {

std::optional<std::string> readStream(std::istream &in, size_t maxBytes, std::string *why,
                                      std::string_view what) {
  std::string text;
  char chunk[1 << 16];
  while (in) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > maxBytes) {
      if (why)
        *why = fmt::format("{} is larger than {} MiB", what, maxBytes >> 20);
      return std::nullopt;
    }
  }
  if (in.bad()) {
    if (why)
      *why = fmt::format("cannot read {}", what);
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> readFile(const std::string &path, size_t maxBytes, std::string *why,
                                    std::string_view what) {
  std::error_code ec;
  std::ifstream in;
  if (!std::filesystem::is_directory(path, ec))
    in.open(path, std::ios::binary);
  if (!in.is_open()) {
    if (why)
      *why = fmt::format("cannot open {}", what);
    return std::nullopt;
  }
  return readStream(in, maxBytes, why, what);
}

SourceFile::SourceFile(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  // A UTF-8 byte-order mark (Windows editors write one) is invisible: line 1 starts after it, so
  // columns count what the user sees, and the lexer skips it.
  lineStarts_.push_back(text_.starts_with(kUtf8Bom) ? static_cast<uint32_t>(kUtf8Bom.size()) : 0u);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n')
      lineStarts_.push_back(i + 1);
}

SourceLoc SourceFile::locOf(uint32_t offset) const {
  if (offset > text_.size())
    offset = static_cast<uint32_t>(text_.size());
  offset = std::max(offset, lineStarts_[0]);
  auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - lineStarts_.begin());
  uint32_t col = offset - lineStarts_[line - 1] + 1;
  return {line, col};
}

uint32_t SourceFile::offsetOf(SourceLoc loc) const {
  if (loc.line == 0 || loc.line > lineStarts_.size())
    return 0;
  uint32_t off = lineStarts_[loc.line - 1] + (loc.col ? loc.col - 1 : 0);
  return off > text_.size() ? static_cast<uint32_t>(text_.size()) : off;
}

std::string_view SourceFile::lineText(uint32_t line) const {
  if (line == 0 || line > lineStarts_.size())
    return {};
  uint32_t b = lineStarts_[line - 1];
  uint32_t e =
      line < lineStarts_.size() ? lineStarts_[line] - 1 : static_cast<uint32_t>(text_.size());
  std::string_view v(text_.data() + b, e - b);
  if (!v.empty() && v.back() == '\r')
    v.remove_suffix(1);
  return v;
}

} // namespace diffc
