//===- PoolImpl.h - Pooling kernels on NCHW<L>c -----------------*- C++ -*-===//
//
// The kernels behind kiln_pool2d_f32_nchwc and kiln_global_pool_f32_nchwc,
// templated on the lanes L (see Pool.h). Every lane is a channel, so each
// window element is one full vector.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_POOLIMPL_H
#define KILN_CODEGEN_KERNELS_POOLIMPL_H

#include "compiler/codegen/kernels/Pool.h"
#include "compiler/codegen/kernels/Vec.h"

namespace kiln::kernels {

template <int L>
KILN_INLINE void pool2d(const KilnPoolParams *p, const float *in, float *out,
                        int64_t begin, int64_t end) {
  if (p->L != L)
    __builtin_trap();
  const int64_t H = p->H, W = p->W, OH = p->OH, OW = p->OW;
  const bool isMax = p->kind == KILN_POOL_MAX;
  for (int64_t item = begin; item < end; ++item) {
    const int64_t oh = item % OH, plane = item / OH; // plane = n*Cb + cb
    const float *src = in + plane * H * W * L;
    float *dst = out + (plane * OH + oh) * OW * L;
    const int64_t hs = oh * p->SH - p->PT;
    // Kernel rows inside the input.
    int64_t khLo = hs < 0 ? ceilDiv(-hs, p->DH) : 0;
    int64_t khHi = imin(p->KH, imax(0, ceilDiv(H - hs, p->DH)));
    int64_t hcount = 0;
    if (!isMax)
      hcount = p->count_pad ? imin(hs + p->KH, H + p->PB) - hs
                            : imin(hs + p->KH, H) - imax(hs, 0);
    for (int64_t ow = 0; ow < OW; ++ow) {
      const int64_t ws = ow * p->SW - p->PL;
      int64_t kwLo = ws < 0 ? ceilDiv(-ws, p->DW) : 0;
      int64_t kwHi = imin(p->KW, imax(0, ceilDiv(W - ws, p->DW)));
      Vec<L> v = splat<L>(isMax ? -__builtin_inff() : 0.0f);
      for (int64_t kh = khLo; kh < khHi; ++kh) {
        const float *row = src + (hs + kh * p->DH) * W * L;
        for (int64_t kw = kwLo; kw < kwHi; ++kw) {
          const Vec<L> x = load<L>(row + (ws + kw * p->DW) * L);
          v = isMax ? vmax<L>(v, x) : v + x;
        }
      }
      if (!isMax) {
        const int64_t wcount = p->count_pad ? imin(ws + p->KW, W + p->PR) - ws
                                            : imin(ws + p->KW, W) - imax(ws, 0);
        const int64_t cnt = hcount * wcount;
        v = cnt > 0 ? v * (1.0f / (float)cnt) : splat<L>(0.0f);
      }
      store<L>(dst + ow * L, v);
    }
  }
}

template <int L>
KILN_INLINE void globalPool(const KilnGlobalPoolParams *p, const float *in,
                            float *out, int64_t begin, int64_t end) {
  if (p->L != L)
    __builtin_trap();
  const int64_t HW = p->H * p->W;
  const bool isMax = p->kind == KILN_POOL_MAX;
  for (int64_t item = begin; item < end; ++item) {
    const float *src = in + item * HW * L;
    // Four independent chains hide the add latency.
    const Vec<L> init = splat<L>(isMax ? -__builtin_inff() : 0.0f);
    Vec<L> v0 = init, v1 = init, v2 = init, v3 = init;
    int64_t i = 0;
    for (; i + 4 <= HW; i += 4) {
      const Vec<L> x0 = load<L>(src + i * L), x1 = load<L>(src + (i + 1) * L),
                   x2 = load<L>(src + (i + 2) * L),
                   x3 = load<L>(src + (i + 3) * L);
      if (isMax) {
        v0 = vmax<L>(v0, x0), v1 = vmax<L>(v1, x1);
        v2 = vmax<L>(v2, x2), v3 = vmax<L>(v3, x3);
      } else {
        v0 += x0, v1 += x1, v2 += x2, v3 += x3;
      }
    }
    for (; i < HW; ++i)
      v0 = isMax ? vmax<L>(v0, load<L>(src + i * L)) : v0 + load<L>(src + i * L);
    Vec<L> v = isMax ? vmax<L>(vmax<L>(v0, v1), vmax<L>(v2, v3))
                     : (v0 + v1) + (v2 + v3);
    if (!isMax)
      v = v * (1.0f / (float)HW);
    store<L>(out + item * L, v);
  }
}

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_POOLIMPL_H
