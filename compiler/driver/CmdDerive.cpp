// `diffc derive -e EXPR --wrt x[,y...]`: the simplified symbolic derivative of a scalar
// expression, printed as an expression; with several variables, one `d/dx = ...` line each.
#include "driver/Commands.h"
#include "driver/DeriveExpr.h"

#include <iostream>

namespace diffc::driver {

int cmdDerive(const Options &o) {
  auto expr = o.get("e");
  if (!expr || !o.file.empty()) {
    reportError("diffc derive", !expr ? "missing -e EXPR (usage: diffc derive -e EXPR --wrt x)"
                                      : "derive takes the expression with -e, not a file");
    return 1;
  }
  std::vector<std::string> wrt = o.list("wrt");
  if (wrt.empty()) {
    reportError("diffc derive", "missing --wrt VARIABLE (usage: diffc derive -e EXPR --wrt x)");
    return 1;
  }
  auto result = deriveExpression(*expr, wrt, std::cerr);
  if (!result)
    return 1;
  if (wrt.size() == 1) {
    std::cout << (*result)[0] << "\n";
    return 0;
  }
  for (size_t i = 0; i < wrt.size(); ++i)
    std::cout << "d/d" << wrt[i] << " = " << (*result)[i] << "\n";
  return 0;
}

} // namespace diffc::driver
