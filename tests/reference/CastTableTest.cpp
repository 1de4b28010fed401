//===- CastTableTest.cpp - Cast between every pair of element types -------===//
//
// The whole table of cast_ref, the one Cast kiln has (the interpreter and
// both constant folders run it). ONNX defines float -> integer as truncation
// toward zero, anything -> bool as "non-zero" and bool -> anything as 0 or 1;
// NaN, infinities and out-of-range values are undefined there, and kiln pins
// what ONNX Runtime 1.30 computes on x86-64. Every row below is ONNX
// Runtime's output for the same input, printed by ort_cast_table.js beside
// this file.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Kernels.h"
#include "tests/reference/TestUtil.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace kiln;
using namespace kiln::ref;
using namespace kiln::test;

namespace {

constexpr float NaN = std::numeric_limits<float>::quiet_NaN();
constexpr float Inf = std::numeric_limits<float>::infinity();

Tensor floats(std::vector<float> v) {
  Dims dims{int64_t(v.size())};
  return Tensor::fromF32(dims, std::move(v));
}

/// Integers of type t, held widened in i64 as Tensors hold them.
Tensor ints(DType t, std::vector<int64_t> v) {
  Dims dims{int64_t(v.size())};
  Tensor x = Tensor::fromI64(dims, std::move(v));
  x.type.dtype = t;
  return x;
}

Tensor cast(const Tensor &x, DType to) {
  llvm::Expected<Tensor> y = cast_ref(x, attrs({{"to", int64_t(to)}}));
  REQUIRE_MESSAGE(bool(y), (y ? "" : llvm::toString(y.takeError())));
  REQUIRE(y->type == TensorType{to, x.dims()});
  return std::move(*y);
}

std::vector<int64_t> castInts(const Tensor &x, DType to) { return cast(x, to).i64; }

/// Bit-exact, so that -0 and NaN count.
void checkFloats(const Tensor &x, const std::vector<float> &want) {
  Tensor y = cast(x, DType::F32);
  REQUIRE(y.f32.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i << ": got " << y.f32[i] << ", want " << want[i]);
    CHECK(std::memcmp(&y.f32[i], &want[i], sizeof(float)) == 0);
  }
}

using I = std::vector<int64_t>;

} // namespace

TEST_CASE("Cast from f32: truncation toward zero; NaN and out of range as ONNX Runtime") {
  Tensor x = floats({0.0f, -0.0f, 0.5f, -0.5f, 1.7f, -1.7f, 127.9f, 128.0f, -129.0f, 255.5f,
                     300.5f, -300.0f, 2147483520.0f, 2147483648.0f, -2147483648.0f,
                     -3e9f, 9.2e18f, 1e20f, NaN, Inf, -Inf});
  checkFloats(x, x.f32);
  // i32 and i64: cvttss2si's "integer indefinite" past the range.
  CHECK(castInts(x, DType::I64) ==
        I{0, 0, 0, 0, 1, -1, 127, 128, -129, 255, 300, -300, 2147483520, 2147483648,
          -2147483648, -3000000000, 9200000267938955264, INT64_MIN, INT64_MIN, INT64_MIN,
          INT64_MIN});
  CHECK(castInts(x, DType::I32) ==
        I{0, 0, 0, 0, 1, -1, 127, 128, -129, 255, 300, -300, 2147483520, INT32_MIN, INT32_MIN,
          INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN});
  // i8 and u8: the low bits of the i32 conversion.
  CHECK(castInts(x, DType::I8) ==
        I{0, 0, 0, 0, 1, -1, 127, -128, 127, -1, 44, -44, -128, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(castInts(x, DType::U8) ==
        I{0, 0, 0, 0, 1, 255, 127, 128, 127, 255, 44, 212, 128, 0, 0, 0, 0, 0, 0, 0, 0});
  // Non-zero is true: 0.5 and NaN too.
  CHECK(castInts(x, DType::Bool) ==
        I{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
}

TEST_CASE("Cast from i64: narrower integers keep the low bits, f32 rounds to nearest") {
  Tensor x = ints(DType::I64, {0, 1, -1, 127, 128, -129, 255, 256, 300, -300, INT32_MAX,
                               2147483648, -2147483649, 4294967297, 16777217, INT64_MAX,
                               INT64_MIN});
  checkFloats(x, {0.0f, 1.0f, -1.0f, 127.0f, 128.0f, -129.0f, 255.0f, 256.0f, 300.0f, -300.0f,
                  2147483648.0f, 2147483648.0f, -2147483648.0f, 4294967296.0f, 16777216.0f,
                  9.22337204e18f, -9.22337204e18f});
  CHECK(castInts(x, DType::I64) == x.i64);
  CHECK(castInts(x, DType::I32) == I{0, 1, -1, 127, 128, -129, 255, 256, 300, -300, INT32_MAX,
                                     INT32_MIN, INT32_MAX, 1, 16777217, -1, 0});
  CHECK(castInts(x, DType::I8) ==
        I{0, 1, -1, 127, -128, 127, -1, 0, 44, -44, -1, 0, -1, 1, 1, -1, 0});
  CHECK(castInts(x, DType::U8) ==
        I{0, 1, 255, 127, 128, 127, 255, 0, 44, 212, 255, 0, 255, 1, 1, 255, 0});
  CHECK(castInts(x, DType::Bool) == I{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
}

TEST_CASE("Cast from i32, i8 and u8") {
  Tensor i32 = ints(DType::I32, {0, 1, -1, 127, 128, -129, 255, 300, 16777217, INT32_MAX,
                                 INT32_MIN});
  checkFloats(i32, {0.0f, 1.0f, -1.0f, 127.0f, 128.0f, -129.0f, 255.0f, 300.0f, 16777216.0f,
                    2147483648.0f, -2147483648.0f});
  CHECK(castInts(i32, DType::I64) == i32.i64);
  CHECK(castInts(i32, DType::I32) == i32.i64);
  CHECK(castInts(i32, DType::I8) == I{0, 1, -1, 127, -128, 127, -1, 44, 1, -1, 0});
  CHECK(castInts(i32, DType::U8) == I{0, 1, 255, 127, 128, 127, 255, 44, 1, 255, 0});
  CHECK(castInts(i32, DType::Bool) == I{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});

  Tensor i8 = ints(DType::I8, {0, 1, -1, 127, -128});
  checkFloats(i8, {0.0f, 1.0f, -1.0f, 127.0f, -128.0f});
  for (DType t : {DType::I64, DType::I32, DType::I8})
    CHECK(castInts(i8, t) == i8.i64);
  CHECK(castInts(i8, DType::U8) == I{0, 1, 255, 127, 128});
  CHECK(castInts(i8, DType::Bool) == I{0, 1, 1, 1, 1});

  Tensor u8 = ints(DType::U8, {0, 1, 127, 128, 255});
  checkFloats(u8, {0.0f, 1.0f, 127.0f, 128.0f, 255.0f});
  for (DType t : {DType::I64, DType::I32, DType::U8})
    CHECK(castInts(u8, t) == u8.i64);
  CHECK(castInts(u8, DType::I8) == I{0, 1, 127, -128, -1});
  CHECK(castInts(u8, DType::Bool) == I{0, 1, 1, 1, 1});
}

TEST_CASE("Cast from bool is 0 or 1 in every type") {
  Tensor b = ints(DType::Bool, {0, 1});
  checkFloats(b, {0.0f, 1.0f});
  for (DType t : {DType::I64, DType::I32, DType::I8, DType::U8, DType::Bool})
    CHECK(castInts(b, t) == I{0, 1});
}

TEST_CASE("Cast to f16 rounds to nearest even, held as the f32 value") {
  // 1 + 2^-11 is halfway between 1 and the next f16: even 1; 1 + 3*2^-11
  // rounds up to 1 + 2^-9; 65520 overflows to infinity; 2^-25 is the
  // smallest value that does not flush to zero... as a tie, it does.
  Tensor y = cantFail(cast_ref(floats({1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 65520.0f,
                                       65519.0f, 0x1p-24f, 0x1p-25f, -0.0f}),
                               attrs({{"to", int64_t(DType::F16)}})));
  CHECK(y.type.dtype == DType::F16);
  CHECK(y.f32 == std::vector<float>{1.0f, 1.0f + 0x1p-9f, INFINITY, 65504.0f, 0x1p-24f,
                                    0.0f, -0.0f});
  CHECK(std::isnan(cantFail(cast_ref(floats({NAN}), attrs({{"to", int64_t(DType::F16)}})))
                       .f32[0]));
  // And back to the integer types through its f32 value.
  CHECK(castInts(y, DType::I64)[3] == 65504);
}

TEST_CASE("Cast to f64 is an error: no Tensor holds it") {
  for (DType t : {DType::F64}) {
    llvm::Expected<Tensor> y = cast_ref(floats({1.0f}), attrs({{"to", int64_t(t)}}));
    REQUIRE(!y);
    CHECK(llvm::toString(y.takeError()) ==
          std::string("Cast to ") + dtypeName(t) + " is not supported");
  }
  llvm::Expected<Tensor> y = cast_ref(floats({1.0f}), attrs({{"to", int64_t(99)}}));
  REQUIRE(!y);
  CHECK(llvm::toString(y.takeError()) == "Cast to element type 99 is not supported");
}
