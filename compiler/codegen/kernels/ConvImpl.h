//===- ConvImpl.h - Direct convolution's work items, NCHW<L>c ---*- C++ -*-===//
//
// The kernel behind kiln_conv2d_f32_nchwc, templated on the lanes L so tests
// can run every block size natively. See Conv.h for layouts and semantics.
//
// A work item (ConvPlan.h) is a band of output rows of one image and one
// group of output-channel blocks; it runs the register tiles of ConvTile.h
// over its rows, one input-channel chunk at a time, or computes the conv rows
// a band of fused-pool rows needs and pools them on the fly. The tile shape,
// stride and input layout are template parameters chosen once per call.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_CONVIMPL_H
#define KILN_CODEGEN_KERNELS_CONVIMPL_H

#include "compiler/codegen/kernels/ConvTile.h"

namespace kiln::kernels {

/// Fused pooling of pooled rows [p0, p1) of one image and OCB oc blocks: the
/// conv rows they need are computed once each, in order, into `rowBuf` and
/// pooled horizontally into a ring of pending pooled rows; a pooled row is
/// finalized and stored as soon as its last conv row is done.
template <int L, int OCB, int NW, int SWT, bool BLOCKED>
KILN_INLINE void convPooledBand(const KilnConvParams *p, const ConvPlan &s,
                                ConvCtx &c, float *outB, const float *resB,
                                int64_t p0, int64_t p1, float *scratch) {
  const int64_t OH = p->OH, OW = p->OW, POH = p->pool_oh, POW = p->pool_ow;
  const int64_t pkh = p->pool_kh, pkw = p->pool_kw, psh = p->pool_sh,
                psw = p->pool_sw, ppt = p->pool_pt, ppl = p->pool_pl;
  const bool isMax = p->pool_kind == KILN_POOL_MAX;
  const int64_t slotFloats = OCB * POW * L;
  float *rowBuf = scratch;
  float *slots = scratch + OCB * OW * L;
  auto slot = [&](int64_t q) { return slots + (q % s.poolSlots) * slotFloats; };
  auto pst = [&](int64_t q) { return q * psh - ppt; };

  auto init = [&](int64_t q) {
    float *sl = slot(q);
    const Vec<L> v = splat<L>(isMax ? -__builtin_inff() : 0.0f);
    for (int64_t k = 0; k < OCB * POW; ++k)
      store<L>(sl + k * L, v);
  };
  auto hpool = [&](int64_t q) {
    float *sl = slot(q);
    for (int o = 0; o < OCB; ++o) {
      const float *src = rowBuf + o * OW * L;
      for (int64_t pw = 0; pw < POW; ++pw) {
        const int64_t cs = pw * psw - ppl;
        const int64_t ce = imin(OW, cs + pkw);
        Vec<L> v = load<L>(sl + (o * POW + pw) * L);
        for (int64_t col = imax(0, cs); col < ce; ++col) {
          Vec<L> x = load<L>(src + col * L);
          v = isMax ? vmax<L>(v, x) : v + x;
        }
        store<L>(sl + (o * POW + pw) * L, v);
      }
    }
  };
  auto finalize = [&](int64_t q) {
    const float *sl = slot(q);
    const int64_t hs = pst(q);
    const int64_t hcount =
        p->pool_count_pad ? imin(hs + pkh, OH + p->pool_pb) - hs
                          : imin(hs + pkh, OH) - imax(hs, 0);
    for (int o = 0; o < OCB; ++o) {
      for (int64_t pw = 0; pw < POW; ++pw) {
        Vec<L> v = load<L>(sl + (o * POW + pw) * L);
        if (!isMax) {
          const int64_t ws = pw * psw - ppl;
          const int64_t wcount =
              p->pool_count_pad ? imin(ws + pkw, OW + p->pool_pr) - ws
                                : imin(ws + pkw, OW) - imax(ws, 0);
          const int64_t cnt = hcount * wcount;
          v = cnt > 0 ? v * (1.0f / (float)cnt) : splat<L>(0.0f);
        }
        if (c.validLanes[o] != L)
          v = keepFirst<L>(v, c.validLanes[o]);
        store<L>(outB + o * POH * POW * L + (q * POW + pw) * L, v);
      }
    }
  };

  c.dst = rowBuf;
  c.dstOcbStride = OW * L;
  c.resOcbStride = OH * OW * L;
  const int64_t rs = imax(0, pst(p0));
  const int64_t re = imin(OH, pst(p1 - 1) + pkh);
  int64_t nextInit = p0, nextFin = p0;
  for (int64_t r = rs; r < re; ++r) {
    while (nextInit < p1 && pst(nextInit) <= r)
      init(nextInit++);
    c.res = resB ? resB + r * OW * L : nullptr;
    convRow<L, OCB, NW, SWT, BLOCKED>(c, r);
    for (int64_t q = nextFin; q < nextInit; ++q)
      if (r < pst(q) + pkh)
        hpool(q);
    while (nextFin < nextInit && imin(OH, pst(nextFin) + pkh) - 1 <= r)
      finalize(nextFin++);
  }
  // Pooled rows whose windows hold no conv row (only with odd pads).
  for (; nextFin < p1; ++nextFin) {
    if (nextFin >= nextInit)
      init(nextInit++);
    finalize(nextFin);
  }
}

/// Runs work items [begin, end) with a fixed tile shape.
template <int L, int OCB, int NW, int SWT, bool BLOCKED>
KILN_INLINE void convItems(const KilnConvParams *p, const ConvPlan &s,
                           const float *in, const float *w, const float *bias,
                           const float *residual, float *out, int64_t begin,
                           int64_t end) {
  ConvCtx c;
  c.H = p->H, c.W = p->W, c.OH = p->OH, c.OW = p->OW;
  c.KH = p->KH, c.KW = p->KW, c.SH = p->SH, c.SW = p->SW;
  c.PT = p->PT, c.PL = p->PL, c.DH = p->DH, c.DW = p->DW;
  c.Cg = s.Cg, c.Cgb = s.Cgb;
  // Past the last tile's last pixel, which may lie beyond OW (a partial
  // tile computes all NW pixels).
  const int64_t lastPixel = ceilDiv(p->OW, NW) * NW - 1;
  c.rightOverhang = imax(0, lastPixel * p->SW - p->PL + (p->KW - 1) * p->DW -
                                  (p->W - 1));
  c.wOcbStride = (BLOCKED ? s.Cgb * L : s.Cg) * p->KH * p->KW * L;
  c.act = p->activation;
  c.alpha = (float)p->act_alpha, c.lo = (float)p->act_lo,
  c.hi = (float)p->act_hi;
  const bool pooled = p->pool_kind != KILN_POOL_NONE;
  const int64_t inImage =
      BLOCKED ? p->G * s.Cgb * p->H * p->W * L : p->C * p->H * p->W;
  const int64_t inGroup = BLOCKED ? s.Cgb * p->H * p->W * L : s.Cg * p->H * p->W;
  const int64_t convPlane = p->OH * p->OW * L;
  const int64_t outPlane = pooled ? p->pool_oh * p->pool_ow * L : convPlane;
  const int64_t ocGroups = p->G * s.nOcg;
  const int64_t blockWeights = p->KH * p->KW * L * L; // one (ob, ib) pair
  constexpr int64_t kLineFloats = 16;                 // a 64-byte cache line
  // The first output block of oc block group `ocg` (over all groups).
  auto firstBlock = [&](int64_t ocg) {
    return ocg / s.nOcg * s.Mgb + ocg % s.nOcg * OCB;
  };

  for (int64_t item = begin; item < end; ++item) {
    const int64_t band =
        s.bandMajor ? item / ocGroups % s.nBands : item % s.nBands;
    const int64_t ocg = s.bandMajor ? item % ocGroups : item / s.nBands % ocGroups;
    const int64_t n = item / s.nBands / ocGroups;
    const int64_t g = ocg / s.nOcg;
    const int64_t obl = ocg % s.nOcg * OCB;
    const int64_t ob = firstBlock(ocg);
    c.in = in + n * inImage + g * inGroup;
    c.w = w + ob * c.wOcbStride;
    c.bias = p->has_bias ? bias + ob * L : nullptr;
    for (int o = 0; o < OCB; ++o)
      c.validLanes[o] = obl + o == s.Mgb - 1 ? s.Mg - (s.Mgb - 1) * L : L;
    const int64_t blockBase = n * s.Mb + ob;
    if (!pooled) {
      const int64_t oh0 = band * s.bandRows;
      const int64_t oh1 = imin(p->OH, oh0 + s.bandRows);
      c.dstOcbStride = convPlane;
      c.resOcbStride = convPlane;
      for (int64_t ib0 = 0; ib0 < s.Cgb; ib0 += s.cbChunk) {
        c.ib0 = ib0;
        c.ib1 = imin(s.Cgb, ib0 + s.cbChunk);
        c.firstChunk = ib0 == 0;
        c.lastChunk = c.ib1 == s.Cgb;
        // A chunked item's weights are in no cache when a model runs (each
        // layer's are read once per inference) and the hardware prefetchers
        // do not run far ahead of chunk-sized streams: the next chunk's
        // weights (or the next item's first chunk) are prefetched into L2,
        // a share before each row. (ResNet-50's 3x3 @7x7 with cold weights:
        // 1.85 -> 1.47 ms; `kiln-kernel-bench --cold`.)
        const float *nextW = nullptr;
        int64_t nextLines = 0;
        if (s.cbChunk < s.Cgb) {
          if (!c.lastChunk) {
            nextW = c.w + c.ib1 * blockWeights;
            nextLines = imin(s.Cgb - c.ib1, s.cbChunk) * blockWeights / kLineFloats;
          } else if (item + 1 < end && (s.bandMajor || band + 1 == s.nBands)) {
            nextW = w + firstBlock((ocg + 1) % ocGroups) * c.wOcbStride;
            nextLines = imin(s.Cgb, s.cbChunk) * blockWeights / kLineFloats;
          }
        }
        for (int64_t oh = oh0; oh < oh1; ++oh) {
          if (nextW) {
            const int64_t l0 = nextLines * (oh - oh0) / (oh1 - oh0);
            const int64_t l1 = nextLines * (oh + 1 - oh0) / (oh1 - oh0);
            for (int o = 0; o < OCB; ++o)
              for (int64_t l = l0; l < l1; ++l)
                __builtin_prefetch(nextW + o * c.wOcbStride + l * kLineFloats,
                                   0, 2);
          }
          c.dst = out + blockBase * convPlane + oh * p->OW * L;
          c.res = p->has_residual
                      ? residual + blockBase * convPlane + oh * p->OW * L
                      : nullptr;
          convRow<L, OCB, NW, SWT, BLOCKED>(c, oh);
        }
      }
    } else {
      c.ib0 = 0;
      c.ib1 = s.Cgb;
      c.firstChunk = c.lastChunk = true;
      const int64_t p0 = band * s.bandRows;
      const int64_t p1 = imin(p->pool_oh, p0 + s.bandRows);
      float scratch[s.scratchFloats];
      convPooledBand<L, OCB, NW, SWT, BLOCKED>(
          p, s, c, out + blockBase * outPlane,
          p->has_residual ? residual + blockBase * convPlane : nullptr, p0, p1,
          scratch);
    }
  }
}

template <int L, int OCB, int NW, bool BLOCKED>
KILN_INLINE void convDispatchStride(const KilnConvParams *p, const ConvPlan &s,
                                    const float *in, const float *w,
                                    const float *bias, const float *residual,
                                    float *out, int64_t begin, int64_t end) {
  // The tiles are not specialized per layer (KILN_TILE_FN): specialize
  // the common strides so interior tiles address pixels with constant
  // offsets.
  if (p->SW == 1)
    return convItems<L, OCB, NW, 1, BLOCKED>(p, s, in, w, bias, residual, out,
                                         begin, end);
  if (p->SW == 2)
    return convItems<L, OCB, NW, 2, BLOCKED>(p, s, in, w, bias, residual, out,
                                         begin, end);
  if (!BLOCKED && p->SW == 4) // AlexNet's first layer
    return convItems<L, OCB, NW, 4, BLOCKED>(p, s, in, w, bias, residual, out,
                                         begin, end);
  convItems<L, OCB, NW, 0, BLOCKED>(p, s, in, w, bias, residual, out, begin, end);
}

template <int L, int OCB, int NW>
KILN_INLINE void convDispatchInput(const KilnConvParams *p, const ConvPlan &s,
                                   const float *in, const float *w,
                                   const float *bias, const float *residual,
                                   float *out, int64_t begin, int64_t end) {
  if (p->input_blocked)
    convDispatchStride<L, OCB, NW, true>(p, s, in, w, bias, residual, out, begin,
                                     end);
  else
    convDispatchStride<L, OCB, NW, false>(p, s, in, w, bias, residual, out, begin,
                                      end);
}

/// The convolution for L lanes (kiln_conv2d_f32_nchwc is conv2d<KILN_LANES>).
template <int L>
KILN_INLINE void conv2d(const KilnConvParams *p, const float *in,
                        const float *w, const float *bias,
                        const float *residual, float *out, int64_t begin,
                        int64_t end) {
  if (p->L != L)
    __builtin_trap();
  const ConvPlan s = convPlan(p);
  constexpr int narrow = convNarrowWidth(L);
  if (s.ocb == 4)
    convDispatchInput<L, 4, convTileWidth(L, 4)>(p, s, in, w, bias, residual,
                                                 out, begin, end);
  else if (s.ocb == 2 && narrow != convTileWidth(L, 2) && s.nw == narrow)
    convDispatchInput<L, 2, narrow>(p, s, in, w, bias, residual, out, begin,
                                    end);
  else if (s.ocb == 2)
    convDispatchInput<L, 2, convTileWidth(L, 2)>(p, s, in, w, bias, residual,
                                                 out, begin, end);
  else
    convDispatchInput<L, 1, convTileWidth(L, 1)>(p, s, in, w, bias, residual,
                                                 out, begin, end);
}

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_CONVIMPL_H
