//===- DtypeTest.cpp - Compiled code on every element type vs the reference ===//
//
// Graphs whose inputs and outputs are not f32, compiled with the JIT and run
// on typed buffers (tensorBytes), against the reference interpreter on the
// same tensors: integer and bool results must be identical, f32 results
// within float rounding, on odd shapes.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Jit.h"
#include "compiler/ir/OpAttrs.h"
#include "compiler/ir/ShapeInference.h"
#include "compiler/reference/Kernels.h"
#include "compiler/reference/Reference.h"
#include "tests/reference/TestUtil.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace kiln;
using kiln::test::attrs;

namespace {

const DType AllTypes[] = {DType::F32, DType::F16, DType::I64, DType::I32,
                          DType::I8,  DType::U8,  DType::Bool};
const DType IntTypes[] = {DType::I64, DType::I32, DType::I8, DType::U8, DType::Bool};

/// Values of `t` that exercise conversions: for floats, fractions, ties,
/// large magnitudes, infinities and NaN; for integers, their whole range.
Tensor randomTensor(DType t, Dims dims, uint32_t seed) {
  Tensor x = Tensor::zeros({t, std::move(dims)});
  std::mt19937 rng(seed);
  const float specials[] = {0.5f,   -0.5f,  2.5f, -1.5f,    300.7f,   -129.0f, 65519.0f,
                            1e10f, -3e9f,  NAN,  INFINITY, -INFINITY, 0.0f,   -0.0f};
  for (float &v : x.f32) {
    uint32_t r = rng();
    v = r % 3 == 0 ? specials[r / 3 % std::size(specials)]
                   : std::ldexp(float(int32_t(rng() % 2000001) - 1000000), -int(rng() % 24));
  }
  if (t == DType::F16) // f16 values: rounded through their bits
    x = tensorFromBytes(x.type, tensorBytes(x).data());
  for (int64_t &v : x.i64) {
    uint64_t r = (uint64_t(rng()) << 32) | rng();
    switch (t) {
    case DType::I64: v = rng() % 4 ? int64_t(r) % 1000 : int64_t(r); break;
    case DType::I32: v = int32_t(uint32_t(r)); break;
    case DType::I8: v = int8_t(uint8_t(r)); break;
    case DType::U8: v = uint8_t(r); break;
    default: v = int64_t(r & 1); break;
    }
  }
  return x;
}

/// Compiles `g`, runs it on typed buffers inline and on two threads, and
/// checks every output against the reference.
void checkTyped(const Graph &g, const std::vector<Tensor> &inputs) {
  auto want = runReference(g, inputs, {});
  REQUIRE_MESSAGE(bool(want), (want ? "" : llvm::toString(want.takeError())));
  auto cm = codegen::CompiledModel::compile(g);
  REQUIRE_MESSAGE(bool(cm), (cm ? "" : llvm::toString(cm.takeError())));
  std::vector<std::vector<char>> inBytes;
  std::vector<const void *> in;
  for (const Tensor &t : inputs) {
    inBytes.push_back(tensorBytes(t));
    inBytes.back().resize(std::max<size_t>(inBytes.back().size(), 1));
    in.push_back(inBytes.back().data());
  }
  // One pool for the file: a pool created and destroyed per graph once hung
  // in kiln_parallel_for (left to the runtime's owner; see the report).
  static kiln_pool *pool = kiln_pool_create(2);
  for (kiln_pool *p : {static_cast<kiln_pool *>(nullptr), pool}) {
    std::vector<std::vector<char>> outBytes;
    std::vector<void *> out;
    for (const Tensor &t : *want)
      outBytes.emplace_back(std::max<size_t>(size_t(t.type.numBytes()), 1), char(0x5a));
    for (auto &o : outBytes)
      out.push_back(o.data());
    REQUIRE((*cm)->run(in.data(), out.data(), p) == KILN_OK);
    for (size_t i = 0; i < want->size(); ++i) {
      const Tensor &w = (*want)[i];
      Tensor got = tensorFromBytes(w.type, outBytes[i].data());
      INFO("output " << i << " " << w.type.str());
      if (w.holdsFloat()) {
        for (size_t j = 0; j < w.f32.size(); ++j) {
          float a = w.f32[j], b = got.f32[j];
          if (std::isnan(a) || a == b) {
            CHECK((a == b || std::isnan(b)));
            continue;
          }
          INFO("element " << j << ": want " << a << ", got " << b);
          CHECK(std::fabs(a - b) <= 1e-5f * std::max(1.0f, std::fabs(a)));
        }
      } else {
        CHECK(got.i64 == w.i64);
      }
    }
  }
}

Value *typedInput(Graph &g, const std::string &name, DType t, Dims dims) {
  Value *v = g.addValue(name, {t, std::move(dims)});
  g.inputs.push_back(v);
  return v;
}

Value *typedNode(Graph &g, OpKind op, const std::string &name, std::vector<Value *> ins,
                 Attrs a = {}) {
  Value *out = g.addValue(name, {});
  Node *n = g.addNode(op, name, std::move(ins), {out}, std::move(a));
  llvm::Error err = inferShapes(*n);
  std::string msg = err ? llvm::toString(std::move(err)) : "";
  INFO("shape inference of " << name);
  REQUIRE(msg == "");
  return out;
}

} // namespace

TEST_CASE("Cast between every pair of element types matches the reference bit for bit") {
  uint32_t seed = 1;
  for (DType from : AllTypes)
    for (DType to : AllTypes) {
      INFO(dtypeName(from) << " -> " << dtypeName(to));
      Graph g;
      Value *x = typedInput(g, "x", from, {3, 5, 7});
      g.outputs.push_back(
          typedNode(g, OpKind::Cast, "y", {x}, attrs({{"to", int64_t(to)}})));
      checkTyped(g, {randomTensor(from, {3, 5, 7}, seed++)});
    }
}

TEST_CASE("Transpose, Concat and Pad move every element type") {
  uint32_t seed = 100;
  for (DType t : AllTypes) {
    INFO(dtypeName(t));
    {
      Graph g;
      Value *x = typedInput(g, "x", t, {3, 1, 5, 2});
      g.outputs.push_back(typedNode(g, OpKind::Transpose, "y", {x},
                                    attrs({{"perm", std::vector<int64_t>{2, 0, 3, 1}}})));
      checkTyped(g, {randomTensor(t, {3, 1, 5, 2}, seed++)});
    }
    {
      Graph g;
      Value *a = typedInput(g, "a", t, {2, 3, 5});
      Value *b = typedInput(g, "b", t, {2, 1, 5});
      g.outputs.push_back(
          typedNode(g, OpKind::Concat, "y", {a, b}, attrs({{"axis", int64_t(1)}})));
      checkTyped(g, {randomTensor(t, {2, 3, 5}, seed++), randomTensor(t, {2, 1, 5}, seed++)});
    }
    if (t == DType::F16)
      continue; // f16 is a storage type: Pad refuses it
    for (const char *mode : {"constant", "reflect", "edge"}) {
      INFO(mode);
      Graph g;
      Value *x = typedInput(g, "x", t, {3, 4, 5});
      g.outputs.push_back(typedNode(
          g, OpKind::Pad, "y", {x},
          attrs({{"pads", std::vector<int64_t>{1, 0, 2, 0, 3, -1}},
                 {"mode", std::string(mode)},
                 {"value", t == DType::Bool ? 1.0 : 7.0}})));
      checkTyped(g, {randomTensor(t, {3, 4, 5}, seed++)});
    }
  }
}

TEST_CASE("Gather with indices at run time: i32 and i64, negative, any data type") {
  uint32_t seed = 200;
  for (DType t : {DType::F32, DType::I8, DType::I64, DType::Bool})
    for (DType it : {DType::I32, DType::I64}) {
      INFO(dtypeName(t) << " data, " << dtypeName(it) << " indices");
      Graph g;
      Value *x = typedInput(g, "x", t, {3, 7, 5});
      Value *idx = typedInput(g, "idx", it, {2, 3});
      g.outputs.push_back(
          typedNode(g, OpKind::Gather, "y", {x, idx}, attrs({{"axis", int64_t(1)}})));
      Tensor indices = Tensor::zeros({it, {2, 3}});
      indices.i64 = {0, 6, -1, -7, 3, 2};
      checkTyped(g, {randomTensor(t, {3, 7, 5}, seed++), indices});
    }
}

TEST_CASE("Broadcast arithmetic on i64 wraps as the reference does") {
  Graph g;
  Value *a = typedInput(g, "a", DType::I64, {3, 1, 5});
  Value *b = typedInput(g, "b", DType::I64, {4, 1});
  Value *c = typedInput(g, "c", DType::I64, {5});
  Value *s = typedNode(g, OpKind::Add, "s", {a, b});
  Value *d = typedNode(g, OpKind::Mul, "d", {s, c});
  g.outputs.push_back(typedNode(g, OpKind::Sub, "e", {d, a}));
  g.outputs.push_back(typedNode(g, OpKind::Sum, "f", {a, b, c}));
  Tensor ta = randomTensor(DType::I64, {3, 1, 5}, 301);
  Tensor tb = randomTensor(DType::I64, {4, 1}, 302);
  Tensor tc = randomTensor(DType::I64, {5}, 303);
  checkTyped(g, {ta, tb, tc});
}

TEST_CASE("every ElementwiseBinary op on every type it accepts, broadcast, vs the reference") {
  const OpKind ops[] = {OpKind::Add,   OpKind::Sub,         OpKind::Mul,     OpKind::Div,
                        OpKind::Sum,   OpKind::Pow,         OpKind::Max,     OpKind::Min,
                        OpKind::Mean,  OpKind::Mod,         OpKind::Equal,   OpKind::Less,
                        OpKind::Greater, OpKind::LessOrEqual, OpKind::GreaterOrEqual,
                        OpKind::And,   OpKind::Or,          OpKind::Xor,     OpKind::Not,
                        OpKind::Where, OpKind::BitShift,    OpKind::PRelu};
  uint32_t seed = 500;
  for (OpKind op : ops)
    for (DType t : {DType::F32, DType::I64, DType::I32, DType::I8, DType::U8, DType::Bool}) {
      if (!elementwiseAccepts(op, t))
        continue;
      for (int variant = 0; variant < (op == OpKind::Mod || op == OpKind::BitShift ? 2 : 1);
           ++variant) {
        INFO(opName(op) << " " << dtypeName(t) << " variant " << variant);
        Graph g;
        // Odd shapes: [3,1,5] with [4,1] (and [5] for a third operand);
        // PRelu's slope broadcasts to X.
        Dims da = op == OpKind::PRelu ? Dims{3, 4, 5} : Dims{3, 1, 5}, db = {4, 1};
        std::vector<Value *> ins;
        std::vector<Tensor> data;
        auto add = [&](const std::string &name, DType dt, Dims d) {
          ins.push_back(typedInput(g, name, dt, d));
          Tensor x = randomTensor(dt, d, seed++);
          if ((op == OpKind::Div || op == OpKind::Mod) && name == "b")
            for (int64_t &v : x.i64) // the reference refuses integer division by 0
              v = v == 0 ? 3 : v;
          if (op == OpKind::BitShift && name == "b")
            for (int64_t &v : x.i64)
              v %= 9; // shifts up to the width and one past it
          if (op == OpKind::Pow && name == "b")
            for (float &v : x.f32) // integral exponents for negative bases too
              v = std::isfinite(v) ? std::fmod(std::trunc(v), 5.0f) : v;
          data.push_back(std::move(x));
        };
        if (op == OpKind::Where)
          add("c", DType::Bool, {3, 1, 1});
        add("a", t, da);
        if (op != OpKind::Not)
          add("b", t, db);
        if (op == OpKind::Sum || op == OpKind::Max || op == OpKind::Min || op == OpKind::Mean)
          add("c2", t, {5});
        Attrs a;
        if (op == OpKind::Mod)
          a.set("fmod", int64_t(t == DType::F32 ? 1 : variant));
        if (op == OpKind::BitShift)
          a.set("direction", std::string(variant ? "RIGHT" : "LEFT"));
        g.outputs.push_back(typedNode(g, op, "y", ins, a));
        checkTyped(g, data);
      }
    }
}

namespace {
/// f32 values without NaN (which orders nothing) but with ties and
/// infinities, for the ops that compare.
Tensor orderedF32(Dims dims, uint32_t seed) {
  Tensor x = Tensor::zeros({DType::F32, std::move(dims)});
  std::mt19937 rng(seed);
  const float specials[] = {INFINITY, -INFINITY, 0.0f, -0.0f, 2.5f};
  for (float &v : x.f32)
    v = rng() % 4 == 0 ? specials[rng() % std::size(specials)] : float(int(rng() % 21) - 10) / 4;
  return x;
}

Tensor ordered(DType t, Dims dims, uint32_t seed) {
  return t == DType::F32 ? orderedF32(std::move(dims), seed) : randomTensor(t, std::move(dims), seed);
}

const DType NumericTypes[] = {DType::F32, DType::I64, DType::I32, DType::I8, DType::U8};
} // namespace

TEST_CASE("ArgMax, ArgMin, TopK and CumSum on every numeric type, every axis, with ties") {
  uint32_t seed = 300;
  for (DType t : NumericTypes)
    for (int64_t axis : {0, 1, 2}) {
      INFO(dtypeName(t) << " along axis " << axis);
      Graph g;
      Value *x = typedInput(g, "x", t, {4, 5, 3});
      for (int64_t last : {0, 1}) {
        Attrs a = attrs({{"axis", axis}, {"keepdims", last}, {"select_last_index", last}});
        g.outputs.push_back(typedNode(g, OpKind::ArgMax, "amax" + std::to_string(last), {x}, a));
        g.outputs.push_back(typedNode(g, OpKind::ArgMin, "amin" + std::to_string(last), {x}, a));
      }
      for (int64_t largest : {0, 1}) {
        Attrs a = attrs({{"axis", axis}, {"k", int64_t(3)}, {"largest", largest}, {"sorted", int64_t(1)}});
        std::string s = std::to_string(largest);
        g.outputs.push_back(typedNode(g, OpKind::TopK, "topk" + s, {x}, a));
        g.outputs.push_back(typedNode(g, OpKind::TopKIndices, "topki" + s, {x}, a));
      }
      // Integer sums wrap in the element type, as the reference's.
      for (int64_t flags : {0, 1, 2, 3})
        g.outputs.push_back(typedNode(
            g, OpKind::CumSum, "cumsum" + std::to_string(flags), {x},
            attrs({{"axis", axis}, {"exclusive", flags & 1}, {"reverse", flags >> 1}})));
      checkTyped(g, {ordered(t, {4, 5, 3}, seed++)});
    }
}

TEST_CASE("Trilu, Expand, Tile, GatherElements, GatherND and OneHot move every element type") {
  uint32_t seed = 400;
  for (DType t : AllTypes)
    for (DType it : {DType::I32, DType::I64}) {
      INFO(dtypeName(t) << " data, " << dtypeName(it) << " indices");
      Graph g;
      Value *x = typedInput(g, "x", t, {3, 1, 4});
      Value *ge = typedInput(g, "ge", it, {2, 1, 3});
      Value *nd = typedInput(g, "nd", it, {3, 2});
      Value *hot = typedInput(g, "hot", it, {2, 3});
      Value *vals = typedInput(g, "vals", t, {2});
      for (int64_t k : {-1, 0, 2}) {
        std::string s = std::to_string(k + 1);
        g.outputs.push_back(typedNode(g, OpKind::Trilu, "triu" + s, {x},
                                      attrs({{"upper", int64_t(1)}, {"k", k}})));
        g.outputs.push_back(typedNode(g, OpKind::Trilu, "tril" + s, {x},
                                      attrs({{"upper", int64_t(0)}, {"k", k}})));
      }
      if (t != DType::F16) { // the strided read moves 1-, 4- and 8-byte elements
        g.outputs.push_back(typedNode(g, OpKind::Expand, "expand", {x},
                                      attrs({{"shape", Dims{2, 3, 5, 4}}})));
        g.outputs.push_back(typedNode(g, OpKind::Tile, "tile", {x},
                                      attrs({{"repeats", Dims{2, 3, 1}}})));
      }
      g.outputs.push_back(typedNode(g, OpKind::GatherElements, "gather_elements", {x, ge},
                                    attrs({{"axis", int64_t(2)}})));
      g.outputs.push_back(typedNode(g, OpKind::GatherND, "gather_nd", {x, nd},
                                    attrs({{"batch_dims", int64_t(0)}})));
      for (int64_t axis : {0, 2})
        g.outputs.push_back(typedNode(g, OpKind::OneHot, "one_hot" + std::to_string(axis),
                                      {hot, vals}, attrs({{"axis", axis}, {"depth", int64_t(5)}})));
      Tensor geIdx = Tensor::zeros({it, {2, 1, 3}});
      geIdx.i64 = {0, -1, 3, 2, 1, -4};
      Tensor ndIdx = Tensor::zeros({it, {3, 2}});
      ndIdx.i64 = {2, 0, -1, 0, 0, -1};
      Tensor hotIdx = Tensor::zeros({it, {2, 3}});
      hotIdx.i64 = {0, 4, -1, -5, 2, 3};
      checkTyped(g, {randomTensor(t, {3, 1, 4}, seed), geIdx, ndIdx, hotIdx,
                     randomTensor(t, {2}, seed + 1)});
      seed += 2;
    }
}

TEST_CASE("ScatterElements and ScatterND: updates in order, none/add/mul, batch of types") {
  uint32_t seed = 500;
  for (DType t : NumericTypes)
    for (const char *r : {"none", "add", "mul"}) {
      INFO(dtypeName(t) << " reduction " << r);
      Graph g;
      Value *x = typedInput(g, "x", t, {3, 4});
      Value *idx = typedInput(g, "idx", DType::I64, {2, 3});
      Value *upd = typedInput(g, "upd", t, {2, 3});
      Value *ndIdx = typedInput(g, "nd", DType::I32, {3, 1});
      Value *ndUpd = typedInput(g, "ndupd", t, {3, 4});
      g.outputs.push_back(typedNode(g, OpKind::ScatterElements, "se", {x, idx, upd},
                                    attrs({{"axis", int64_t(1)}, {"reduction", std::string(r)}})));
      g.outputs.push_back(typedNode(g, OpKind::ScatterND, "snd", {x, ndIdx, ndUpd},
                                    attrs({{"reduction", std::string(r)}})));
      // Duplicates (3 twice in row 0, row 1 twice in ScatterND): order matters.
      Tensor i = Tensor::zeros({DType::I64, {2, 3}});
      i.i64 = {3, -1, 0, 1, 2, -4};
      Tensor n = Tensor::zeros({DType::I32, {3, 1}});
      n.i64 = {1, -2, 0};
      checkTyped(g, {ordered(t, {3, 4}, seed), i, ordered(t, {2, 3}, seed + 1), n,
                     ordered(t, {3, 4}, seed + 2)});
      seed += 3;
    }
}

TEST_CASE("QuantizeLinear rounds half to even and saturates, as the spec states") {
  // x / 1 + zero point: ties go to the even neighbour; out of range and NaN
  // saturate (NaN to the low end, as ONNX Runtime's x86-64 kernel).
  Tensor x = Tensor::fromF32({9}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 300.0f, -300.0f, NAN, 126.5f});
  Tensor scale = Tensor::fromF32({}, {1.0f});
  Tensor u8zp = Tensor::zeros({DType::U8, {}});
  Tensor i8zp = Tensor::zeros({DType::I8, {}});
  Attrs a = attrs({{"axis", int64_t(1)}});
  CHECK(ref::quantize_ref(x, scale, u8zp, a).i64 ==
        std::vector<int64_t>{0, 2, 2, 0, 0, 255, 0, 0, 126});
  CHECK(ref::quantize_ref(x, scale, i8zp, a).i64 ==
        std::vector<int64_t>{0, 2, 2, 0, -2, 127, -128, -128, 126});
  // A zero point shifts after rounding: round(2.5) + 3 = 5.
  Tensor zp3 = Tensor::zeros({DType::U8, {}});
  zp3.i64[0] = 3;
  CHECK(ref::quantize_ref(Tensor::fromF32({1}, {2.5f}), scale, zp3, a).i64 ==
        std::vector<int64_t>{5});
  // Per axis: channel c uses scale[c] and zero point[c].
  Tensor xc = Tensor::fromF32({2, 2}, {1.0f, 1.0f, -1.0f, -1.0f});
  Tensor sc = Tensor::fromF32({2}, {0.5f, 0.25f});
  Tensor zc = Tensor::zeros({DType::I8, {2}});
  zc.i64 = {0, 10};
  CHECK(ref::quantize_ref(xc, sc, zc, a).i64 == std::vector<int64_t>{2, 14, -2, 6});
  Tensor q = Tensor::zeros({DType::I8, {2, 2}});
  q.i64 = {2, 14, -2, 6};
  CHECK(ref::dequantize_ref(q, sc, zc, a).f32 == std::vector<float>{1.0f, 1.0f, -1.0f, -1.0f});
}

TEST_CASE("QuantizeLinear and DequantizeLinear match the reference bit for bit") {
  uint32_t seed = 300;
  for (DType qt : {DType::U8, DType::I8, DType::I32}) {
    for (int64_t axis : {-1, 0, 2}) { // -1: per tensor
      INFO(dtypeName(qt) << " axis " << axis);
      Dims dims{3, 5, 7};
      Dims pdims = axis < 0 ? Dims{} : Dims{dims[size_t(axis)]};
      int64_t params = axis < 0 ? 1 : pdims[0];
      Tensor scale = Tensor::zeros({DType::F32, pdims});
      Tensor zp = Tensor::zeros({qt, pdims});
      for (int64_t c = 0; c < params; ++c) {
        scale.f32[size_t(c)] = std::ldexp(1.0f + 0.25f * float(c % 3), -int(c % 5)); // ties
        zp.i64[size_t(c)] = qt == DType::U8 ? 120 + c : qt == DType::I8 ? c - 3 : 0;
      }
      Attrs a = attrs({{"axis", int64_t(axis < 0 ? 1 : axis)}});
      if (qt != DType::I32) {
        Graph g;
        Value *x = typedInput(g, "x", DType::F32, dims);
        Value *s = typedInput(g, "s", DType::F32, pdims);
        Value *z = typedInput(g, "z", qt, pdims);
        g.outputs.push_back(typedNode(g, OpKind::QuantizeLinear, "y", {x, s, z}, a));
        checkTyped(g, {randomTensor(DType::F32, dims, seed++), scale, zp});
      }
      Graph g;
      Value *x = typedInput(g, "x", qt, dims);
      Value *s = typedInput(g, "s", DType::F32, pdims);
      Value *z = typedInput(g, "z", qt, pdims);
      g.outputs.push_back(typedNode(g, OpKind::DequantizeLinear, "y", {x, s, z}, a));
      checkTyped(g, {randomTensor(qt, dims, seed++), scale, zp});
    }
  }
}
