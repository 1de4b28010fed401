//===- Common.h - Helpers shared by the generic kernels ----------*- C++ -*-===//
//
// Freestanding math (exp, log, pow as branch-free polynomials the vectorizer
// can widen; no libm calls in generated code), layout indexing and the
// epilogue interpreter. Everything is static inline: after a layer's params
// are constant-propagated, the epilogue loops unroll into straight-line code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_GENERIC_COMMON_H
#define KILN_CODEGEN_KERNELS_GENERIC_COMMON_H

#include "compiler/codegen/kernels/Activation.h"
#include "compiler/codegen/kernels/generic/Generic.h"

#define KILN_INLINE static inline __attribute__((always_inline))
#define KILN_RESTRICT __restrict__

namespace kiln_gen {

KILN_INLINE float fmaxf(float a, float b) { return a > b ? a : b; }
KILN_INLINE float fminf(float a, float b) { return a < b ? a : b; }

/// exp(x) within ~2 ulp for x in [-87, 88] (Cephes' expf); saturates outside,
/// NaN propagates.
KILN_INLINE float expf(float x) {
  x = x > 88.0f ? 88.0f : x;
  x = x < -87.0f ? -87.0f : x;
  float n = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float q = 1.9875691500e-4f;
  q = q * r + 1.3981999507e-3f;
  q = q * r + 8.3334519073e-3f;
  q = q * r + 4.1665795894e-2f;
  q = q * r + 1.6666665459e-1f;
  q = q * r + 5.0000001201e-1f;
  float y = q * r * r + r + 1.0f;
  int32_t e = int32_t(n) + 127;
  return y * __builtin_bit_cast(float, e << 23);
}

/// Natural log of a positive normal float (Cephes' logf).
KILN_INLINE float logf(float x) {
  int32_t bits = __builtin_bit_cast(int32_t, x);
  float e = float(((bits >> 23) & 0xff) - 126);
  float m = __builtin_bit_cast(float, (bits & 0x807fffff) | 0x3f000000);
  bool small = m < 0.707106781186547524f;
  e = small ? e - 1.0f : e;
  m = small ? m + m - 1.0f : m - 1.0f;
  float z = m * m;
  float y = 7.0376836292e-2f;
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  y += -2.12194440e-4f * e;
  y += -0.5f * z;
  return m + y + 0.693359375f * e;
}

/// x^y for x > 0.
KILN_INLINE float powf(float x, float y) { return expf(y * logf(x)); }

/// Storage index of logical element (n, c, h, w) of an [N][C][H][W] tensor
/// with channel block `block` (0: plain).
KILN_INLINE int64_t index4(int64_t block, int64_t C, int64_t H, int64_t W,
                           int64_t n, int64_t c, int64_t h, int64_t w) {
  if (block == 0)
    return ((n * C + c) * H + h) * W + w;
  int64_t cb = (C + block - 1) / block;
  return (((n * cb + c / block) * H + h) * W + w) * block + c % block;
}

/// Distance between horizontally adjacent elements.
KILN_INLINE int64_t wstride(int64_t block) { return block ? block : 1; }

/// Applies `count` elementwise epilogue ops to v; `idx` indexes residuals.
KILN_INLINE float applyOps(int64_t count, const int64_t *kind, const double *a,
                           const double *b, const int64_t *buf,
                           void *const *bufs, int64_t idx, float v) {
  for (int64_t i = 0; i < count; ++i) {
    if (kind[i] == KILN_EPI_ADD)
      v += static_cast<const float *>(bufs[buf[i]])[idx];
    else
      v = kiln_activate<KernelMath>(kind[i], v, float(a[i]), float(b[i]));
  }
  return v;
}

KILN_INLINE float applyPre(const KilnGenEpilogue &e, void *const *bufs,
                           int64_t idx, float v) {
  return applyOps(e.pre_count, e.pre_kind, e.pre_a, e.pre_b, e.pre_buf, bufs,
                  idx, v);
}

KILN_INLINE float applyPost(const KilnGenEpilogue &e, void *const *bufs,
                            int64_t idx, float v) {
  return applyOps(e.post_count, e.post_kind, e.post_a, e.post_b, e.post_buf,
                  bufs, idx, v);
}

/// Number of lanes used by hand-split reductions (the kernels are built with
/// strict FP semantics, so the vectorizer may not reassociate sums itself).
constexpr int64_t RedLanes = 16;

/// sum of x[i*stride] for i in [0, n), reassociated over RedLanes partials.
KILN_INLINE float sumStrided(const float *x, int64_t n, int64_t stride) {
  float part[RedLanes] = {};
  int64_t i = 0;
  for (; i + RedLanes <= n; i += RedLanes)
    for (int64_t l = 0; l < RedLanes; ++l)
      part[l] += x[(i + l) * stride];
  float s = 0.0f;
  for (int64_t l = 0; l < RedLanes; ++l)
    s += part[l];
  for (; i < n; ++i)
    s += x[i * stride];
  return s;
}

KILN_INLINE float maxStrided(const float *x, int64_t n, int64_t stride) {
  float part[RedLanes];
  for (int64_t l = 0; l < RedLanes; ++l)
    part[l] = -__builtin_inff();
  int64_t i = 0;
  for (; i + RedLanes <= n; i += RedLanes)
    for (int64_t l = 0; l < RedLanes; ++l)
      part[l] = fmaxf(part[l], x[(i + l) * stride]);
  float m = -__builtin_inff();
  for (int64_t l = 0; l < RedLanes; ++l)
    m = fmaxf(m, part[l]);
  for (; i < n; ++i)
    m = fmaxf(m, x[i * stride]);
  return m;
}

} // namespace kiln_gen

#endif // KILN_CODEGEN_KERNELS_GENERIC_COMMON_H
