// Matrix products for compiled code: one precompiled kernel per float type, called by JIT and
// ahead-of-time code instead of a loop nest in every module, which LLVM would optimise and compile
// again on each cold JIT compile (tests/bench/compile/README.md).
//
// Every out[i, j] is 0 + A(i,0)*B(0,j) + A(i,1)*B(1,j) + ... in increasing p, which is also how
// the interpreter gets its float products (it calls these functions), so JIT and interpreter agree
// bit for bit: out is computed in tiles of 4 rows x 2 vectors (1 for a narrow remainder) held in
// registers while p runs (vectorised along j, no sum reassociated, so the vector width does not
// change any result), and this file is compiled with -ffp-contract=off (no FMA). Operands are
// strided (A(i,p) = a[i*a_rs + p*a_cs], B likewise), so codegen passes a transposed operand in
// place; blocks of 128 values of p of an operand are copied into a contiguous buffer when its
// layout would make the tiles read it slowly (p blocks outermost keep each sum in order).
#include "diffc/abi.h"

#include <algorithm>

namespace {

// Inlined into each target clone below, so compiled for its vector width.
#define DIFFC_INLINE inline __attribute__((always_inline))

// 32-byte vectors (GCC/Clang vector extensions): one AVX register, or two SSE ones by default.
template <class T> struct Vec {
  typedef T type __attribute__((vector_size(32)));
  static constexpr int64_t kLanes = 32 / sizeof(T);
};

/// Tiles of kRows rows x NV vectors of out, kept in registers over the p loop: NV = 2 where
/// out is wide enough, 1 for a remainder of at most one vector of columns.
template <class T> struct Kernel {
  using V = typename Vec<T>::type;
  static constexpr int64_t kLanes = Vec<T>::kLanes, kRows = 4;

  DIFFC_INLINE static V loadV(const T *p) {
    V v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  DIFFC_INLINE static void storeV(T *p, V v) { __builtin_memcpy(p, &v, sizeof v); }

  /// out (row stride ldo) += or = A (kRows rows from a: A(r, p) = a[r*aRs + p*aCs]) times NV
  /// vectors of columns of B (row p at bp + p*bStride), over pn values of p in increasing order.
  /// first: the tile starts from 0, else from the partial sums out holds.
  template <int64_t NV>
  DIFFC_INLINE static void tile(T *__restrict out, int64_t ldo, bool first, const T *__restrict a,
                                int64_t aRs, int64_t aCs, const T *__restrict bp, int64_t bStride,
                                int64_t pn) {
    V acc[kRows][NV];
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t h = 0; h < NV; ++h)
        acc[r][h] = first ? V{} : loadV(out + r * ldo + h * kLanes);
    for (int64_t p = 0; p < pn; ++p) {
      V bv[NV];
      for (int64_t h = 0; h < NV; ++h)
        bv[h] = loadV(bp + p * bStride + h * kLanes);
      for (int64_t r = 0; r < kRows; ++r) {
        const T x = a[r * aRs + p * aCs]; // scalar * vector: a broadcast (V{} + x costs an add)
        for (int64_t h = 0; h < NV; ++h)
          acc[r][h] += x * bv[h];
      }
    }
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t h = 0; h < NV; ++h)
        storeV(out + r * ldo + h * kLanes, acc[r][h]);
  }
};

constexpr int64_t kP = 128;    // values of p per block
constexpr int64_t kChunk = 32; // rows of A per copied chunk (32 x kP f64: 32 KiB)

/// One block of kP (or fewer) rows of B for the columns j0 .. j0 + cols (cols <= W), read in place
/// or copied into bPack (contiguous rows of W, zero-padded): returns the rows' start and stride.
template <class T, int64_t W>
DIFFC_INLINE const T *blockOfB(const T *b, int64_t bRs, int64_t bCs, int64_t p0, int64_t pn,
                               int64_t j0, int64_t cols, bool pack, T *bPack, int64_t &stride) {
  const T *bp = b + p0 * bRs + j0 * bCs;
  stride = bRs;
  if (!pack)
    return bp;
  for (int64_t p = 0; p < pn; ++p)
    for (int64_t c = 0; c < W; ++c)
      bPack[p * W + c] = c < cols ? bp[p * bRs + c * bCs] : T(0);
  stride = W;
  return bPack;
}

/// Rows 0 .. m of out (row stride n; columns j0 .. j0 + cols, cols <= NV vectors) over one block of
/// pn values of p. A(i, p) = a[i*aRs + p*aCs] from this block's first p; panels: a holds A as
/// copied by copyA (R rows zero-padded, each tile's pn x R values contiguous). Partial tiles at the
/// bottom and right edges run the same vector tile on zero-padded copies (the padding lanes are
/// computed and dropped), so they round the same way.
template <class T, int64_t NV>
DIFFC_INLINE void tiles(T *__restrict out, int64_t n, int64_t m, const T *__restrict a, int64_t aRs,
                        int64_t aCs, bool panels, const T *__restrict bp, int64_t bStride,
                        int64_t cols, int64_t pn, bool first) {
  using K = Kernel<T>;
  constexpr int64_t R = K::kRows, W = NV * K::kLanes;
  T aPack[kP * R]; // the last rows of A when fewer than R are left
  T outPad[R * W]; // a partial tile of out
  for (int64_t i0 = 0; i0 < m; i0 += R) {
    const int64_t rows = std::min(R, m - i0);
    const T *ap = panels ? a + i0 * pn : a + i0 * aRs;
    int64_t apRs = panels ? 1 : aRs, apCs = panels ? R : aCs;
    if (rows < R && !panels) {
      for (int64_t p = 0; p < pn; ++p)
        for (int64_t r = 0; r < R; ++r)
          aPack[p * R + r] = r < rows ? ap[r * aRs + p * aCs] : T(0);
      ap = aPack;
      apRs = 1;
      apCs = R;
    }
    T *o = out + i0 * n;
    if (rows == R && cols == W) {
      K::template tile<NV>(o, n, first, ap, apRs, apCs, bp, bStride, pn);
      continue;
    }
    if (!first)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          outPad[r * W + c] = o[r * n + c];
    K::template tile<NV>(outPad, W, first, ap, apRs, apCs, bp, bStride, pn);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        o[r * n + c] = outPad[r * W + c];
  }
}

/// Copies rows 0 .. m (m <= kChunk) of one block of pn values of p of A into panels: tile t's
/// A(t*R + r, p) at aPack[t*R*pn + p*R + r], rows past m zero.
template <class T>
DIFFC_INLINE void copyA(const T *a, int64_t aRs, int64_t aCs, int64_t m, int64_t pn, T *aPack) {
  constexpr int64_t R = Kernel<T>::kRows;
  for (int64_t i0 = 0; i0 < m; i0 += R)
    for (int64_t p = 0; p < pn; ++p)
      for (int64_t r = 0; r < R; ++r)
        aPack[i0 * pn + p * R + r] = i0 + r < m ? a[(i0 + r) * aRs + p * aCs] : T(0);
}

/// The columns j0 .. j0 + cols (cols <= NV vectors) of rows 0 .. m of out (row stride n) over the
/// block p0 .. p0 + pn; aPanels: A's rows as copyA left them, else A read in place.
template <class T, int64_t NV>
DIFFC_INLINE void columnBlock(T *__restrict out, int64_t n, int64_t m, const T *__restrict a,
                              int64_t aRs, int64_t aCs, const T *__restrict aPanels,
                              const T *__restrict b, int64_t bRs, int64_t bCs, bool packAlways,
                              int64_t j0, int64_t cols, int64_t p0, int64_t pn, T *bPack) {
  constexpr int64_t W = NV * Kernel<T>::kLanes;
  const bool pack = bCs != 1 || cols < W || packAlways;
  int64_t stride;
  const T *bp = blockOfB<T, W>(b, bRs, bCs, p0, pn, j0, cols, pack, bPack, stride);
  if (aPanels)
    tiles<T, NV>(out + j0, n, m, aPanels, 0, 0, true, bp, stride, cols, pn, p0 == 0);
  else
    tiles<T, NV>(out + j0, n, m, a + p0 * aCs, aRs, aCs, false, bp, stride, cols, pn, p0 == 0);
}

/// out = A B, A(i, p) = a[i*aRs + p*aCs], B(p, j) = b[p*bRs + j*bCs], out row-major m x n. Blocks
/// of p are outermost for each element, so every element is a sum in increasing p. Columns go in
/// blocks of two vectors, and one vector for a narrow remainder (n = 10 in f64: 8 + 4, not 8 + 8
/// with 6 padding columns).
template <class T>
DIFFC_INLINE void matmul(T *__restrict out, const T *__restrict a, const T *__restrict b, int64_t m,
                         int64_t k, int64_t n, int64_t aRs, int64_t aCs, int64_t bRs, int64_t bCs) {
  constexpr int64_t R = Kernel<T>::kRows, L = Kernel<T>::kLanes;
  // Far apart (a block spans over 32 KiB), rows of B or columns of A share few sets of the L1
  // cache and evict each other before the next tile reads them again: then they are copied when
  // the copy is reused enough (measured: copying B for the 3 row tiles of m = 10 costs more than
  // it saves).
  const int64_t span = std::min(kP, k) * int64_t(sizeof(T));
  const bool packAlways = m >= 4 * R && bRs * span > 32768;
  const bool chunksOfA = aCs != 1 && aCs * span > 32768 && n > 2 * L;
  // Up to 45 KiB of stack (f64; f32 26 KiB) and no heap: compiled code calls this in hot loops.
  T bPack[kP * 2 * L];
  T aPack[kChunk * kP]; // 16-row chunks: 15 % slower on the medium MLP's dW1
  // A's columns far apart and several column blocks to reuse them: chunks of kChunk rows of A are
  // copied once per block of p, and B's blocks once per chunk.
  const int64_t chunk = chunksOfA ? kChunk : std::max<int64_t>(m, 1);
  for (int64_t i00 = 0; i00 < m; i00 += chunk) {
    const int64_t mc = std::min(chunk, m - i00);
    const T *ai = a + i00 * aRs;
    for (int64_t p0 = 0; p0 == 0 || p0 < k; p0 += kP) {
      const int64_t pn = std::min(kP, k - p0);
      if (chunksOfA)
        copyA(ai + p0 * aCs, aRs, aCs, mc, pn, aPack);
      const T *panels = chunksOfA ? aPack : nullptr;
      for (int64_t j0 = 0; j0 < n;) {
        if (n - j0 > L) {
          columnBlock<T, 2>(out + i00 * n, n, mc, ai, aRs, aCs, panels, b, bRs, bCs, packAlways, j0,
                            std::min(2 * L, n - j0), p0, pn, bPack);
          j0 += 2 * L;
        } else {
          columnBlock<T, 1>(out + i00 * n, n, mc, ai, aRs, aCs, panels, b, bRs, bCs, packAlways, j0,
                            n - j0, p0, pn, bPack);
          j0 += L;
        }
      }
    }
  }
}

} // namespace

// One clone per vector width on x86-64 Linux; the dynamic loader picks the widest this CPU has.
// The clones are internal and the exported functions plain ones, since compiled code may reach
// them through relocations (GOT64 in ahead-of-time objects) that the linker refuses for an ifunc.
#if defined(__x86_64__) && defined(__linux__)
#define DIFFC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DIFFC_CLONES
#endif

namespace {
DIFFC_CLONES void matmulF64(double *out, const double *a, const double *b, int64_t m, int64_t k,
                            int64_t n, int64_t aRs, int64_t aCs, int64_t bRs, int64_t bCs) {
  matmul(out, a, b, m, k, n, aRs, aCs, bRs, bCs);
}
DIFFC_CLONES void matmulF32(float *out, const float *a, const float *b, int64_t m, int64_t k,
                            int64_t n, int64_t aRs, int64_t aCs, int64_t bRs, int64_t bCs) {
  matmul(out, a, b, m, k, n, aRs, aCs, bRs, bCs);
}

template <class T>
DIFFC_INLINE void addRow(T *__restrict out, const T *__restrict row, int64_t m, int64_t n) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      out[i * n + j] = out[i * n + j] + row[j];
}
DIFFC_CLONES void addRowF64(double *out, const double *row, int64_t m, int64_t n) {
  addRow(out, row, m, n);
}
DIFFC_CLONES void addRowF32(float *out, const float *row, int64_t m, int64_t n) {
  addRow(out, row, m, n);
}
} // namespace

extern "C" {

void diffc_rt_matmul_f64(double *out, const double *a, const double *b, int64_t m, int64_t k,
                         int64_t n, int64_t a_rs, int64_t a_cs, int64_t b_rs, int64_t b_cs) {
  matmulF64(out, a, b, m, k, n, a_rs, a_cs, b_rs, b_cs);
}

void diffc_rt_matmul_f32(float *out, const float *a, const float *b, int64_t m, int64_t k,
                         int64_t n, int64_t a_rs, int64_t a_cs, int64_t b_rs, int64_t b_cs) {
  matmulF32(out, a, b, m, k, n, a_rs, a_cs, b_rs, b_cs);
}

void diffc_rt_add_row_f64(double *out, const double *row, int64_t m, int64_t n) {
  addRowF64(out, row, m, n);
}

void diffc_rt_add_row_f32(float *out, const float *row, int64_t m, int64_t n) {
  addRowF32(out, row, m, n);
}
}
