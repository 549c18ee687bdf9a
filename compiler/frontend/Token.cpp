#include "frontend/Token.h"

namespace diffc {

const char *tokSpelling(Tok t) {
  switch (t) {
#define DIFFC_TOKEN_SPELLING(K, S)                                                                 \
  case Tok::K:                                                                                     \
    return S;
    DIFFC_TOKENS(DIFFC_TOKEN_SPELLING)
#undef DIFFC_TOKEN_SPELLING
  }
  return "?";
}

} // namespace diffc
