//===- ConvTest.cpp - kiln_conv2d_f32_nchwc against the reference ---------===//
//
// Each case runs for L = 16, 8 and 4 (generic vectors work on any target),
// through the templated kernel, and for the native lanes also through the
// extern "C" entry point. Tolerance: see KernelTestUtil.h.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/ConvImpl.h"
#include "tests/kernels/KernelTestUtil.h"

using namespace kiln::kernels;
using namespace kiln::kernels::test;

namespace {

/// A conv layer description; zero pool_kind means no pooling.
struct ConvCase {
  int64_t N = 1, C = 8, H = 9, W = 9, M = 16, KH = 3, KW = 3, SH = 1, SW = 1;
  int64_t PT = 1, PL = 1, PB = 1, PR = 1, DH = 1, DW = 1, G = 1;
  bool blocked = true, bias = true, residual = false;
  int64_t act = KILN_ACT_NONE;
  double alpha = 0.1, lo = -0.5, hi = 0.5;
  int64_t pool = KILN_POOL_NONE, pkh = 3, pkw = 3, psh = 2, psw = 2;
  int64_t ppt = 0, ppl = 0, ppb = 0, ppr = 0;
  bool ceil = false, countPad = false;
};

KilnConvParams makeParams(const ConvCase &k, int64_t L) {
  KilnConvParams p{};
  p.l1d_bytes = 32 * 1024, p.l2_bytes = 1024 * 1024; // CacheSizes' defaults
  p.L = L, p.N = k.N, p.C = k.C, p.H = k.H, p.W = k.W, p.M = k.M;
  p.KH = k.KH, p.KW = k.KW, p.SH = k.SH, p.SW = k.SW, p.PT = k.PT, p.PL = k.PL;
  p.DH = k.DH, p.DW = k.DW, p.G = k.G;
  p.OH = (k.H + k.PT + k.PB - (k.DH * (k.KH - 1) + 1)) / k.SH + 1;
  p.OW = (k.W + k.PL + k.PR - (k.DW * (k.KW - 1) + 1)) / k.SW + 1;
  p.input_blocked = k.blocked, p.has_bias = k.bias, p.has_residual = k.residual;
  p.activation = k.act, p.act_alpha = k.alpha, p.act_lo = k.lo, p.act_hi = k.hi;
  p.pool_kind = k.pool;
  if (k.pool != KILN_POOL_NONE) {
    p.pool_kh = k.pkh, p.pool_kw = k.pkw, p.pool_sh = k.psh, p.pool_sw = k.psw;
    p.pool_pt = k.ppt, p.pool_pl = k.ppl, p.pool_pb = k.ppb, p.pool_pr = k.ppr;
    auto outDim = [&](int64_t in, int64_t kk, int64_t s, int64_t pa, int64_t pb) {
      const int64_t span = in + pa + pb - kk;
      return (k.ceil ? (span + s - 1) / s : span / s) + 1;
    };
    p.pool_oh = outDim(p.OH, k.pkh, k.psh, k.ppt, k.ppb);
    p.pool_ow = outDim(p.OW, k.pkw, k.psw, k.ppl, k.ppr);
    // ONNX ceil mode: the last window must start inside the input or the
    // top/left padding.
    if (k.ceil && (p.pool_oh - 1) * k.psh >= p.OH + k.ppt)
      --p.pool_oh;
    if (k.ceil && (p.pool_ow - 1) * k.psw >= p.OW + k.ppl)
      --p.pool_ow;
    p.pool_count_pad = k.countPad;
  }
  return p;
}

template <int L> void runCase(const ConvCase &k, uint32_t seed) {
  CAPTURE(L);
  std::mt19937 rng(seed);
  const KilnConvParams p = makeParams(k, L);
  REQUIRE(p.OH > 0);
  REQUIRE(p.OW > 0);
  REQUIRE(kiln_conv2d_can_fuse_pool(&p) == 1);
  const int64_t Cg = p.C / p.G;
  auto x = randomVec(p.N * p.C * p.H * p.W, rng);
  auto w = randomVec(p.M * Cg * p.KH * p.KW, rng);
  auto b = randomVec(p.M, rng);
  auto res = randomVec(p.N * p.M * p.OH * p.OW, rng);

  std::vector<float> pw(kiln_conv2d_packed_size(&p));
  kiln_conv2d_pack_weights(&p, w.data(), pw.data());
  std::vector<float> pb(kiln_conv2d_packed_bias_size(&p));
  kiln_conv2d_pack_bias(&p, b.data(), pb.data());
  const std::vector<float> in = p.input_blocked ? toBlocked(x, L, p.N, p.C, p.H, p.W) : x;
  const std::vector<float> resB = toBlocked(res, L, p.N, p.M, p.OH, p.OW);

  std::vector<RefVal> ref = convRef(p, x, w, b, res);
  int64_t OH = p.OH, OW = p.OW;
  if (p.pool_kind != KILN_POOL_NONE) {
    ref = poolRef(ref, p.N, p.M, p.OH, p.OW, p.pool_oh, p.pool_ow, p.pool_kh,
                  p.pool_kw, p.pool_sh, p.pool_sw, p.pool_pt, p.pool_pl,
                  p.pool_pb, p.pool_pr, 1, 1, p.pool_kind == KILN_POOL_MAX,
                  p.pool_count_pad);
    OH = p.pool_oh, OW = p.pool_ow;
  }
  const int64_t outSize = p.N * ((p.M + L - 1) / L) * OH * OW * L;
  const int64_t items = kiln_conv2d_work_items(&p);
  REQUIRE(items >= 1);

  auto run = [&](int64_t begin, int64_t end, std::vector<float> &out) {
    if constexpr (L == KILN_LANES) // the real entry point
      kiln_conv2d_f32_nchwc(&p, in.data(), pw.data(), pb.data(), resB.data(),
                            out.data(), begin, end);
    else
      conv2d<L>(&p, in.data(), pw.data(), pb.data(), resB.data(), out.data(),
                begin, end);
  };
  std::vector<float> out(outSize, NAN);
  run(0, items, out);
  checkBlocked(out, ref, L, p.N, p.M, OH, OW);

  // Any split of the work items gives bit-identical results.
  for (int64_t split : {int64_t(1), items / 3, items / 2, items - 1}) {
    if (split <= 0 || split >= items)
      continue;
    std::vector<float> two(outSize, NAN);
    run(split, items, two);
    run(0, split, two);
    CHECK(std::equal(two.begin(), two.end(), out.begin()));
  }
  std::vector<float> one(outSize, NAN);
  for (int64_t i = items - 1; i >= 0; --i)
    run(i, i + 1, one);
  CHECK(std::equal(one.begin(), one.end(), out.begin()));
}

void runAll(const ConvCase &k, uint32_t seed = 1) {
  runCase<16>(k, seed);
  runCase<8>(k, seed + 1);
  runCase<4>(k, seed + 2);
}

} // namespace

TEST_CASE("conv: plain 3-channel input, output channels not a multiple of L") {
  ConvCase k;
  k.blocked = false, k.C = 3, k.H = 13, k.W = 11, k.M = 20;
  k.act = KILN_ACT_RELU;
  runAll(k);
}

TEST_CASE("conv: plain input, 7x7 stride 2 pad 3 (ResNet stem shape)") {
  ConvCase k;
  k.blocked = false, k.C = 3, k.H = 19, k.W = 23, k.M = 32;
  k.KH = k.KW = 7, k.SH = k.SW = 2, k.PT = k.PL = k.PB = k.PR = 3;
  runAll(k);
}

TEST_CASE("conv: blocked input with padded channels and odd sizes") {
  ConvCase k;
  k.C = 19, k.M = 33, k.H = 7, k.W = 17, k.KH = 3, k.KW = 5;
  k.PT = 1, k.PB = 1, k.PL = 2, k.PR = 2;
  runAll(k);
}

TEST_CASE("conv: padding larger than the kernel") {
  ConvCase k;
  k.C = 16, k.M = 32, k.H = 5, k.W = 6, k.PT = 4, k.PL = 4, k.PB = 3, k.PR = 5;
  runAll(k);
}

TEST_CASE("conv: wide rows (several tiles and a partial last tile)") {
  ConvCase k;
  k.C = 16, k.M = 32, k.H = 4, k.W = 45;
  runAll(k);
}

TEST_CASE("conv: narrow rows with four output blocks per tile") {
  ConvCase k;
  k.C = 32, k.M = 64, k.H = 7, k.W = 7;
  k.residual = true, k.act = KILN_ACT_RELU;
  runAll(k);
}

TEST_CASE("conv: channel chunks (weights past L1), residual, partial tiles") {
  // 8+ input blocks of 3x3 weights per item: the kernel walks the input
  // channels in chunks with partial sums in the output, bands of rows.
  ConvCase k;
  k.C = 136, k.M = 48, k.H = 7, k.W = 9;
  k.residual = true, k.act = KILN_ACT_RELU;
  for (int64_t L : {16, 8, 4}) {
    const KilnConvParams p = makeParams(k, L);
    const ConvPlan s = convPlan(&p);
    CAPTURE(L);
    CHECK(s.cbChunk < s.Cgb);
  }
  runAll(k);
  // 1x1 over many channels, rows of 7 (ResNet's last stage), batch 2.
  ConvCase k1;
  k1.N = 2, k1.C = 512, k1.M = 64, k1.H = 7, k1.W = 7;
  k1.KH = k1.KW = 1, k1.PT = k1.PL = k1.PB = k1.PR = 0;
  k1.residual = true, k1.act = KILN_ACT_CLIP;
  const KilnConvParams p1 = makeParams(k1, 16);
  CHECK(convPlan(&p1).cbChunk < convPlan(&p1).Cgb);
  CHECK(convPlan(&p1).nw == 7);
  runAll(k1);
  // Stride 2 with padding on both sides and a partial last tile.
  ConvCase k2;
  k2.C = 160, k2.M = 32, k2.H = 15, k2.W = 31, k2.SH = k2.SW = 2;
  runAll(k2);
}

TEST_CASE("conv: band-major items (input past L2, weights within it)") {
  // ResNet's stride-2 1x1 downsample shape, smaller: the input (256 channels
  // of 48x40 = 1.9 MB) outgrows the params' 1 MB L2, the weights do not, so
  // items go band by band; channel chunks too (weights past L1). Batch 2 and
  // a residual cross the band and image boundaries.
  ConvCase k;
  k.N = 2, k.C = 256, k.M = 96, k.H = 48, k.W = 40;
  k.KH = k.KW = 1, k.PT = k.PL = k.PB = k.PR = 0, k.SH = k.SW = 2;
  k.residual = true, k.act = KILN_ACT_RELU;
  for (int64_t L : {16, 8, 4}) {
    const KilnConvParams p = makeParams(k, L);
    const ConvPlan s = convPlan(&p);
    CAPTURE(L);
    CHECK(s.bandMajor);
    CHECK(s.nBands > 1);
    if (L == 16) // smaller blocks keep an item's weights within L1
      CHECK(s.cbChunk < s.Cgb);
    // The plan follows the target's caches: with a 4 MB L2 the input fits
    // and items go oc group by oc group; with a 64 KB L1D, no chunking.
    KilnConvParams big = p;
    big.l2_bytes = 4 * 1024 * 1024;
    CHECK(!convPlan(&big).bandMajor);
    big.l1d_bytes = 64 * 1024;
    if (L == 16)
      CHECK(convPlan(&big).cbChunk == convPlan(&big).Cgb);
  }
  runAll(k);
  // Unchunked (weights within L1), stride 1: bands of several rows.
  ConvCase k1;
  k1.C = 64, k1.M = 64, k1.H = 72, k1.W = 64;
  k1.KH = k1.KW = 1, k1.PT = k1.PL = k1.PB = k1.PR = 0;
  k1.act = KILN_ACT_RELU;
  const KilnConvParams p1 = makeParams(k1, 16);
  CHECK(convPlan(&p1).bandMajor);
  CHECK(convPlan(&p1).cbChunk == convPlan(&p1).Cgb);
  CHECK(convPlan(&p1).bandRows > 1);
  runAll(k1);
}

TEST_CASE("conv: groups") {
  // Per-group channels are multiples of every L tested (16).
  ConvCase k;
  k.G = 2, k.C = 2 * 16, k.M = 4 * 16, k.H = 8, k.W = 9, k.SH = k.SW = 2;
  runAll(k);
  k.C = 4 * 16, k.M = 4 * 32, k.H = 6, k.W = 6, k.KH = k.KW = 1, k.SH = k.SW = 1;
  k.PT = k.PL = k.PB = k.PR = 0;
  runAll(k);
}

TEST_CASE("conv: plain input with groups") {
  ConvCase k;
  k.blocked = false, k.G = 2, k.C = 6, k.M = 32, k.H = 7, k.W = 8;
  runAll(k);
}

TEST_CASE("conv: stride larger than the kernel") {
  ConvCase k;
  k.C = 8, k.M = 16, k.H = 11, k.W = 13, k.KH = k.KW = 2, k.SH = 3, k.SW = 3;
  k.PT = k.PL = k.PB = k.PR = 0;
  runAll(k);
}

TEST_CASE("conv: dilation 2") {
  ConvCase k;
  k.C = 16, k.M = 16, k.H = 10, k.W = 12, k.DH = k.DW = 2;
  k.PT = k.PL = k.PB = k.PR = 2;
  runAll(k);
}

TEST_CASE("conv: 1x1, stride 2, batch 2") {
  ConvCase k;
  k.N = 2, k.C = 40, k.M = 64, k.H = 9, k.W = 15, k.KH = k.KW = 1;
  k.SH = k.SW = 2, k.PT = k.PL = k.PB = k.PR = 0;
  runAll(k);
}

TEST_CASE("conv: fused residual and activations") {
  ConvCase k;
  k.N = 2, k.C = 24, k.M = 24, k.H = 6, k.W = 10, k.residual = true;
  for (int64_t act : fusableActivations()) {
    CAPTURE(act);
    k.act = act;
    runAll(k);
  }
}

TEST_CASE("conv: fused relu + overlapping max pool 3x3/2, ceil mode") {
  ConvCase k;
  k.N = 2, k.C = 16, k.M = 32, k.H = 14, k.W = 16, k.act = KILN_ACT_RELU;
  k.pool = KILN_POOL_MAX, k.pkh = k.pkw = 3, k.psh = k.psw = 2, k.ceil = true;
  runAll(k);
  k.ppt = k.ppl = k.ppb = k.ppr = 1; // ResNet's stem pool
  k.blocked = false, k.C = 3, k.KH = k.KW = 7, k.SH = k.SW = 2;
  k.PT = k.PL = k.PB = k.PR = 3, k.H = 29, k.W = 27;
  runAll(k);
}

TEST_CASE("conv: fused max pool 2x2/2 over odd dims (floor and ceil)") {
  ConvCase k;
  k.C = 8, k.M = 16, k.H = 11, k.W = 13, k.act = KILN_ACT_RELU;
  k.pool = KILN_POOL_MAX, k.pkh = k.pkw = 2, k.psh = k.psw = 2;
  runAll(k);
  k.ceil = true;
  runAll(k);
}

TEST_CASE("conv: fused average pool with and without count_include_pad") {
  ConvCase k;
  k.C = 16, k.M = 48, k.H = 9, k.W = 10;
  k.pool = KILN_POOL_AVG, k.pkh = 3, k.pkw = 2, k.psh = 2, k.psw = 2;
  k.ppt = 1, k.ppl = 1, k.ppb = 1, k.ppr = 0, k.ceil = true;
  k.countPad = false;
  runAll(k);
  k.countPad = true;
  runAll(k);
}

TEST_CASE("conv: pool band boundaries with many pooled rows") {
  ConvCase k;
  k.C = 8, k.M = 16, k.H = 70, k.W = 9, k.act = KILN_ACT_RELU;
  k.pool = KILN_POOL_MAX, k.pkh = 3, k.pkw = 3, k.psh = 2, k.psw = 2;
  k.ppt = k.ppl = k.ppb = k.ppr = 1;
  runAll(k);
}

TEST_CASE("conv: random shapes") {
  std::mt19937 rng(42);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  for (int t = 0; t < 12; ++t) {
    ConvCase k;
    k.N = pick(1, 2);
    k.blocked = pick(0, 3) != 0;
    k.C = pick(1, 40), k.M = pick(1, 40);
    k.KH = pick(1, 4), k.KW = pick(1, 4), k.SH = pick(1, 3), k.SW = pick(1, 3);
    k.DH = pick(1, 2), k.DW = pick(1, 2);
    k.PT = pick(0, 3), k.PL = pick(0, 3), k.PB = pick(0, 3), k.PR = pick(0, 3);
    k.H = pick(k.DH * (k.KH - 1) + 1, 20), k.W = pick(k.DW * (k.KW - 1) + 1, 30);
    k.bias = pick(0, 1), k.residual = pick(0, 1), k.act = pick(0, 4);
    CAPTURE(t);
    runAll(k, 100 + t);
  }
}
