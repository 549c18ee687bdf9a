// A source file held in memory with a line table, so that byte offsets in spans can be turned into
// the `LINE:COL` positions users see and the source line can be quoted under a diagnostic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffc {

/// A half-open byte range [begin, end) in one source file.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  static Span join(Span a, Span b) {
    return {a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
};

/// 1-based line and column; line 0 means "no location".
struct SourceLoc {
  uint32_t line = 0;
  uint32_t col = 0;
  bool valid() const { return line != 0; }
};

/// Largest program source diffc reads (64 MiB): far beyond any program a person or generator
/// writes, it keeps `diffc check /dev/zero` from reading forever (SourceFile's offsets are 32-bit).
inline constexpr size_t kMaxSourceBytes = size_t(64) << 20;
/// Largest --inputs JSON file (1 GiB): data sets are larger than programs.
inline constexpr size_t kMaxInputsBytes = size_t(1) << 30;

/// The whole content of the file at `path`, at most maxBytes; nullopt when it cannot be opened or
/// read, or is larger (a directory opens as a stream that reads nothing, which would pass for an
/// empty program or inputs file). `why`, when given, receives the reason as an error message
/// naming the file as `what` ("cannot open inputs file").
std::optional<std::string> readFile(const std::string &path, size_t maxBytes,
                                    std::string *why = nullptr, std::string_view what = "file");
/// The rest of `in` (standard input), at most maxBytes; nullopt (and the reason) otherwise.
std::optional<std::string> readStream(std::istream &in, size_t maxBytes, std::string *why = nullptr,
                                      std::string_view what = "input");

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

class SourceFile {
public:
  SourceFile(std::string name, std::string text);

  const std::string &name() const { return name_; }
  const std::string &text() const { return text_; }
  SourceLoc locOf(uint32_t offset) const;
  /// Offset of the first character of the program: 0, or 3 after a UTF-8 byte-order mark.
  uint32_t firstOffset() const { return lineStarts_[0]; }
  /// Byte offset of a line/column position (clamped to the file).
  uint32_t offsetOf(SourceLoc loc) const;
  /// The text of 1-based line `line`, without its newline.
  std::string_view lineText(uint32_t line) const;

private:
  std::string name_;
  std::string text_;
  std::vector<uint32_t> lineStarts_;
};

} // namespace diffc
