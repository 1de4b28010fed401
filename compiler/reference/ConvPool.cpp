//===- ConvPool.cpp - Reference convolution, pooling, normalization -------===//
//
// Compiled with -O3: full-size VGG-16 runs through conv2d_ref, so its loop
// nest keeps a contiguous innermost loop (an axpy over part of an output row)
// that the compiler vectorizes, while staying a direct transcription of
//
//   y[n,m,oh,ow] = b[m] + sum_{c,kh,kw} x[n, g*C/G + c, oh*sH - pT + kh*dH,
//                                          ow*sW - pL + kw*dW] * w[m,c,kh,kw]
//
// with out-of-range input positions contributing nothing. Every output sums
// its terms in the same order (c, kh, kw ascending) in float.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/OpAttrs.h"
#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

namespace kiln::ref {

namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

/// Window geometry of a 2-D convolution or pool, read from canonical attrs.
struct Window {
  int64_t kH, kW, sH, sW, pT, pL, pB, pR, dH = 1, dW = 1;
  bool ceil = false;

  Window(const Attrs &a, bool hasDilations, bool hasCeil) {
    PoolAttrs pa = poolAttrs(a); // a Conv's window reads alike
    const Window2d &w = pa.window;
    kH = w.kh, kW = w.kw, sH = w.sh, sW = w.sw;
    pT = w.pt, pL = w.pl, pB = w.pb, pR = w.pr;
    if (hasDilations)
      dH = w.dh, dW = w.dw;
    if (hasCeil)
      ceil = pa.ceilMode;
  }
  int64_t outH(int64_t h) const { return windowOutputSize(h, kH, sH, pT, pB, dH, ceil); }
  int64_t outW(int64_t w) const { return windowOutputSize(w, kW, sW, pL, pR, dW, ceil); }
};

/// Runs body(begin, end) over [0, n), split into `threads` static chunks.
template <typename Body> void parallelFor(int64_t n, unsigned threads, Body body) {
  if (threads <= 1 || n < 2) {
    body(int64_t(0), n);
    return;
  }
  int64_t chunks = std::min<int64_t>(threads, n);
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < chunks; ++t)
    pool.emplace_back(body, n * t / chunks, n * (t + 1) / chunks);
  body(int64_t(0), n / chunks);
  for (std::thread &th : pool)
    th.join();
}

} // namespace

int64_t windowOutputSize(int64_t in, int64_t k, int64_t stride, int64_t padBegin,
                         int64_t padEnd, int64_t dilation, bool ceilMode) {
  int64_t span = dilation * (k - 1) + 1;
  int64_t room = in + padBegin + padEnd - span;
  if (room < 0)
    return -1;
  int64_t out = (ceilMode ? ceilDiv(room, stride) : room / stride) + 1;
  // The last window must start inside the input or the begin padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

Tensor conv2d_ref(const Tensor &x, const Tensor &w, const Tensor *bias,
                  const Attrs &a, unsigned threads) {
  assert(x.isF32() && w.isF32() && x.rank() == 4 && w.rank() == 4);
  Window win(a, /*hasDilations=*/true, /*hasCeil=*/false);
  const int64_t group = a.getInt("group");
  const int64_t N = x.dims()[0], C = x.dims()[1], H = x.dims()[2], W = x.dims()[3];
  const int64_t M = w.dims()[0], Cg = w.dims()[1];
  assert(group > 0 && C == Cg * group && M % group == 0 && "channel counts");
  assert(win.kH == w.dims()[2] && win.kW == w.dims()[3] && "kernel attr != weight");
  assert((!bias || bias->numElements() == M) && "bias size");
  const int64_t Mg = M / group;
  const int64_t OH = win.outH(H), OW = win.outW(W);
  assert(OH > 0 && OW > 0 && "window does not fit");

  Tensor y = Tensor::zeros({DType::F32, {N, M, OH, OW}});
  const float *xd = x.f32.data(), *wd = w.f32.data();
  float *yd = y.f32.data();

  // Work on one output channel m: y[n, m, :, :] for every n.
  auto channels = [&](int64_t mBegin, int64_t mEnd) {
    for (int64_t m = mBegin; m < mEnd; ++m) {
      const int64_t g = m / Mg;
      for (int64_t n = 0; n < N; ++n) {
        float *yPlane = yd + (n * M + m) * OH * OW;
        for (int64_t oh = 0; oh < OH; ++oh) {
          float *yRow = yPlane + oh * OW;
          std::fill(yRow, yRow + OW, bias ? bias->f32[size_t(m)] : 0.0f);
          for (int64_t c = 0; c < Cg; ++c) {
            const float *xPlane = xd + (n * C + g * Cg + c) * H * W;
            const float *wKernel = wd + (m * Cg + c) * win.kH * win.kW;
            for (int64_t kh = 0; kh < win.kH; ++kh) {
              const int64_t ih = oh * win.sH - win.pT + kh * win.dH;
              if (ih < 0 || ih >= H)
                continue;
              const float *xRow = xPlane + ih * W;
              for (int64_t kw = 0; kw < win.kW; ++kw) {
                const float wv = wKernel[kh * win.kW + kw];
                // iw = ow*sW + shift; keep the ow whose iw lies in [0, W).
                const int64_t shift = kw * win.dW - win.pL;
                const int64_t owBegin = std::max<int64_t>(0, ceilDiv(-shift, win.sW));
                const int64_t owEnd =
                    std::min<int64_t>(OW, floorDiv(W - 1 - shift, win.sW) + 1);
                if (win.sW == 1) {
                  for (int64_t ow = owBegin; ow < owEnd; ++ow)
                    yRow[ow] += wv * xRow[ow + shift];
                } else {
                  for (int64_t ow = owBegin; ow < owEnd; ++ow)
                    yRow[ow] += wv * xRow[ow * win.sW + shift];
                }
              }
            }
          }
        }
      }
    }
  };
  // Threads only pay for themselves on big layers.
  constexpr int64_t MinMacsPerThread = int64_t(1) << 22;
  int64_t macs = N * M * OH * OW * Cg * win.kH * win.kW;
  parallelFor(M, macs >= 2 * MinMacsPerThread ? threads : 1, channels);
  return y;
}

Tensor maxpool2d_ref(const Tensor &x, const Attrs &a) {
  assert(x.isF32() && x.rank() == 4);
  Window win(a, /*hasDilations=*/true, /*hasCeil=*/true);
  const int64_t N = x.dims()[0], C = x.dims()[1], H = x.dims()[2], W = x.dims()[3];
  const int64_t OH = win.outH(H), OW = win.outW(W);
  assert(OH > 0 && OW > 0 && "window does not fit");
  Tensor y = Tensor::zeros({DType::F32, {N, C, OH, OW}});
  for (int64_t nc = 0; nc < N * C; ++nc) {
    const float *xp = x.f32.data() + nc * H * W;
    float *yp = y.f32.data() + nc * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t kh = 0; kh < win.kH; ++kh) {
          int64_t ih = oh * win.sH - win.pT + kh * win.dH;
          if (ih < 0 || ih >= H)
            continue;
          for (int64_t kw = 0; kw < win.kW; ++kw) {
            int64_t iw = ow * win.sW - win.pL + kw * win.dW;
            if (iw >= 0 && iw < W)
              best = std::max(best, xp[ih * W + iw]);
          }
        }
        yp[oh * OW + ow] = best;
      }
    }
  }
  return y;
}

Tensor maxpool2d_indices_ref(const Tensor &x, const Attrs &a) {
  assert(x.isF32() && x.rank() == 4);
  Window win(a, /*hasDilations=*/true, /*hasCeil=*/true);
  const bool columnMajor = a.getInt("storage_order") != 0;
  const int64_t N = x.dims()[0], C = x.dims()[1], H = x.dims()[2], W = x.dims()[3];
  const int64_t OH = win.outH(H), OW = win.outW(W);
  assert(OH > 0 && OW > 0 && "window does not fit");
  Tensor y = Tensor::zeros({DType::I64, {N, C, OH, OW}});
  for (int64_t nc = 0; nc < N * C; ++nc) {
    const float *xp = x.f32.data() + nc * H * W;
    int64_t *yp = y.i64.data() + nc * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        // The first element holding the maximum wins, as in ONNX Runtime.
        float best = -std::numeric_limits<float>::infinity();
        int64_t bh = -1, bw = -1;
        for (int64_t kh = 0; kh < win.kH; ++kh) {
          int64_t ih = oh * win.sH - win.pT + kh * win.dH;
          if (ih < 0 || ih >= H)
            continue;
          for (int64_t kw = 0; kw < win.kW; ++kw) {
            int64_t iw = ow * win.sW - win.pL + kw * win.dW;
            if (iw < 0 || iw >= W)
              continue;
            if (bh < 0 || xp[ih * W + iw] > best)
              best = xp[ih * W + iw], bh = ih, bw = iw;
          }
        }
        // Flattened over the whole input, N and C included.
        yp[oh * OW + ow] = nc * H * W + (columnMajor ? bw * H + bh : bh * W + bw);
      }
    }
  }
  return y;
}

Tensor avgpool2d_ref(const Tensor &x, const Attrs &a) {
  assert(x.isF32() && x.rank() == 4);
  Window win(a, /*hasDilations=*/false, /*hasCeil=*/true);
  const bool countPad = a.getInt("count_include_pad") != 0;
  const int64_t N = x.dims()[0], C = x.dims()[1], H = x.dims()[2], W = x.dims()[3];
  const int64_t OH = win.outH(H), OW = win.outW(W);
  assert(OH > 0 && OW > 0 && "window does not fit");
  Tensor y = Tensor::zeros({DType::F32, {N, C, OH, OW}});
  for (int64_t nc = 0; nc < N * C; ++nc) {
    const float *xp = x.f32.data() + nc * H * W;
    float *yp = y.f32.data() + nc * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        // The window clipped to the padded input, then to the input.
        int64_t h0 = oh * win.sH - win.pT, w0 = ow * win.sW - win.pL;
        int64_t h1 = std::min(h0 + win.kH, H + win.pB);
        int64_t w1 = std::min(w0 + win.kW, W + win.pR);
        int64_t padded = (h1 - h0) * (w1 - w0);
        h0 = std::max<int64_t>(h0, 0), w0 = std::max<int64_t>(w0, 0);
        h1 = std::min(h1, H), w1 = std::min(w1, W);
        float sum = 0.0f;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw)
            sum += xp[ih * W + iw];
        int64_t inside = std::max<int64_t>(h1 - h0, 0) * std::max<int64_t>(w1 - w0, 0);
        int64_t count = countPad ? padded : inside;
        yp[oh * OW + ow] = count > 0 ? sum / float(count) : 0.0f;
      }
    }
  }
  return y;
}

namespace {
/// Output dims [N, C, 1, ...] of a global pool.
Dims globalPoolDims(const Tensor &x) {
  Dims d = x.dims();
  for (size_t i = 2; i < d.size(); ++i)
    d[i] = 1;
  return d;
}
int64_t spatialSize(const Tensor &x) {
  int64_t s = 1;
  for (size_t i = 2; i < x.dims().size(); ++i)
    s *= x.dims()[i];
  return s;
}
} // namespace

Tensor globalavgpool_ref(const Tensor &x) {
  assert(x.isF32() && x.rank() >= 3);
  Tensor y = Tensor::zeros({DType::F32, globalPoolDims(x)});
  const int64_t S = spatialSize(x);
  for (int64_t nc = 0; nc < y.numElements(); ++nc) {
    float sum = 0.0f;
    for (int64_t i = 0; i < S; ++i)
      sum += x.f32[size_t(nc * S + i)];
    y.f32[size_t(nc)] = sum / float(S);
  }
  return y;
}

Tensor globalmaxpool_ref(const Tensor &x) {
  assert(x.isF32() && x.rank() >= 3);
  Tensor y = Tensor::zeros({DType::F32, globalPoolDims(x)});
  const int64_t S = spatialSize(x);
  for (int64_t nc = 0; nc < y.numElements(); ++nc) {
    float best = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < S; ++i)
      best = std::max(best, x.f32[size_t(nc * S + i)]);
    y.f32[size_t(nc)] = best;
  }
  return y;
}

Tensor lrn_ref(const Tensor &x, const Attrs &a) {
  assert(x.isF32() && x.rank() >= 2);
  const int64_t size = a.getInt("size");
  const float alpha = float(a.getFloat("alpha")), beta = float(a.getFloat("beta")),
              bias = float(a.getFloat("bias"));
  const int64_t N = x.dims()[0], C = x.dims()[1], S = spatialSize(x);
  const int64_t before = (size - 1) / 2, after = size - 1 - before; // floor, ceil
  Tensor y = Tensor::zeros(x.type);
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t c = 0; c < C; ++c) {
      int64_t c0 = std::max<int64_t>(0, c - before), c1 = std::min(C - 1, c + after);
      for (int64_t s = 0; s < S; ++s) {
        float sq = 0.0f;
        for (int64_t j = c0; j <= c1; ++j) {
          float v = x.f32[size_t((n * C + j) * S + s)];
          sq += v * v;
        }
        size_t i = size_t((n * C + c) * S + s);
        y.f32[i] = x.f32[i] / std::pow(bias + alpha / float(size) * sq, beta);
      }
    }
  }
  return y;
}

Tensor batchnorm_ref(const Tensor &x, const Tensor &scale, const Tensor &b,
                     const Tensor &mean, const Tensor &var, const Attrs &a) {
  assert(x.isF32() && x.rank() >= 2);
  const int64_t N = x.dims()[0], C = x.dims()[1], S = spatialSize(x);
  assert(scale.numElements() == C && b.numElements() == C &&
         mean.numElements() == C && var.numElements() == C);
  const float eps = float(a.getFloat("epsilon"));
  Tensor y = Tensor::zeros(x.type);
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t c = 0; c < C; ++c) {
      const float inv = 1.0f / std::sqrt(var.f32[size_t(c)] + eps);
      for (int64_t s = 0; s < S; ++s) {
        size_t i = size_t((n * C + c) * S + s);
        y.f32[i] = (x.f32[i] - mean.f32[size_t(c)]) * inv * scale.f32[size_t(c)] +
                   b.f32[size_t(c)];
      }
    }
  }
  return y;
}

Tensor scaleshift_ref(const Tensor &x, const Tensor &scale, const Tensor &shift) {
  assert(x.isF32() && x.rank() >= 2);
  const int64_t N = x.dims()[0], C = x.dims()[1], S = spatialSize(x);
  assert(scale.numElements() == C && shift.numElements() == C);
  Tensor y = Tensor::zeros(x.type);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t s = 0; s < S; ++s) {
        size_t i = size_t((n * C + c) * S + s);
        y.f32[i] = x.f32[i] * scale.f32[size_t(c)] + shift.f32[size_t(c)];
      }
  return y;
}

//===----------------------------------------------------------------------===//
// The ops of this file (Dispatch.h)
//===----------------------------------------------------------------------===//

std::span<const OpEvaluator> convPoolEvaluators() {
  using A = const EvalArgs &;
  static constexpr OpEvaluator Table[] = {
      {OpKind::Conv,
       [](A e) -> llvm::Expected<Tensor> {
         return conv2d_ref(e.operand(0), e.operand(1), e.optional(2), e.attrs,
                           e.opts.threads);
       }},
      {OpKind::MaxPool, [](A e) -> llvm::Expected<Tensor> { return maxpool2d_ref(e.operand(0), e.attrs); }},
      {OpKind::AveragePool, [](A e) -> llvm::Expected<Tensor> { return avgpool2d_ref(e.operand(0), e.attrs); }},
      {OpKind::GlobalAveragePool, [](A e) -> llvm::Expected<Tensor> { return globalavgpool_ref(e.operand(0)); }},
      {OpKind::GlobalMaxPool, [](A e) -> llvm::Expected<Tensor> { return globalmaxpool_ref(e.operand(0)); }},
      {OpKind::MaxPoolIndices,
       [](A e) -> llvm::Expected<Tensor> { return maxpool2d_indices_ref(e.operand(0), e.attrs); }},
      {OpKind::LRN, [](A e) -> llvm::Expected<Tensor> { return lrn_ref(e.operand(0), e.attrs); }},
      {OpKind::BatchNormalization,
       [](A e) -> llvm::Expected<Tensor> {
         return batchnorm_ref(e.operand(0), e.operand(1), e.operand(2), e.operand(3),
                              e.operand(4), e.attrs);
       }},
      {OpKind::ScaleShift,
       [](A e) -> llvm::Expected<Tensor> {
         return scaleshift_ref(e.operand(0), e.operand(1), e.operand(2));
       }},
  };
  return Table;
}

} // namespace kiln::ref
