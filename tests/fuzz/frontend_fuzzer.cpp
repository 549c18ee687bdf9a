// libFuzzer target for the front end: any bytes → parse → names, types, shapes → IR. Diagnostics
// are expected; a crash, a sanitizer report, a hang or an internal error (a broken invariant) is a
// finding. Every finding becomes a regression test in tests/errors/ or tests/unit/frontend/.
#include "ir/Verifier.h"
#include "sema/Compile.h"
#include "support/Diagnostics.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace diffc;
  SourceFile file("fuzz.diff", std::string(reinterpret_cast<const char *>(data), size));
  DiagnosticEngine diags(file);
  try {
    auto m = compileModule(file, diags);
    // Programs that check cleanly must lower to valid IR (pending in-language derivatives aside).
    if (m && m->derivatives.empty()) {
      auto errors = ir::verifyModule(*m);
      if (!errors.empty()) {
        std::fprintf(stderr, "verifier: %s\n", errors[0].c_str());
        std::abort();
      }
    }
  } catch (const FatalDiagnostic &) {
  } catch (const InternalError &e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    std::abort();
  }
  return 0;
}
