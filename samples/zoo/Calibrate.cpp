//===- Calibrate.cpp - Running one image through a model being built ------===//

#include "samples/zoo/Calibrate.h"
#include "samples/zoo/ModelBuilder.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace kiln::zoo {

namespace {
// Output positions are processed in chunks of ColumnChunk, output channels in
// blocks of ChannelBlock: the chunk's im2col columns stay in L2, the block's
// accumulators in L1.
constexpr int64_t ColumnChunk = 64, ChannelBlock = 4;

// acc[b][j] += w[b] * col[j], over the K rows of a column chunk. Element-wise
// with no contraction, so every vector width gives the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void gemmBlock(float (*__restrict acc)[ColumnChunk], const float *__restrict col,
               const float *__restrict weights, int64_t k, int64_t rows) {
  for (int64_t kk = 0; kk < k; ++kk) {
    const float *c = col + kk * ColumnChunk;
    for (int64_t b = 0; b < ChannelBlock; ++b) {
      float w = b < rows ? weights[b * k + kk] : 0.0f;
      for (int64_t j = 0; j < ColumnChunk; ++j)
        acc[b][j] += w * c[j];
    }
  }
}

/// The im2col columns of output positions [p0, p0 + n) of one image and
/// channel group: row (i, r, s), column p - p0; zero outside the input and
/// past n.
void im2colChunk(const Activations &x, int64_t image, int64_t firstChannel, int64_t channels,
                 const Window &win, int64_t outW, int64_t p0, int64_t n, float *col) {
  int64_t kh = win.kernel[0], kw = win.kernel[1];
  for (int64_t i = 0; i < channels; ++i) {
    const float *in = x.plane(image, firstChannel + i);
    for (int64_t r = 0; r < kh; ++r)
      for (int64_t s = 0; s < kw; ++s) {
        float *dst = col + ((i * kh + r) * kw + s) * ColumnChunk;
        for (int64_t j = 0; j < ColumnChunk; ++j) {
          int64_t p = p0 + j, oh = p / outW, ow = p % outW;
          int64_t ih = oh * win.stride[0] + r - win.pad[0];
          int64_t iw = ow * win.stride[1] + s - win.pad[1];
          bool inside = j < n && ih >= 0 && ih < x.h && iw >= 0 && iw < x.w;
          dst[j] = inside ? in[ih * x.w + iw] : 0.0f;
        }
      }
  }
}
} // namespace

Activations conv2d(const Activations &x, const float *weight, const float *bias,
                   int64_t outChannels, const Window &win, int64_t group, int64_t outH,
                   int64_t outW) {
  int64_t inPerGroup = x.c / group, outPerGroup = outChannels / group;
  int64_t k = inPerGroup * win.kernel[0] * win.kernel[1], positions = outH * outW;
  Activations y = Activations::zeros(x.n, outChannels, outH, outW);
  std::vector<float> col(size_t(k * ColumnChunk));
  for (int64_t image = 0; image < x.n; ++image)
    for (int64_t g = 0; g < group; ++g)
      for (int64_t p0 = 0; p0 < positions; p0 += ColumnChunk) {
        int64_t n = std::min(ColumnChunk, positions - p0);
        im2colChunk(x, image, g * inPerGroup, inPerGroup, win, outW, p0, n, col.data());
        int64_t groupEnd = (g + 1) * outPerGroup;
        for (int64_t o0 = g * outPerGroup; o0 < groupEnd; o0 += ChannelBlock) {
          int64_t rows = std::min(ChannelBlock, groupEnd - o0);
          float acc[ChannelBlock][ColumnChunk] = {};
          gemmBlock(acc, col.data(), weight + o0 * k, k, rows);
          for (int64_t b = 0; b < rows; ++b) {
            float *out = y.plane(image, o0 + b) + p0;
            float bv = bias ? bias[o0 + b] : 0.0f;
            for (int64_t j = 0; j < n; ++j)
              out[j] = acc[b][j] + bv;
          }
        }
      }
  return y;
}

Activations maxPool2d(const Activations &x, const Window &win, int64_t outH, int64_t outW) {
  Activations y = Activations::zeros(x.n, x.c, outH, outW);
  for (int64_t plane = 0; plane < x.n * x.c; ++plane) {
    const float *in = x.data.data() + plane * x.h * x.w;
    float *out = y.data.data() + plane * outH * outW;
    for (int64_t oh = 0; oh < outH; ++oh)
      for (int64_t ow = 0; ow < outW; ++ow) {
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t r = 0; r < win.kernel[0]; ++r) {
          int64_t ih = oh * win.stride[0] + r - win.pad[0];
          if (ih < 0 || ih >= x.h)
            continue;
          for (int64_t s = 0; s < win.kernel[1]; ++s) {
            int64_t iw = ow * win.stride[1] + s - win.pad[1];
            if (iw >= 0 && iw < x.w)
              m = std::max(m, in[ih * x.w + iw]);
          }
        }
        out[oh * outW + ow] = m;
      }
  }
  return y;
}

Activations avgPool2d(const Activations &x, const Window &win, int64_t outH, int64_t outW) {
  Activations y = Activations::zeros(x.n, x.c, outH, outW);
  for (int64_t plane = 0; plane < x.n * x.c; ++plane) {
    const float *in = x.data.data() + plane * x.h * x.w;
    float *out = y.data.data() + plane * outH * outW;
    for (int64_t oh = 0; oh < outH; ++oh)
      for (int64_t ow = 0; ow < outW; ++ow) {
        double sum = 0;
        int64_t count = 0;
        for (int64_t r = 0; r < win.kernel[0]; ++r) {
          int64_t ih = oh * win.stride[0] + r - win.pad[0];
          if (ih < 0 || ih >= x.h)
            continue;
          for (int64_t s = 0; s < win.kernel[1]; ++s) {
            int64_t iw = ow * win.stride[1] + s - win.pad[1];
            if (iw >= 0 && iw < x.w) {
              sum += in[ih * x.w + iw];
              ++count;
            }
          }
        }
        out[oh * outW + ow] = count ? float(sum / double(count)) : 0.0f;
      }
  }
  return y;
}

void reluInPlace(Activations &x) {
  for (float &v : x.data)
    v = std::max(v, 0.0f);
}

void addInPlace(Activations &x, const Activations &y) {
  assert(x.data.size() == y.data.size());
  for (size_t i = 0; i < x.data.size(); ++i)
    x.data[i] += y.data[i];
}

void batchNormInPlace(Activations &x, const float *gamma, const float *beta, const float *mean,
                      const float *var, double epsilon) {
  for (int64_t c = 0; c < x.c; ++c) {
    float scale = float(gamma[c] / std::sqrt(double(var[c]) + epsilon));
    float shift = float(beta[c] - mean[c] * double(scale));
    for (int64_t image = 0; image < x.n; ++image) {
      float *p = x.plane(image, c);
      for (int64_t i = 0; i < x.h * x.w; ++i)
        p[i] = p[i] * scale + shift;
    }
  }
}

void channelMoments(const Activations &x, std::vector<double> &mean, std::vector<double> &var) {
  mean.assign(x.c, 0);
  var.assign(x.c, 0);
  int64_t hw = x.h * x.w;
  double count = double(x.n * hw);
  for (int64_t c = 0; c < x.c; ++c) {
    double sum = 0, sq = 0;
    for (int64_t image = 0; image < x.n; ++image) {
      const float *p = x.plane(image, c);
      for (int64_t i = 0; i < hw; ++i)
        sum += p[i];
    }
    double m = sum / count;
    for (int64_t image = 0; image < x.n; ++image) {
      const float *p = x.plane(image, c);
      for (int64_t i = 0; i < hw; ++i)
        sq += (p[i] - m) * (p[i] - m);
    }
    mean[c] = m;
    var[c] = sq / count;
  }
}

} // namespace kiln::zoo
