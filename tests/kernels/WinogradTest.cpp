//===- WinogradTest.cpp - kiln_conv2d_winograd_f32_nchwc vs the reference -===//
//
// Each case runs for L = 16, 8 and 4 through the templated kernel (and the
// extern "C" entry point for the native lanes), against the double-precision
// direct convolution.
//
// Tolerance: Winograd's fp32 error is not bounded by the direct conv's
// K * 2^-24 * sum|terms| (the transforms scale values up before they cancel),
// so the bound is derived for the algorithm the same way (first-order forward
// error of y = A^T [sum_c U_c . V_c] A):
//
//   |err| <= (C + 24) * 2^-24 * (|A^T| [sum_c |U_c| . (|B^T| |d_c| |B|)] |A|)
//
// C + 24 bounds the rounding depth: C accumulations, the input transform
// (6), the output transform (10), the rounding of U and the product, plus the
// bias/residual/activation terms as in KernelTestUtil.h.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/WinogradImpl.h"
#include "tests/kernels/KernelTestUtil.h"

using namespace kiln::kernels;
using namespace kiln::kernels::test;

namespace {

constexpr double kBt[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0},
                              {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0},
                              {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr double kG[6][3] = {{1.0 / 4, 0, 0},
                             {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                             {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                             {1.0 / 24, 1.0 / 12, 1.0 / 6},
                             {1.0 / 24, -1.0 / 12, 1.0 / 6},
                             {0, 0, 1}};
constexpr double kAt[4][6] = {{1, 1, 1, 1, 1, 0},
                              {0, 1, -1, 2, -2, 0},
                              {0, 1, 1, 4, 4, 0},
                              {0, 1, -1, 8, -8, 1}};

struct WinoCase {
  int64_t N = 1, C = 16, H = 9, W = 9, M = 16, PT = 1, PL = 1, PB = 1, PR = 1;
  bool bias = true, residual = false;
  int64_t act = KILN_ACT_NONE;
};

KilnConvParams makeParams(const WinoCase &k, int64_t L) {
  KilnConvParams p{};
  p.l1d_bytes = 32 * 1024, p.l2_bytes = 1024 * 1024; // CacheSizes' defaults
  p.L = L, p.N = k.N, p.C = k.C, p.H = k.H, p.W = k.W, p.M = k.M;
  p.KH = p.KW = 3, p.SH = p.SW = 1, p.DH = p.DW = 1, p.G = 1;
  p.PT = k.PT, p.PL = k.PL;
  p.OH = k.H + k.PT + k.PB - 2;
  p.OW = k.W + k.PL + k.PR - 2;
  p.input_blocked = 1, p.has_bias = k.bias, p.has_residual = k.residual;
  p.activation = k.act, p.act_alpha = 0.1, p.act_lo = -0.5, p.act_hi = 0.5;
  return p;
}

/// Replaces the direct conv's bounds in `ref` by the Winograd bound above.
void winogradBounds(const KilnConvParams &p, const std::vector<float> &x,
                    const std::vector<float> &w, const std::vector<float> &b,
                    const std::vector<float> &res, std::vector<RefVal> &ref) {
  const int64_t tH = (p.OH + 3) / 4, tW = (p.OW + 3) / 4;
  // |U| per (m, c) and |B^T||d||B| per (n, c, tile).
  std::vector<double> absU(p.M * p.C * 36), absV(p.N * p.C * tH * tW * 36);
  for (int64_t m = 0; m < p.M; ++m)
    for (int64_t c = 0; c < p.C; ++c) {
      const float *g = &w[(m * p.C + c) * 9];
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j) {
          double u = 0;
          for (int a = 0; a < 3; ++a)
            for (int bb = 0; bb < 3; ++bb)
              u += kG[i][a] * g[a * 3 + bb] * kG[j][bb];
          absU[(m * p.C + c) * 36 + i * 6 + j] = std::fabs(u);
        }
    }
  for (int64_t n = 0; n < p.N; ++n)
    for (int64_t c = 0; c < p.C; ++c)
      for (int64_t t = 0; t < tH * tW; ++t) {
        double d[6][6];
        for (int r = 0; r < 6; ++r)
          for (int q = 0; q < 6; ++q) {
            const int64_t ih = t / tW * 4 - p.PT + r, iw = t % tW * 4 - p.PL + q;
            d[r][q] = ih >= 0 && ih < p.H && iw >= 0 && iw < p.W
                          ? std::fabs(x[((n * p.C + c) * p.H + ih) * p.W + iw])
                          : 0;
          }
        for (int i = 0; i < 6; ++i)
          for (int j = 0; j < 6; ++j) {
            double v = 0;
            for (int r = 0; r < 6; ++r)
              for (int q = 0; q < 6; ++q)
                v += std::fabs(kBt[i][r]) * d[r][q] * std::fabs(kBt[j][q]);
            absV[((n * p.C + c) * tH * tW + t) * 36 + i * 6 + j] = v;
          }
      }
  for (int64_t n = 0; n < p.N; ++n)
    for (int64_t m = 0; m < p.M; ++m)
      for (int64_t t = 0; t < tH * tW; ++t) {
        double s[36] = {};
        for (int64_t c = 0; c < p.C; ++c)
          for (int k = 0; k < 36; ++k)
            s[k] += absU[(m * p.C + c) * 36 + k] *
                    absV[((n * p.C + c) * tH * tW + t) * 36 + k];
        for (int i = 0; i < 4; ++i)
          for (int j = 0; j < 4; ++j) {
            const int64_t oh = t / tW * 4 + i, ow = t % tW * 4 + j;
            if (oh >= p.OH || ow >= p.OW)
              continue;
            double a = 0;
            for (int r = 0; r < 6; ++r)
              for (int q = 0; q < 6; ++q)
                a += std::fabs(kAt[i][r]) * s[r * 6 + q] * std::fabs(kAt[j][q]);
            const int64_t oi = ((n * p.M + m) * p.OH + oh) * p.OW + ow;
            double extra = 0;
            if (p.has_bias)
              extra += std::fabs(b[m]);
            if (p.has_residual)
              extra += std::fabs(res[oi]);
            RefVal &r = ref[oi];
            r.bound = (p.C + 24) * kEps32 * a + 2 * kEps32 * extra +
                      1e-6 * std::fabs(r.v) + 1e-7;
          }
      }
}

template <int L> void runCase(const WinoCase &k, uint32_t seed) {
  CAPTURE(L);
  std::mt19937 rng(seed);
  const KilnConvParams p = makeParams(k, L);
  REQUIRE(kiln_conv2d_winograd_supported(&p) == 1);
  auto x = randomVec(p.N * p.C * p.H * p.W, rng);
  auto w = randomVec(p.M * p.C * 9, rng);
  auto b = randomVec(p.M, rng);
  auto res = randomVec(p.N * p.M * p.OH * p.OW, rng);

  std::vector<float> pw(kiln_conv2d_winograd_packed_size(&p));
  kiln_conv2d_winograd_pack_weights(&p, w.data(), pw.data());
  std::vector<float> pb(kiln_conv2d_packed_bias_size(&p));
  kiln_conv2d_pack_bias(&p, b.data(), pb.data());
  const std::vector<float> in = toBlocked(x, L, p.N, p.C, p.H, p.W);
  const std::vector<float> resB = toBlocked(res, L, p.N, p.M, p.OH, p.OW);

  // The Winograd bound on the sum, then carried through the activation.
  KilnConvParams sum = p;
  sum.activation = KILN_ACT_NONE;
  std::vector<RefVal> ref = convRef(sum, x, w, b, res);
  winogradBounds(sum, x, w, b, res, ref);
  for (RefVal &r : ref)
    r = activatedRef(r.v, r.bound, p.activation, p.act_alpha, p.act_lo, p.act_hi);
  const int64_t outSize = p.N * ((p.M + L - 1) / L) * p.OH * p.OW * L;
  const int64_t items = kiln_conv2d_winograd_work_items(&p);
  REQUIRE(items >= 1);

  auto run = [&](int64_t begin, int64_t end, std::vector<float> &out) {
    if constexpr (L == KILN_LANES) // the real entry point
      kiln_conv2d_winograd_f32_nchwc(&p, in.data(), pw.data(), pb.data(),
                                     resB.data(), out.data(), begin, end);
    else
      conv2dWinograd<L>(&p, in.data(), pw.data(), pb.data(), resB.data(),
                        out.data(), begin, end);
  };
  std::vector<float> out(outSize, NAN);
  run(0, items, out);
  checkBlocked(out, ref, L, p.N, p.M, p.OH, p.OW);

  // Any split of the work items gives bit-identical results.
  for (int64_t split : {int64_t(1), items / 2, items - 1}) {
    if (split <= 0 || split >= items)
      continue;
    std::vector<float> two(outSize, NAN);
    run(split, items, two);
    run(0, split, two);
    CHECK(std::equal(two.begin(), two.end(), out.begin()));
  }
}

void runAll(const WinoCase &k, uint32_t seed = 1) {
  runCase<16>(k, seed);
  runCase<8>(k, seed + 1);
  runCase<4>(k, seed + 2);
}

} // namespace

TEST_CASE("winograd: supported shapes only") {
  WinoCase k;
  KilnConvParams p = makeParams(k, KILN_LANES);
  CHECK(kiln_conv2d_winograd_supported(&p) == 1);
  p.SH = 2;
  CHECK(kiln_conv2d_winograd_supported(&p) == 0);
  p = makeParams(k, KILN_LANES);
  p.input_blocked = 0;
  CHECK(kiln_conv2d_winograd_supported(&p) == 0);
  p = makeParams(k, KILN_LANES);
  p.pool_kind = KILN_POOL_MAX;
  CHECK(kiln_conv2d_winograd_supported(&p) == 0);
  p = makeParams(k, KILN_LANES);
  p.KH = p.KW = 5;
  CHECK(kiln_conv2d_winograd_supported(&p) == 0);
}

TEST_CASE("winograd: odd sizes, pad 1, channels not a multiple of L") {
  WinoCase k;
  k.C = 19, k.M = 33, k.H = 9, k.W = 11, k.act = KILN_ACT_RELU;
  runAll(k);
}

TEST_CASE("winograd: pad 0 and asymmetric pads") {
  WinoCase k;
  k.C = 16, k.M = 32, k.H = 13, k.W = 7;
  k.PT = k.PL = k.PB = k.PR = 0;
  runAll(k);
  k.PT = 2, k.PL = 0, k.PB = 1, k.PR = 2, k.H = 6, k.W = 10;
  runAll(k, 7);
}

TEST_CASE("winograd: residual, activations, batch 2") {
  WinoCase k;
  k.N = 2, k.C = 24, k.M = 64, k.H = 10, k.W = 5, k.residual = true;
  for (int64_t act : fusableActivations()) {
    CAPTURE(act);
    k.act = act;
    runAll(k, 11 + (uint32_t)act);
  }
}

TEST_CASE("winograd: tiny image (one partial tile), no bias") {
  WinoCase k;
  k.C = 5, k.M = 7, k.H = 2, k.W = 3, k.bias = false;
  runAll(k);
}

TEST_CASE("winograd: many channels (channel chunks, shared weight chunks)") {
  // With L = 16 the item's weights exceed 1 MB: two register tiles per item
  // and several input chunks.
  WinoCase k;
  k.C = 128, k.M = 64, k.H = 10, k.W = 11, k.residual = true,
  k.act = KILN_ACT_RELU;
  const KilnConvParams p = makeParams(k, 16);
  const WinoPlan s = winoPlan(&p);
  CHECK(s.sub == 2);
  CHECK(s.nChunks > 1);
  runAll(k);
}
