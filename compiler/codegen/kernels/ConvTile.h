//===- ConvTile.h - The direct convolution's register tile -------*- C++ -*-===//
//
// Micro-kernel: a tile of OCB output-channel blocks x NW output pixels of one
// output row lives in OCB*NW vector accumulators. For each input-channel
// block, kernel row and column, and each of the L input channels in the
// block, it loads OCB weight vectors and multiplies each by the broadcast
// input pixel (vfmadd231ps zmm, zmm, m32bcst on AVX-512). Pixels outside the
// input (padding) read from a zero vector on the stack, so border tiles run
// the same code with per-pixel pointers; interior tiles use one base pointer
// with constant offsets (strides 1 and 2 are template parameters: the tiles
// are functions shared by layers, so the params are not constants in them).
//
// ConvImpl.h walks a layer's work items over these tiles.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_CONVTILE_H
#define KILN_CODEGEN_KERNELS_CONVTILE_H

#include "compiler/codegen/kernels/ConvPlan.h"

namespace kiln::kernels {

/// Per-call constants, copied out of the params (they fold when the params
/// are constants) plus the pointers of the current work item.
struct ConvCtx {
  int64_t H, W, OH, OW, KH, KW, SH, SW, PT, PL, DH, DW;
  int64_t Cg, Cgb;
  int64_t rightOverhang; ///< input columns the last computed pixel reads past W
  int64_t wOcbStride;   ///< floats between the packed weights of two oc blocks
  const float *in;      ///< image n, first channel (block) of group g
  const float *w;       ///< packed weights of the tile's first oc block
  const float *bias;    ///< bias of the tile's first oc block, or null
  const float *res;     ///< residual row (pixel 0), or null
  int64_t resOcbStride;
  float *dst;           ///< output row (pixel 0) of the tile's first oc block
  int64_t dstOcbStride;
  int64_t validLanes[4];///< lanes to keep per oc block (L except a padded tail)
  int64_t ib0, ib1;     ///< the channel chunk: input blocks [ib0, ib1)
  bool firstChunk;      ///< start from zero, not from the partial sums in dst
  bool lastChunk;       ///< apply the epilogue, not store partial sums
  int64_t act;
  float alpha, lo, hi;
};

/// Accumulates one kernel column `kw` of input-channel block `inB` for a tile
/// whose pixels are all inside the input: one base pointer, constant offsets.
template <int L, int OCB, int NW, int SWT, bool BLOCKED>
KILN_INLINE void convColumnInterior(const ConvCtx &c, const float *rowPix0,
                                    const float *wp, int64_t nc,
                                    Vec<L> (&acc)[OCB][NW]) {
  const int64_t sw = SWT ? SWT : c.SW;
  const int64_t pixStride = BLOCKED ? sw * L : sw;
  if constexpr (BLOCKED) {
    KILN_UNROLL_FULL
    for (int i = 0; i < L; ++i) {
      Vec<L> wv[OCB];
      KILN_UNROLL_FULL
      for (int o = 0; o < OCB; ++o)
        wv[o] = load<L>(wp + o * c.wOcbStride + i * L);
      KILN_UNROLL_FULL
      for (int j = 0; j < NW; ++j) {
        const float x = rowPix0[j * pixStride + i];
        KILN_UNROLL_FULL
        for (int o = 0; o < OCB; ++o)
          acc[o][j] += wv[o] * x;
      }
    }
  } else {
    const int64_t hw = c.H * c.W;
    for (int64_t ch = 0; ch < nc; ++ch) {
      const float *wc = wp + ch * L;
      Vec<L> wv[OCB];
      KILN_UNROLL_FULL
      for (int o = 0; o < OCB; ++o)
        wv[o] = load<L>(wc + o * c.wOcbStride);
      const float *px = rowPix0 + ch * hw;
      KILN_UNROLL_FULL
      for (int j = 0; j < NW; ++j) {
        const float x = px[j * pixStride];
        KILN_UNROLL_FULL
        for (int o = 0; o < OCB; ++o)
          acc[o][j] += wv[o] * x;
      }
    }
  }
}

/// A blocked column whose first LO and last HI pixels fall into the padding
/// (the usual border case: 3x3 pad 1 skips one pixel at either end): the
/// interior code on the pixels in between, with constant offsets.
template <int L, int OCB, int NW, int SWT, int LO, int HI>
KILN_INLINE void convColumnRange(const ConvCtx &c, const float *rowPix0,
                                 const float *wp, Vec<L> (&acc)[OCB][NW]) {
  const int64_t pixStride = (SWT ? SWT : c.SW) * L;
  KILN_UNROLL_FULL
  for (int i = 0; i < L; ++i) {
    Vec<L> wv[OCB];
    KILN_UNROLL_FULL
    for (int o = 0; o < OCB; ++o)
      wv[o] = load<L>(wp + o * c.wOcbStride + i * L);
    KILN_UNROLL_FULL
    for (int j = LO; j < NW - HI; ++j) {
      const float x = rowPix0[j * pixStride + i];
      KILN_UNROLL_FULL
      for (int o = 0; o < OCB; ++o)
        acc[o][j] += wv[o] * x;
    }
  }
}

/// Same for a column where some pixels fall into the padding: per-pixel
/// pointers, the padded ones aimed at zeros.
template <int L, int OCB, int NW, bool BLOCKED>
KILN_INLINE void convColumnBorder(const ConvCtx &c, const float *row,
                                  int64_t iw0, int64_t sw, const float *wp,
                                  int64_t nc, const float *zeros,
                                  Vec<L> (&acc)[OCB][NW]) {
  if constexpr (BLOCKED) {
    const float *px[NW];
    KILN_UNROLL_FULL
    for (int j = 0; j < NW; ++j) {
      int64_t iw = iw0 + j * sw;
      px[j] = (uint64_t)iw < (uint64_t)c.W ? row + iw * L : zeros;
    }
    KILN_UNROLL_FULL
    for (int i = 0; i < L; ++i) {
      Vec<L> wv[OCB];
      KILN_UNROLL_FULL
      for (int o = 0; o < OCB; ++o)
        wv[o] = load<L>(wp + o * c.wOcbStride + i * L);
      KILN_UNROLL_FULL
      for (int j = 0; j < NW; ++j) {
        const float x = px[j][i];
        KILN_UNROLL_FULL
        for (int o = 0; o < OCB; ++o)
          acc[o][j] += wv[o] * x;
      }
    }
  } else {
    const int64_t hw = c.H * c.W;
    for (int64_t ch = 0; ch < nc; ++ch) {
      const float *wc = wp + ch * L;
      Vec<L> wv[OCB];
      KILN_UNROLL_FULL
      for (int o = 0; o < OCB; ++o)
        wv[o] = load<L>(wc + o * c.wOcbStride);
      KILN_UNROLL_FULL
      for (int j = 0; j < NW; ++j) {
        int64_t iw = iw0 + j * sw;
        const float x =
            (uint64_t)iw < (uint64_t)c.W ? row[ch * hw + iw] : 0.0f;
        KILN_UNROLL_FULL
        for (int o = 0; o < OCB; ++o)
          acc[o][j] += wv[o] * x;
      }
    }
  }
}

/// Computes output pixels [ow0, ow0 + NW) of row `oh` for OCB oc blocks and
/// stores the first `nValid` through the epilogue (a row's last tile may be
/// partial: its extra pixels are computed, from zeros where they fall
/// outside the input, and dropped). CHECK: some pixel may read padding.
template <int L, int OCB, int NW, int SWT, bool BLOCKED, bool CHECK>
KILN_TILE_FN void convTile(const ConvCtx &c, int64_t oh, int64_t ow0,
                      int64_t nValid) {
  alignas(64) float zeros[L] = {};
  Vec<L> acc[OCB][NW];
  // A later channel chunk resumes the partial sums the earlier ones stored
  // (pixels past nValid were never stored: they start from zero, unused).
  KILN_UNROLL_FULL
  for (int o = 0; o < OCB; ++o)
    KILN_UNROLL_FULL
    for (int j = 0; j < NW; ++j)
      acc[o][j] = c.firstChunk || (CHECK && j >= nValid)
                      ? splat<L>(0.0f)
                      : load<L>(c.dst + o * c.dstOcbStride + (ow0 + j) * L);

  const int64_t sw = SWT ? SWT : c.SW;
  const int64_t ihBase = oh * c.SH - c.PT;
  // Kernel rows inside the input.
  int64_t khLo = ihBase < 0 ? ceilDiv(-ihBase, c.DH) : 0;
  int64_t khHi = c.KH;
  if (ihBase + (c.KH - 1) * c.DH >= c.H)
    khHi = imax(0, ceilDiv(c.H - ihBase, c.DH));
  const int64_t iwBase = ow0 * sw - c.PL;
  const int64_t LL = L * L;
  const int64_t nc = BLOCKED ? L : c.Cg;
  const int64_t chanStride = BLOCKED ? c.H * c.W * L : 0;
  const int64_t rowStride = BLOCKED ? c.W * L : c.W;
  const int64_t pixScale = BLOCKED ? L : 1;

  // Weights of one kernel column: L x L per input block, or Cg x L when
  // the input is plain (packed without padding the channels to L).
  const int64_t kwStride = BLOCKED ? LL : c.Cg * L;
  for (int64_t ib = BLOCKED ? c.ib0 : 0; ib < (BLOCKED ? c.ib1 : 1); ++ib) {
    const float *inB = c.in + ib * chanStride;
    const float *wB = c.w + ib * c.KH * c.KW * LL;
    for (int64_t kh = khLo; kh < khHi; ++kh) {
      const float *row = inB + (ihBase + kh * c.DH) * rowStride;
      const float *wK = wB + kh * c.KW * kwStride;
      for (int64_t kw = 0; kw < c.KW; ++kw) {
        const int64_t iw0 = iwBase + kw * c.DW;
        const float *wp = wK + kw * kwStride;
        if (!CHECK || (iw0 >= 0 && iw0 + (NW - 1) * sw < c.W)) {
          convColumnInterior<L, OCB, NW, SWT, BLOCKED>(
              c, row + iw0 * pixScale, wp, nc, acc);
          continue;
        }
        if constexpr (BLOCKED && NW > 2) {
          // Pixels [lo, NW - hi) are inside the input.
          const int64_t lo = iw0 < 0 ? ceilDiv(-iw0, sw) : 0;
          const int64_t last = c.W - 1 - iw0; // >= 0 when any pixel is inside
          const int64_t hi =
              last < 0 ? NW : NW - imin(NW, last / sw + 1);
          const float *base = row + iw0 * L;
          // Each case is guarded by what the layer's geometry allows (the
          // guards fold away wherever the params are constants).
          if (lo == 1 && hi == 0 && c.PL >= 1) {
            convColumnRange<L, OCB, NW, SWT, 1, 0>(c, base, wp, acc);
            continue;
          }
          if (lo == 0 && hi == 1 && c.rightOverhang >= 1) {
            convColumnRange<L, OCB, NW, SWT, 0, 1>(c, base, wp, acc);
            continue;
          }
          if (lo == 2 && hi == 0 && c.PL >= 2) {
            convColumnRange<L, OCB, NW, SWT, 2, 0>(c, base, wp, acc);
            continue;
          }
          if (lo == 0 && hi == 2 && c.rightOverhang >= 2) {
            convColumnRange<L, OCB, NW, SWT, 0, 2>(c, base, wp, acc);
            continue;
          }
          // 5x5 pad 2 with a partial last tile (AlexNet's conv2).
          if (lo == 0 && hi == 3 && c.rightOverhang >= 3) {
            convColumnRange<L, OCB, NW, SWT, 0, 3>(c, base, wp, acc);
            continue;
          }
          if (lo + hi >= NW)
            continue; // the whole column is padding
        }
        convColumnBorder<L, OCB, NW, BLOCKED>(c, row, iw0, sw, wp, nc, zeros,
                                              acc);
      }
    }
  }

  if (!c.lastChunk) {
    KILN_UNROLL_FULL
    for (int o = 0; o < OCB; ++o)
      KILN_UNROLL_FULL
      for (int j = 0; j < NW; ++j) {
        if (CHECK && j >= nValid)
          break;
        store<L>(c.dst + o * c.dstOcbStride + (ow0 + j) * L, acc[o][j]);
      }
    return;
  }
  // Epilogue in registers: bias, residual, activation, zeroed padded lanes.
  KILN_UNROLL_FULL
  for (int o = 0; o < OCB; ++o) {
    Vec<L> b = c.bias ? load<L>(c.bias + o * L) : splat<L>(0.0f);
    KILN_UNROLL_FULL
    for (int j = 0; j < NW; ++j) {
      if (CHECK && j >= nValid)
        break;
      acc[o][j] += b;
      if (c.res)
        acc[o][j] += load<L>(c.res + o * c.resOcbStride + (ow0 + j) * L);
      acc[o][j] = activateInTile<L>(acc[o][j], c.act, c.alpha, c.lo, c.hi);
    }
  }
  if (!activatesInTile(c.act)) {
    // Through memory, a copy: acc itself must stay in registers.
    Vec<L> out[OCB][NW];
    KILN_UNROLL_FULL
    for (int o = 0; o < OCB; ++o)
      KILN_UNROLL_FULL
      for (int j = 0; j < NW; ++j)
        out[o][j] = acc[o][j];
    activateOutOfTile<L>(&out[0][0], OCB * NW, c.act, c.alpha, c.lo, c.hi);
    KILN_UNROLL_FULL
    for (int o = 0; o < OCB; ++o)
      KILN_UNROLL_FULL
      for (int j = 0; j < NW; ++j)
        acc[o][j] = out[o][j];
  }
  KILN_UNROLL_FULL
  for (int o = 0; o < OCB; ++o) {
    KILN_UNROLL_FULL
    for (int j = 0; j < NW; ++j) {
      if (CHECK && j >= nValid)
        break;
      Vec<L> v = acc[o][j];
      if (c.validLanes[o] != L)
        v = keepFirst<L>(v, c.validLanes[o]);
      store<L>(c.dst + o * c.dstOcbStride + (ow0 + j) * L, v);
    }
  }
}

/// One output row: tiles of NW pixels, the last one possibly partial.
template <int L, int OCB, int NW, int SWT, bool BLOCKED>
KILN_INLINE void convRow(const ConvCtx &c, int64_t oh) {
  const int64_t sw = SWT ? SWT : c.SW;
  const int64_t fullEnd = c.OW / NW * NW;
  for (int64_t ow0 = 0; ow0 < fullEnd; ow0 += NW) {
    const int64_t iwFirst = ow0 * sw - c.PL;
    const int64_t iwLast = (ow0 + NW - 1) * sw - c.PL + (c.KW - 1) * c.DW;
    if (iwFirst >= 0 && iwLast < c.W)
      convTile<L, OCB, NW, SWT, BLOCKED, false>(c, oh, ow0, NW);
    else
      convTile<L, OCB, NW, SWT, BLOCKED, true>(c, oh, ow0, NW);
  }
  if (fullEnd < c.OW)
    convTile<L, OCB, NW, SWT, BLOCKED, true>(c, oh, fullEnd, c.OW - fullEnd);
}

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_CONVTILE_H
