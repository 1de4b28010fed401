//===- Spatial.cpp - Generic conv, pooling, LRN and per-channel ops -------===//
//
// Direct loops over NCHW or NCHW<L>c (index4). The convolution accumulates a
// tile of one output row in a stack array, so an epilogue Add may read a
// residual that shares the output's storage.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/generic/Common.h"

using namespace kiln_gen;

namespace {

/// Output pixels of a row accumulated at once: the stack accumulator (1 KB)
/// stays in L1 while every kernel tap and input channel adds into it.
constexpr int64_t ConvTile = 256;

/// One conv output element (used when a pool is fused: each pooled output
/// recomputes the conv values of its window).
KILN_INLINE float convPoint(const KilnGenConvParams *p, const float *x,
                            const float *w, const float *bias, int64_t n,
                            int64_t m, int64_t oh, int64_t ow) {
  int64_t cg = p->C / p->G, mg = p->M / p->G, g = m / mg;
  float acc = p->has_bias ? bias[m] : 0.0f;
  for (int64_t c = 0; c < cg; ++c) {
    for (int64_t kh = 0; kh < p->KH; ++kh) {
      int64_t ih = oh * p->SH - p->PT + kh * p->DH;
      if (ih < 0 || ih >= p->H)
        continue;
      for (int64_t kw = 0; kw < p->KW; ++kw) {
        int64_t iw = ow * p->SW - p->PL + kw * p->DW;
        if (iw < 0 || iw >= p->W)
          continue;
        acc += w[((m * cg + c) * p->KH + kh) * p->KW + kw] *
               x[index4(p->in_block, p->C, p->H, p->W, n, g * cg + c, ih, iw)];
      }
    }
  }
  return acc;
}

KILN_INLINE void convRow(const KilnGenConvParams *p, void *const *bufs,
                         const float *KILN_RESTRICT x,
                         const float *KILN_RESTRICT w,
                         const float *KILN_RESTRICT bias, float *out, int64_t n,
                         int64_t m, int64_t oh) {
  int64_t cg = p->C / p->G, mg = p->M / p->G, g = m / mg;
  int64_t xs = wstride(p->in_block), os = wstride(p->out_block);
  for (int64_t t0 = 0; t0 < p->OW; t0 += ConvTile) {
    int64_t tn = p->OW - t0 < ConvTile ? p->OW - t0 : ConvTile;
    float acc[ConvTile];
    float b0 = p->has_bias ? bias[m] : 0.0f;
    for (int64_t j = 0; j < tn; ++j)
      acc[j] = b0;
    for (int64_t c = 0; c < cg; ++c) {
      for (int64_t kh = 0; kh < p->KH; ++kh) {
        int64_t ih = oh * p->SH - p->PT + kh * p->DH;
        if (ih < 0 || ih >= p->H)
          continue;
        const float *xrow =
            x + index4(p->in_block, p->C, p->H, p->W, n, g * cg + c, ih, 0);
        for (int64_t kw = 0; kw < p->KW; ++kw) {
          float wv = w[((m * cg + c) * p->KH + kh) * p->KW + kw];
          // Valid ow: 0 <= ow*SW - PL + kw*DW < W.
          int64_t off = kw * p->DW - p->PL;
          int64_t lo = off >= 0 ? 0 : (-off + p->SW - 1) / p->SW;
          int64_t hi = p->W - off <= 0 ? 0 : (p->W - off + p->SW - 1) / p->SW;
          lo = lo > t0 ? lo - t0 : 0;
          hi = hi - t0 < tn ? hi - t0 : tn;
          for (int64_t j = lo; j < hi; ++j)
            acc[j] += wv * xrow[((t0 + j) * p->SW + off) * xs];
        }
      }
    }
    int64_t base = index4(p->out_block, p->M, p->OH, p->OW, n, m, oh, t0);
    for (int64_t j = 0; j < tn; ++j)
      out[base + j * os] = applyPre(p->epi, bufs, base + j * os, acc[j]);
  }
}

} // namespace

KILN_GEN_KERNEL(kiln_gen_conv2d_f32, KilnGenConvParams) {
  const float *x = static_cast<const float *>(bufs[1]);
  const float *w = static_cast<const float *>(bufs[2]);
  const float *bias = static_cast<const float *>(bufs[3]);
  float *out = static_cast<float *>(bufs[0]);
  const KilnGenEpilogue &e = p->epi;
  int64_t outRows = e.pool_kind ? e.pool_oh : p->OH;
  int64_t bands = kiln_gen_ceil_div(outRows, p->rows);
  for (int64_t item = begin; item < end; ++item) {
    int64_t band = item % bands;
    int64_t m = item / bands % p->M;
    int64_t n = item / bands / p->M;
    int64_t r0 = band * p->rows;
    int64_t r1 = r0 + p->rows < outRows ? r0 + p->rows : outRows;
    if (!e.pool_kind) {
      for (int64_t oh = r0; oh < r1; ++oh)
        convRow(p, bufs, x, w, bias, out, n, m, oh);
      continue;
    }
    int64_t os = wstride(p->out_block);
    for (int64_t ph = r0; ph < r1; ++ph) {
      int64_t base =
          index4(p->out_block, p->M, e.pool_oh, e.pool_ow, n, m, ph, 0);
      for (int64_t pw = 0; pw < e.pool_ow; ++pw) {
        bool isMax = e.pool_kind == KILN_POOL_MAX;
        float acc = isMax ? -__builtin_inff() : 0.0f;
        int64_t valid = 0;
        for (int64_t kh = 0; kh < e.pool_kh; ++kh) {
          int64_t oh = ph * e.pool_sh - e.pool_pt + kh * e.pool_dh;
          if (oh < 0 || oh >= p->OH)
            continue;
          for (int64_t kw = 0; kw < e.pool_kw; ++kw) {
            int64_t ow = pw * e.pool_sw - e.pool_pl + kw * e.pool_dw;
            if (ow < 0 || ow >= p->OW)
              continue;
            float v = convPoint(p, x, w, bias, n, m, oh, ow);
            v = applyPre(e, bufs,
                         index4(p->out_block, p->M, p->OH, p->OW, n, m, oh, ow),
                         v);
            acc = isMax ? fmaxf(acc, v) : acc + v;
            ++valid;
          }
        }
        if (!isMax) {
          int64_t div = valid;
          if (e.pool_count_pad) {
            int64_t h0 = ph * e.pool_sh - e.pool_pt;
            int64_t w0 = pw * e.pool_sw - e.pool_pl;
            int64_t h1 = h0 + e.pool_kh, w1 = w0 + e.pool_kw;
            h0 = h0 < -e.pool_pt ? -e.pool_pt : h0;
            w0 = w0 < -e.pool_pl ? -e.pool_pl : w0;
            h1 = h1 > p->OH + e.pool_pb ? p->OH + e.pool_pb : h1;
            w1 = w1 > p->OW + e.pool_pr ? p->OW + e.pool_pr : w1;
            div = (h1 - h0) * (w1 - w0);
          }
          acc = div > 0 ? acc / float(div) : 0.0f;
        }
        out[base + pw * os] = applyPost(e, bufs, base + pw * os, acc);
      }
    }
  }
}

KILN_GEN_KERNEL(kiln_gen_pool2d_f32, KilnGenPoolParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  bool isMax = p->kind == KILN_POOL_MAX;
  int64_t xs = wstride(p->in_block), os = wstride(p->out_block);
  for (int64_t item = begin; item < end; ++item) {
    int64_t oh = item % p->OH;
    int64_t c = item / p->OH % p->C;
    int64_t n = item / p->OH / p->C;
    float *orow = out + index4(p->out_block, p->C, p->OH, p->OW, n, c, oh, 0);
    int64_t h0 = oh * p->SH - p->PT;
    for (int64_t ow = 0; ow < p->OW; ++ow) {
      int64_t w0 = ow * p->SW - p->PL;
      float acc = isMax ? -__builtin_inff() : 0.0f;
      int64_t valid = 0;
      for (int64_t kh = 0; kh < p->KH; ++kh) {
        int64_t ih = h0 + kh * p->DH;
        if (ih < 0 || ih >= p->H)
          continue;
        const float *xrow =
            x + index4(p->in_block, p->C, p->H, p->W, n, c, ih, 0);
        for (int64_t kw = 0; kw < p->KW; ++kw) {
          int64_t iw = w0 + kw * p->DW;
          if (iw < 0 || iw >= p->W)
            continue;
          float v = xrow[iw * xs];
          acc = isMax ? fmaxf(acc, v) : acc + v;
          ++valid;
        }
      }
      if (!isMax) {
        int64_t div = valid;
        if (p->count_pad) {
          int64_t hs = h0 < -p->PT ? -p->PT : h0;
          int64_t ws = w0 < -p->PL ? -p->PL : w0;
          int64_t he = h0 + p->KH > p->H + p->PB ? p->H + p->PB : h0 + p->KH;
          int64_t we = w0 + p->KW > p->W + p->PR ? p->W + p->PR : w0 + p->KW;
          div = (he - hs) * (we - ws);
        }
        acc = div > 0 ? acc / float(div) : 0.0f;
      }
      orow[ow * os] = acc;
    }
  }
}

KILN_GEN_KERNEL(kiln_gen_maxpool2d_indices_f32, KilnGenPoolIndicesParams) {
  const KilnGenPoolParams *q = &p->pool;
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  int64_t *KILN_RESTRICT out = static_cast<int64_t *>(bufs[0]);
  for (int64_t item = begin; item < end; ++item) {
    int64_t oh = item % q->OH;
    int64_t c = item / q->OH % q->C;
    int64_t n = item / q->OH / q->C;
    int64_t plane = (n * q->C + c) * q->H * q->W; // logical, flattened
    int64_t *orow = out + ((n * q->C + c) * q->OH + oh) * q->OW;
    int64_t h0 = oh * q->SH - q->PT;
    for (int64_t ow = 0; ow < q->OW; ++ow) {
      int64_t w0 = ow * q->SW - q->PL;
      // The first element holding the maximum wins, as in ONNX Runtime.
      float best = -__builtin_inff();
      int64_t bh = -1, bw = -1;
      for (int64_t kh = 0; kh < q->KH; ++kh) {
        int64_t ih = h0 + kh * q->DH;
        if (ih < 0 || ih >= q->H)
          continue;
        for (int64_t kw = 0; kw < q->KW; ++kw) {
          int64_t iw = w0 + kw * q->DW;
          if (iw < 0 || iw >= q->W)
            continue;
          float v = x[index4(q->in_block, q->C, q->H, q->W, n, c, ih, iw)];
          if (bh < 0 || v > best)
            best = v, bh = ih, bw = iw;
        }
      }
      orow[ow] = plane + (p->column_major ? bw * q->H + bh : bh * q->W + bw);
    }
  }
}

KILN_GEN_KERNEL(kiln_gen_global_pool_f32, KilnGenGlobalPoolParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  for (int64_t item = begin; item < end; ++item) {
    int64_t c = item % p->C, n = item / p->C;
    const float *xp = x + index4(p->in_block, p->C, 1, p->HW, n, c, 0, 0);
    int64_t xs = wstride(p->in_block);
    float v = p->kind == KILN_POOL_MAX ? maxStrided(xp, p->HW, xs)
                                       : sumStrided(xp, p->HW, xs) / float(p->HW);
    out[index4(p->out_block, p->C, 1, 1, n, c, 0, 0)] = v;
  }
}

KILN_GEN_KERNEL(kiln_gen_conv_transpose2d_f32, KilnGenConvTransposeParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  const float *KILN_RESTRICT w = static_cast<const float *>(bufs[2]);
  const float *KILN_RESTRICT bias = static_cast<const float *>(bufs[3]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  const int64_t Mg = p->M / p->G, Cg = p->C / p->G;
  // The output row is accumulated split by column phase (ow mod SW): tap kw
  // adds an input row to a contiguous run of one phase, so the inner loop
  // loads and stores contiguously whatever the stride. Rows wider than the
  // buffer (16 KB of stack) scatter into the output row directly.
  constexpr int64_t RowMax = 4096;
  const int64_t phaseLen = (p->OW + p->SW - 1) / p->SW;
  const bool phased = phaseLen * p->SW <= RowMax;
  for (int64_t item = begin; item < end; ++item) {
    const int64_t oh = item % p->OH, nm = item / p->OH;
    const int64_t n = nm / p->M, m = nm % p->M, g = m / Mg, mm = m % Mg;
    float *KILN_RESTRICT yrow = out + item * p->OW;
    float acc[RowMax];
    const float b = p->has_bias ? bias[m] : 0.0f;
    if (phased)
      for (int64_t i = 0; i < phaseLen * p->SW; ++i)
        acc[i] = 0.0f;
    else
      for (int64_t i = 0; i < p->OW; ++i)
        yrow[i] = b;
    for (int64_t kh = 0; kh < p->KH; ++kh) {
      // Input row ih reaches this row through tap kh when ih*SH - PT + kh*DH = oh.
      const int64_t t = oh + p->PT - kh * p->DH;
      if (t < 0 || t % p->SH != 0 || t / p->SH >= p->H)
        continue;
      const int64_t ih = t / p->SH;
      for (int64_t kw = 0; kw < p->KW; ++kw) {
        // Input columns iw whose output column iw*SW + o0 is inside [0, OW).
        const int64_t o0 = kw * p->DW - p->PL;
        const int64_t lo = o0 >= 0 ? 0 : (-o0 + p->SW - 1) / p->SW;
        int64_t hi = p->OW - o0 <= 0 ? 0 : (p->OW - o0 + p->SW - 1) / p->SW;
        hi = hi < p->W ? hi : p->W;
        if (lo >= hi)
          continue;
        // ow = (iw + j0) * SW + rw: phase rw, position iw + j0 within it.
        const int64_t rw = (o0 % p->SW + p->SW) % p->SW, j0 = (o0 - rw) / p->SW;
        for (int64_t c = g * Cg; c < (g + 1) * Cg; ++c) {
          const float *xr = x + ((n * p->C + c) * p->H + ih) * p->W;
          const float wv = w[((c * Mg + mm) * p->KH + kh) * p->KW + kw];
          if (phased) {
            float *a = acc + rw * phaseLen + j0;
            for (int64_t iw = lo; iw < hi; ++iw)
              a[iw] += wv * xr[iw];
          } else {
            float *yr = yrow + o0;
            for (int64_t iw = lo; iw < hi; ++iw)
              yr[iw * p->SW] += wv * xr[iw];
          }
        }
      }
    }
    if (phased)
      for (int64_t ow = 0; ow < p->OW; ++ow)
        yrow[ow] = b + acc[(ow % p->SW) * phaseLen + ow / p->SW];
  }
}

KILN_GEN_KERNEL(kiln_gen_lrn_f32, KilnGenLrnParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  // Pixels whose squared window sums are built at once (a 1 KB stack row).
  constexpr int64_t Tile = 256;
  int64_t s = wstride(p->block);
  float scale = float(p->alpha / double(p->size));
  for (int64_t item = begin; item < end; ++item) {
    int64_t c = item % p->C, n = item / p->C;
    int64_t c0 = c - (p->size - 1) / 2, c1 = c + p->size / 2;
    c0 = c0 < 0 ? 0 : c0;
    c1 = c1 >= p->C ? p->C - 1 : c1;
    for (int64_t t0 = 0; t0 < p->HW; t0 += Tile) {
      int64_t tn = p->HW - t0 < Tile ? p->HW - t0 : Tile;
      float sq[Tile];
      for (int64_t j = 0; j < tn; ++j)
        sq[j] = 0.0f;
      for (int64_t cc = c0; cc <= c1; ++cc) {
        const float *xp = x + index4(p->block, p->C, 1, p->HW, n, cc, 0, t0);
        for (int64_t j = 0; j < tn; ++j)
          sq[j] += xp[j * s] * xp[j * s];
      }
      int64_t base = index4(p->block, p->C, 1, p->HW, n, c, 0, t0);
      for (int64_t j = 0; j < tn; ++j)
        out[base + j * s] =
            x[base + j * s] *
            powf(float(p->bias) + scale * sq[j], -float(p->beta));
    }
  }
}

KILN_GEN_KERNEL(kiln_gen_scale_shift_f32, KilnGenScaleShiftParams) {
  const float *x = static_cast<const float *>(bufs[1]);
  const float *KILN_RESTRICT scale = static_cast<const float *>(bufs[2]);
  const float *KILN_RESTRICT shift = static_cast<const float *>(bufs[3]);
  float *out = static_cast<float *>(bufs[0]);
  // (scale, shift) of channel c; BatchNormalization folds its four operands.
  auto coef = [&](int64_t c, float &a, float &b) {
    if (c >= p->C) {
      a = 0.0f;
      b = 0.0f;
      return;
    }
    a = scale[c];
    b = shift[c];
    if (p->is_bn) {
      const float *mean = static_cast<const float *>(bufs[4]);
      const float *var = static_cast<const float *>(bufs[5]);
      a = a / __builtin_sqrtf(var[c] + float(p->epsilon));
      b = b - mean[c] * a;
    }
  };
  for (int64_t item = begin; item < end; ++item) {
    if (!p->block) {
      int64_t c = item % p->C;
      float a, b;
      coef(c, a, b);
      int64_t base = item * p->HW;
      for (int64_t j = 0; j < p->HW; ++j)
        out[base + j] = applyPre(p->epi, bufs, base + j, x[base + j] * a + b);
      continue;
    }
    int64_t cb = kiln_gen_ceil_div(p->C, p->block);
    int64_t blk = item % cb;
    // One coefficient per lane of a channel block; padded channels stay 0.
    constexpr int64_t MaxBlock = 64; // blocks are vector lanes: 4, 8 or 16
    float a[MaxBlock], b[MaxBlock], keep[MaxBlock];
    for (int64_t l = 0; l < p->block; ++l) {
      coef(blk * p->block + l, a[l], b[l]);
      keep[l] = blk * p->block + l < p->C ? 1.0f : 0.0f;
    }
    int64_t base = item * p->HW * p->block;
    for (int64_t j = 0; j < p->HW; ++j)
      for (int64_t l = 0; l < p->block; ++l) {
        int64_t i = base + j * p->block + l;
        out[i] = keep[l] * applyPre(p->epi, bufs, i, x[i] * a[l] + b[l]);
      }
  }
}
