// print → parse → print gives the same text for the lowering of every golden IR test and every
// example program: the printed IR is a faithful, re-readable form of the module.
#include "Helpers.h"

#include "ir/IRParser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <algorithm>
#include <filesystem>

using namespace diffc;
using namespace diffc::test;

namespace {
std::vector<std::filesystem::path> programFiles() {
  std::vector<std::filesystem::path> out;
  for (const char *dir : {"tests/ir", "tests/programs"})
    for (const auto &e : std::filesystem::directory_iterator(std::string(DIFFC_SOURCE_DIR) + "/" + dir))
      if (e.path().extension() == ".diff")
        out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
} // namespace

TEST_CASE("IR round-trips through its textual form") {
  auto files = programFiles();
  REQUIRE(files.size() >= 20);
  for (const auto &path : files) {
    CAPTURE(path.string());
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    Compiled c = compile(ss.str(), path.filename().string());
    REQUIRE_MESSAGE(c.module != nullptr, c.messages());
    std::string first = ir::printModule(*c.module);
    SourceFile irFile("roundtrip.ir", first);
    DiagnosticEngine diags(irFile);
    auto parsed = ir::parseIR(irFile, diags);
    std::string errs;
    for (const Diagnostic &d : diags.diagnostics())
      errs += diags.render(d);
    REQUIRE_MESSAGE(parsed != nullptr, errs);
    if (c.module->derivatives.empty()) // calls to pending derivatives verify after AD
      CHECK(ir::verifyModule(*parsed).empty());
    CHECK(ir::printModule(*parsed) == first);
  }
}
