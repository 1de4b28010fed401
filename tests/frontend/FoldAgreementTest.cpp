//===- FoldAgreementTest.cpp - Import folding == fold-constants == reference ===//
//
// kiln folds constants in two places, at import (frontend/ConstantFolding.cpp)
// and in the pass pipeline (passes/FoldConstants.cpp); both must compute
// exactly what the reference interpreter computes at run time. Each case
// runs one op on constant operands three ways and compares bit for bit:
// runReference on a graph computing it, foldNode (what the importer calls
// for every node it builds), and foldConstants on a graph reading it.
//
//===----------------------------------------------------------------------===//

#include "tests/frontend/TestUtil.h"

#include "compiler/ir/ShapeInference.h"
#include "compiler/passes/Passes.h"
#include "compiler/reference/Reference.h"
#include "frontend/ConstantFolding.h"

#include <cstring>
#include <limits>

using namespace kiln;
using namespace kiln::test;

namespace {

using Ints = std::vector<int64_t>;

constexpr float NaN = std::numeric_limits<float>::quiet_NaN();

Attrs attrs(std::initializer_list<std::pair<std::string, AttrValue>> list) {
  Attrs a;
  for (const auto &[k, v] : list)
    a.set(k, v);
  return a;
}

Tensor f32(Dims dims, std::vector<float> v) { return Tensor::fromF32(std::move(dims), v); }
Tensor i64(Dims dims, Ints v) { return Tensor::fromI64(std::move(dims), std::move(v)); }

struct Case {
  std::string name;
  OpKind op;
  Attrs attrs;
  std::vector<Tensor> operands;
};

std::string errorText(llvm::Error e) { return e ? llvm::toString(std::move(e)) : ""; }

Value *addConstant(Graph &g, const std::string &name, const Tensor &t) {
  Tensor copy = t;
  return g.addConstant(name, t.type, ref::constantData(std::move(copy)));
}

/// A graph of constants -> op; returns the op's result value.
Value *buildOp(Graph &g, const Case &c) {
  std::vector<Value *> ins;
  for (size_t i = 0; i < c.operands.size(); ++i)
    ins.push_back(addConstant(g, "c" + std::to_string(i), c.operands[i]));
  Value *out = g.addValue("r", {});
  Node *n = g.addNode(c.op, "op", ins, {out}, c.attrs);
  REQUIRE(errorText(inferShapes(*n)) == "");
  return out;
}

Tensor byReference(const Case &c) {
  Graph g;
  Value *r = buildOp(g, c);
  DType type = r->type.dtype;
  if (!hasTensorData(type)) {
    // runReference returns no i32, i8 or u8: read them widened, unchanged.
    Value *wide = g.addValue("wide", {DType::I64, r->type.dims});
    Attrs a;
    a.set("to", int64_t(DType::I64));
    g.addNode(OpKind::Cast, "widen", {r}, {wide}, a);
    r = wide;
  }
  g.outputs.push_back(r);
  auto out = runReference(g, {});
  REQUIRE_MESSAGE(bool(out), (out ? "" : llvm::toString(out.takeError())));
  Tensor t = std::move((*out)[0]);
  t.type.dtype = type;
  return t;
}

/// fold-constants' result, or nullopt when it leaves the node.
std::optional<Tensor> byPass(const Case &c) {
  Graph g;
  Value *r = buildOp(g, c);
  // A graph output is never folded: read the result through an Identity.
  Value *y = g.addValue("y", r->type);
  g.addNode(OpKind::Identity, "id", {r}, {y});
  g.outputs.push_back(y);
  foldConstants(g, PassOptions{});
  if (!r->isConstant())
    return std::nullopt;
  return ref::constantTensor(*r);
}

/// Import-time folding's result, or nullopt when it leaves the node.
std::optional<Tensor> byImport(const Case &c) {
  std::vector<std::unique_ptr<Value>> values;
  std::vector<Value *> ins;
  Node probe; // as NodeContext::build infers the result type
  probe.op = c.op;
  probe.attrs = c.attrs;
  for (const Tensor &t : c.operands) {
    values.push_back(std::make_unique<Value>());
    values.back()->type = t.type;
    Tensor copy = t;
    values.back()->constant = ref::constantData(std::move(copy));
    ins.push_back(values.back().get());
  }
  probe.inputs = ins;
  Value scratch;
  probe.outputs = {&scratch};
  auto types = inferResultTypes(probe);
  REQUIRE(bool(types));
  auto folded = frontend::foldNode(c.op, c.attrs, ins, types->front());
  if (!folded)
    return std::nullopt;
  Value v;
  v.type = folded->type;
  v.constant = folded->data;
  return ref::constantTensor(v);
}

/// Same dims and bit-identical elements; `dtype` as the folder holds it.
void checkSame(const Tensor &got, const Tensor &want, DType dtype) {
  CHECK(got.type == TensorType{dtype, want.dims()});
  REQUIRE(got.f32.size() == want.f32.size());
  REQUIRE(got.i64.size() == want.i64.size());
  CHECK(std::memcmp(got.f32.data(), want.f32.data(), want.f32.size() * sizeof(float)) == 0);
  CHECK(got.i64 == want.i64);
}

/// Constants keep their element type (frontend/Tensors.h: i32, i8 and u8 too).
DType importedType(DType t) { return t; }

void checkAgreement(const Case &c) {
  INFO(c.name);
  Tensor want = byReference(c);
  std::optional<Tensor> imported = byImport(c);
  REQUIRE(imported);
  checkSame(*imported, want, importedType(want.dtype()));
  std::optional<Tensor> passed = byPass(c);
  if (constantHolds(want.dtype())) {
    REQUIRE(passed);
    checkSame(*passed, want, want.dtype());
  } else {
    // f16 constants are not held: the node stays.
    CHECK_FALSE(passed);
  }
}

Attrs castTo(DType t) { return attrs({{"to", int64_t(t)}}); }

} // namespace

TEST_CASE("import folding, fold-constants and the reference agree on Gather") {
  checkAgreement({"gather f32 axis 1", OpKind::Gather, attrs({{"axis", int64_t(1)}}),
                  {f32({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}),
                   i64({2, 2}, {2, -1, 0, 1})}});
  checkAgreement({"gather of a shape, scalar index", OpKind::Gather,
                  attrs({{"axis", int64_t(0)}}),
                  {i64({5}, {1, 3, 224, 224, 7}), i64({}, {-2})}});
}

TEST_CASE("import folding, fold-constants and the reference agree on Transpose") {
  std::vector<float> x(24);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i) * 0.5f - 3.0f;
  checkAgreement({"transpose f32 rank 3", OpKind::Transpose, attrs({{"perm", Ints{2, 0, 1}}}),
                  {f32({2, 3, 4}, x)}});
  checkAgreement({"transpose i64", OpKind::Transpose, attrs({{"perm", Ints{1, 0}}}),
                  {i64({2, 3}, {1, 2, 3, -4, -5, -6})}});
}

TEST_CASE("import folding, fold-constants and the reference agree on Concat") {
  checkAgreement({"concat of shape pieces", OpKind::Concat, attrs({{"axis", int64_t(0)}}),
                  {i64({1}, {-1}), i64({2}, {3, 4}), i64({1}, {5})}});
  checkAgreement({"concat f32 middle axis", OpKind::Concat, attrs({{"axis", int64_t(1)}}),
                  {f32({2, 1, 3}, {1, 2, 3, 4, 5, 6}),
                   f32({2, 2, 3}, {7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})}});
}

TEST_CASE("import folding, fold-constants and the reference agree on Cast") {
  Tensor x = f32({7}, {0.5f, -0.0f, -1.7f, 300.5f, NaN, 1e10f, -129.0f});
  for (DType to : {DType::F32, DType::I64, DType::I32, DType::I8, DType::U8, DType::Bool})
    checkAgreement({std::string("cast f32 to ") + dtypeName(to), OpKind::Cast, castTo(to), {x}});
  Tensor n = i64({5}, {INT64_MAX, 16777217, -3, 4294967297, 0});
  for (DType to : {DType::F32, DType::I64, DType::I32, DType::I8, DType::U8, DType::Bool})
    checkAgreement({std::string("cast i64 to ") + dtypeName(to), OpKind::Cast, castTo(to), {n}});
}

TEST_CASE("import folding, fold-constants and the reference agree on broadcast arithmetic") {
  checkAgreement({"add f32 [2,1,3] + [4,1]", OpKind::Add, {},
                  {f32({2, 1, 3}, {1, 2, 3, 4, 5, 6}), f32({4, 1}, {0.5f, -1, 1e-3f, 7})}});
  checkAgreement({"sub i64 [3] - [1]", OpKind::Sub, {},
                  {i64({3}, {1, INT64_MIN, 7}), i64({1}, {1})}});
  checkAgreement({"mul f32 [3,1] * scalar", OpKind::Mul, {},
                  {f32({3, 1}, {1.5f, -2, 3}), f32({}, {0.1f})}});
  checkAgreement({"div i64 truncates toward zero", OpKind::Div, {},
                  {i64({2, 3}, {-7, 7, -8, 9, 10, -11}), i64({3}, {2, -3, 4})}});
  checkAgreement({"div f32 [1,3] / [2,1]", OpKind::Div, {},
                  {f32({1, 3}, {1, 2, 3}), f32({2, 1}, {3, -7})}});
}

TEST_CASE("import folding, fold-constants and the reference agree on shape ops") {
  checkAgreement({"shape", OpKind::Shape, attrs({{"start", int64_t(1)}, {"end", int64_t(3)}}),
                  {f32({2, 3, 1}, {1, 2, 3, 4, 5, 6})}});
  checkAgreement({"unsqueeze", OpKind::Unsqueeze, attrs({{"axes", Ints{0, 2}}}),
                  {i64({2}, {4, 5})}});
  checkAgreement({"squeeze", OpKind::Squeeze, attrs({{"axes", Ints{1}}}),
                  {f32({2, 1}, {4, 5})}});
  checkAgreement({"reshape", OpKind::Reshape, attrs({{"shape", Ints{3, 2}}}),
                  {f32({2, 3}, {1, 2, 3, 4, 5, 6})}});
  checkAgreement({"flatten", OpKind::Flatten, attrs({{"axis", int64_t(1)}}),
                  {f32({2, 1, 3}, {1, 2, 3, 4, 5, 6})}});
}

TEST_CASE("import-time Cast to bool is ONNX's: 0.5 is true") {
  // A shape computed as Cast(Cast([0.5, 2.7], BOOL), INT64) * [3, 4] = [3, 4];
  // truncating 0.5 to false would make it [0, 4].
  ModelBuilder m(13);
  m.input("x", {12});
  m.node("Constant", {}, {"f"}).floats("value_floats", {0.5f, 2.7f});
  m.node("Cast", {"f"}, {"b"}).i("to", onnx::TensorProto::BOOL);
  m.node("Cast", {"b"}, {"ones"}).i("to", onnx::TensorProto::INT64);
  m.node("Constant", {}, {"dims"}).ints("value_ints", {3, 4});
  m.node("Mul", {"ones", "dims"}, {"shape"});
  m.node("Reshape", {"x", "shape"}, {"y"});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  REQUIRE(g->nodes().size() == 1);
  CHECK(g->nodes()[0]->attrs.getInts("shape") == Ints{3, 4});
}
