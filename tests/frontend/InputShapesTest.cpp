// Binding graph inputs' symbolic dimensions (frontend/InputShapes.h):
// --input-shape, --dim and --batch as ImportOptions, what each binds, the
// shape arithmetic that folds once the input is static, and every error.
#include "frontend/OnnxImporter.h"
#include "tests/frontend/ModelBuilder.h"
#include "tests/frontend/TestUtil.h"

#include <doctest/doctest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

using S = std::string;
using I = int64_t;
using Source = BoundDim::Source;
using Ints = std::vector<int64_t>;

/// x [batch,3,height,width] -> Relu, then flattened to [batch, 3*height*width]
/// by x.view(x.size(0), x.size(1) * x.size(2) * x.size(3)) as PyTorch
/// exports it: Shape -> Gather -> Mul -> Unsqueeze -> Concat -> Reshape.
ModelBuilder dynamicModel() {
  ModelBuilder m(13);
  m.symbolicInput("x", {S("batch"), I(3), S("height"), S("width")});
  m.node("Relu", {"x"}, {"r"});
  m.node("Shape", {"r"}, {"s"});
  for (int i = 0; i < 4; ++i) {
    m.initializerI64("i" + std::to_string(i), {}, {i});
    m.node("Gather", {"s", "i" + std::to_string(i)}, {"d" + std::to_string(i)}).i("axis", 0);
  }
  m.node("Mul", {"d1", "d2"}, {"chw0"});
  m.node("Mul", {"chw0", "d3"}, {"chw"});
  m.initializerI64("ax", {1}, {0});
  m.node("Unsqueeze", {"d0", "ax"}, {"n1"});
  m.node("Unsqueeze", {"chw", "ax"}, {"chw1"});
  m.node("Concat", {"n1", "chw1"}, {"shape"}).i("axis", 0);
  m.node("Reshape", {"r", "shape"}, {"y"});
  m.output("y");
  return m;
}

/// a [batch,3,height,width] + b [batch,1,height,width]: one symbol in two inputs.
ModelBuilder twoInputModel() {
  ModelBuilder m(13);
  m.symbolicInput("a", {S("batch"), I(3), S("height"), S("width")});
  m.symbolicInput("b", {S("batch"), I(1), S("height"), S("width")});
  m.node("Add", {"a", "b"}, {"y"});
  m.output("y");
  return m;
}

std::vector<InputBinding> bindingsOf(const ModelBuilder &m, const ImportOptions &opts,
                                     std::unique_ptr<Graph> *graph = nullptr) {
  std::string bytes = m.serialize();
  std::vector<InputBinding> b;
  auto g = expectImport(importOnnxBytes(bytes.data(), bytes.size(), "", opts, &b));
  if (graph)
    *graph = std::move(g);
  return b;
}

std::string errorOf(const ModelBuilder &m, const ImportOptions &opts) {
  return importError(m.import("", opts));
}

} // namespace

TEST_CASE("--input-shape binds every dimension; the shape arithmetic folds") {
  for (bool bare : {false, true}) {
    ImportOptions opts;
    opts.inputShapes[bare ? "" : "x"] = {2, 3, 40, 24};
    std::unique_ptr<Graph> g;
    auto b = bindingsOf(dynamicModel(), opts, &g);
    REQUIRE(g);
    CHECK(g->inputs[0]->type == TensorType{DType::F32, {2, 3, 40, 24}});
    CHECK(outDims(*g) == Dims{2, 3 * 40 * 24});
    // Shape, Gather, Mul, Unsqueeze and Concat are gone: Relu and Reshape stay.
    REQUIRE(g->nodes().size() == 2);
    CHECK(g->nodes()[1]->op == OpKind::Reshape);
    CHECK(g->nodes()[1]->attrs.getInts("shape") == Ints{2, 2880});
    REQUIRE(b.size() == 1);
    CHECK(b[0].input == "x");
    CHECK(b[0].type == g->inputs[0]->type);
    REQUIRE(b[0].dims.size() == 3);
    CHECK(b[0].dims[0].axis == 0);
    CHECK(b[0].dims[0].symbol == "batch");
    CHECK(b[0].dims[0].value == 2);
    CHECK(b[0].dims[1].symbol == "height");
    CHECK(b[0].dims[1].axis == 2);
    CHECK(b[0].dims[2].value == 24);
    for (const BoundDim &d : b[0].dims)
      CHECK(d.source == Source::InputShape);
  }
}

TEST_CASE("--dim binds a symbol wherever it appears; --batch the leading dimension") {
  ImportOptions opts;
  opts.dims = {{"height", 17}, {"width", 9}};
  opts.batch = 3;
  std::unique_ptr<Graph> g;
  auto b = bindingsOf(twoInputModel(), opts, &g);
  REQUIRE(g);
  CHECK(g->inputs[0]->type.dims == Dims{3, 3, 17, 9});
  CHECK(g->inputs[1]->type.dims == Dims{3, 1, 17, 9});
  CHECK(outDims(*g) == Dims{3, 3, 17, 9});
  REQUIRE(b.size() == 2);
  CHECK(b[1].dims[0].source == Source::Batch);
  CHECK(b[1].dims[1].source == Source::Dim);

  // --dim batch agrees with --batch: no conflict.
  opts.dims["batch"] = 3;
  CHECK(bindingsOf(twoInputModel(), opts).size() == 2);

  // One input's --input-shape binds its symbols in the other input too.
  ImportOptions one;
  one.inputShapes["a"] = {2, 3, 8, 6};
  g.reset();
  b = bindingsOf(twoInputModel(), one, &g);
  REQUIRE(g);
  CHECK(g->inputs[1]->type.dims == Dims{2, 1, 8, 6});
  CHECK(b[1].dims[2].source == Source::InputShape);
}

TEST_CASE("a symbolic batch nobody binds takes 1, reported as the default") {
  ModelBuilder m(13);
  m.symbolicInput("x", {S("N"), I(4)});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  auto b = bindingsOf(m, {});
  REQUIRE(b.size() == 1);
  REQUIRE(b[0].dims.size() == 1);
  CHECK(b[0].dims[0].symbol == "N");
  CHECK(b[0].dims[0].value == 1);
  CHECK(b[0].dims[0].source == Source::Default);

  // A static input reports no dimensions.
  ModelBuilder s(13);
  s.input("x", {2, 4});
  s.node("Relu", {"x"}, {"y"});
  s.output("y");
  b = bindingsOf(s, {});
  REQUIRE(b.size() == 1);
  CHECK(b[0].dims.empty());
}

TEST_CASE("binding errors name the input and the flag") {
  auto shape = [](const std::string &name, Dims d) {
    ImportOptions o;
    o.inputShapes[name] = std::move(d);
    return o;
  };
  const ModelBuilder m = dynamicModel();

  CHECK(errorOf(m, shape("x", {1, 3, 8})) ==
        "graph input 'x' has 4 dimensions, --input-shape gives 3");
  CHECK(errorOf(m, shape("x", {1, 4, 8, 8})) ==
        "graph input 'x': dimension 1 is 3 in the model, --input-shape gives 4");
  CHECK(errorOf(m, shape("y", {1, 3, 8, 8})) ==
        "--input-shape names 'y', which is not a graph input (the inputs are 'x')");
  CHECK(errorOf(m, shape("i0", {})) ==
        "--input-shape names 'i0', which is not a graph input (the inputs are 'x')");
  CHECK(errorOf(twoInputModel(), shape("", {1, 3, 8, 8})) ==
        "--input-shape without a name needs a model with one input; this one has 2: "
        "'a', 'b'");

  // Zero, negative and absurd dimensions.
  CHECK(errorOf(m, shape("x", {1, 3, 0, 8})) ==
        "graph input 'x': dimension 2 ('height') cannot be 0 (--input-shape): a dimension "
        "is at least 1");
  CHECK(errorOf(m, shape("x", {-2, 3, 8, 8})) ==
        "graph input 'x': dimension 0 ('batch') cannot be -2 (--input-shape): a dimension "
        "is at least 1");
  ImportOptions zero;
  zero.dims = {{"height", 0}, {"width", 8}};
  CHECK(errorOf(m, zero) == "graph input 'x': dimension 2 ('height') cannot be 0 (--dim "
                            "height=0): a dimension is at least 1");
  CHECK(errorOf(m, shape("x", {1, 3, int64_t(1) << 40, 8})) ==
        "graph input 'x': dimension 2 ('height') cannot be 1099511627776 (--input-shape): "
        "more than the limit of 4294967296 elements");
  CHECK(errorOf(m, shape("x", {1, 3, 1 << 16, 1 << 16})) ==
        "graph input 'x': shape [1,3,65536,65536] has too many elements (the limit is "
        "4294967296)");

  // Still symbolic: the flag that would bind it.
  CHECK(errorOf(m, {}) == "graph input 'x': dimension 2 ('height') is symbolic; bind it "
                          "with --dim height=N or --input-shape x=1x3xNxN");
  ImportOptions h;
  h.dims = {{"height", 32}};
  h.batch = 4;
  CHECK(errorOf(m, h) == "graph input 'x': dimension 3 ('width') is symbolic; bind it with "
                         "--dim width=N or --input-shape x=4x3x32xN");
  ModelBuilder anon(13);
  anon.input("x", {1, -1});
  anon.node("Relu", {"x"}, {"y"});
  anon.output("y");
  CHECK(errorOf(anon, {}) ==
        "graph input 'x': dimension 1 is unknown; bind it with --input-shape x=1xN");
  CHECK(outDims(*expectImport(anon.import("", shape("x", {1, 5})))) == Dims{1, 5});

  // A --dim no input declares, and flags that disagree.
  ImportOptions typo;
  typo.dims = {{"heigth", 8}};
  CHECK(errorOf(m, typo) == "--dim heigth=8: no graph input has a dimension named 'heigth' "
                            "(the inputs' symbols are 'batch', 'height', 'width')");
  ImportOptions both = shape("x", {1, 3, 8, 8});
  both.dims = {{"height", 16}};
  CHECK(errorOf(m, both) == "graph input 'x': dimension 2 ('height') is 8 by --input-shape "
                            "and 16 by --dim height=16");
  ImportOptions batch;
  batch.batch = 2;
  batch.dims = {{"batch", 4}, {"height", 8}, {"width", 8}};
  CHECK(errorOf(m, batch) == "graph input 'x': dimension 0 ('batch') is 4 by --dim batch=4 "
                             "and 2 by --batch 2");
}
