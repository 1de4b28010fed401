//===- ZooModelsTest.cpp - The zoo writes the graphs exporters write ------===//
//
// Structure, names, parameter counts (torchvision's, from sum(p.numel())),
// opset-dependent forms and determinism of kiln-zoo's models, checked in
// memory; the end-to-end tests (zoo-model.sh) check their numbers.
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Models.h"
#include "samples/zoo/Npy.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <set>

using namespace kiln::zoo;

namespace {
/// True, with the message logged, when `e` is an error.
bool failed(llvm::Error e) {
  if (!e)
    return false;
  MESSAGE(llvm::toString(std::move(e)));
  return true;
}

std::unique_ptr<ModelBuilder> build(const std::string &name, ZooOptions o = {}) {
  auto b = buildZooModel(name, o);
  REQUIRE_MESSAGE(bool(b), (b ? "" : llvm::toString(b.takeError())));
  REQUIRE_FALSE(failed(validateZooModel((*b)->model())));
  return std::move(*b);
}

std::map<std::string, int> opCounts(const onnx::GraphProto &g) {
  std::map<std::string, int> counts;
  for (const onnx::NodeProto &n : g.node())
    ++counts[n.op_type()];
  return counts;
}

/// Learnable parameters, as torchvision counts them (no BN running stats).
int64_t learnable(const onnx::GraphProto &g) {
  int64_t total = 0;
  for (const onnx::TensorProto &t : g.initializer()) {
    if (t.name().ends_with("running_mean") || t.name().ends_with("running_var"))
      continue;
    int64_t n = 1;
    for (int64_t d : t.dims())
      n *= d;
    total += n;
  }
  return total;
}

const onnx::NodeProto *findNode(const onnx::GraphProto &g, const std::string &name) {
  for (const onnx::NodeProto &n : g.node())
    if (n.name() == name)
      return &n;
  return nullptr;
}

const onnx::AttributeProto *findAttr(const onnx::NodeProto &n, const std::string &name) {
  for (const onnx::AttributeProto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

const onnx::TensorProto *findInit(const onnx::GraphProto &g, const std::string &name) {
  for (const onnx::TensorProto &t : g.initializer())
    if (t.name() == name)
      return &t;
  return nullptr;
}

const float *floats(const onnx::TensorProto &t) {
  return reinterpret_cast<const float *>(t.raw_data().data());
}
} // namespace

TEST_CASE("resnet50 has torchvision's 53 convolutions, 53 batch norms, 25.6 M parameters") {
  auto b = build("resnet50");
  const onnx::GraphProto &g = b->model().graph();
  auto ops = opCounts(g);
  CHECK(ops["Conv"] == 53);
  CHECK(ops["BatchNormalization"] == 53);
  CHECK(ops["Add"] == 16);
  CHECK(ops["Relu"] == 49);
  CHECK(ops["MaxPool"] == 1);
  CHECK(ops["GlobalAveragePool"] == 1);
  CHECK(ops["Flatten"] == 1);
  CHECK(ops["Gemm"] == 1);
  CHECK(learnable(g) == 25557032);
  // v1.5: the stride sits on the 3x3 convolution.
  const onnx::NodeProto *conv2 = findNode(g, "/layer2/layer2.0/conv2/Conv");
  REQUIRE(conv2);
  CHECK(findAttr(*conv2, "strides")->ints(0) == 2);
  CHECK(findAttr(*findNode(g, "/layer2/layer2.0/conv1/Conv"), "strides")->ints(0) == 1);
}

TEST_CASE("resnet18 is named the way torch.onnx.export names it") {
  auto b = build("resnet18");
  const onnx::ModelProto &m = b->model();
  const onnx::GraphProto &g = m.graph();
  CHECK(learnable(g) == 11689512);
  CHECK(m.opset_import(0).version() == 17);
  REQUIRE(g.input_size() == 1);
  CHECK(g.input(0).name() == "input");
  CHECK(g.input(0).type().tensor_type().shape().dim(0).dim_param() == "batch_size");
  CHECK(g.output(0).name() == "output");
  CHECK(g.output(0).type().tensor_type().shape().dim(1).dim_value() == 1000);
  for (const char *name : {"/conv1/Conv", "/bn1/BatchNormalization", "/maxpool/MaxPool",
                           "/layer1/layer1.0/relu/Relu", "/layer1/layer1.0/relu_1/Relu",
                           "/layer1/layer1.0/Add", "/layer2/layer2.0/downsample/downsample.0/Conv",
                           "/avgpool/GlobalAveragePool", "/Flatten", "/fc/Gemm"})
    CHECK_MESSAGE(findNode(g, name), name);
  CHECK(findNode(g, "/layer1/layer1.0/conv1/Conv")->output(0) ==
        "/layer1/layer1.0/conv1/Conv_output_0");
  for (const char *name :
       {"conv1.weight", "bn1.running_var", "layer2.0.downsample.1.weight", "fc.weight", "fc.bias"})
    CHECK_MESSAGE(findInit(g, name), name);
  // torchvision's convolutions have no bias.
  CHECK(findNode(g, "/conv1/Conv")->input_size() == 2);
  const onnx::TensorProto *w = findInit(g, "conv1.weight");
  CHECK(w->raw_data().size() == 64 * 3 * 7 * 7 * sizeof(float));
  CHECK(w->float_data_size() == 0);
  // ONNX shape inference left its value_info, as in an export.
  CHECK(g.value_info_size() > 0);
}

TEST_CASE("batch norms carry the data's statistics, perturbed: folding has work to do") {
  auto b = build("resnet18");
  const onnx::GraphProto &g = b->model().graph();
  int bns = 0;
  for (const onnx::NodeProto &n : g.node()) {
    if (n.op_type() != "BatchNormalization")
      continue;
    ++bns;
    const onnx::TensorProto *gamma = findInit(g, n.input(1));
    const onnx::TensorProto *mean = findInit(g, n.input(3));
    const onnx::TensorProto *var = findInit(g, n.input(4));
    REQUIRE((gamma && mean && var));
    std::set<float> distinctVar, distinctMean;
    for (int64_t c = 0; c < var->dims(0); ++c) {
      CHECK(floats(*var)[c] > 0);
      CHECK(floats(*gamma)[c] > 0);
      distinctVar.insert(floats(*var)[c]);
      distinctMean.insert(floats(*mean)[c]);
    }
    CHECK(distinctVar.size() == size_t(var->dims(0)));
    CHECK(distinctMean.size() == size_t(mean->dims(0)));
  }
  CHECK(bns == 20);
  // The residual branches' last BN has small gammas, as trained ResNets do.
  const float *gamma = floats(*findInit(g, "layer1.0.bn2.weight"));
  CHECK(gamma[0] == doctest::Approx(0.25).epsilon(0.11));
  CHECK(floats(*findInit(g, "layer1.0.bn1.weight"))[0] == doctest::Approx(1.0).epsilon(0.11));
}

TEST_CASE("the Caffe AlexNet: groups, LRN as in the paper, softmax 'prob'") {
  auto b = build("alexnet");
  const onnx::ModelProto &m = b->model();
  const onnx::GraphProto &g = m.graph();
  CHECK(m.opset_import(0).version() == 9);
  CHECK(learnable(g) == 60965224); // bvlc_alexnet
  CHECK(g.input(0).name() == "data");
  auto dims = g.input(0).type().tensor_type().shape();
  CHECK(dims.dim(0).dim_value() == 1);
  CHECK(dims.dim(2).dim_value() == 227);
  CHECK(g.output(0).name() == "prob");
  for (const char *name :
       {"conv1", "relu1", "norm1", "pool1", "conv5", "pool5", "fc6", "drop6", "fc8", "prob"})
    CHECK_MESSAGE(findNode(g, name), name);
  CHECK(findAttr(*findNode(g, "conv2"), "group")->i() == 2);
  CHECK(findAttr(*findNode(g, "conv3"), "group")->i() == 1);
  CHECK(findAttr(*findNode(g, "conv4"), "group")->i() == 2);
  const onnx::NodeProto *lrn = findNode(g, "norm1");
  CHECK(findAttr(*lrn, "size")->i() == 5);
  CHECK(findAttr(*lrn, "alpha")->f() == doctest::Approx(5e-4));
  CHECK(findAttr(*lrn, "beta")->f() == doctest::Approx(0.75));
  CHECK(findAttr(*lrn, "bias")->f() == doctest::Approx(2.0));
  CHECK(findAttr(*findNode(g, "drop6"), "ratio")->f() == doctest::Approx(0.5));
  CHECK(findNode(g, "fc6")->op_type() == "Gemm");
  CHECK(findAttr(*findNode(g, "fc6"), "transB")->i() == 1);
  CHECK(findInit(g, "fc6_w")->dims(1) == 9216);
}

TEST_CASE("Caffe's ceil-mode pooling becomes end padding when it differs from floor") {
  // 228: conv1 -> 55, pool1 -> 27 either way; 231: conv1 -> 56, ceil -> 28.
  auto b = build("alexnet", ZooOptions{.height = 231, .width = 231});
  const onnx::AttributeProto *pads = findAttr(*findNode(b->model().graph(), "pool1"), "pads");
  REQUIRE(pads);
  CHECK(pads->ints(0) == 0);
  CHECK(pads->ints(2) == 1);
}

TEST_CASE("alexnet-tv: torchvision's AlexNet and its adaptive pool") {
  auto b = build("alexnet-tv");
  const onnx::GraphProto &g = b->model().graph();
  CHECK(learnable(g) == 61100840);
  const onnx::NodeProto *pool = findNode(g, "/avgpool/AveragePool");
  REQUIRE(pool);
  CHECK(findAttr(*pool, "kernel_shape")->ints(0) == 1);
  CHECK(findNode(g, "/classifier/classifier.1/Gemm"));
  CHECK(findInit(g, "classifier.1.weight")->dims(1) == 9216);
  // Opset 17: Dropout takes its ratio as an optional input, left out.
  const onnx::NodeProto *drop = findNode(g, "/classifier/classifier.0/Dropout");
  REQUIRE(drop);
  CHECK(drop->input_size() == 1);
  CHECK_FALSE(findAttr(*drop, "ratio"));

  // 416: a 12x12 feature map, pooled 2x2/2 to 6x6.
  auto big = build("alexnet-tv", ZooOptions{.height = 416, .width = 416});
  const onnx::NodeProto *bigPool = findNode(big->model().graph(), "/avgpool/AveragePool");
  CHECK(findAttr(*bigPool, "kernel_shape")->ints(0) == 2);
  CHECK(findAttr(*bigPool, "strides")->ints(0) == 2);
}

TEST_CASE("opset-dependent forms of Dropout, Unsqueeze and pooling") {
  ZooOptions o;
  o.reshapeFlatten = true;
  o.opset = 11;
  auto old = build("alexnet-tv", o);
  const onnx::GraphProto &g11 = old->model().graph();
  auto ops = opCounts(g11);
  CHECK(ops["Flatten"] == 0);
  for (const char *op : {"Shape", "Gather", "Unsqueeze", "Concat", "Reshape"})
    CHECK_MESSAGE(ops[op] == 1, op);
  CHECK(findAttr(*findNode(g11, "/Unsqueeze"), "axes"));
  CHECK(findNode(g11, "/Unsqueeze")->input_size() == 1);
  CHECK(findAttr(*findNode(g11, "/classifier/classifier.0/Dropout"), "ratio"));
  CHECK(findAttr(*findNode(g11, "/features/features.2/MaxPool"), "ceil_mode"));

  o.opset = 13;
  auto mid = build("alexnet-tv", o);
  const onnx::NodeProto *unsqueeze = findNode(mid->model().graph(), "/Unsqueeze");
  CHECK(unsqueeze->input_size() == 2);
  CHECK_FALSE(findAttr(*unsqueeze, "axes"));

  o.opset = 9;
  auto oldest = build("resnet18", o);
  CHECK_FALSE(findAttr(*findNode(oldest->model().graph(), "/maxpool/MaxPool"), "ceil_mode"));
}

TEST_CASE("--batch fixes the batch dimension everywhere") {
  auto b = build("resnet18", ZooOptions{.batch = 4});
  const onnx::GraphProto &g = b->model().graph();
  CHECK(g.input(0).type().tensor_type().shape().dim(0).dim_value() == 4);
  CHECK(g.output(0).type().tensor_type().shape().dim(0).dim_value() == 4);
}

TEST_CASE("a seed gives the same bytes; another seed, other weights; models do not share") {
  std::string a = build("resnet18")->model().SerializeAsString();
  std::string again = build("resnet18")->model().SerializeAsString();
  std::string other = build("resnet18", ZooOptions{.seed = 2})->model().SerializeAsString();
  CHECK(a == again);
  CHECK(a != other);
  CHECK(a.size() == other.size());
  auto r34 = build("resnet34");
  auto r18 = build("resnet18");
  CHECK(findInit(r18->model().graph(), "conv1.weight")->raw_data() !=
        findInit(r34->model().graph(), "conv1.weight")->raw_data());
}

TEST_CASE("what torch cannot export, and inputs too small, are errors") {
  auto bad = buildZooModel("alexnet-tv", ZooOptions{.height = 224, .width = 256});
  REQUIRE_FALSE(bad);
  CHECK(llvm::toString(bad.takeError()).find("AdaptiveAvgPool2d(6) of a 6x7") != std::string::npos);
  auto tiny = buildZooModel("alexnet", ZooOptions{.height = 8, .width = 8});
  REQUIRE_FALSE(tiny);
  CHECK(llvm::toString(tiny.takeError()).find("node 'conv1'") != std::string::npos);
  auto unknown = buildZooModel("lenet", {});
  REQUIRE_FALSE(unknown);
  CHECK(llvm::toString(unknown.takeError()).find("unknown model 'lenet'") != std::string::npos);
  auto opset = buildZooModel("resnet18", ZooOptions{.opset = 8});
  REQUIRE_FALSE(opset);
  llvm::consumeError(opset.takeError());
}

TEST_CASE("npy files round-trip, with numpy's header layout") {
  std::string path = std::string(KILN_BINARY_DIR) + "/zoo-models-test.npy";
  std::vector<float> data = {1.5f, -2.0f, 0.25f, 3.0f, 0.0f, -0.125f};
  REQUIRE_FALSE(failed(writeNpy(path, {2, 3}, data.data())));
  auto back = readNpy(path);
  REQUIRE(bool(back));
  CHECK(back->shape == std::vector<int64_t>{2, 3});
  CHECK(back->data == data);

  REQUIRE_FALSE(failed(writeNpy(path, {6}, data.data())));
  std::FILE *f = std::fopen(path.c_str(), "rb");
  REQUIRE(f);
  char header[128] = {};
  CHECK(std::fread(header, 1, 127, f) == 127);
  std::fclose(f);
  unsigned headerLen = uint8_t(header[8]) | (uint8_t(header[9]) << 8);
  CHECK((10 + headerLen) % 64 == 0);
  CHECK(std::string(header + 10, headerLen).find("'shape': (6,)") != std::string::npos);
  auto one = readNpy(path);
  REQUIRE(bool(one));
  CHECK(one->shape == std::vector<int64_t>{6});
  std::remove(path.c_str());

  auto missing = readNpy(path);
  REQUIRE_FALSE(missing);
  llvm::consumeError(missing.takeError());
}
