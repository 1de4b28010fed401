//===- DataMovementTest.cpp - Reference reshapes, pads, gathers -----------===//

#include "compiler/reference/Kernels.h"
#include "tests/reference/TestUtil.h"

using namespace kiln;
using namespace kiln::ref;
using namespace kiln::test;

TEST_CASE("flatten_ref and reshape_ref keep the element order") {
  Tensor x = iota({2, 3, 4});
  Tensor f = flatten_ref(x, attrs({{"axis", int64_t(2)}}));
  CHECK(f.dims() == Dims{6, 4});
  CHECK(f.f32 == x.f32);
  CHECK(flatten_ref(x, attrs({{"axis", int64_t(0)}})).dims() == Dims{1, 24});
  CHECK(reshape_ref(x, attrs({{"shape", Dims{4, 6}}})).dims() == Dims{4, 6});
}

TEST_CASE("transpose_ref") {
  checkTensor(transpose_ref(iota({2, 3}), attrs({{"perm", Dims{1, 0}}})), {3, 2},
              {0, 3, 1, 4, 2, 5});
  // [2,1,3] with perm [2,0,1] -> [3,2,1]: y[k,i,0] = x[i,0,k].
  checkTensor(transpose_ref(iota({2, 1, 3}), attrs({{"perm", Dims{2, 0, 1}}})), {3, 2, 1},
              {0, 3, 1, 4, 2, 5});
}

TEST_CASE("concat_ref along inner and outer axes") {
  Tensor a = iota({2, 1}), b = iota({2, 2}, 10);
  checkTensor(concat_ref({&a, &b}, attrs({{"axis", int64_t(1)}})), {2, 3}, {0, 10, 11, 1, 12, 13});
  Tensor c = iota({1, 2}, 20);
  checkTensor(concat_ref({&b, &c}, attrs({{"axis", int64_t(0)}})), {3, 2}, {10, 11, 12, 13, 20, 21});
}

TEST_CASE("pad_ref: constant, reflect, edge, and negative pads") {
  Tensor x = Tensor::fromF32({3}, {1, 2, 3});
  auto pad = [&](Dims pads, const char *mode, double value = 0) {
    return pad_ref(x, attrs({{"pads", pads}, {"mode", std::string(mode)}, {"value", value}}));
  };
  checkTensor(pad({2, 2}, "constant", 9), {7}, {9, 9, 1, 2, 3, 9, 9});
  checkTensor(pad({2, 2}, "reflect"), {7}, {3, 2, 1, 2, 3, 2, 1});
  checkTensor(pad({2, 2}, "edge"), {7}, {1, 1, 1, 2, 3, 3, 3});
  checkTensor(pad({-1, 1}, "constant"), {3}, {2, 3, 0});
  // 2-D: one row on top, one column on the right.
  Tensor m = iota({2, 2});
  checkTensor(pad_ref(m, attrs({{"pads", Dims{1, 0, 0, 1}}, {"mode", std::string("constant")},
                                {"value", -1.0}})),
              {3, 3}, {-1, -1, -1, 0, 1, -1, 2, 3, -1});
}

TEST_CASE("shape_ref, gather_ref, unsqueeze_ref, squeeze_ref") {
  Tensor x = iota({2, 3, 4});
  CHECK(shape_ref(x, attrs({{"start", int64_t(1)}, {"end", int64_t(3)}})).i64 == Dims{3, 4});

  Tensor idx = Tensor::fromI64({2}, {-1, 0});
  Tensor g = cantFail(gather_ref(iota({3, 2}), idx, attrs({{"axis", int64_t(0)}})));
  checkTensor(g, {2, 2}, {4, 5, 0, 1});
  Tensor scalarIdx = Tensor::fromI64({}, {1});
  g = cantFail(gather_ref(iota({3, 2}), scalarIdx, attrs({{"axis", int64_t(1)}})));
  checkTensor(g, {3}, {1, 3, 5});
  Tensor bad = Tensor::fromI64({1}, {3});
  llvm::Expected<Tensor> err = gather_ref(iota({3, 2}), bad, attrs({{"axis", int64_t(0)}}));
  REQUIRE(!err);
  CHECK(llvm::toString(err.takeError()) == "Gather index 3 is out of range for axis 0 of size 3");

  CHECK(unsqueeze_ref(iota({3}), attrs({{"axes", Dims{0, 2}}})).dims() == Dims{1, 3, 1});
  CHECK(squeeze_ref(iota({1, 3, 1}), attrs({{"axes", Dims{0, 2}}})).dims() == Dims{3});
}

TEST_CASE("cast_ref between f32 and i64 truncates toward zero") {
  Tensor x = Tensor::fromF32({3}, {-1.7f, 2.9f, 0});
  Tensor i = cantFail(cast_ref(x, attrs({{"to", int64_t(DType::I64)}})));
  CHECK(i.i64 == std::vector<int64_t>{-1, 2, 0});
  checkTensor(cantFail(cast_ref(i, attrs({{"to", int64_t(DType::F32)}}))), {3}, {-1, 2, 0});
  llvm::Expected<Tensor> dbl = cast_ref(x, attrs({{"to", int64_t(DType::F64)}}));
  REQUIRE(!dbl);
  CHECK(llvm::toString(dbl.takeError()) == "Cast to f64 is not supported");
}

TEST_CASE("slice_ref: steps of both signs, and unclamped bounds refused") {
  auto slice = [](const Tensor &x, Dims begin, Dims end, Dims step) {
    auto r = slice_ref(x, attrs({{"begin", begin}, {"end", end}, {"step", step}}));
    REQUIRE(r);
    return std::move(*r);
  };
  Tensor x = iota({2, 4});
  checkTensor(slice(x, {0, 1}, {2, 3}, {1, 1}), {2, 2}, {1, 2, 5, 6});
  // Negative steps; end -1 runs through index 0.
  checkTensor(slice(x, {1, 3}, {-1, -1}, {-1, -2}), {2, 2}, {7, 5, 3, 1});
  checkTensor(slice(x, {0, 2}, {2, 2}, {1, 1}), {2, 0}, {});
  auto bad = slice_ref(x, attrs({{"begin", Dims{0, 5}}, {"end", Dims{2, 4}}, {"step", Dims{1, 1}}}));
  CHECK(!bad);
  llvm::consumeError(bad.takeError());
}

TEST_CASE("reduction_ref: sums, extremes and logs by hand") {
  Tensor x = Tensor::fromF32({2, 3}, {1, 2, 3, -4, 5, -6});
  auto reduce = [&](OpKind op, Dims axes, int64_t keep = 0) {
    auto r = reduction_ref(op, x, attrs({{"axes", axes}, {"keepdims", keep}}));
    REQUIRE(r);
    return std::move(*r);
  };
  checkTensor(reduce(OpKind::ReduceSum, {1}), {2}, {6, -5});
  checkTensor(reduce(OpKind::ReduceMean, {0}, 1), {1, 3}, {-1.5f, 3.5f, -1.5f});
  checkTensor(reduce(OpKind::ReduceMax, {0, 1}), {}, {5});
  checkTensor(reduce(OpKind::ReduceMin, {1}), {2}, {1, -6});
  checkTensor(reduce(OpKind::ReduceProd, {1}), {2}, {6, 120});
  checkTensor(reduce(OpKind::ReduceL1, {1}), {2}, {6, 15});
  checkTensor(reduce(OpKind::ReduceSumSquare, {1}), {2}, {14, 77});
  checkTensor(reduce(OpKind::ReduceL2, {1}), {2}, {std::sqrt(14.0f), std::sqrt(77.0f)});
  auto logSum = reduction_ref(OpKind::ReduceLogSum, Tensor::fromF32({3}, {1, 2, 3}),
                              attrs({{"axes", Dims{0}}, {"keepdims", int64_t(0)}}));
  REQUIRE(logSum);
  checkTensor(*logSum, {}, {std::log(6.0f)});
  // log(e^1 + e^2 + e^3) = 3 + log(1 + e^-1 + e^-2).
  checkTensor(reduce(OpKind::ReduceLogSumExp, {1}), {2},
              {3 + std::log(1 + std::exp(-1.0f) + std::exp(-2.0f)),
               5 + std::log(std::exp(-9.0f) + 1 + std::exp(-11.0f))});
}

namespace {
/// A canonical Resize's attributes over a 1-D input (roi [0, 1]).
Attrs resize1d(int64_t size, double scale, const char *mode, const char *coord,
               const char *nearest = "round_prefer_floor", std::vector<double> roi = {0, 1},
               double extrapolation = 0.0) {
  return attrs({{"sizes", Dims{size}},
                {"scales", std::vector<double>{scale}},
                {"roi", roi},
                {"mode", std::string(mode)},
                {"coordinate_transformation_mode", std::string(coord)},
                {"nearest_mode", std::string(nearest)},
                {"cubic_coeff_a", -0.75},
                {"exclude_outside", int64_t(0)},
                {"extrapolation_value", extrapolation}});
}
} // namespace

TEST_CASE("resize_ref: nearest and linear, by hand") {
  Tensor x = Tensor::fromF32({3}, {1, 2, 3});
  // half_pixel x 2: source coordinates -0.25 0.25 0.75 1.25 1.75 2.25.
  checkTensor(cantFail(resize_ref(x, resize1d(6, 2, "nearest", "half_pixel"))), {6},
              {1, 1, 2, 2, 3, 3});
  // Linear clamps the source coordinate to the input: 1 at -0.25, 3 at 2.25.
  checkTensor(cantFail(resize_ref(x, resize1d(6, 2, "linear", "half_pixel"))), {6},
              {1, 1.25, 1.75, 2.25, 2.75, 3});
  // align_corners maps the ends onto the ends: o * 2 / 4.
  checkTensor(cantFail(resize_ref(x, resize1d(5, 5.0 / 3, "linear", "align_corners"))), {5},
              {1, 1.5, 2, 2.5, 3});
  // asymmetric x 0.75: 0, 1.33, 2.67; round_prefer_ceil -> 0, 1, 3; floor -> 0, 1, 2.
  Tensor r = iota({4});
  checkTensor(cantFail(resize_ref(r, resize1d(3, 0.75, "nearest", "asymmetric",
                                              "round_prefer_ceil"))),
              {3}, {0, 1, 3});
  checkTensor(cantFail(resize_ref(r, resize1d(3, 0.75, "nearest", "asymmetric", "floor"))),
              {3}, {0, 1, 2});
  // Ties: asymmetric x 2 gives 0 0.5 1 1.5; at 0.5 round_prefer_floor takes
  // 0, round_prefer_ceil and ceil take 1 (1.5 -> 2 clamps to 1).
  Tensor t = Tensor::fromF32({2}, {5, 7});
  checkTensor(cantFail(resize_ref(t, resize1d(4, 2, "nearest", "asymmetric"))), {4},
              {5, 5, 7, 7});
  checkTensor(cantFail(resize_ref(t, resize1d(4, 2, "nearest", "asymmetric",
                                              "round_prefer_ceil"))),
              {4}, {5, 7, 7, 7});
  checkTensor(cantFail(resize_ref(t, resize1d(4, 2, "nearest", "asymmetric", "ceil"))), {4},
              {5, 7, 7, 7});
}

TEST_CASE("resize_ref: cubic weights and tf_crop_and_resize extrapolation") {
  // A = -0.75 at ratio 0.5: weights -0.09375 0.59375 0.59375 -0.09375, so
  // [0 1 4 9] at 1.5 is 0.59375 * 5 - 0.09375 * 9 = 2.125.
  Tensor x = Tensor::fromF32({4}, {0, 1, 4, 9});
  Tensor y = cantFail(resize_ref(x, resize1d(8, 2, "cubic", "asymmetric")));
  REQUIRE(y.dims() == Dims{8});
  CHECK(y.f32[0] == doctest::Approx(0));
  CHECK(y.f32[2] == doctest::Approx(1));
  CHECK(y.f32[3] == doctest::Approx(2.125));
  // Crop [0.5, 1.5] of [0 1 2 3] into 3: coordinates 1.5, 3, 4.5 (outside).
  checkTensor(cantFail(resize_ref(iota({4}), resize1d(3, 1, "linear", "tf_crop_and_resize",
                                                      "round_prefer_floor", {0.5, 1.5}, 9))),
              {3}, {1.5, 3, 9});
}

TEST_CASE("resize_ref: 2-D bilinear is separable") {
  // [[0 1] [2 3]] to 3x3 with align_corners: the centre is the mean, 1.5.
  Attrs a = attrs({{"sizes", Dims{3, 3}},
                   {"scales", std::vector<double>{1.5, 1.5}},
                   {"roi", std::vector<double>{0, 0, 1, 1}},
                   {"mode", std::string("linear")},
                   {"coordinate_transformation_mode", std::string("align_corners")},
                   {"nearest_mode", std::string("round_prefer_floor")},
                   {"cubic_coeff_a", -0.75},
                   {"exclude_outside", int64_t(0)},
                   {"extrapolation_value", 0.0}});
  checkTensor(cantFail(resize_ref(iota({2, 2}), a)), {3, 3},
              {0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3});
}
