//===- GemmPoolReorderTest.cpp - GEMM, pooling and reorder kernels --------===//
//
// Compared with plain-loop references for L = 16, 8 and 4. Tolerance: see
// KernelTestUtil.h.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/GemmImpl.h"
#include "compiler/codegen/kernels/PoolImpl.h"
#include "compiler/codegen/kernels/ReorderImpl.h"
#include "tests/kernels/KernelTestUtil.h"

#include <array>

using namespace kiln::kernels;
using namespace kiln::kernels::test;

namespace {

struct GemmCase {
  int64_t M, N, K;
  bool transA, transB;
  double alpha, beta;
  int64_t cLen; // 0: no C, 1: scalar, N: vector
  int64_t act;
};

template <int L> void runGemm(const GemmCase &k, uint32_t seed) {
  CAPTURE(L);
  std::mt19937 rng(seed);
  KilnGemmParams p{};
  p.L = L, p.M = k.M, p.N = k.N, p.K = k.K, p.trans_a = k.transA;
  p.has_bias = k.cLen != 0, p.activation = k.act, p.act_alpha = 0.2;
  p.act_lo = -0.3, p.act_hi = 0.4;
  auto a = randomVec(k.M * k.K, rng), b = randomVec(k.K * k.N, rng);
  auto c = randomVec(std::max<int64_t>(k.cLen, 1), rng);
  std::vector<float> pb(kiln_gemm_packed_size(&p)), pc(kiln_gemm_packed_bias_size(&p));
  kiln_gemm_pack_b(&p, b.data(), k.transB, k.alpha, pb.data());
  kiln_gemm_pack_bias(&p, k.cLen ? c.data() : nullptr, k.cLen, k.beta, pc.data());

  std::vector<float> y(k.M * k.N, NAN);
  const int64_t items = kiln_gemm_work_items(&p);
  // Items one by one in reverse: any split must give the same result.
  for (int64_t i = items - 1; i >= 0; --i) {
    if constexpr (L == KILN_LANES)
      kiln_gemm_f32_packed(&p, a.data(), pb.data(), pc.data(), y.data(), i, i + 1);
    else
      gemm<L>(&p, a.data(), pb.data(), pc.data(), y.data(), i, i + 1);
  }
  int64_t bad = 0;
  for (int64_t m = 0; m < k.M; ++m)
    for (int64_t n = 0; n < k.N; ++n) {
      double s = 0, abs = 0;
      for (int64_t kk = 0; kk < k.K; ++kk) {
        const double av = k.transA ? a[kk * k.M + m] : a[m * k.K + kk];
        const double bv = k.transB ? b[n * k.K + kk] : b[kk * k.N + n];
        s += k.alpha * av * bv, abs += std::fabs(k.alpha * av * bv);
      }
      if (k.cLen) {
        const double cv = k.beta * (k.cLen == 1 ? c[0] : c[n]);
        s += cv, abs += std::fabs(cv);
      }
      const RefVal r = activatedRef(s, (k.K + 3) * kEps32 * abs, k.act, 0.2, -0.3, 0.4);
      const double v = r.v, bound = r.bound;
      const float g = y[m * k.N + n];
      if (!(std::fabs(g - v) <= bound) && bad++ < 5)
        FAIL_CHECK("m=" << m << " n=" << n << ": got " << g << " want " << v);
    }
  CHECK(bad == 0);
}

void runGemmAll(const GemmCase &k) {
  runGemm<16>(k, 1);
  runGemm<8>(k, 2);
  runGemm<4>(k, 3);
}

template <int L> void runPool(const KilnPoolParams &base, uint32_t seed) {
  CAPTURE(L);
  KilnPoolParams p = base;
  p.L = L;
  std::mt19937 rng(seed);
  auto x = randomVec(p.N * p.C * p.H * p.W, rng);
  std::vector<RefVal> xr(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    xr[i] = {x[i], 0};
  auto ref = poolRef(xr, p.N, p.C, p.H, p.W, p.OH, p.OW, p.KH, p.KW, p.SH, p.SW,
                     p.PT, p.PL, p.PB, p.PR, p.DH, p.DW, p.kind == KILN_POOL_MAX,
                     p.count_pad);
  for (auto &r : ref)
    r.bound += p.KH * p.KW * kEps32 * std::fabs(r.v) + 1e-7;
  const auto in = toBlocked(x, L, p.N, p.C, p.H, p.W);
  std::vector<float> out(p.N * ((p.C + L - 1) / L) * p.OH * p.OW * L, NAN);
  const int64_t items = kiln_pool2d_work_items(&p);
  if constexpr (L == KILN_LANES)
    kiln_pool2d_f32_nchwc(&p, in.data(), out.data(), 0, items);
  else
    pool2d<L>(&p, in.data(), out.data(), 0, items);
  checkBlocked(out, ref, L, p.N, p.C, p.OH, p.OW);
}

void runPoolAll(const KilnPoolParams &p) {
  runPool<16>(p, 1);
  runPool<8>(p, 2);
  runPool<4>(p, 3);
}

KilnPoolParams poolParams(int64_t C, int64_t H, int64_t W, int64_t K, int64_t S,
                          int64_t pad, int64_t D, bool ceil, int64_t kind,
                          bool countPad) {
  KilnPoolParams p{};
  p.N = 2, p.C = C, p.H = H, p.W = W, p.KH = p.KW = K, p.SH = p.SW = S;
  p.PT = p.PL = p.PB = p.PR = pad, p.DH = p.DW = D, p.kind = kind;
  p.count_pad = countPad;
  auto out = [&](int64_t in) {
    const int64_t span = in + 2 * pad - (D * (K - 1) + 1);
    int64_t o = (ceil ? (span + S - 1) / S : span / S) + 1;
    if (ceil && (o - 1) * S >= in + pad)
      --o;
    return o;
  };
  p.OH = out(H), p.OW = out(W);
  return p;
}

template <int L> void runReorder(int64_t N, int64_t C, int64_t H, int64_t W) {
  CAPTURE(L);
  KilnReorderParams p{L, N, C, H, W};
  std::mt19937 rng(7);
  auto x = randomVec(N * C * H * W, rng);
  const auto want = toBlocked(x, L, N, C, H, W);
  std::vector<float> blocked(want.size(), NAN), back(x.size(), NAN);
  const int64_t items = kiln_reorder_work_items(&p);
  reorderToBlocked<L>(&p, x.data(), blocked.data(), 0, items);
  CHECK(blocked == want);
  reorderToPlain<L>(&p, blocked.data(), back.data(), 0, items);
  CHECK(back == x);
}

} // namespace

TEST_CASE("gemm: batch 1 GEMV, odd N, transB, bias vector") {
  runGemmAll({1, 37, 50, false, true, 1.0, 1.0, 37, KILN_ACT_NONE});
  runGemmAll({1, 64, 33, false, false, 0.5, 2.0, 64, KILN_ACT_RELU});
}

TEST_CASE("gemm: batches 2..17 with row tiles and remainders") {
  for (int64_t M : {2, 3, 8, 9, 17})
    runGemmAll({M, 70, 29, false, true, 1.0, 1.0, 70, KILN_ACT_RELU});
}

TEST_CASE("gemm: transA, scalar and absent C, activations") {
  runGemmAll({5, 20, 13, true, false, 1.5, 0.5, 1, KILN_ACT_CLIP});
  runGemmAll({3, 9, 1, false, false, 1.0, 1.0, 0, KILN_ACT_SIGMOID});
  runGemmAll({4, 48, 40, true, true, 1.0, 1.0, 48, KILN_ACT_LEAKY_RELU});
  for (int64_t act : fusableActivations()) {
    CAPTURE(act);
    runGemmAll({6, 33, 17, false, true, 1.0, 1.0, 33, act});
  }
}

TEST_CASE("pool2d: max 3x3/2 pad 1 ceil, dilated max, padded channels") {
  runPoolAll(poolParams(19, 13, 12, 3, 2, 1, 1, true, KILN_POOL_MAX, false));
  runPoolAll(poolParams(16, 11, 11, 2, 1, 1, 2, false, KILN_POOL_MAX, false));
}

TEST_CASE("pool2d: average with and without count_include_pad") {
  runPoolAll(poolParams(20, 9, 10, 3, 2, 1, 1, true, KILN_POOL_AVG, false));
  runPoolAll(poolParams(20, 9, 10, 3, 2, 1, 1, true, KILN_POOL_AVG, true));
  runPoolAll(poolParams(8, 7, 7, 7, 1, 0, 1, false, KILN_POOL_AVG, false));
}

template <int L> void runGlobal(int64_t kind) {
  CAPTURE(L);
  KilnGlobalPoolParams p{L, 2, 21, 7, 5, kind};
  std::mt19937 rng(9);
  auto x = randomVec(p.N * p.C * p.H * p.W, rng);
  const auto in = toBlocked(x, L, p.N, p.C, p.H, p.W);
  std::vector<float> out(p.N * ((p.C + L - 1) / L) * L, NAN);
  globalPool<L>(&p, in.data(), out.data(), 0, kiln_global_pool_work_items(&p));
  std::vector<RefVal> ref(p.N * p.C);
  for (int64_t nc = 0; nc < p.N * p.C; ++nc) {
    double v = kind == KILN_POOL_MAX ? -INFINITY : 0;
    for (int64_t i = 0; i < p.H * p.W; ++i)
      v = kind == KILN_POOL_MAX ? std::max<double>(v, x[nc * p.H * p.W + i])
                                : v + x[nc * p.H * p.W + i];
    if (kind == KILN_POOL_AVG)
      v /= p.H * p.W;
    ref[nc] = {v, p.H * p.W * kEps32 + 1e-6 * std::fabs(v) + 1e-7};
  }
  checkBlocked(out, ref, L, p.N, p.C, 1, 1);
}

TEST_CASE("global pool: average and max, padded channels") {
  for (int64_t kind : {KILN_POOL_AVG, KILN_POOL_MAX}) {
    runGlobal<16>(kind);
    runGlobal<8>(kind);
    runGlobal<4>(kind);
  }
}

TEST_CASE("reorder: plain <-> blocked round trip") {
  for (auto [n, c, h, w] : {std::array<int64_t, 4>{1, 3, 5, 7},
                            std::array<int64_t, 4>{2, 33, 4, 9},
                            std::array<int64_t, 4>{1, 64, 6, 6}}) {
    runReorder<16>(n, c, h, w);
    runReorder<8>(n, c, h, w);
    runReorder<4>(n, c, h, w);
  }
}
