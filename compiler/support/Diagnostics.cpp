#include "support/Diagnostics.h"

#include <fmt/format.h>

namespace diffc {

void DiagnosticEngine::error(Span span, std::string message) {
  if (errors_ >= kMaxErrors) {
    truncated_ = true;
    return;
  }
  ++errors_;
  diags_.push_back({Severity::Error, span, true, std::move(message)});
}

void DiagnosticEngine::rollback(size_t mark) {
  if (mark >= diags_.size())
    return;
  diags_.resize(mark);
  errors_ = 0;
  for (const Diagnostic &d : diags_)
    errors_ += d.severity == Severity::Error;
  truncated_ = false;
}

void DiagnosticEngine::warning(Span span, std::string message) {
  diags_.push_back({Severity::Warning, span, true, std::move(message)});
}

void DiagnosticEngine::note(Span span, std::string message) {
  if (truncated_)
    return;
  diags_.push_back({Severity::Note, span, true, std::move(message)});
}

std::string DiagnosticEngine::render(const Diagnostic &d) const {
  const char *sev = d.severity == Severity::Error     ? "error"
                    : d.severity == Severity::Warning ? "warning"
                                                      : "note";
  if (!d.hasSpan)
    return fmt::format("{}: {}: {}\n", file_.name(), sev, d.message);
  SourceLoc loc = file_.locOf(d.span.begin);
  std::string out = fmt::format("{}:{}:{}: {}: {}\n", file_.name(), loc.line, loc.col, sev, d.message);
  std::string_view line = file_.lineText(loc.line);
  out += "  ";
  out += line;
  out += "\n  ";
  // Tabs are kept in the caret line so the caret lines up under the source text.
  for (uint32_t i = 1; i < loc.col && i - 1 < line.size(); ++i)
    out += line[i - 1] == '\t' ? '\t' : ' ';
  out += '^';
  SourceLoc endLoc = file_.locOf(d.span.end > d.span.begin ? d.span.end : d.span.begin);
  uint32_t endCol = endLoc.line == loc.line ? endLoc.col : static_cast<uint32_t>(line.size()) + 1;
  for (uint32_t c = loc.col + 1; c < endCol; ++c)
    out += '~';
  out += '\n';
  return out;
}

void DiagnosticEngine::print(std::ostream &os) const {
  for (const Diagnostic &d : diags_)
    os << render(d);
  if (truncated_)
    os << fmt::format("{}: error: too many errors; stopping after {}\n", file_.name(), kMaxErrors);
}

} // namespace diffc
