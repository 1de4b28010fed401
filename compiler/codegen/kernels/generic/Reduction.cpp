//===- Reduction.cpp - Reduce* over any axes ------------------------------===//

#include "compiler/codegen/kernels/Reduction.h"
#include "compiler/codegen/kernels/generic/Common.h"

using namespace kiln_gen;

namespace {
/// sum i_d * strides[d] for the row-major index `flat` of dims.
KILN_INLINE int64_t stridedOffset(int64_t rank, const int64_t *dims,
                                  const int64_t *strides, int64_t flat) {
  int64_t off = 0;
  for (int64_t d = rank - 1; d >= 0; --d) {
    off += flat % dims[d] * strides[d];
    flat /= dims[d];
  }
  return off;
}

/// log for the reductions' results: also 0 (-inf), +inf and negatives (NaN),
/// which Common.h's logf does not take.
KILN_INLINE float reduceLog(float v) {
  if (v > 0.0f && v < __builtin_inff())
    return logf(v);
  return v == 0.0f ? -__builtin_inff() : v > 0.0f ? v : __builtin_nanf("");
}
} // namespace

KILN_GEN_KERNEL(kiln_gen_reduce_f32, KilnGenReduceParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  auto exp = [](float v) { return expf(v); };
  for (int64_t item = begin; item < end; ++item) {
    int64_t o1 = (item + 1) * p->chunk < p->total ? (item + 1) * p->chunk : p->total;
    for (int64_t o = item * p->chunk; o < o1; ++o) {
      const float *base = x + stridedOffset(p->out_rank, p->out_dims, p->out_strides, o);
      if (p->red_rank == 1) { // [outer, reduced, inner]: one stride
        int64_t s = p->red_strides[0];
        out[o] = kiln_reduce(
            p->op, p->count, [&](int64_t i) { return base[i * s]; }, exp, reduceLog);
      } else {
        out[o] = kiln_reduce(
            p->op, p->count,
            [&](int64_t i) {
              return base[stridedOffset(p->red_rank, p->red_dims, p->red_strides, i)];
            },
            exp, reduceLog);
      }
    }
  }
}
