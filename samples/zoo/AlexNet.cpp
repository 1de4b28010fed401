//===- AlexNet.cpp - AlexNet, as Caffe converters and PyTorch write it ----===//
//
// alexnet:    Krizhevsky et al. 2012 as Caffe's bvlc_alexnet lays it out
//             (227x227 input, grouped conv2/4/5, LRN, softmax "prob"),
//             named the way Caffe-to-ONNX converters name it.
// alexnet-tv: torchvision.models.alexnet (the "one weird trick" variant:
//             64-192-384-256-256 channels, no groups, no LRN), as
//             torch.onnx.export writes it.
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Models.h"

#include <fmt/format.h>

namespace kiln::zoo {

namespace {
/// Caffe pools in ceil mode; converters keep the shapes by padding the end.
Window caffePool(const Tensor &x, int64_t kernel, int64_t stride) {
  Window w = Window::square(kernel, stride);
  for (int axis = 0; axis < 2; ++axis) {
    int64_t in = x.dims[2 + axis];
    // No padding: the last window always starts inside the input.
    int64_t ceilOut = (in - kernel + stride - 1) / stride + 1;
    w.extraEnd[axis] = std::max<int64_t>(0, (ceilOut - 1) * stride + kernel - in);
  }
  return w;
}

Names caffe(const std::string &layer) { return {layer, layer}; }
} // namespace

llvm::Error buildAlexNetCaffe(ModelBuilder &b, const ZooOptions &options, const std::string &) {
  ZooOptions o = options;
  if (o.batch < 0)
    o.batch = 1; // converted Caffe deploy nets have a fixed batch
  b.model().set_producer_name("kiln-zoo");
  b.model().set_producer_version("caffe-converter style");
  b.model().mutable_graph()->set_name("alexnet");
  Tensor x = imageInput(b, o, "data");

  // The paper's LRN: k=2, n=5, alpha=1e-4 per element, beta=0.75. ONNX divides
  // alpha by size, so the attribute is 5 * 1e-4.
  auto lrn = [&](const std::string &layer, const Tensor &t) {
    return b.lrn(caffe(layer), t, 5, 5e-4, 0.75, 2.0);
  };
  auto conv = [&](const std::string &layer, const Tensor &t, int64_t out, Window w, int64_t group) {
    return b.conv(caffe(layer), t, layer + "_w", layer + "_b", out, w, group);
  };

  x = conv("conv1", x, 96, Window::square(11, 4), 1);
  x = b.relu(caffe("relu1"), x);
  x = lrn("norm1", x);
  x = b.maxPool(caffe("pool1"), x, caffePool(x, 3, 2));
  x = conv("conv2", x, 256, Window::square(5, 1, 2), 2);
  x = b.relu(caffe("relu2"), x);
  x = lrn("norm2", x);
  x = b.maxPool(caffe("pool2"), x, caffePool(x, 3, 2));
  x = conv("conv3", x, 384, Window::square(3, 1, 1), 1);
  x = b.relu(caffe("relu3"), x);
  x = conv("conv4", x, 384, Window::square(3, 1, 1), 2);
  x = b.relu(caffe("relu4"), x);
  x = conv("conv5", x, 256, Window::square(3, 1, 1), 2);
  x = b.relu(caffe("relu5"), x);
  x = b.maxPool(caffe("pool5"), x, caffePool(x, 3, 2));

  x = exportFlatten(b, o, x, /*torchStyle=*/false);
  x = b.gemm(caffe("fc6"), x, "fc6_w", "fc6_b", 4096);
  x = b.relu(caffe("relu6"), x);
  x = b.dropout(caffe("drop6"), x);
  x = b.gemm(caffe("fc7"), x, "fc7_w", "fc7_b", 4096);
  x = b.relu(caffe("relu7"), x);
  x = b.dropout(caffe("drop7"), x);
  // Caffe's own initialization for fc8: N(0, 0.01). Keeps softmax unsaturated.
  x = b.gemm(caffe("fc8"), x, "fc8_w", "fc8_b", 1000, 0.01);
  x = b.softmax(caffe("prob"), x);
  b.output(x, "batch_size");
  return llvm::Error::success();
}

llvm::Error buildAlexNetTorch(ModelBuilder &b, const ZooOptions &o, const std::string &) {
  b.model().set_producer_name("kiln-zoo");
  b.model().set_producer_version("pytorch style");
  b.model().mutable_graph()->set_name("main_graph");
  Tensor x = imageInput(b, o, "input");

  auto scope = [](const char *seq, int i) { return fmt::format("/{0}/{0}.{1}", seq, i); };
  auto conv = [&](int i, const Tensor &t, int64_t out, Window w) {
    std::string p = fmt::format("features.{}.", i);
    return b.conv(torchNames(scope("features", i), "Conv"), t, p + "weight", p + "bias", out, w);
  };
  auto relu = [&](const char *seq, int i, const Tensor &t) {
    return b.relu(torchNames(scope(seq, i), "Relu"), t);
  };
  auto pool = [&](int i, const Tensor &t) {
    return b.maxPool(torchNames(scope("features", i), "MaxPool"), t, Window::square(3, 2));
  };

  x = conv(0, x, 64, Window::square(11, 4, 2));
  x = relu("features", 1, x);
  x = pool(2, x);
  x = conv(3, x, 192, Window::square(5, 1, 2));
  x = relu("features", 4, x);
  x = pool(5, x);
  x = conv(6, x, 384, Window::square(3, 1, 1));
  x = relu("features", 7, x);
  x = conv(8, x, 256, Window::square(3, 1, 1));
  x = relu("features", 9, x);
  x = conv(10, x, 256, Window::square(3, 1, 1));
  x = relu("features", 11, x);
  x = pool(12, x);
  if (!b.error().empty())
    return llvm::Error::success(); // reported by the caller
  llvm::Expected<Tensor> pooled = exportAdaptiveAvgPool(b, x, 6, "/avgpool");
  if (!pooled)
    return pooled.takeError();
  x = exportFlatten(b, o, *pooled, /*torchStyle=*/true);

  auto linear = [&](int i, const Tensor &t, int64_t out, double stddev = 0) {
    std::string p = fmt::format("classifier.{}.", i);
    return b.gemm(torchNames(scope("classifier", i), "Gemm"), t, p + "weight", p + "bias", out,
                  stddev);
  };
  x = b.dropout(torchNames(scope("classifier", 0), "Dropout"), x);
  x = linear(1, x, 4096);
  x = relu("classifier", 2, x);
  x = b.dropout(torchNames(scope("classifier", 3), "Dropout"), x);
  x = linear(4, x, 4096);
  x = relu("classifier", 5, x);
  x = linear(6, x, 1000, 0.01);
  b.renameLastOutput(x, "output");
  b.output(x, "batch_size");
  return llvm::Error::success();
}

} // namespace kiln::zoo
