//===- ReorderImpl.h - Plain NCHW <-> NCHW<L>c ------------------*- C++ -*-===//
//
// Work item = (n, channel block): L channel planes <-> one blocked plane.
// Pixels go in chunks of L through an L x L transpose in a stack tile, so
// both sides are read and written with full vectors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_REORDERIMPL_H
#define KILN_CODEGEN_KERNELS_REORDERIMPL_H

#include "compiler/codegen/kernels/Reorder.h"
#include "compiler/codegen/kernels/Vec.h"

namespace kiln::kernels {

template <int L>
KILN_INLINE void reorderToBlocked(const KilnReorderParams *p, const float *in,
                                  float *out, int64_t begin, int64_t end) {
  if (p->L != L)
    __builtin_trap();
  const int64_t C = p->C, HW = p->H * p->W, Cb = ceilDiv(C, L);
  for (int64_t item = begin; item < end; ++item) {
    const int64_t n = item / Cb, cb = item % Cb;
    const int64_t cn = imin(L, C - cb * L);
    const float *src = in + (n * C + cb * L) * HW;
    float *dst = out + item * HW * L;
    int64_t px = 0;
    for (; px + L <= HW; px += L) {
      float tile[L][L];
      for (int i = 0; i < L; ++i) {
        const Vec<L> v = i < cn ? load<L>(src + i * HW + px) : splat<L>(0.0f);
        store<L>(tile[i], v);
      }
      for (int j = 0; j < L; ++j) {
        Vec<L> v;
        for (int i = 0; i < L; ++i)
          v[i] = tile[i][j];
        store<L>(dst + (px + j) * L, v);
      }
    }
    for (; px < HW; ++px)
      for (int64_t i = 0; i < L; ++i)
        dst[px * L + i] = i < cn ? src[i * HW + px] : 0.0f;
  }
}

template <int L>
KILN_INLINE void reorderToPlain(const KilnReorderParams *p, const float *in,
                                float *out, int64_t begin, int64_t end) {
  if (p->L != L)
    __builtin_trap();
  const int64_t C = p->C, HW = p->H * p->W, Cb = ceilDiv(C, L);
  for (int64_t item = begin; item < end; ++item) {
    const int64_t n = item / Cb, cb = item % Cb;
    const int64_t cn = imin(L, C - cb * L);
    const float *src = in + item * HW * L;
    float *dst = out + (n * C + cb * L) * HW;
    int64_t px = 0;
    for (; px + L <= HW; px += L) {
      float tile[L][L];
      for (int j = 0; j < L; ++j)
        store<L>(tile[j], load<L>(src + (px + j) * L));
      for (int64_t i = 0; i < cn; ++i) {
        Vec<L> v;
        for (int j = 0; j < L; ++j)
          v[j] = tile[j][i];
        store<L>(dst + i * HW + px, v);
      }
    }
    for (; px < HW; ++px)
      for (int64_t i = 0; i < cn; ++i)
        dst[i * HW + px] = src[px * L + i];
  }
}

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_REORDERIMPL_H
