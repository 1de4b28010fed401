//===- ErrorsTest.cpp - Each kind of bad model gives its one-line error ---===//

#include "tests/frontend/TestUtil.h"

#include <fmt/format.h>
#include <functional>

using namespace kiln;
using namespace kiln::test;

namespace {

/// True when `text` contains `part`; prints both otherwise.
bool contains(const std::string &text, const std::string &part) {
  if (text.find(part) != std::string::npos)
    return true;
  MESSAGE("error was: '" << text << "'\nexpected to contain: '" << part << "'");
  return false;
}

/// A model with one Relu over x[1,2]: the base most cases break.
ModelBuilder reluModel(int64_t opset = 13) {
  ModelBuilder m(opset);
  m.input("x", {1, 2});
  m.node("Relu", {"x"}, {"y"}, "relu");
  m.output("y");
  return m;
}

std::string convError(const std::function<void(ModelBuilder &, NodeRef &)> &edit,
                      std::vector<int64_t> wDims = {4, 3, 3, 3},
                      std::vector<int64_t> xDims = {1, 3, 8, 8}) {
  ModelBuilder m(13);
  m.input("x", xDims);
  m.filled("w", wDims);
  NodeRef n = m.node("Conv", {"x", "w"}, {"y"}, "conv");
  edit(m, n);
  m.output("y");
  return importError(m.import());
}

} // namespace

TEST_CASE("file-level errors") {
  const char garbage[] = "\xff\xff\xff\xff this is not a protobuf";
  CHECK(contains(importError(importOnnxBytes(garbage, sizeof garbage, "")),
                 "not an ONNX model"));
  CHECK(contains(importError(importOnnxBytes("", 0, "")), "it has no graph"));
  CHECK(contains(importError(importOnnxFile("/nonexistent/model.onnx")),
                 "cannot open '/nonexistent/model.onnx'"));
  CHECK(contains(importError(importOnnxFile("/dev/null")), "is not a regular file"));

  ModelBuilder noOpset(0);
  noOpset.input("x", {1});
  noOpset.node("Relu", {"x"}, {"y"});
  noOpset.output("y");
  CHECK(contains(importError(noOpset.import()),
                 "does not import the default ONNX opset"));
  CHECK(importError(reluModel(99).import()) ==
        "ONNX opset 99 is not supported (kiln supports opsets 1 to 17)");

  ModelBuilder noOut(13);
  noOut.input("x", {1});
  CHECK(importError(noOut.import()) == "graph has no outputs");

  ImportOptions bad;
  bad.batch = 0;
  CHECK(contains(importError(reluModel().import("", bad)), "batch size 0"));
}

TEST_CASE("all unsupported ops are listed in one error") {
  ModelBuilder m(13);
  m.input("x", {1, 2});
  m.node("Foo", {"x"}, {"a"}, "a");
  m.node("Relu", {"a"}, {"b"}, "b");
  m.node("Bar", {"b"}, {"c"});
  m.node("Relu", {"c"}, {"d"}).domain("com.example");
  m.output("d");
  CHECK(importError(m.import()) == "unsupported ops: node 'a' (Foo), node 'Bar_2' (Bar), "
                                   "node 'Relu_3' (com.example:Relu)");
}

TEST_CASE("graph structure errors") {
  SUBCASE("cycle") {
    ModelBuilder m(13);
    m.input("x", {1, 2});
    m.node("Add", {"x", "b"}, {"a"}, "n1");
    m.node("Relu", {"a"}, {"b"}, "n2");
    m.output("b");
    CHECK(importError(m.import()) == "graph has a cycle through node 'n1' (Add)");
  }
  SUBCASE("undefined input") {
    ModelBuilder m = reluModel();
    m.node("Add", {"y", "nowhere"}, {"z"}, "add");
    CHECK(importError(m.import()) == "node 'add' (Add): input 'nowhere' is not defined");
  }
  SUBCASE("value produced twice") {
    ModelBuilder m = reluModel();
    m.node("Sigmoid", {"x"}, {"y"}, "sig");
    CHECK(importError(m.import()) == "value 'y' is produced twice: by node 'relu' "
                                     "(Relu) and by node 'sig' (Sigmoid)");
  }
  SUBCASE("output overwrites an input") {
    ModelBuilder m = reluModel();
    m.node("Sigmoid", {"y"}, {"x"}, "sig");
    CHECK(contains(importError(m.import()), "output 'x' is also a graph input"));
  }
  SUBCASE("undefined graph output") {
    ModelBuilder m = reluModel();
    m.output("ghost");
    CHECK(importError(m.import()) == "graph output 'ghost' is not defined");
  }
  SUBCASE("duplicate initializer") {
    ModelBuilder m = reluModel();
    m.filled("w", {2});
    m.filled("w", {2});
    CHECK(importError(m.import()) == "initializer 'w' is defined twice");
  }
}

TEST_CASE("type and shape errors of inputs and initializers") {
  SUBCASE("unknown data type") {
    ModelBuilder m(13);
    m.input("x", {1, 2}, 1234);
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    CHECK(importError(m.import()) ==
          "graph input 'x': element type <unknown data type 1234> is not supported");
  }
  SUBCASE("string input") {
    ModelBuilder m(13);
    m.input("x", {1, 2}, onnx::TensorProto::STRING);
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    CHECK(contains(importError(m.import()), "element type STRING is not supported"));
  }
  SUBCASE("negative dim") {
    ModelBuilder m(13);
    m.input("x", {1, -5});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    CHECK(importError(m.import()) == "graph input 'x': dimension 1 is -5");
  }
  SUBCASE("huge declared shape") {
    ModelBuilder m(13);
    m.input("x", {1 << 20, 1 << 20, 1 << 20});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    CHECK(contains(importError(m.import()), "has too many elements"));
  }
  SUBCASE("initializer dims overflow int64") {
    ModelBuilder m = reluModel();
    auto &t = *m.graph().add_initializer();
    t.set_name("big");
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (int i = 0; i < 4; ++i)
      t.add_dims(int64_t(1) << 40);
    CHECK(contains(importError(m.import()), "initializer 'big': shape"));
  }
  SUBCASE("initializer negative dim") {
    ModelBuilder m = reluModel();
    auto &t = *m.graph().add_initializer();
    t.set_name("neg");
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_dims(-2);
    CHECK(importError(m.import()) == "initializer 'neg': negative dimension -2");
  }
  SUBCASE("raw_data short, long, not a multiple") {
    for (size_t bytes : {4u, 12u, 9u}) {
      ModelBuilder m = reluModel();
      auto &t = m.filled("w", {2});
      t.set_raw_data(std::string(bytes, '\0'));
      CHECK(importError(m.import()) ==
            fmt::format("initializer 'w': raw_data has {} bytes, expected 8 (2 elements "
                        "of 4 bytes)",
                        bytes));
    }
  }
  SUBCASE("typed data too short") {
    ModelBuilder m = reluModel();
    auto &t = *m.graph().add_initializer();
    t.set_name("w");
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_dims(3);
    t.add_int64_data(1);
    CHECK(importError(m.import()) == "initializer 'w': int64_data has 1 values, expected 3");
  }
  SUBCASE("unsupported constant type") {
    ModelBuilder m = reluModel();
    auto &t = *m.graph().add_initializer();
    t.set_name("d");
    t.set_data_type(onnx::TensorProto::DOUBLE);
    CHECK(contains(importError(m.import()), "element type DOUBLE is not supported"));
  }
}

TEST_CASE("conv errors") {
  CHECK(convError([](auto &, auto &) {}, {4, 3, 3}) ==
        "node 'conv' (Conv): weight 'w' has rank 3, expected 4");
  CHECK(convError([](auto &, NodeRef &n) { n.ints("kernel_shape", {5, 5}); }) ==
        "node 'conv' (Conv): kernel_shape [5,5] does not match the weight's kernel [3,3]");
  CHECK(convError([](auto &, NodeRef &n) { n.i("group", 2); }, {4, 3, 3, 3},
                  {1, 3, 8, 8}) ==
        "node 'conv' (Conv): group 2 does not divide the 3 input channels");
  CHECK(convError([](auto &, NodeRef &n) { n.i("group", 2); }, {3, 2, 3, 3},
                  {1, 4, 8, 8}) ==
        "node 'conv' (Conv): group 2 does not divide the 3 output channels");
  CHECK(convError([](auto &, auto &) {}, {4, 2, 3, 3}) ==
        "node 'conv' (Conv): input has 3 channels but weight [4,2,3,3] with group 1 "
        "expects 2");
  CHECK(convError([](auto &, NodeRef &n) { n.ints("strides", {0, 1}); }) ==
        "node 'conv' (Conv): strides [0,1] must be positive");
  CHECK(convError([](auto &, NodeRef &n) { n.ints("dilations", {1, -1}); }) ==
        "node 'conv' (Conv): dilations [1,-1] must be positive");
  CHECK(convError([](auto &, NodeRef &n) { n.ints("pads", {1, 1}); }) ==
        "node 'conv' (Conv): pads [1,1] has 2 values, expected 4");
  CHECK(convError([](auto &, NodeRef &n) { n.f("group", 1.0f); }) ==
        "node 'conv' (Conv): attribute 'group' has type FLOAT, expected INT");
  CHECK(contains(convError([](auto &, auto &) {}, {4, 3, 9, 9}), "empty output"));
  CHECK(contains(convError([](auto &, auto &) {}, {4, 3, 3, 3, 3}, {1, 3, 8, 8, 8}),
                 "3-D Conv (input rank 5) is not supported"));
  CHECK(convError([](auto &, auto &) {}, {4, 3, 3, 3}, {1, 3, 8}) ==
        "node 'conv' (Conv): weight 'w' has rank 4, expected 3");
  CHECK(convError(
            [](ModelBuilder &m, NodeRef &n) {
              m.filled("bias", {5});
              n.proto().add_input("bias");
            }) == "node 'conv' (Conv): bias has shape [5], expected [4]");
}

TEST_CASE("pool errors") {
  ModelBuilder m(13);
  m.input("x", {1, 1, 4, 4});
  m.node("MaxPool", {"x"}, {"y"}, "pool").ints("kernel_shape", {5, 5});
  m.output("y");
  CHECK(contains(importError(m.import()), "node 'pool' (MaxPool): window 5x5"));

  ModelBuilder m2(13);
  m2.input("x", {1, 1, 4, 4});
  m2.node("MaxPool", {"x"}, {"y"}, "pool");
  m2.output("y");
  CHECK(importError(m2.import()) ==
        "node 'pool' (MaxPool): required attribute 'kernel_shape' is missing");

  ModelBuilder m3(13);
  m3.input("x", {1, 1, 4, 4, 4});
  m3.node("MaxPool", {"x"}, {"y", "idx"}, "pool").ints("kernel_shape", {2, 2, 2});
  m3.output("y");
  m3.output("idx");
  CHECK(importError(m3.import()) ==
        "node 'pool' (MaxPool): Indices of a 3-D MaxPool is not supported");

  ModelBuilder m4(13);
  m4.input("x", {1, 1, 4, 4, 4, 4});
  m4.node("AveragePool", {"x"}, {"y"}, "pool").ints("kernel_shape", {2, 2, 2, 2});
  m4.output("y");
  CHECK(importError(m4.import()) ==
        "node 'pool' (AveragePool): 4-D AveragePool (input rank 6) is not supported");
}

TEST_CASE("dense algebra and broadcast errors") {
  ModelBuilder m(13);
  m.input("a", {4, 8});
  m.filled("b", {7, 16});
  m.node("Gemm", {"a", "b"}, {"y"}, "fc");
  m.output("y");
  CHECK(importError(m.import()) == "node 'fc' (Gemm): A [4,8] and B [7,16] have "
                                   "different inner dimensions (8 vs 7)");

  ModelBuilder m2(13);
  m2.input("a", {4, 8});
  m2.filled("b", {8, 16});
  m2.filled("c", {4, 15});
  m2.node("Gemm", {"a", "b", "c"}, {"y"}, "fc");
  m2.output("y");
  CHECK(importError(m2.import()) ==
        "node 'fc' (Gemm): C has shape [4,15], not broadcastable to [4,16]");

  ModelBuilder m3(13);
  m3.input("a", {2, 3});
  m3.input("b", {4, 5});
  m3.node("MatMul", {"a", "b"}, {"y"}, "mm");
  m3.output("y");
  CHECK(importError(m3.import()) ==
        "node 'mm' (MatMul): inner dimensions differ: A [2,3] and B [4,5]");

  ModelBuilder m4(13);
  m4.input("a", {2, 3});
  m4.input("b", {4, 3});
  m4.node("Add", {"a", "b"}, {"y"}, "add");
  m4.output("y");
  CHECK(importError(m4.import()) ==
        "node 'add' (Add): shapes [2,3] and [4,3] do not broadcast");
}

TEST_CASE("axis, attribute and optional-output errors") {
  ModelBuilder m(13);
  m.input("x", {2, 3});
  m.node("Concat", {"x", "x"}, {"y"}, "cat").i("axis", 2);
  m.output("y");
  CHECK(importError(m.import()) == "node 'cat' (Concat): axis 2 is out of range [-2, 1]");

  ModelBuilder m2(13);
  m2.input("x", {2, 3});
  m2.node("Transpose", {"x"}, {"y"}, "t").ints("perm", {0, 0});
  m2.output("y");
  CHECK(importError(m2.import()) ==
        "node 't' (Transpose): perm [0,0] is not a permutation of 0..1");

  ModelBuilder m3(6);
  m3.input("x", {2, 3});
  m3.node("Dropout", {"x"}, {"y", "mask"}, "drop");
  m3.output("y");
  m3.output("mask");
  CHECK(importError(m3.import()) == "node 'drop' (Dropout): Dropout's mask in training "
                                    "mode (is_test=0) is not supported");

  ModelBuilder m4(13);
  m4.input("x", {2, 3});
  m4.initializer("r", {}, {0.5f});
  m4.node("Constant", {}, {"train"})
      .t("value", makeTensorI64("t", {}, {1}));
  m4.node("Dropout", {"x", "r", "train"}, {"y"}, "drop");
  m4.output("y");
  CHECK(importError(m4.import()) ==
        "node 'drop' (Dropout): Dropout with training_mode=true is not supported");

  ModelBuilder m5(13);
  m5.input("x", {2, 3});
  m5.input("lo", {});
  m5.node("Clip", {"x", "lo"}, {"y"}, "clip");
  m5.output("y");
  CHECK(importError(m5.import()) ==
        "node 'clip' (Clip): min (input 'lo') must be a constant");

  ModelBuilder m6(13);
  m6.input("x", {2, 3});
  m6.node("Squeeze", {"x", "ax"}, {"y"}, "sq");
  m6.initializerI64("ax", {1}, {0});
  m6.output("y");
  CHECK(importError(m6.import()) ==
        "node 'sq' (Squeeze): cannot squeeze dimension 0 of [2,3]: size is not 1");

  ModelBuilder m7(13);
  m7.input("x", {2, 3});
  m7.node("Constant", {}, {"c"});
  m7.output("c");
  CHECK(importError(m7.import()) ==
        "node 'Constant_0' (Constant): needs exactly one value attribute, has 0");

  ModelBuilder m8(13);
  m8.input("x", {2, 3});
  m8.initializerI64("idx", {1}, {5});
  m8.node("Gather", {"x", "idx"}, {"y"}, "g").i("axis", 1);
  m8.output("y");
  CHECK(importError(m8.import()) ==
        "node 'g' (Gather): index 5 is out of range for dimension 1 of size 3");

  ModelBuilder m9(11);
  m9.input("x", {2, 3});
  m9.initializerI64("p", {3}, {0, 0, 1});
  m9.node("Pad", {"x", "p"}, {"y"}, "pad");
  m9.output("y");
  CHECK(importError(m9.import()) ==
        "node 'pad' (Pad): pads [0,0,1] has 3 values, expected 4 for rank 2");
}

TEST_CASE("truncated and corrupted models fail cleanly") {
  ModelBuilder m(13);
  m.input("x", {1, 3, 8, 8});
  m.filled("w", {4, 3, 3, 3});
  m.initializerI64("shape", {2}, {1, -1});
  m.node("Conv", {"x", "w"}, {"c"}).ints("pads", {1, 1, 1, 1});
  m.node("MaxPool", {"c"}, {"p"}).ints("kernel_shape", {2, 2}).ints("strides", {2, 2});
  m.node("Reshape", {"p", "shape"}, {"y"});
  m.output("y");
  std::string bytes = m.serialize();
  REQUIRE(importError(m.import()) == "");
  int failures = 0;
  auto tryImport = [&](const std::string &b) {
    std::string err = importError(importOnnxBytes(b.data(), b.size(), ""));
    if (!err.empty()) {
      ++failures;
      CHECK(err.find('\n') == std::string::npos);
    }
  };
  for (size_t len = 0; len < bytes.size(); ++len)
    tryImport(bytes.substr(0, len));
  // Deterministic byte corruption: every position, a few replacement values.
  for (size_t pos = 0; pos < bytes.size(); ++pos)
    for (unsigned char v : {0x00, 0x7f, 0xff, 0x08}) {
      std::string b = bytes;
      b[pos] = char(v);
      tryImport(b);
    }
  CHECK(failures > 0);
}
