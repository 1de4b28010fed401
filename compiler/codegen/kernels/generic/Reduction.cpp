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

namespace {
/// The offsets of row `row` (row-major over dims[0..rank-2]) of a strided
/// index space in x, Scale and B.
KILN_INLINE void rowOffsets(const KilnGenNormalizeParams *p, int64_t row, int64_t &xo,
                            int64_t &so, int64_t &bo) {
  xo = so = bo = 0;
  for (int64_t d = p->red_rank - 2; d >= 0; --d) {
    int64_t i = row % p->red_dims[d];
    row /= p->red_dims[d];
    xo += i * p->red_strides[d];
    so += i * p->red_sstrides[d];
    bo += i * p->red_bstrides[d];
  }
}
} // namespace

KILN_GEN_KERNEL(kiln_gen_normalize_f32, KilnGenNormalizeParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  const float *KILN_RESTRICT scale = static_cast<const float *>(bufs[2]);
  const float *KILN_RESTRICT bias = static_cast<const float *>(bufs[3]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  const int64_t last = p->red_rank - 1;
  const int64_t run = p->red_dims[last], xs = p->red_strides[last],
                ss = p->red_sstrides[last], bs = p->red_bstrides[last];
  const int64_t rows = p->count / run;
  const int64_t mode = p->p;
  for (int64_t item = begin; item < end; ++item) {
    int64_t o1 = (item + 1) * p->chunk < p->total ? (item + 1) * p->chunk : p->total;
    for (int64_t o = item * p->chunk; o < o1; ++o) {
      const int64_t xb = stridedOffset(p->out_rank, p->out_dims, p->out_strides, o);
      const int64_t sb = stridedOffset(p->out_rank, p->out_dims, p->out_sstrides, o);
      const int64_t bb = stridedOffset(p->out_rank, p->out_dims, p->out_bstrides, o);
      // Pass 1: sums of (x - shift) and its square in one read, shifted by
      // the group's first element so that a large mean does not cancel the
      // variance; or the sum of |x| or x^2 for the Lp norms.
      const float shift = mode == 0 ? x[xb] : 0.0f;
      float s1[RedLanes] = {}, s2[RedLanes] = {};
      for (int64_t r = 0; r < rows; ++r) {
        int64_t xo, so, bo;
        rowOffsets(p, r, xo, so, bo);
        const float *xr = x + xb + xo;
        int64_t j = 0;
        for (; j + RedLanes <= run; j += RedLanes)
          for (int64_t l = 0; l < RedLanes; ++l) {
            float v = xr[(j + l) * xs] - shift;
            s1[l] += mode == 1 ? (v < 0.0f ? -v : v) : mode == 2 ? v * v : v;
            s2[l] += v * v;
          }
        for (; j < run; ++j) {
          float v = xr[j * xs] - shift;
          s1[0] += mode == 1 ? (v < 0.0f ? -v : v) : mode == 2 ? v * v : v;
          s2[0] += v * v;
        }
      }
      float t1 = 0.0f, t2 = 0.0f;
      for (int64_t l = 0; l < RedLanes; ++l) {
        t1 += s1[l];
        t2 += s2[l];
      }
      // y = ((x - shift) - d) * mul: x - shift is exact for x near the mean,
      // where x - (shift + d) would round the mean to x's magnitude first.
      float d = 0.0f, mul;
      if (mode == 0) {
        const float n = float(p->count);
        d = t1 / n;
        float var = t2 / n - d * d;
        var = var > 0.0f ? var : 0.0f;
        float invStd = 1.0f / __builtin_sqrtf(var + float(p->epsilon));
        if (p->result) {
          out[o] = p->result == 1 ? shift + d : invStd;
          continue;
        }
        mul = p->std_epsilon == 0.0 ? invStd
                                    : 1.0f / (__builtin_sqrtf(var + float(p->epsilon)) +
                                              float(p->std_epsilon));
      } else {
        float norm = mode == 1 ? t1 : __builtin_sqrtf(t1);
        mul = norm == 0.0f ? 0.0f : 1.0f / norm;
      }
      // Pass 2: normalize, then Scale and B.
      for (int64_t r = 0; r < rows; ++r) {
        int64_t xo, so, bo;
        rowOffsets(p, r, xo, so, bo);
        const float *xr = x + xb + xo;
        float *yr = out + xb + xo;
        const float *sr = p->has_scale ? scale + sb + so : nullptr;
        const float *br = p->has_bias ? bias + bb + bo : nullptr;
        if (p->has_scale && p->has_bias)
          for (int64_t j = 0; j < run; ++j)
            yr[j * xs] = (xr[j * xs] - shift - d) * mul * sr[j * ss] + br[j * bs];
        else if (p->has_scale)
          for (int64_t j = 0; j < run; ++j)
            yr[j * xs] = (xr[j * xs] - shift - d) * mul * sr[j * ss];
        else
          for (int64_t j = 0; j < run; ++j)
            yr[j * xs] = (xr[j * xs] - shift - d) * mul;
      }
    }
  }
}

KILN_GEN_KERNEL(kiln_gen_nll_loss_f32, KilnGenNllLossParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  const int64_t *t64 = static_cast<const int64_t *>(bufs[2]);
  const int32_t *t32 = static_cast<const int32_t *>(bufs[2]);
  const float *KILN_RESTRICT weight = static_cast<const float *>(bufs[3]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  const int64_t C = p->C, D = p->D;
  // Item n: row n (reduction 0); the one item of a reduction covers all rows.
  const int64_t n0 = p->reduction == 0 ? begin : 0;
  const int64_t n1 = p->reduction == 0 ? end : (begin < end ? p->N : 0);
  double sum = 0.0, weights = 0.0;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t d = 0; d < D; ++d) {
      int64_t t = p->target_i32 ? int64_t(t32[n * D + d]) : t64[n * D + d];
      float loss = 0.0f, w = 0.0f;
      if (!(p->has_ignore && t == p->ignore_index)) {
        if (t >= 0 && t < C) {
          w = p->has_weight ? weight[t] : 1.0f;
          loss = -x[(n * C + t) * D + d] * w;
        } else {
          loss = __builtin_nanf("");
        }
      }
      if (p->reduction == 0)
        out[n * D + d] = loss;
      sum += double(loss);
      weights += double(w);
    }
  if (p->reduction != 0 && begin < end)
    out[0] = float(p->reduction == 1 ? sum : sum / weights);
}
