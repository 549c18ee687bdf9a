// Matrix products for compiled code: one precompiled kernel per float type, called by JIT and
// ahead-of-time code instead of a loop nest in every module, which LLVM would optimise and compile
// again on each cold JIT compile (tests/bench/compile/README.md).
//
// Every out[i, j] is 0 + A(i,0)*B(0,j) + A(i,1)*B(1,j) + ... in increasing p, which is also how
// the interpreter gets its float products (it calls these functions), so JIT and interpreter agree
// bit for bit: out is computed in tiles of 4 rows x 2 vectors held in registers while p runs
// (vectorised along j, no sum reassociated, so the vector width does not change any result), and
// this file is compiled with -ffp-contract=off (no FMA). Operands are strided (A(i,p) =
// a[i*a_rs + p*a_cs], B likewise), so codegen passes a transposed operand in place; when B's rows
// are not contiguous, blocks of 128 of its rows are first copied into a contiguous buffer (p
// blocks outermost keep each sum in order).
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

/// Tiles of kRows rows x 2 vectors of out, kept in registers over the p loop.
template <class T> struct Kernel {
  using V = typename Vec<T>::type;
  static constexpr int64_t kLanes = Vec<T>::kLanes, kRows = 4, kCols = 2 * kLanes;

  DIFFC_INLINE static V loadV(const T *p) {
    V v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  DIFFC_INLINE static void storeV(T *p, V v) { __builtin_memcpy(p, &v, sizeof v); }

  /// out (row stride ldo) += or = A (kRows rows from a: A(r, p) = a[r*aRs + p*aCs]) times kCols
  /// columns of B (row p at bp + p*bStride), over pn values of p in increasing order. first: the
  /// tile starts from 0, else from the partial sums out holds.
  DIFFC_INLINE static void tile(T *__restrict out, int64_t ldo, bool first, const T *__restrict a,
                                int64_t aRs, int64_t aCs, const T *__restrict bp, int64_t bStride,
                                int64_t pn) {
    V acc[kRows][2];
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t h = 0; h < 2; ++h)
        acc[r][h] = first ? V{} : loadV(out + r * ldo + h * kLanes);
    for (int64_t p = 0; p < pn; ++p) {
      const V b0 = loadV(bp + p * bStride), b1 = loadV(bp + p * bStride + kLanes);
      for (int64_t r = 0; r < kRows; ++r) {
        const T x = a[r * aRs + p * aCs]; // scalar * vector: a broadcast (V{} + x costs an add)
        acc[r][0] += x * b0;
        acc[r][1] += x * b1;
      }
    }
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t h = 0; h < 2; ++h)
        storeV(out + r * ldo + h * kLanes, acc[r][h]);
  }
};

/// out = A B, A(i, p) = a[i*aRs + p*aCs], B(p, j) = b[p*bRs + j*bCs], out row-major m x n.
/// Every out element is a sum in increasing p. Partial tiles at the bottom and right edges run the
/// same vector tile on zero-padded copies (the padding lanes are computed and dropped), so they
/// are as fast as whole ones and round the same way.
template <class T>
DIFFC_INLINE void matmul(T *__restrict out, const T *__restrict a, const T *__restrict b, int64_t m,
                         int64_t k, int64_t n, int64_t aRs, int64_t aCs, int64_t bRs, int64_t bCs) {
  using K = Kernel<T>;
  constexpr int64_t R = K::kRows, C = K::kCols, kP = 128;
  T bPack[kP * C]; // a block of B when its rows are not contiguous or it is narrower than C
  T aPack[kP * R]; // the last rows of A when fewer than R are left
  T outPad[R * C]; // a partial tile of out
  for (int64_t j0 = 0; j0 < n; j0 += C) {
    const int64_t cols = std::min(C, n - j0);
    for (int64_t p0 = 0; p0 == 0 || p0 < k; p0 += kP) {
      const int64_t pn = std::min(kP, k - p0);
      const bool first = p0 == 0;
      const T *bp = b + p0 * bRs + j0 * bCs;
      int64_t bStride = bRs;
      if (bCs != 1 || cols < C) {
        for (int64_t p = 0; p < pn; ++p)
          for (int64_t c = 0; c < C; ++c)
            bPack[p * C + c] = c < cols ? b[(p0 + p) * bRs + (j0 + c) * bCs] : T(0);
        bp = bPack;
        bStride = C;
      }
      for (int64_t i0 = 0; i0 < m; i0 += R) {
        const int64_t rows = std::min(R, m - i0);
        const T *ap = a + i0 * aRs + p0 * aCs;
        int64_t apRs = aRs, apCs = aCs;
        if (rows < R) {
          for (int64_t p = 0; p < pn; ++p)
            for (int64_t r = 0; r < R; ++r)
              aPack[p * R + r] = r < rows ? ap[r * aRs + p * aCs] : T(0);
          ap = aPack;
          apRs = 1;
          apCs = R;
        }
        T *o = out + i0 * n + j0;
        if (rows == R && cols == C) {
          K::tile(o, n, first, ap, apRs, apCs, bp, bStride, pn);
          continue;
        }
        if (!first)
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = 0; c < cols; ++c)
              outPad[r * C + c] = o[r * n + c];
        K::tile(outPad, C, first, ap, apRs, apCs, bp, bStride, pn);
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c)
            o[r * n + c] = outPad[r * C + c];
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
}
