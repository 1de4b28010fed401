//===- PrinterTest.cpp - Text, JSON and dot output of the IR --------------===//

#include "compiler/ir/Printer.h"
#include "compiler/ir/ShapeInference.h"
#include "compiler/ir/Verifier.h"

#include <doctest/doctest.h>

using namespace kiln;

namespace {
std::shared_ptr<ConstantData> zeros(int64_t n) {
  auto d = std::make_shared<ConstantData>();
  d->f32.assign(size_t(n), 0.0f);
  return d;
}

/// x -> Conv(3->4, 3x3, pad 1) {fused relu} -> y
std::unique_ptr<Graph> convGraph() {
  auto g = std::make_unique<Graph>();
  g->name = "tiny";
  Value *x = g->addValue("x", {DType::F32, {1, 3, 8, 8}});
  g->inputs.push_back(x);
  Value *w = g->addConstant("conv.w", {DType::F32, {4, 3, 3, 3}}, zeros(108));
  Value *b = g->addConstant("conv.b", {DType::F32, {4}}, zeros(4));
  Value *y = g->addValue("y", {DType::F32, {1, 4, 8, 8}});
  Attrs a;
  a.set("kernel", std::vector<int64_t>{3, 3});
  a.set("strides", std::vector<int64_t>{1, 1});
  a.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  a.set("dilations", std::vector<int64_t>{1, 1});
  a.set("group", int64_t(1));
  Node *conv = g->addNode(OpKind::Conv, "conv1", {x, w, b}, {y}, a);
  conv->fused.push_back({OpKind::Relu, {}});
  g->outputs.push_back(y);
  return g;
}
/// The error's text, or "" for success; consumes the error.
std::string errorText(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : "";
}
} // namespace

TEST_CASE("text dump prints one line per node with attributes, fusions and type") {
  auto g = convGraph();
  CHECK(printText(*g) ==
        "graph \"tiny\" {\n"
        "  input  %x : f32[1,3,8,8]\n"
        "  output %y : f32[1,4,8,8]\n"
        "  constants: 2 (0.0 MB)\n"
        "\n"
        "  %y = Conv(%x, @conv.w, @conv.b) {dilations=1x1 group=1 kernel=3x3 "
        "pads=[1,1,1,1] strides=1x1 fused=[relu]} : f32[1,4,8,8]  # \"conv1\"\n"
        "}\n");
}

TEST_CASE("json dump names ops by ONNX type and lists fusions in lower case") {
  auto g = convGraph();
  std::string j = printJson(*g);
  CHECK(j.find("\"op\":\"Conv\"") != std::string::npos);
  CHECK(j.find("\"fused\":[\"relu\"]") != std::string::npos);
  CHECK(j.find("\"shape\":[1,4,8,8]") != std::string::npos);
  CHECK(j.find("\"name\":\"conv1\"") != std::string::npos);
}

TEST_CASE("hostile names are escaped in every format") {
  auto g = convGraph();
  g->nodes()[0]->name = "a\"b\n*/\xff";
  std::string j = printJson(*g);
  CHECK(j.find("\"name\":\"a\\\"b\\u000a*/\\ufffd\"") != std::string::npos);
  std::string t = printText(*g);
  CHECK(t.find("# \"a\\\"b\\x0a*/\xff\"") != std::string::npos);
  std::string d = printDot(*g);
  CHECK(d.rfind("digraph", 0) == 0);
  CHECK(d.find('\n', d.find("a\\\"b")) > d.find("a\\\"b") + 4); // no raw newline inside the label
}

TEST_CASE("dot dump is a digraph with an edge per activation") {
  auto g = convGraph();
  std::string d = printDot(*g);
  CHECK(d.rfind("digraph \"tiny\" {", 0) == 0);
  CHECK(d.find("in0 -> n1;") != std::string::npos);
  CHECK(d.find("n1 -> out2;") != std::string::npos);
}

TEST_CASE("verifier accepts a well-formed graph") {
  auto g = convGraph();
  CHECK(errorText(verifyGraph(*g)) == "");
}

TEST_CASE("verifier rejects a result type that disagrees with shape inference") {
  auto g = convGraph();
  g->outputs[0]->type.dims = {1, 4, 7, 7};
  CHECK(errorText(verifyGraph(*g)) ==
        "node 'conv1' (Conv): result 'y' has type f32[1,4,7,7] but shape inference gives "
        "f32[1,4,8,8]");
}

TEST_CASE("verifier rejects use before definition") {
  auto g = std::make_unique<Graph>();
  Value *x = g->addValue("x", {DType::F32, {4}});
  Value *y = g->addValue("y", {DType::F32, {4}});
  Value *z = g->addValue("z", {DType::F32, {4}});
  g->inputs.push_back(x);
  g->addNode(OpKind::Relu, "second", {y}, {z});
  g->addNode(OpKind::Relu, "first", {x}, {y});
  g->outputs.push_back(z);
  CHECK(errorText(verifyGraph(*g)) == "node 'second' (Relu): reads 'y' before it is defined");
  CHECK(g->topologicalSort());
  CHECK(errorText(verifyGraph(*g)) == "");
}

TEST_CASE("verifier rejects overlapping live values in the workspace") {
  auto g = std::make_unique<Graph>();
  Value *x = g->addValue("x", {DType::F32, {16}});
  Value *a = g->addValue("a", {DType::F32, {16}});
  Value *b = g->addValue("b", {DType::F32, {16}});
  Value *c = g->addValue("c", {DType::F32, {16}});
  g->inputs.push_back(x);
  g->addNode(OpKind::Relu, "r1", {x}, {a});
  g->addNode(OpKind::Relu, "r2", {a}, {b});
  g->addNode(OpKind::Add, "add", {a, b}, {c});
  g->outputs.push_back(c);
  a->offset = 0;
  b->offset = 0; // a is still live when b is written
  g->workspaceBytes = 64;
  CHECK(errorText(verifyGraph(*g)) ==
        "values 'a' and 'b' are live together and overlap in the workspace");
  b->offset = 64;
  g->workspaceBytes = 128;
  CHECK(errorText(verifyGraph(*g)) == "");
}
