//===- EvaluateTest.cpp - evaluateOp, the one dispatch constant folding runs ===//

#include "compiler/reference/Kernels.h"
#include "compiler/reference/Reference.h"
#include "tests/reference/TestUtil.h"

#include <memory>

using namespace kiln;
using namespace kiln::test;

namespace {

std::string errorOf(llvm::Expected<Tensor> r) {
  return r ? std::string("(no error)") : llvm::toString(r.takeError());
}

} // namespace

TEST_CASE("evaluateOp runs the op's kernel") {
  Tensor a = pseudoRandom({2, 3}, 1), b = pseudoRandom({3}, 2);
  Tensor sum = cantFail(ref::evaluateOp(OpKind::Add, {}, {&a, &b}));
  CHECK(sum.f32 == cantFail(ref::binary_ref(OpKind::Add, a, b)).f32);
  Tensor t = cantFail(ref::evaluateOp(OpKind::Transpose, attrs({{"perm", Dims{1, 0}}}), {&a}));
  CHECK(t.f32 == ref::transpose_ref(a, attrs({{"perm", Dims{1, 0}}})).f32);
  // Shape reads only the operand's type: a Tensor without data will do.
  Tensor typeOnly{{DType::F32, {4, 5, 6}}, {}, {}};
  Tensor s = cantFail(
      ref::evaluateOp(OpKind::Shape, attrs({{"start", int64_t(1)}, {"end", int64_t(3)}}),
                      {&typeOnly}));
  CHECK(s.i64 == std::vector<int64_t>{5, 6});
}

TEST_CASE("evaluateOp refuses what a kernel would assert on") {
  Tensor a = pseudoRandom({2, 3}, 1);
  Tensor i = Tensor::fromI64({2}, {1, 2});
  CHECK(errorOf(ref::evaluateOp(OpKind::Add, {}, {&a})) == "has 1 operands, needs at least 2");
  CHECK(errorOf(ref::evaluateOp(OpKind::Relu, {}, {&i})) ==
        "operand 0 is i64[2]; this op computes in f32 only");
  CHECK(errorOf(ref::evaluateOp(OpKind::Gather, attrs({{"axis", int64_t(0)}}), {&a, &a})) ==
        "Gather indices must be i64 or i32");
}

TEST_CASE("evaluateOp: Gather takes i32 indices as well as i64") {
  Tensor data = iota({3, 2});
  Tensor idx = Tensor::fromI64({2}, {2, -3});
  Tensor r64 = cantFail(ref::evaluateOp(OpKind::Gather, attrs({{"axis", int64_t(0)}}),
                                        {&data, &idx}));
  idx.type.dtype = DType::I32;
  Tensor r32 = cantFail(ref::evaluateOp(OpKind::Gather, attrs({{"axis", int64_t(0)}}),
                                        {&data, &idx}));
  checkTensor(r64, {2, 2}, {4, 5, 0, 1});
  CHECK(r32.f32 == r64.f32);
}

TEST_CASE("integer arithmetic wraps; division by zero and INT64_MIN / -1 are errors") {
  Tensor a = Tensor::fromI64({3}, {INT64_MAX, INT64_MIN, -7});
  Tensor one = Tensor::fromI64({1}, {1}), minus = Tensor::fromI64({1}, {-1});
  CHECK(cantFail(ref::evaluateOp(OpKind::Add, {}, {&a, &one})).i64 ==
        std::vector<int64_t>{INT64_MIN, INT64_MIN + 1, -6});
  CHECK(cantFail(ref::evaluateOp(OpKind::Sub, {}, {&a, &one})).i64 ==
        std::vector<int64_t>{INT64_MAX - 1, INT64_MAX, -8});
  CHECK(cantFail(ref::evaluateOp(OpKind::Mul, {}, {&a, &minus})).i64 ==
        std::vector<int64_t>{-INT64_MAX, INT64_MIN, 7});
  Tensor two = Tensor::fromI64({1}, {2});
  CHECK(cantFail(ref::evaluateOp(OpKind::Div, {}, {&a, &two})).i64 ==
        std::vector<int64_t>{INT64_MAX / 2, INT64_MIN / 2, -3}); // truncates toward zero
  Tensor zero = Tensor::fromI64({1}, {0});
  CHECK(errorOf(ref::evaluateOp(OpKind::Div, {}, {&a, &zero})) == "integer division by zero");
  CHECK(errorOf(ref::evaluateOp(OpKind::Div, {}, {&a, &minus})) ==
        "integer division overflows");
  CHECK(cantFail(ref::evaluateOp(OpKind::Sum, {}, std::vector<const Tensor *>{&a, &one, &one}))
            .i64 ==
        std::vector<int64_t>{INT64_MIN + 1, INT64_MIN + 2, -5});
}

TEST_CASE("keepsElements ops return their operand's elements in order") {
  Tensor x = iota({2, 1, 3});
  struct Case {
    OpKind op;
    Attrs a;
  };
  for (const Case &c : {Case{OpKind::Reshape, attrs({{"shape", Dims{3, 2}}})},
                        Case{OpKind::Flatten, attrs({{"axis", int64_t(1)}})},
                        Case{OpKind::Squeeze, attrs({{"axes", Dims{1}}})},
                        Case{OpKind::Unsqueeze, attrs({{"axes", Dims{0}}})},
                        Case{OpKind::Identity, {}}, Case{OpKind::Dropout, {}}}) {
    INFO(opName(c.op));
    CHECK(ref::keepsElements(c.op));
    CHECK(cantFail(ref::evaluateOp(c.op, c.a, {&x})).f32 == x.f32);
  }
  for (OpKind op : {OpKind::Transpose, OpKind::Cast, OpKind::Gather, OpKind::Reorder})
    CHECK_FALSE(ref::keepsElements(op));
}

TEST_CASE("evaluationMacs counts the multiply-adds of reductions, elements otherwise") {
  TensorType x{DType::F32, {1, 64, 128, 128}}, w{DType::F32, {1024, 64, 7, 7}},
      y{DType::F32, {1, 1024, 122, 122}};
  const int64_t elements = x.numElements() + w.numElements() + y.numElements();
  CHECK(ref::evaluationMacs(OpKind::Conv, {}, {&x, &w}, y) ==
        y.numElements() * 64 * 7 * 7 + elements);
  TensorType a{DType::F32, {30, 20}}, b{DType::F32, {20, 10}}, ab{DType::F32, {30, 10}};
  CHECK(ref::evaluationMacs(OpKind::MatMul, {}, {&a, &b}, ab) == 300 * 20 + 600 + 200 + 300);
  TensorType at{DType::F32, {20, 30}};
  CHECK(ref::evaluationMacs(OpKind::Gemm, attrs({{"transA", int64_t(1)}}), {&at, &b}, ab) ==
        300 * 20 + 600 + 200 + 300);
  CHECK(ref::evaluationMacs(OpKind::Add, {}, {&a, &a}, a) == 3 * 600);
  // Shape reads no data: only its result counts, however large the operand.
  TensorType huge{DType::F32, {1 << 16, 1 << 16}}, dims{DType::I64, {2}};
  CHECK(ref::evaluationMacs(OpKind::Shape, {}, {&huge}, dims) == 2);
  // Saturates instead of overflowing.
  TensorType big{DType::F32, {int64_t(1) << 31, int64_t(1) << 31}};
  CHECK(ref::evaluationMacs(OpKind::MatMul, {}, {&big, &big}, big) == INT64_MAX);
}

TEST_CASE("constantTensor and constantData convert both ways") {
  Value v;
  v.type = {DType::Bool, {3}};
  auto data = std::make_shared<ConstantData>();
  data->i64 = {0, 1, 1};
  v.constant = data;
  Tensor t = ref::constantTensor(v);
  CHECK(t.type == v.type);
  CHECK(t.i64 == data->i64);
  std::shared_ptr<ConstantData> back = ref::constantData(std::move(t));
  CHECK(back->i64 == data->i64);
  CHECK(back->f32.empty());
}

TEST_CASE("runReference computes through i8 values and returns them") {
  // x -> Cast(i8) -> Cast(f32): 300.7 wraps to 44, -1.5 truncates to -1.
  Graph g;
  Value *x = g.addValue("x", {DType::F32, {2}});
  g.inputs.push_back(x);
  Value *narrow = g.addValue("narrow", {DType::I8, {2}});
  Value *y = g.addValue("y", {DType::F32, {2}});
  g.addNode(OpKind::Cast, "to_i8", {x}, {narrow}, attrs({{"to", int64_t(DType::I8)}}));
  g.addNode(OpKind::Cast, "to_f32", {narrow}, {y}, attrs({{"to", int64_t(DType::F32)}}));
  g.outputs.push_back(y);
  auto r = runReference(g, {Tensor::fromF32({2}, {300.7f, -1.5f})});
  REQUIRE_MESSAGE(bool(r), (r ? "" : llvm::toString(r.takeError())));
  checkTensor((*r)[0], {2}, {44, -1});

  g.outputs = {narrow};
  auto r8 = runReference(g, {Tensor::fromF32({2}, {300.7f, -1.5f})});
  REQUIRE_MESSAGE(bool(r8), (r8 ? "" : llvm::toString(r8.takeError())));
  CHECK((*r8)[0].type == TensorType{DType::I8, {2}});
  CHECK((*r8)[0].i64 == std::vector<int64_t>{44, -1});
}
