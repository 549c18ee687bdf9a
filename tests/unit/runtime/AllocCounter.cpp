// Replaces the global operator new of the runtime test executable with one that counts calls, so
// tests can assert that a code path does not allocate. In a file of its own: GCC flags malloc/free
// inside replaced operators as mismatched when it can inline them into a caller.
#include "AllocCounter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_news{0};
} // namespace

long diffc_test::allocationCount() { return g_news.load(); }

void *operator new(std::size_t n) {
  ++g_news;
  if (void *p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
