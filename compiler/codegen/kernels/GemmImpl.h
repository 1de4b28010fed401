//===- GemmImpl.h - Register-blocked GEMM/GEMV on packed B ------*- C++ -*-===//
//
// The kernel behind kiln_gemm_f32_packed, templated on the lanes L. See
// Gemm.h for layouts. A tile is MR rows of A x NR N-blocks of B in MR*NR
// vector accumulators; for each k it loads NR weight vectors (each N-block is
// one sequential stream) and broadcasts MR elements of A. Batch 1 streams
// every weight once; larger batches read the weights once per MR rows.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_GEMMIMPL_H
#define KILN_CODEGEN_KERNELS_GEMMIMPL_H

#include "compiler/codegen/kernels/Gemm.h"
#include "compiler/codegen/kernels/Vec.h"

namespace kiln::kernels {

/// Rows of A per register tile (and per work item).
constexpr int gemmMaxRows(int L) { return L == 8 ? 4 : 8; }

struct GemmPlan {
  int64_t Nb;      ///< N blocks
  int64_t nr;      ///< N blocks per tile / item
  int64_t nGroups; ///< N-block groups
  int64_t mTiles;  ///< row tiles
  int64_t items;
};

KILN_INLINE GemmPlan gemmPlan(const KilnGemmParams *p) {
  GemmPlan s{};
  s.Nb = ceilDiv(p->N, p->L);
  s.nr = p->M == 1 ? 4 : 2;
  s.nGroups = ceilDiv(s.Nb, s.nr);
  s.mTiles = ceilDiv(p->M, gemmMaxRows((int)p->L));
  s.items = s.mTiles * s.nGroups;
  return s;
}

/// Y rows [m0, m0+MR) x N-blocks [nb0, nb0+NR).
template <int L, int MR, int NR>
KILN_INLINE void gemmTile(const KilnGemmParams *p, const float *a,
                          const float *b, const float *bias, float *y,
                          int64_t m0, int64_t nb0) {
  const int64_t K = p->K, M = p->M, N = p->N;
  Vec<L> acc[MR][NR];
  KILN_UNROLL_FULL
  for (int m = 0; m < MR; ++m)
    KILN_UNROLL_FULL
    for (int r = 0; r < NR; ++r)
      acc[m][r] = splat<L>(0.0f);
  const float *bp = b + nb0 * K * L;
  // A(m, k) = a[m*K + k], or a[k*M + m] when transposed.
  const int64_t rowStride = p->trans_a ? 1 : K;
  const int64_t kStride = p->trans_a ? M : 1;
  const float *ap = a + m0 * rowStride;
  KILN_UNROLL(4)
  for (int64_t k = 0; k < K; ++k) {
    Vec<L> bv[NR];
    KILN_UNROLL_FULL
    for (int r = 0; r < NR; ++r)
      bv[r] = load<L>(bp + r * K * L + k * L);
    KILN_UNROLL_FULL
    for (int m = 0; m < MR; ++m) {
      const float x = ap[m * rowStride + k * kStride];
      KILN_UNROLL_FULL
      for (int r = 0; r < NR; ++r)
        acc[m][r] += bv[r] * x;
    }
  }
  const float alpha = (float)p->act_alpha, lo = (float)p->act_lo,
              hi = (float)p->act_hi;
  // The activation as in the conv tiles (Vec.h: activatesInTile): this
  // tile is instantiated for every MR x NR and unrolled, and the kernel
  // bitcode holds it unspecialised.
  KILN_UNROLL_FULL
  for (int r = 0; r < NR; ++r) {
    const Vec<L> bv = p->has_bias ? load<L>(bias + (nb0 + r) * L) : splat<L>(0.0f);
    KILN_UNROLL_FULL
    for (int m = 0; m < MR; ++m)
      acc[m][r] = activateInTile<L>(acc[m][r] + bv, p->activation, alpha, lo, hi);
  }
  if (!activatesInTile(p->activation)) {
    Vec<L> out[MR][NR]; // a copy: acc itself stays in registers
    KILN_UNROLL_FULL
    for (int m = 0; m < MR; ++m)
      KILN_UNROLL_FULL
      for (int r = 0; r < NR; ++r)
        out[m][r] = acc[m][r];
    activateOutOfTile<L>(&out[0][0], MR * NR, p->activation, alpha, lo, hi);
    KILN_UNROLL_FULL
    for (int m = 0; m < MR; ++m)
      KILN_UNROLL_FULL
      for (int r = 0; r < NR; ++r)
        acc[m][r] = out[m][r];
  }
  KILN_UNROLL_FULL
  for (int r = 0; r < NR; ++r) {
    const int64_t n0 = (nb0 + r) * L;
    KILN_UNROLL_FULL
    for (int m = 0; m < MR; ++m) {
      Vec<L> v = acc[m][r];
      float *dst = y + (m0 + m) * N + n0;
      if (n0 + L <= N) {
        store<L>(dst, v);
      } else {
        for (int64_t i = 0; i < N - n0; ++i)
          dst[i] = v[i];
      }
    }
  }
}

/// Dispatches the runtime row count (<= MRMAX) and block count (<= NR) to a
/// tile instantiation; with constant params one survives.
template <int L, int MR, int NR>
KILN_INLINE void gemmTileRows(const KilnGemmParams *p, const float *a,
                              const float *b, const float *bias, float *y,
                              int64_t m0, int64_t rows, int64_t nb0,
                              int64_t blocks) {
  if constexpr (MR >= 1) {
    if (rows != MR) {
      gemmTileRows<L, MR - 1, NR>(p, a, b, bias, y, m0, rows, nb0, blocks);
    } else if constexpr (NR >= 1) {
      if (blocks == NR)
        gemmTile<L, MR, NR>(p, a, b, bias, y, m0, nb0);
      else
        gemmTileRows<L, MR, NR - 1>(p, a, b, bias, y, m0, rows, nb0, blocks);
    }
  }
}

template <int L>
KILN_INLINE void gemm(const KilnGemmParams *p, const float *a, const float *b,
                      const float *bias, float *y, int64_t begin, int64_t end) {
  if (p->L != L)
    __builtin_trap();
  const GemmPlan s = gemmPlan(p);
  constexpr int MRMAX = gemmMaxRows(L);
  for (int64_t item = begin; item < end; ++item) {
    const int64_t ng = item % s.nGroups, mt = item / s.nGroups;
    const int64_t m0 = mt * MRMAX, rows = imin(MRMAX, p->M - m0);
    const int64_t nb0 = ng * s.nr, blocks = imin(s.nr, s.Nb - nb0);
    if (s.nr == 4)
      gemmTileRows<L, MRMAX, 4>(p, a, b, bias, y, m0, rows, nb0, blocks);
    else
      gemmTileRows<L, MRMAX, 2>(p, a, b, bias, y, m0, rows, nb0, blocks);
  }
}

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_GEMMIMPL_H
