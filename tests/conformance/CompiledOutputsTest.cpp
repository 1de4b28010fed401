//===- CompiledOutputsTest.cpp - The engines agree beyond the ONNX cases --===//
//
// `kiln conformance` runs each ONNX case through the reference interpreter
// and through generated code. The ONNX cases of the ops kiln rewrites or
// added for them (MaxPool's Indices, 1-D/3-D pools, Dropout's mask, empty
// tensors, int64 outputs) are few and small; these run the same two engines
// (compiler/driver/Execute.cpp) on awkward shapes: odd sizes, padding, dilation,
// ceil mode, stride larger than the window, both storage orders, batches.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Jit.h"
#include "tests/frontend/ModelBuilder.h"
#include "compiler/driver/Execute.h"
#include "compiler/driver/TensorIO.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace kiln;
using namespace kiln::test;

namespace {

/// Imports `m` twice (the compiled engine optimizes its graph in place),
/// runs both engines on one random input per graph input, and compares:
/// integer and bool outputs exactly, floats within float32 rounding.
void checkEngines(const ModelBuilder &m, uint64_t seed = 1) {
  auto ref = m.import();
  auto cmp = m.import();
  REQUIRE_MESSAGE(bool(ref), llvm::toString(ref.takeError()));
  REQUIRE_MESSAGE(bool(cmp), llvm::toString(cmp.takeError()));
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < (*ref)->inputs.size(); ++i)
    inputs.push_back(driver::randomTensor((*ref)->inputs[i]->type, seed, i));
  driver::ExecOptions opts;
  opts.threads = 2;
  opts.engine = driver::Engine::Reference;
  auto want = driver::executeGraph(**ref, inputs, opts);
  REQUIRE_MESSAGE(bool(want), llvm::toString(want.takeError()));
  opts.engine = driver::Engine::Compiled;
  auto got = driver::executeGraph(**cmp, inputs, opts);
  REQUIRE_MESSAGE(bool(got), llvm::toString(got.takeError()));
  REQUIRE(got->size() == want->size());
  for (size_t o = 0; o < want->size(); ++o) {
    const Tensor &w = (*want)[o], &g = (*got)[o];
    CAPTURE(o);
    REQUIRE(g.type == w.type);
    if (!w.isF32()) {
      CHECK(g.i64 == w.i64);
      continue;
    }
    for (size_t i = 0; i < w.f32.size(); ++i)
      if (!(std::fabs(g.f32[i] - w.f32[i]) <= 1e-6f * (1.0f + std::fabs(w.f32[i])))) {
        FAIL_CHECK("element " << i << ": compiled " << g.f32[i] << ", reference "
                              << w.f32[i]);
        break;
      }
  }
}

} // namespace

TEST_CASE("MaxPool values and Indices on awkward windows, both storage orders") {
  struct Case {
    std::vector<int64_t> x, kernel, strides, pads, dilations;
    int64_t ceil;
  };
  const Case cases[] = {
      {{2, 3, 7, 9}, {3, 2}, {2, 3}, {1, 0, 1, 1}, {1, 1}, 0},
      {{1, 5, 8, 5}, {2, 3}, {3, 1}, {0, 1, 1, 2}, {2, 1}, 1},
      {{2, 1, 5, 5}, {1, 1}, {3, 3}, {0, 0, 0, 0}, {1, 1}, 1}, // stride > kernel
      {{1, 2, 1, 11}, {1, 4}, {1, 2}, {0, 3, 0, 2}, {1, 2}, 0},
  };
  for (const Case &k : cases)
    for (int64_t order : {0, 1}) {
      CAPTURE(order);
      ModelBuilder m(12);
      m.input("x", k.x);
      m.node("MaxPool", {"x"}, {"y", "idx"}, "pool")
          .ints("kernel_shape", k.kernel)
          .ints("strides", k.strides)
          .ints("pads", k.pads)
          .ints("dilations", k.dilations)
          .i("ceil_mode", k.ceil)
          .i("storage_order", order);
      m.output("y");
      m.output("idx");
      checkEngines(m);
    }
}

TEST_CASE("the compiled model's info states each output's element type") {
  ModelBuilder m(13);
  m.input("x", {1, 2, 4, 4});
  m.node("MaxPool", {"x"}, {"y", "idx"}).ints("kernel_shape", {2, 2});
  m.node("Dropout", {"x"}, {"d", "mask"});
  for (const char *o : {"y", "idx", "mask"})
    m.output(o);
  auto g = m.import();
  REQUIRE(bool(g));
  auto cm = codegen::CompiledModel::compile(**g);
  REQUIRE_MESSAGE(bool(cm), llvm::toString(cm.takeError()));
  const kiln_model_info &info = (*cm)->info();
  REQUIRE(info.num_outputs == 3);
  CHECK(info.inputs[0].dtype == KILN_DTYPE_F32);
  CHECK(info.outputs[0].dtype == KILN_DTYPE_F32);
  CHECK(info.outputs[1].dtype == KILN_DTYPE_I64);
  CHECK(info.outputs[2].dtype == KILN_DTYPE_BOOL);
  CHECK(info.outputs[2].elements == 32);
}

TEST_CASE("Indices of a pool that reads a convolution's result") {
  // The conv's result has two readers, so the pool is not fused into it and
  // the indices read what the conv stored, whatever its layout.
  ModelBuilder m(12);
  m.input("x", {1, 3, 9, 9});
  m.filled("w", {32, 3, 3, 3}, 0.1f);
  m.node("Conv", {"x", "w"}, {"c"}).ints("pads", {1, 1, 1, 1});
  m.node("Relu", {"c"}, {"r"});
  m.node("MaxPool", {"r"}, {"y", "idx"}).ints("kernel_shape", {3, 3}).ints("strides", {2, 2});
  m.output("y");
  m.output("idx");
  checkEngines(m);
}

TEST_CASE("1-D and 3-D pools, a 3-D global pool and 1-D Conv through generated code") {
  ModelBuilder m1(12);
  m1.input("x", {2, 3, 17});
  m1.node("MaxPool", {"x"}, {"y", "idx"})
      .ints("kernel_shape", {4})
      .ints("strides", {3})
      .ints("pads", {2, 1})
      .i("ceil_mode", 1);
  m1.node("AveragePool", {"x"}, {"a"})
      .ints("kernel_shape", {3})
      .ints("pads", {1, 1})
      .i("count_include_pad", 1);
  m1.filled("w", {4, 3, 5}, 0.2f);
  m1.node("Conv", {"x", "w"}, {"c"}).ints("strides", {2}).ints("dilations", {2});
  for (const char *o : {"y", "idx", "a", "c"})
    m1.output(o);
  checkEngines(m1);

  ModelBuilder m3(12);
  m3.input("x", {2, 3, 5, 7, 6});
  m3.node("AveragePool", {"x"}, {"a"})
      .ints("kernel_shape", {3, 2, 3})
      .ints("strides", {2, 2, 2})
      .ints("pads", {1, 0, 1, 1, 1, 0})
      .i("ceil_mode", 1);
  m3.node("MaxPool", {"x"}, {"y"})
      .ints("kernel_shape", {2, 3, 2})
      .ints("strides", {1, 2, 3})
      .ints("dilations", {2, 1, 1});
  m3.node("GlobalAveragePool", {"x"}, {"g"});
  m3.output("a");
  m3.output("y");
  m3.output("g");
  checkEngines(m3);
}

TEST_CASE("Dropout's mask, empty tensors and Shape through generated code") {
  ModelBuilder m(13);
  m.input("x", {3, 5, 7}); // 105 bools: not a whole number of floats
  m.node("Dropout", {"x"}, {"y", "mask"});
  m.output("y");
  m.output("mask");
  checkEngines(m);

  ModelBuilder e(14);
  e.input("x", {4, 0, 3});
  e.initializerI64("shape", {2}, {0, 5});
  e.node("Reshape", {"x", "shape"}, {"r"}).i("allowzero", 1);
  e.node("Relu", {"x"}, {"z"});
  e.output("r");
  e.output("z");
  checkEngines(e);

  // A Shape the graph exports is not folded at import: generated code
  // writes the (static) int64 dims.
  ModelBuilder s(15);
  s.input("x", {2, 3, 5});
  s.node("Shape", {"x"}, {"s"}).i("start", 1);
  s.output("s");
  checkEngines(s);
}
