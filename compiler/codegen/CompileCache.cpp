// Reading and writing compile-cache entries (layout in CompileCache.h), and where the cache is.
#include "codegen/CompileCache.h"

#include <llvm/Support/BLAKE3.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <cstring>

namespace diffc::codegen {

namespace {
constexpr char kMagic[8] = {'D', 'I', 'F', 'F', 'C', 'O', 'B', 'J'};
constexpr uint32_t kEntryFormat = 1;

struct Header {
  char magic[8];
  uint32_t format;
  uint32_t reserved;
  uint64_t size; // payload bytes after the header
  uint8_t checksum[32];
};
static_assert(sizeof(Header) == 56);

std::array<uint8_t, 32> checksum(llvm::StringRef payload) {
  return llvm::BLAKE3::hash<32>(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(payload.data()), payload.size()));
}

std::string env(const char *name) {
  const char *v = std::getenv(name);
  return v ? std::string(v) : std::string();
}
} // namespace

std::string cacheDirFor(bool enabled, const std::string &dir) {
  std::string off = env("DIFFC_CACHE");
  if (!enabled || off == "0" || off == "off" || off == "no" || off == "false")
    return {};
  if (!dir.empty())
    return dir;
  if (std::string d = env("DIFFC_CACHE_DIR"); !d.empty())
    return d;
  if (std::string d = env("XDG_CACHE_HOME"); !d.empty())
    return d + "/diffc";
  if (std::string d = env("HOME"); !d.empty())
    return d + "/.cache/diffc";
  return {};
}

std::string CompileCache::pathFor(const std::string &key) const {
  return dir_ + "/jit/" + key + ".o";
}

std::unique_ptr<llvm::MemoryBuffer> CompileCache::load(const std::string &key) const {
  auto file = llvm::MemoryBuffer::getFile(pathFor(key), /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return nullptr;
  llvm::StringRef all = (*file)->getBuffer();
  Header h;
  if (all.size() < sizeof h)
    return nullptr;
  std::memcpy(&h, all.data(), sizeof h);
  llvm::StringRef payload = all.drop_front(sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.format != kEntryFormat ||
      h.size != payload.size())
    return nullptr;
  auto sum = checksum(payload);
  if (std::memcmp(h.checksum, sum.data(), sum.size()) != 0)
    return nullptr;
  return llvm::MemoryBuffer::getMemBufferCopy(payload, key + ".o");
}

bool CompileCache::store(const std::string &key, llvm::StringRef obj) const {
  std::string dir = dir_ + "/jit";
  if (llvm::sys::fs::create_directories(dir))
    return false;
  int fd = -1;
  llvm::SmallString<256> tmp;
  if (llvm::sys::fs::createUniqueFile(dir + "/" + key + ".tmp-%%%%%%%%", fd, tmp))
    return false;
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format = kEntryFormat;
  h.size = obj.size();
  auto sum = checksum(obj);
  std::memcpy(h.checksum, sum.data(), sum.size());
  bool ok;
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out.write(reinterpret_cast<const char *>(&h), sizeof h);
    out << obj;
    out.close();
    ok = !out.has_error();
    if (!ok)
      out.clear_error();
  }
  // rename() replaces an existing (possibly damaged) entry atomically: readers see the old file
  // or the new one, never a mixture.
  if (ok && !llvm::sys::fs::rename(tmp, pathFor(key)))
    return true;
  llvm::sys::fs::remove(tmp);
  return false;
}

} // namespace diffc::codegen
