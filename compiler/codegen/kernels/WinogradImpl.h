//===- WinogradImpl.h - Winograd F(4x4,3x3) on NCHW<L>c ---------*- C++ -*-===//
//
// The kernel behind kiln_conv2d_winograd_f32_nchwc, templated on the lanes L
// so tests can run every block size natively. See Winograd.h for the layouts
// and the algorithm; the transform matrices are Lavin & Gray's for F(4x4,3x3)
// with interpolation points 0, +-1, +-2 and infinity.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_WINOGRADIMPL_H
#define KILN_CODEGEN_KERNELS_WINOGRADIMPL_H

#include "compiler/codegen/kernels/ConvPlan.h"
#include "compiler/codegen/kernels/Winograd.h"

namespace kiln::kernels {

/// Positions of a transformed 6x6 tile: 36 GEMMs per tile group.
constexpr int WinoPoints = 36;

/// How a Winograd layer is split into work items and scratch.
struct WinoPlan {
  int64_t Cb, Mb;        ///< channel blocks
  int64_t ocb;           ///< output blocks per item (register tile rows)
  int64_t T;             ///< tiles per register tile
  int64_t tilesW, nTiles;///< 4x4 output tiles per row / per image
  int64_t sub;           ///< register tiles (of T tiles) per item
  int64_t tilesPerItem;  ///< sub * T
  int64_t nTileGroups, nOcg;
  int64_t chunk, nChunks;///< input blocks transformed at a time
  int64_t accFloats, vFloats;
  int64_t items;
};

KILN_INLINE WinoPlan winoPlan(const KilnConvParams *p) {
  WinoPlan s{};
  const int64_t L = p->L;
  s.Cb = ceilDiv(p->C, L);
  s.Mb = ceilDiv(p->M, L);
  s.ocb = s.Mb % 4 == 0 ? 4 : s.Mb % 2 == 0 ? 2 : 1;
  s.T = convTileWidth((int)L, (int)s.ocb);
  s.tilesW = ceilDiv(p->OW, 4);
  s.nTiles = ceilDiv(p->OH, 4) * s.tilesW;
  // When an item's transformed weights outgrow L2, two register
  // tiles share each chunk of them while it is in L1: half the weight
  // traffic, at the price of a smaller channel chunk.
  const int64_t uBytes = WinoPoints * s.Cb * L * s.ocb * L * 4;
  s.sub = uBytes > p->l2_bytes && s.nTiles > s.T ? 2 : 1;
  s.tilesPerItem = s.sub * s.T;
  s.nTileGroups = ceilDiv(s.nTiles, s.tilesPerItem);
  s.nOcg = s.Mb / s.ocb;
  s.accFloats = WinoPoints * s.ocb * s.tilesPerItem * L;
  const int64_t perBlock = WinoPoints * s.tilesPerItem * L;
  const int64_t budget = KILN_WINOGRAD_SCRATCH_BYTES / 4 - s.accFloats;
  s.chunk = imax(1, imin(s.Cb, budget / perBlock));
  s.nChunks = ceilDiv(s.Cb, s.chunk);
  s.chunk = ceilDiv(s.Cb, s.nChunks); // equal chunks
  s.vFloats = s.chunk * perBlock;
  s.items = p->N * s.nOcg * s.nTileGroups;
  return s;
}

/// B^T applied to d[0..5] (one dimension of the input transform).
template <int L>
KILN_INLINE void winoBt(const Vec<L> (&d)[6], Vec<L> (&r)[6]) {
  const Vec<L> d42 = d[4] - d[2], d31 = d[3] - d[1];
  r[0] = d[0] * 4.0f - d[2] * 5.0f + d[4];
  r[1] = (d[3] + d[4]) - (d[1] + d[2]) * 4.0f;
  r[2] = (d[4] - d[3]) + (d[1] - d[2]) * 4.0f;
  r[3] = d42 + d31 * 2.0f;
  r[4] = d42 - d31 * 2.0f;
  r[5] = d[1] * 4.0f - d[3] * 5.0f + d[5];
}

/// A^T applied to m[0..5] (one dimension of the output transform).
template <int L>
KILN_INLINE void winoAt(const Vec<L> (&m)[6], Vec<L> (&r)[4]) {
  const Vec<L> s12 = m[1] + m[2], d12 = m[1] - m[2];
  const Vec<L> s34 = m[3] + m[4], d34 = m[3] - m[4];
  r[0] = m[0] + s12 + s34;
  r[1] = d12 + d34 * 2.0f;
  r[2] = s12 + s34 * 4.0f;
  r[3] = d12 + d34 * 8.0f + m[5];
}

/// Transforms the 6x6 input tile at (ih0, iw0) of one channel block into
/// v[pos * posStride], pos = 6 * row + column of the transformed tile.
/// INTERIOR: the tile lies inside the input (no bounds checks).
template <int L, bool INTERIOR>
KILN_INLINE void winoInputTile(const float *inB, int64_t H, int64_t W,
                               int64_t ih0, int64_t iw0, float *v,
                               int64_t posStride) {
  Vec<L> t[6][6];
  KILN_UNROLL_FULL
  for (int c = 0; c < 6; ++c) {
    Vec<L> d[6], r[6];
    const int64_t iw = iw0 + c;
    KILN_UNROLL_FULL
    for (int k = 0; k < 6; ++k) {
      const int64_t ih = ih0 + k;
      if (INTERIOR || ((uint64_t)ih < (uint64_t)H && (uint64_t)iw < (uint64_t)W))
        d[k] = load<L>(inB + (ih * W + iw) * L);
      else
        d[k] = splat<L>(0.0f);
    }
    winoBt<L>(d, r);
    KILN_UNROLL_FULL
    for (int k = 0; k < 6; ++k)
      t[k][c] = r[k];
  }
  KILN_UNROLL_FULL
  for (int k = 0; k < 6; ++k) {
    Vec<L> r[6];
    winoBt<L>(t[k], r);
    KILN_UNROLL_FULL
    for (int l = 0; l < 6; ++l)
      store<L>(v + (k * 6 + l) * posStride, r[l]);
  }
}

/// acc[o][t] (+)= sum over nBlocks*L channels of u[c][o] * v[c][t] for one
/// position: OCB x T accumulators, OCB weight vectors and T broadcasts per
/// channel. `acc` holds them between channel chunks.
template <int L, int OCB, int T>
KILN_TILE_FN void winoGemm(const float *u, const float *v,
                           int64_t vBlockStride, int64_t nBlocks,
                           float *acc, int64_t accOStride, bool first) {
  Vec<L> a[OCB][T];
  KILN_UNROLL_FULL
  for (int o = 0; o < OCB; ++o)
    KILN_UNROLL_FULL
    for (int t = 0; t < T; ++t)
      a[o][t] = first ? splat<L>(0.0f) : load<L>(acc + o * accOStride + t * L);
  for (int64_t cb = 0; cb < nBlocks; ++cb) {
    const float *vb = v + cb * vBlockStride;
    const float *ub = u + cb * L * OCB * L;
    KILN_UNROLL_FULL
    for (int i = 0; i < L; ++i) {
      Vec<L> w[OCB];
      KILN_UNROLL_FULL
      for (int o = 0; o < OCB; ++o)
        w[o] = load<L>(ub + (i * OCB + o) * L);
      KILN_UNROLL_FULL
      for (int t = 0; t < T; ++t) {
        const float x = vb[t * L + i];
        KILN_UNROLL_FULL
        for (int o = 0; o < OCB; ++o)
          a[o][t] += w[o] * x;
      }
    }
  }
  KILN_UNROLL_FULL
  for (int o = 0; o < OCB; ++o)
    KILN_UNROLL_FULL
    for (int t = 0; t < T; ++t)
      store<L>(acc + o * accOStride + t * L, a[o][t]);
}

/// Output transform of one tile of one output block plus the epilogue.
template <int L>
KILN_INLINE void winoOutputTile(const KilnConvParams *p, const float *m,
                                int64_t posStride, int64_t oh0, int64_t ow0,
                                Vec<L> b, const float *res, float *dst,
                                int64_t validLanes) {
  Vec<L> t[4][6];
  KILN_UNROLL_FULL
  for (int c = 0; c < 6; ++c) {
    Vec<L> col[6], r[4];
    KILN_UNROLL_FULL
    for (int k = 0; k < 6; ++k)
      col[k] = load<L>(m + (k * 6 + c) * posStride);
    winoAt<L>(col, r);
    KILN_UNROLL_FULL
    for (int k = 0; k < 4; ++k)
      t[k][c] = r[k];
  }
  const float alpha = (float)p->act_alpha, lo = (float)p->act_lo,
              hi = (float)p->act_hi;
  KILN_UNROLL_FULL
  for (int k = 0; k < 4; ++k) {
    const int64_t oh = oh0 + k;
    if (oh >= p->OH)
      break;
    Vec<L> y[4];
    winoAt<L>(t[k], y);
    KILN_UNROLL_FULL
    for (int c = 0; c < 4; ++c) {
      const int64_t ow = ow0 + c;
      if (ow >= p->OW)
        break;
      const int64_t off = (oh * p->OW + ow) * L;
      Vec<L> v = y[c] + b;
      if (res)
        v += load<L>(res + off);
      v = activate<L>(v, p->activation, alpha, lo, hi);
      if (validLanes != L)
        v = keepFirst<L>(v, validLanes);
      store<L>(dst + off, v);
    }
  }
}

template <int L, int OCB, int T>
KILN_INLINE void winoItems(const KilnConvParams *p, const WinoPlan &s,
                           const float *in, const float *u, const float *bias,
                           const float *residual, float *out, int64_t begin,
                           int64_t end) {
  const int64_t H = p->H, W = p->W, TPI = s.tilesPerItem;
  const int64_t inPlane = H * W * L, outPlane = p->OH * p->OW * L;
  const int64_t uPos = s.Cb * L * OCB * L; // floats per position
  // Scratch: transformed inputs V[36][chunk][TPI][L], then the accumulated
  // products M[36][OCB][TPI][L].
  float scratch[s.vFloats + s.accFloats];
  float *v = scratch, *acc = scratch + s.vFloats;
  const int64_t vPos = s.chunk * TPI * L, accPos = OCB * TPI * L;

  for (int64_t item = begin; item < end; ++item) {
    const int64_t tg = item % s.nTileGroups;
    const int64_t q = item / s.nTileGroups % s.nOcg;
    const int64_t n = item / s.nTileGroups / s.nOcg;
    const int64_t tile0 = tg * TPI;
    const int64_t nt = imin(TPI, s.nTiles - tile0);
    const float *inN = in + n * s.Cb * inPlane;
    const float *uq = u + q * WinoPoints * uPos;

    for (int64_t ch = 0; ch < s.nChunks; ++ch) {
      const int64_t cb0 = ch * s.chunk;
      const int64_t ncb = imin(s.chunk, s.Cb - cb0);
      // Input transform of this chunk's blocks for the item's tiles.
      for (int64_t cb = 0; cb < ncb; ++cb) {
        const float *inB = inN + (cb0 + cb) * inPlane;
        for (int64_t t = 0; t < TPI; ++t) {
          float *vt = v + (cb * TPI + t) * L;
          if (t >= nt) { // padding tiles of the last group: zeros
            for (int pos = 0; pos < WinoPoints; ++pos)
              store<L>(vt + pos * vPos, splat<L>(0.0f));
            continue;
          }
          const int64_t tile = tile0 + t;
          const int64_t ih0 = tile / s.tilesW * 4 - p->PT;
          const int64_t iw0 = tile % s.tilesW * 4 - p->PL;
          if (ih0 >= 0 && iw0 >= 0 && ih0 + 6 <= H && iw0 + 6 <= W)
            winoInputTile<L, true>(inB, H, W, ih0, iw0, vt, vPos);
          else
            winoInputTile<L, false>(inB, H, W, ih0, iw0, vt, vPos);
        }
      }
      // 36 GEMMs: (OCB x L) x (ncb x L) times (ncb x L) x (TPI tiles).
      for (int pos = 0; pos < WinoPoints; ++pos)
        for (int64_t sb = 0; sb < s.sub; ++sb)
          winoGemm<L, OCB, T>(uq + pos * uPos + cb0 * L * OCB * L,
                              v + pos * vPos + sb * T * L, TPI * L, ncb,
                              acc + pos * accPos + sb * T * L, TPI * L,
                              ch == 0);
    }

    // Output transform and epilogue.
    for (int o = 0; o < OCB; ++o) {
      const int64_t ob = q * OCB + o;
      const Vec<L> b = p->has_bias ? load<L>(bias + ob * L) : splat<L>(0.0f);
      const int64_t valid = ob == s.Mb - 1 ? p->M - (s.Mb - 1) * L : L;
      const int64_t base = (n * s.Mb + ob) * outPlane;
      for (int64_t t = 0; t < nt; ++t) {
        const int64_t tile = tile0 + t;
        winoOutputTile<L>(p, acc + (o * TPI + t) * L, accPos,
                          tile / s.tilesW * 4, tile % s.tilesW * 4, b,
                          p->has_residual ? residual + base : nullptr,
                          out + base, valid);
      }
    }
  }
}

/// The Winograd convolution for L lanes.
template <int L>
KILN_INLINE void conv2dWinograd(const KilnConvParams *p, const float *in,
                                const float *u, const float *bias,
                                const float *residual, float *out,
                                int64_t begin, int64_t end) {
  if (p->L != L)
    __builtin_trap();
  const WinoPlan s = winoPlan(p);
  if (s.ocb == 4)
    winoItems<L, 4, convTileWidth(L, 4)>(p, s, in, u, bias, residual, out,
                                         begin, end);
  else if (s.ocb == 2)
    winoItems<L, 2, convTileWidth(L, 2)>(p, s, in, u, bias, residual, out,
                                         begin, end);
  else
    winoItems<L, 1, convTileWidth(L, 1)>(p, s, in, u, bias, residual, out,
                                         begin, end);
}

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_WINOGRADIMPL_H
