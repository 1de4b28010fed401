//===- KernelTestUtil.h - Reference kernels and helpers for kernel tests --===//
//
// Plain-loop reference implementations (double accumulation) and layout
// helpers. Every reference result carries an error bound for the fp32 kernel:
//
//   tolerance = K * 2^-24 * sum|terms| + 1e-6 * |result| + 1e-7
//
// where K is the number of accumulated terms (worst-case bound of fp32
// recursive summation, any order) and the relative term covers the
// activation (the kernels' exp is within 2e-7 relative) and the averaging
// division. This is the one tolerance all kernel tests use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_KERNELS_KERNELTESTUTIL_H
#define KILN_TESTS_KERNELS_KERNELTESTUTIL_H

#include "compiler/codegen/kernels/Activation.h"
#include "compiler/codegen/kernels/Conv.h"
#include "compiler/reference/StdMath.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace kiln::kernels::test {

/// A reference value and its allowed error.
struct RefVal {
  double v = 0, bound = 0;
};

inline constexpr double kEps32 = 1.0 / (1 << 24);

inline std::vector<float> randomVec(size_t n, std::mt19937 &rng, float lo = -1,
                                    float hi = 1) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

/// Plain NCHW -> NCHW<L>c with zero padding.
inline std::vector<float> toBlocked(const std::vector<float> &x, int64_t L,
                                    int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t Cb = (C + L - 1) / L;
  std::vector<float> y(N * Cb * H * W * L, 0.0f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < H * W; ++i)
        y[((n * Cb + c / L) * H * W + i) * L + c % L] = x[(n * C + c) * H * W + i];
  return y;
}

inline double activateRef(double v, int64_t act, double alpha, double lo,
                          double hi) {
  switch (act) {
  case KILN_ACT_RELU:
    return std::max(v, 0.0);
  case KILN_ACT_LEAKY_RELU:
    return v < 0 ? v * alpha : v;
  case KILN_ACT_CLIP:
    return std::min(std::max(v, lo), hi);
  case KILN_ACT_SIGMOID:
    return 1.0 / (1.0 + std::exp(-v));
  case KILN_ACT_HARD_SIGMOID: // a = alpha, b = hi (Vec.h's activate)
    return std::max(0.0, std::min(1.0, alpha * v + hi));
  case KILN_ACT_NONE:
    return v;
  default: // the reference interpreter's definition, on libm in float
    return kiln_activate<kiln::ref::StdMath>(act, float(v), float(alpha), float(hi));
  }
}

/// Every activation fusion passes put into an epilogue (the rows of
/// Activations.def but UNFUSED_ACTIVATION ones).
inline std::vector<int64_t> fusableActivations() {
  std::vector<int64_t> acts;
#define ACTIVATION(Name, ABI, ...) acts.push_back(KILN_ACT_##ABI);
#define UNFUSED_ACTIVATION(...)
#include "compiler/ir/Activations.def"
  return acts;
}

/// act(s) for a pre-activation sum s known to within `acc`: the bound is how
/// far act moves over [s - acc, s + acc] (the sum's error carried through
/// the activation's slope), plus the kernels' own error in computing it.
inline RefVal activatedRef(double s, double acc, int64_t act, double alpha,
                           double lo, double hi) {
  const double v = activateRef(s, act, alpha, lo, hi);
  double carried = acc;
  if (act != KILN_ACT_NONE)
    carried = std::max(std::fabs(activateRef(s + acc, act, alpha, lo, hi) - v),
                       std::fabs(activateRef(s - acc, act, alpha, lo, hi) - v));
  // Gelu is s/2 (1 + erf(..)) (or tanh): Math.h's erf and tanh are within
  // 4 ulp of their result, which near +-1 is 4 * 2^-23 absolute, and the
  // factor s/2 carries it (the tails, where 1 + erf cancels, show it).
  double approx = 0;
  if (act == KILN_ACT_GELU || act == KILN_ACT_GELU_TANH)
    approx = 4 * std::ldexp(1.0, -23) * 0.5 * std::fabs(s);
  return {v, carried + approx + 1e-6 * std::fabs(v) + 1e-7};
}

/// Reference conv + epilogue (before pooling), plain NCHW result.
inline std::vector<RefVal> convRef(const KilnConvParams &p,
                                   const std::vector<float> &x,
                                   const std::vector<float> &w,
                                   const std::vector<float> &b,
                                   const std::vector<float> &res) {
  const int64_t Cg = p.C / p.G, Mg = p.M / p.G;
  std::vector<RefVal> y(p.N * p.M * p.OH * p.OW);
  for (int64_t n = 0; n < p.N; ++n)
    for (int64_t m = 0; m < p.M; ++m) {
      const int64_t g = m / Mg;
      for (int64_t oh = 0; oh < p.OH; ++oh)
        for (int64_t ow = 0; ow < p.OW; ++ow) {
          double s = 0, a = 0;
          int64_t k = 0;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < p.KH; ++kh)
              for (int64_t kw = 0; kw < p.KW; ++kw) {
                const int64_t ih = oh * p.SH - p.PT + kh * p.DH;
                const int64_t iw = ow * p.SW - p.PL + kw * p.DW;
                ++k;
                if (ih < 0 || ih >= p.H || iw < 0 || iw >= p.W)
                  continue;
                const double t =
                    (double)x[((n * p.C + g * Cg + c) * p.H + ih) * p.W + iw] *
                    w[((m * Cg + c) * p.KH + kh) * p.KW + kw];
                s += t;
                a += std::fabs(t);
              }
          k += 2;
          if (p.has_bias)
            s += b[m], a += std::fabs(b[m]);
          const int64_t oi = ((n * p.M + m) * p.OH + oh) * p.OW + ow;
          if (p.has_residual)
            s += res[oi], a += std::fabs(res[oi]);
          y[oi] = activatedRef(s, k * kEps32 * a, p.activation, p.act_alpha,
                               p.act_lo, p.act_hi);
        }
    }
  return y;
}

/// Reference 2-D pool on plain NCHW reference values (windows clipped; the
/// avg divisor as documented in Pool.h/Conv.h).
inline std::vector<RefVal>
poolRef(const std::vector<RefVal> &x, int64_t N, int64_t C, int64_t H,
        int64_t W, int64_t OH, int64_t OW, int64_t KH, int64_t KW, int64_t SH,
        int64_t SW, int64_t PT, int64_t PL, int64_t PB, int64_t PR, int64_t DH,
        int64_t DW, bool isMax, bool countPad) {
  std::vector<RefVal> y(N * C * OH * OW);
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double v = isMax ? -std::numeric_limits<double>::infinity() : 0;
        double bound = 0;
        int64_t cnt = 0;
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            const int64_t ih = oh * SH - PT + kh * DH, iw = ow * SW - PL + kw * DW;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W)
              continue;
            const RefVal &e = x[(nc * H + ih) * W + iw];
            v = isMax ? std::max(v, e.v) : v + e.v;
            bound = std::max(bound, e.bound);
            ++cnt;
          }
        if (!isMax) {
          const int64_t hs = oh * SH - PT, ws = ow * SW - PL;
          if (countPad)
            cnt = (std::min(hs + KH, H + PB) - hs) * (std::min(ws + KW, W + PR) - ws);
          v = cnt > 0 ? v / cnt : 0;
          bound += 1e-6 * std::fabs(v);
        }
        y[(nc * OH + oh) * OW + ow] = {v, bound};
      }
  return y;
}

/// Checks blocked kernel output [N][ceil(C/L)][H][W][L] against plain
/// reference values; padded channels must be zero.
inline void checkBlocked(const std::vector<float> &got,
                         const std::vector<RefVal> &ref, int64_t L, int64_t N,
                         int64_t C, int64_t H, int64_t W) {
  const int64_t Cb = (C + L - 1) / L;
  REQUIRE(got.size() >= (size_t)(N * Cb * H * W * L));
  int64_t bad = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t cb = 0; cb < Cb; ++cb)
      for (int64_t i = 0; i < H * W; ++i)
        for (int64_t l = 0; l < L; ++l) {
          const int64_t c = cb * L + l;
          const float g = got[((n * Cb + cb) * H * W + i) * L + l];
          if (c >= C) {
            if (g != 0.0f && bad++ < 5)
              FAIL_CHECK("padded channel " << c << " is " << g);
            continue;
          }
          const RefVal &r = ref[(n * C + c) * H * W + i];
          if (!(std::fabs(g - r.v) <= r.bound) && bad++ < 5)
            FAIL_CHECK("n=" << n << " c=" << c << " pixel " << i << ": got " << g
                            << " want " << r.v << " (bound " << r.bound << ")");
        }
  CHECK(bad == 0);
}

} // namespace kiln::kernels::test

#endif // KILN_TESTS_KERNELS_KERNELTESTUTIL_H
