//===- Models.cpp - The zoo's registry and what its exporters share -------===//

#include "samples/zoo/Models.h"
#include "samples/zoo/Quantize.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <fmt/format.h>

namespace kiln::zoo {

namespace {
llvm::Error makeError(std::string message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
} // namespace

const std::vector<ZooModel> &zooModels() {
  static const std::vector<ZooModel> models = [] {
    std::vector<ZooModel> m;
    m.push_back({"alexnet",
                 "AlexNet as in the paper, Caffe-converter style (input 'data', output 'prob')",
                 227, 9, buildAlexNetCaffe});
    m.push_back(
        {"alexnet-tv", "torchvision AlexNet, torch.onnx.export style", 224, 17, buildAlexNetTorch});
    for (const char *depth : {"11", "13", "16", "19"})
      for (const char *bn : {"", "-bn"})
        m.push_back(
            {fmt::format("vgg{}{}", depth, bn),
             fmt::format("torchvision VGG-{}{}", depth, *bn ? " with BatchNormalization" : ""), 224,
             17, buildVgg});
    for (const char *depth : {"18", "34", "50", "101", "152"})
      m.push_back({fmt::format("resnet{}", depth),
                   fmt::format("torchvision ResNet-{} (v1.5), BatchNormalization unfolded", depth),
                   224, 17, buildResNet});
    return m;
  }();
  return models;
}

llvm::Expected<std::unique_ptr<ModelBuilder>> buildZooModel(const std::string &name, ZooOptions o) {
  const ZooModel *model = nullptr;
  for (const ZooModel &m : zooModels())
    if (m.name == name)
      model = &m;
  if (!model) {
    std::string known;
    for (const ZooModel &m : zooModels())
      known += (known.empty() ? "" : ", ") + m.name;
    return makeError(fmt::format("unknown model '{}' (the zoo has: {})", name, known));
  }
  if (o.opset == 0)
    o.opset = model->defaultOpset;
  if (o.opset < MinOpset || o.opset > MaxOpset)
    return makeError(
        fmt::format("opset {} is outside the zoo's range {}..{}", o.opset, MinOpset, MaxOpset));
  if (o.height == 0)
    o.height = o.width = model->defaultSize;
  if (o.height < 1 || o.width < 1)
    return makeError(fmt::format("bad input size {}x{}", o.height, o.width));
  if (o.batch == 0 || o.batch < -1)
    return makeError(fmt::format("bad batch size {}", o.batch));

  if (o.quantize && o.opset < 13)
    return makeError(fmt::format("--quantize needs opset 13 or later (per-channel "
                                 "DequantizeLinear), not {}", o.opset));
  auto b = std::make_unique<ModelBuilder>(o.opset, o.seed, name);
  if (o.quantize)
    b->calibrate();
  if (llvm::Error e = model->build(*b, o, name))
    return e;
  if (!b->error().empty())
    return makeError(fmt::format("{} at {}x{}: {}", name, o.height, o.width, b->error()));
  if (o.quantize) {
    int64_t activations = 0, weights = 0;
    if (llvm::Error e = quantizeModel(b->model(), b->ranges(), activations, weights))
      return e;
    if (activations == 0)
      return makeError(fmt::format("{}: no activation was calibrated", name));
  }
  b->model().set_doc_string(
      fmt::format("kiln-zoo {}: {}; random weights (seed {})", name, model->description, o.seed));
  return b;
}

llvm::Error validateZooModel(onnx::ModelProto &model) {
  try {
    onnx::checker::check_model(model);
    onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*error_mode=*/1,
                                       /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), strict);
  } catch (const std::exception &e) {
    return makeError(fmt::format("the model does not validate: {}", e.what()));
  }
  return llvm::Error::success();
}

Names torchNames(const std::string &scope, const std::string &op) {
  std::string node = scope + "/" + op;
  return {node, node + "_output_0"};
}

Tensor imageInput(ModelBuilder &b, const ZooOptions &o, const std::string &name) {
  Tensor t = b.input(name, {o.batch, 3, o.height, o.width}, "batch_size");
  if (o.dynamic) {
    auto *shape = b.model().mutable_graph()->mutable_input()->rbegin()->mutable_type()
                      ->mutable_tensor_type()->mutable_shape();
    shape->mutable_dim(2)->set_dim_param("height");
    shape->mutable_dim(3)->set_dim_param("width");
  }
  return t;
}

Tensor exportFlatten(ModelBuilder &b, const ZooOptions &o, const Tensor &x, bool torchStyle) {
  if (!o.reshapeFlatten)
    return b.flatten(
        torchStyle ? torchNames("", "Flatten") : Names{"pool5_flatten", "pool5_flatten"}, x);
  // x.view(x.size(0), -1):
  //   Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0), [0]), [-1]))
  auto name = [&](const char *torchOp, const char *caffe) {
    return torchStyle ? torchNames("", torchOp) : Names{caffe, caffe};
  };
  Names shape = name("Shape", "flatten_shape");
  b.node("Shape", shape, {x.name});
  std::string zero = b.constantI64(name("Constant", "flatten_batch_index"), {0}, true);
  Names gather = name("Gather", "flatten_batch");
  b.attrInt(b.node("Gather", gather, {shape.output, zero}), "axis", 0);
  Names unsqueeze = name("Unsqueeze", "flatten_batch_1d");
  if (b.opset() >= 13) {
    std::string axes = b.constantI64(name("Constant_1", "flatten_unsqueeze_axes"), {0});
    b.node("Unsqueeze", unsqueeze, {gather.output, axes});
  } else {
    b.attrInts(b.node("Unsqueeze", unsqueeze, {gather.output}), "axes", {0});
  }
  std::string rest = b.constantI64(name("Constant_2", "flatten_rest"), {-1});
  Names concat = name("Concat", "flatten_target");
  b.attrInt(b.node("Concat", concat, {unsqueeze.output, rest}), "axis", 0);
  return b.reshape(name("Reshape", "pool5_flatten"), x, concat.output,
                   {x.dims[0], x.dims[1] * x.dims[2] * x.dims[3]});
}

llvm::Expected<Tensor> exportAdaptiveAvgPool(ModelBuilder &b, const Tensor &x, int64_t size,
                                             const std::string &scope) {
  if (size == 1)
    return b.globalAveragePool(torchNames(scope, "GlobalAveragePool"), x);
  int64_t h = x.dims[2], w = x.dims[3];
  if (h % size || w % size)
    return makeError(
        fmt::format("{}: AdaptiveAvgPool2d({}) of a {}x{} feature map: torch.onnx cannot export "
                    "an output size that does not divide the input size; pick a --size whose "
                    "feature map is a multiple of {}",
                    scope, size, h, w, size));
  Window win{{h / size, w / size}, {h / size, w / size}, {0, 0}, {0, 0}};
  return b.averagePool(torchNames(scope, "AveragePool"), x, win);
}

} // namespace kiln::zoo
