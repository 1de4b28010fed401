//===- ConvPoolTest.cpp - Reference conv, pooling, normalization ----------===//

#include "compiler/reference/Kernels.h"
#include "tests/reference/TestUtil.h"

using namespace kiln;
using namespace kiln::ref;
using namespace kiln::test;

namespace {

Attrs convAttrs(Dims kernel, Dims strides, Dims pads, Dims dilations, int64_t group) {
  return attrs({{"kernel", kernel}, {"strides", strides}, {"pads", pads},
                {"dilations", dilations}, {"group", group}});
}

/// The convolution definition with every bounds check spelled out, to compare
/// conv2d_ref's range-splitting loop nest against.
Tensor naiveConv(const Tensor &x, const Tensor &w, const Tensor *b, Dims s, Dims p,
                 Dims d, int64_t group, int64_t OH, int64_t OW) {
  int64_t N = x.dims()[0], C = x.dims()[1], H = x.dims()[2], W = x.dims()[3];
  int64_t M = w.dims()[0], Cg = w.dims()[1], KH = w.dims()[2], KW = w.dims()[3];
  Tensor y = Tensor::zeros({DType::F32, {N, M, OH, OW}});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b ? b->f32[size_t(m)] : 0.0;
          int64_t g = m / (M / group);
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                int64_t ih = oh * s[0] - p[0] + kh * d[0];
                int64_t iw = ow * s[1] - p[1] + kw * d[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W)
                  continue;
                acc += double(x.f32[size_t(((n * C + g * Cg + c) * H + ih) * W + iw)]) *
                       w.f32[size_t(((m * Cg + c) * KH + kh) * KW + kw)];
              }
          y.f32[size_t(((n * M + m) * OH + oh) * OW + ow)] = float(acc);
        }
  return y;
}

} // namespace

TEST_CASE("conv2d_ref: 3x3 ones, pads 1, strides 2 (ONNX test_conv_with_strides_padding)") {
  Tensor x = iota({1, 1, 5, 5});
  Tensor w = Tensor::fromF32({1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  Tensor y = conv2d_ref(x, w, nullptr, convAttrs({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 1));
  checkTensor(y, {1, 1, 3, 3}, {12, 27, 24, 63, 108, 81, 72, 117, 84});
}

TEST_CASE("conv2d_ref: groups apply each filter to its own channels, plus bias") {
  Tensor x = Tensor::fromF32({1, 2, 2, 2}, {1, 1, 1, 1, 2, 2, 2, 2});
  Tensor w = Tensor::fromF32({2, 1, 1, 1}, {3, 5});
  Tensor b = Tensor::fromF32({2}, {1, -1});
  Tensor y = conv2d_ref(x, w, &b, convAttrs({1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 2));
  checkTensor(y, {1, 2, 2, 2}, {4, 4, 4, 4, 9, 9, 9, 9});
}

TEST_CASE("conv2d_ref: dilation 2 reads every other pixel") {
  Tensor x = iota({1, 1, 3, 3});
  Tensor w = Tensor::fromF32({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor y = conv2d_ref(x, w, nullptr, convAttrs({2, 2}, {1, 1}, {0, 0, 0, 0}, {2, 2}, 1));
  checkTensor(y, {1, 1, 1, 1}, {0 + 2 + 6 + 8});
}

TEST_CASE("conv2d_ref: asymmetric pads (top only)") {
  Tensor x = Tensor::fromF32({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = Tensor::fromF32({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor y = conv2d_ref(x, w, nullptr, convAttrs({2, 2}, {1, 1}, {1, 0, 0, 0}, {1, 1}, 1));
  checkTensor(y, {1, 1, 2, 1}, {3, 10});
}

TEST_CASE("conv2d_ref matches the definition on awkward shapes") {
  struct Case {
    Dims x, w, strides, pads, dilations;
    int64_t group;
  };
  const Case cases[] = {
      {{1, 3, 7, 5}, {4, 3, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1},
      {{2, 4, 9, 8}, {6, 2, 3, 2}, {2, 3}, {0, 1, 2, 0}, {1, 1}, 2},  // groups, odd stride
      {{1, 3, 6, 7}, {3, 1, 3, 3}, {1, 1}, {1, 1, 1, 1}, {2, 3}, 3},  // depthwise, dilated
      {{1, 2, 4, 4}, {5, 2, 2, 2}, {3, 3}, {4, 4, 4, 4}, {1, 1}, 1},  // pad > kernel, stride > kernel
      {{1, 1, 1, 17}, {2, 1, 1, 5}, {1, 2}, {0, 3, 0, 1}, {1, 2}, 1}, // one row
      {{1, 8, 5, 5}, {8, 2, 1, 1}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 4},  // 1x1, strided
  };
  uint32_t seed = 1;
  for (const Case &c : cases) {
    Tensor x = pseudoRandom(c.x, seed++), w = pseudoRandom(c.w, seed++);
    Tensor b = pseudoRandom({c.w[0]}, seed++);
    int64_t OH = windowOutputSize(c.x[2], c.w[2], c.strides[0], c.pads[0], c.pads[2],
                                  c.dilations[0], false);
    int64_t OW = windowOutputSize(c.x[3], c.w[3], c.strides[1], c.pads[1], c.pads[3],
                                  c.dilations[1], false);
    Attrs a = convAttrs({c.w[2], c.w[3]}, c.strides, c.pads, c.dilations, c.group);
    Tensor want = naiveConv(x, w, &b, c.strides, c.pads, c.dilations, c.group, OH, OW);
    Tensor got = conv2d_ref(x, w, &b, a);
    checkTensor(got, want.dims(), want.f32, 1e-5f);
    // Splitting output channels over threads changes nothing, bit for bit.
    Tensor threaded = conv2d_ref(x, w, &b, a, /*threads=*/3);
    CHECK(threaded.f32 == got.f32);
  }
}

TEST_CASE("windowOutputSize: floor, ceil, and ceil never starting in the end padding") {
  CHECK(windowOutputSize(4, 3, 2, 0, 0, 1, false) == 1);
  CHECK(windowOutputSize(4, 3, 2, 0, 0, 1, true) == 2);
  // in 5, k 2, s 2, pads 0/1: ceil gives 3 windows, the third would start at
  // 4 (inside the input) -> kept; with pads 0/2 a 4th would start at 6 -> dropped.
  CHECK(windowOutputSize(5, 2, 2, 0, 1, 1, true) == 3);
  CHECK(windowOutputSize(5, 2, 2, 0, 2, 1, true) == 3);
  CHECK(windowOutputSize(2, 5, 1, 0, 0, 1, false) == -1);
}

TEST_CASE("maxpool2d_ref: ceil_mode adds a partial last window") {
  Attrs a = attrs({{"kernel", Dims{3, 3}}, {"strides", Dims{2, 2}}, {"pads", Dims{0, 0, 0, 0}},
                   {"dilations", Dims{1, 1}}, {"ceil_mode", int64_t(1)}});
  checkTensor(maxpool2d_ref(iota({1, 1, 4, 4}), a), {1, 1, 2, 2}, {10, 11, 14, 15});
  a.set("ceil_mode", int64_t(0));
  checkTensor(maxpool2d_ref(iota({1, 1, 4, 4}), a), {1, 1, 1, 1}, {10});
}

TEST_CASE("maxpool2d_ref: padding never wins, dilation skips") {
  Tensor x = Tensor::fromF32({1, 1, 2, 2}, {-4, -3, -2, -1});
  Attrs a = attrs({{"kernel", Dims{2, 2}}, {"strides", Dims{1, 1}}, {"pads", Dims{1, 1, 1, 1}},
                   {"dilations", Dims{1, 1}}, {"ceil_mode", int64_t(0)}});
  checkTensor(maxpool2d_ref(x, a), {1, 1, 3, 3}, {-4, -3, -3, -2, -1, -1, -2, -1, -1});
  a = attrs({{"kernel", Dims{2, 2}}, {"strides", Dims{1, 1}}, {"pads", Dims{0, 0, 0, 0}},
             {"dilations", Dims{2, 2}}, {"ceil_mode", int64_t(0)}});
  checkTensor(maxpool2d_ref(iota({1, 1, 3, 4}), a), {1, 1, 1, 2}, {10, 11});
}

TEST_CASE("maxpool2d_indices_ref: flattened over N and C, first maximum, storage_order") {
  // Two channels of 3x3; channel 1 holds ties (all 7s but one 8).
  Tensor x = Tensor::fromF32({1, 2, 3, 3}, {0, 5, 2, 9, 4, 1, 3, 8, 6, //
                                            7, 7, 7, 7, 7, 7, 7, 7, 8});
  Attrs a = attrs({{"kernel", Dims{2, 2}}, {"strides", Dims{1, 1}}, {"pads", Dims{0, 0, 0, 0}},
                   {"dilations", Dims{1, 1}}, {"ceil_mode", int64_t(0)},
                   {"storage_order", int64_t(0)}});
  Tensor y = maxpool2d_indices_ref(x, a);
  CHECK(y.type == TensorType{DType::I64, {1, 2, 2, 2}});
  CHECK(y.i64 == std::vector<int64_t>{3, 1, 3, 7, 9, 10, 12, 17});
  // Column-major over H,W: index (h, w) is w*H + h within the plane.
  a.set("storage_order", int64_t(1));
  CHECK(maxpool2d_indices_ref(x, a).i64 == std::vector<int64_t>{1, 3, 1, 5, 9, 12, 10, 17});
  // Padding never wins; the values agree with maxpool2d_ref's.
  a = attrs({{"kernel", Dims{3, 3}}, {"strides", Dims{2, 2}}, {"pads", Dims{1, 1, 1, 1}},
             {"dilations", Dims{1, 1}}, {"ceil_mode", int64_t(0)}, {"storage_order", int64_t(0)}});
  Tensor neg = Tensor::fromF32({1, 1, 3, 3}, {-9, -8, -7, -6, -5, -4, -3, -2, -1});
  CHECK(maxpool2d_indices_ref(neg, a).i64 == std::vector<int64_t>{4, 5, 7, 8});
  Tensor vals = maxpool2d_ref(neg, a);
  for (size_t i = 0; i < 4; ++i)
    CHECK(vals.f32[i] == neg.f32[size_t(maxpool2d_indices_ref(neg, a).i64[i])]);
}

TEST_CASE("avgpool2d_ref: ceil_mode, count_include_pad") {
  Attrs a = attrs({{"kernel", Dims{3, 3}}, {"strides", Dims{2, 2}}, {"pads", Dims{0, 0, 0, 0}},
                   {"ceil_mode", int64_t(1)}, {"count_include_pad", int64_t(0)}});
  checkTensor(avgpool2d_ref(iota({1, 1, 4, 4}), a), {1, 1, 2, 2}, {5, 6.5, 11, 12.5});

  Tensor x = Tensor::fromF32({1, 1, 2, 2}, {1, 2, 3, 4});
  a = attrs({{"kernel", Dims{3, 3}}, {"strides", Dims{1, 1}}, {"pads", Dims{1, 1, 1, 1}},
             {"ceil_mode", int64_t(0)}, {"count_include_pad", int64_t(1)}});
  checkTensor(avgpool2d_ref(x, a), {1, 1, 2, 2}, {10.f / 9, 10.f / 9, 10.f / 9, 10.f / 9});
  a.set("count_include_pad", int64_t(0));
  checkTensor(avgpool2d_ref(x, a), {1, 1, 2, 2}, {2.5, 2.5, 2.5, 2.5});

  // What ceil_mode adds beyond the end padding is never counted.
  a = attrs({{"kernel", Dims{2, 2}}, {"strides", Dims{2, 2}}, {"pads", Dims{0, 0, 0, 0}},
             {"ceil_mode", int64_t(1)}, {"count_include_pad", int64_t(1)}});
  checkTensor(avgpool2d_ref(iota({1, 1, 3, 3}), a), {1, 1, 2, 2}, {2, 3.5, 6.5, 8});
}

TEST_CASE("global pools reduce every spatial axis") {
  Tensor x = iota({1, 2, 2, 3});
  checkTensor(globalavgpool_ref(x), {1, 2, 1, 1}, {2.5, 8.5});
  checkTensor(globalmaxpool_ref(x), {1, 2, 1, 1}, {5, 11});
}

TEST_CASE("lrn_ref: the window is [c - floor((size-1)/2), c + ceil((size-1)/2)]") {
  Tensor x = Tensor::fromF32({1, 3, 1, 1}, {1, 2, 3});
  // alpha/size == 1, beta 1, bias 1: y = x / (1 + sum of squares).
  Attrs a = attrs({{"size", int64_t(3)}, {"alpha", 3.0}, {"beta", 1.0}, {"bias", 1.0}});
  checkTensor(lrn_ref(x, a), {1, 3, 1, 1}, {1.f / 6, 2.f / 15, 3.f / 14});
  a = attrs({{"size", int64_t(2)}, {"alpha", 2.0}, {"beta", 1.0}, {"bias", 1.0}});
  checkTensor(lrn_ref(x, a), {1, 3, 1, 1}, {1.f / 6, 2.f / 14, 3.f / 10});
  // beta 0.75, bias 2, alpha 1e-4 (AlexNet's values) on one channel.
  a = attrs({{"size", int64_t(5)}, {"alpha", 1e-4}, {"beta", 0.75}, {"bias", 2.0}});
  Tensor one = Tensor::fromF32({1, 1, 1, 1}, {10});
  checkTensor(lrn_ref(one, a), {1, 1, 1, 1}, {10.f / std::pow(2.f + 1e-4f / 5 * 100, 0.75f)});
}

TEST_CASE("batchnorm_ref and scaleshift_ref, per channel") {
  Tensor x = Tensor::fromF32({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor scale = Tensor::fromF32({2}, {2, 0.5}), b = Tensor::fromF32({2}, {1, 0});
  Tensor mean = Tensor::fromF32({2}, {1, 3}), var = Tensor::fromF32({2}, {4, 0.25});
  Attrs a = attrs({{"epsilon", 0.0}});
  // channel 0: (x-1)/2*2+1; channel 1: (x-3)/0.5*0.5.
  checkTensor(batchnorm_ref(x, scale, b, mean, var, a), {1, 2, 1, 2}, {1, 2, 0, 1});
  checkTensor(scaleshift_ref(x, scale, b), {1, 2, 1, 2}, {3, 5, 1.5, 2});
}
