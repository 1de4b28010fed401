//===- Quantize.cpp - Generic QuantizeLinear and DequantizeLinear ---------===//
//
// The reference's arithmetic (compiler/reference/Quantize.cpp), element for
// element: y = saturate(rint(x / scale) + zero_point) with rint rounding half
// to even (the default rounding mode; roundps / frintx), NaN to the low end;
// x = float(int32(q) - zero_point) * scale. A work item's elements split into
// runs that share one scale and zero point, and each run is a plain loop the
// vectorizer takes (per tensor: one run).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/generic/Common.h"

using namespace kiln_gen;

namespace {

template <typename Q> KILN_INLINE Q saturateRound(float x, float scale, float zp, float lo,
                                                  float hi) {
  float v = __builtin_rintf(x / scale) + zp;
  v = !(v >= lo) ? lo : v;
  v = v > hi ? hi : v;
  return Q(int32_t(v));
}

/// Calls body(i0, i1, c) for each run of elements [i0, i1) of work items
/// [begin, end) whose parameter index is c.
template <typename Body>
KILN_INLINE void forEachRun(const KilnGenQuantizeParams *p, int64_t begin, int64_t end,
                            Body body) {
  for (int64_t item = begin; item < end; ++item) {
    int64_t i = item * p->chunk;
    int64_t i1 = i + p->chunk < p->total ? i + p->chunk : p->total;
    while (i < i1) {
      int64_t slice = i / p->inner;
      int64_t runEnd = (slice + 1) * p->inner < i1 ? (slice + 1) * p->inner : i1;
      body(i, runEnd, p->channels == 1 ? 0 : slice % p->channels);
      i = runEnd;
    }
  }
}

template <typename Q>
KILN_INLINE void quantize(const KilnGenQuantizeParams *p, void *const *bufs, int64_t begin,
                          int64_t end, float lo, float hi) {
  Q *KILN_RESTRICT y = static_cast<Q *>(bufs[0]);
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  const float *scale = static_cast<const float *>(bufs[2]);
  const Q *zp = static_cast<const Q *>(bufs[3]);
  forEachRun(p, begin, end, [&](int64_t i0, int64_t i1, int64_t c) {
    float s = scale[c], z = float(zp[p->zp_per_channel ? c : 0]);
    for (int64_t i = i0; i < i1; ++i)
      y[i] = saturateRound<Q>(x[i], s, z, lo, hi);
  });
}

template <typename Q>
KILN_INLINE void dequantize(const KilnGenQuantizeParams *p, void *const *bufs,
                            int64_t begin, int64_t end) {
  float *KILN_RESTRICT y = static_cast<float *>(bufs[0]);
  const Q *KILN_RESTRICT x = static_cast<const Q *>(bufs[1]);
  const float *scale = static_cast<const float *>(bufs[2]);
  const Q *zp = static_cast<const Q *>(bufs[3]);
  forEachRun(p, begin, end, [&](int64_t i0, int64_t i1, int64_t c) {
    float s = scale[c];
    int32_t z = int32_t(zp[p->zp_per_channel ? c : 0]);
    for (int64_t i = i0; i < i1; ++i)
      y[i] = float(int32_t(uint32_t(int32_t(x[i])) - uint32_t(z))) * s; // i32 wraps
  });
}

} // namespace

KILN_GEN_KERNEL(kiln_gen_quantize_f32, KilnGenQuantizeParams) {
  if (p->qtype == KILN_DT_I8)
    quantize<int8_t>(p, bufs, begin, end, -128.0f, 127.0f);
  else
    quantize<uint8_t>(p, bufs, begin, end, 0.0f, 255.0f);
}

KILN_GEN_KERNEL(kiln_gen_dequantize_f32, KilnGenQuantizeParams) {
  switch (p->qtype) {
  case KILN_DT_I8: return dequantize<int8_t>(p, bufs, begin, end);
  case KILN_DT_I32: return dequantize<int32_t>(p, bufs, begin, end);
  default: return dequantize<uint8_t>(p, bufs, begin, end);
  }
}
