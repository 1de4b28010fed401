//===- ResNet.cpp - torchvision's ResNet-18/34/50/101/152, as exported ----===//
//
// Stem: 7x7/2 conv (no bias), BN, ReLU, 3x3/2 max-pool. Four stages of
// BasicBlocks (18, 34) or Bottlenecks (50, 101, 152; stride on the 3x3 conv,
// "v1.5" as torchvision). A block's shortcut is a 1x1 conv + BN when the
// stride or width changes. GlobalAveragePool, Flatten, Gemm.
// BatchNormalization stays a separate node, as torch.onnx.export writes it
// with do_constant_folding=False: folding it is kiln's job.
//
// The last BN of each residual branch gets gammas of ~0.25, as in trained
// ResNets (torchvision can even zero them: zero_init_residual). With gammas
// of ~1 every block amplifies small perturbations by ~10%: ResNet-152 then
// turns float32 rounding into 4e-4 relative output differences (between
// ONNX Runtime with and without its graph optimizations), too
// ill-conditioned to test a compiler against.
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Models.h"

#include <array>
#include <fmt/format.h>

namespace kiln::zoo {

namespace {
struct ResNetShape {
  bool bottleneck;
  std::array<int, 4> blocks;
};

ResNetShape resnetShape(int depth) {
  switch (depth) {
  case 18:
    return {false, {2, 2, 2, 2}};
  case 34:
    return {false, {3, 4, 6, 3}};
  case 50:
    return {true, {3, 4, 6, 3}};
  case 101:
    return {true, {3, 4, 23, 3}};
  default:
    return {true, {3, 8, 36, 3}};
  }
}

/// Emits modules of one scope the way torch names them: "/layer1/layer1.0"
/// for the scope, "layer1.0." for its parameters.
class Scope {
public:
  Scope(ModelBuilder &b, std::string path, std::string params)
      : b_(b), path_(std::move(path)), params_(std::move(params)) {}

  Tensor conv(const std::string &module, const Tensor &x, int64_t out, Window w) {
    return b_.conv(torchNames(path_ + "/" + module, "Conv"), x, param(module, "weight"), "", out,
                   w);
  }
  Tensor bn(const std::string &module, const Tensor &x, double gammaScale = 1.0) {
    return b_.batchNorm(torchNames(path_ + "/" + module, "BatchNormalization"), x,
                        param(module, "weight"), param(module, "bias"),
                        param(module, "running_mean"), param(module, "running_var"), gammaScale);
  }
  /// One nn.ReLU module called several times: relu, relu_1, relu_2.
  Tensor relu(const Tensor &x) {
    std::string module = reluCalls_ ? fmt::format("relu_{}", reluCalls_) : "relu";
    ++reluCalls_;
    return b_.relu(torchNames(path_ + "/" + module, "Relu"), x);
  }
  Tensor add(const Tensor &a, const Tensor &b) { return b_.add(torchNames(path_, "Add"), a, b); }

private:
  std::string param(const std::string &module, const char *name) const {
    // "downsample/downsample.0" is the module path; its parameters are
    // "downsample.0.weight".
    std::string m = module.substr(module.rfind('/') + 1);
    return params_ + m + "." + name;
  }

  ModelBuilder &b_;
  std::string path_, params_;
  int reluCalls_ = 0;
};

/// One residual block; `inplanes` is updated to its output width.
/// The gamma scale of a residual branch's last BN (see the file comment).
constexpr double ResidualGamma = 0.25;

Tensor block(ModelBuilder &b, const Tensor &x, const std::string &layer, int index, bool bottleneck,
             int64_t planes, int64_t stride, int64_t &inplanes) {
  std::string name = fmt::format("{}.{}", layer, index);
  Scope s(b, fmt::format("/{}/{}", layer, name), name + ".");
  int64_t expansion = bottleneck ? 4 : 1, out = planes * expansion;

  Tensor y = x;
  if (bottleneck) {
    y = s.relu(s.bn("bn1", s.conv("conv1", y, planes, Window::square(1))));
    y = s.relu(s.bn("bn2", s.conv("conv2", y, planes, Window::square(3, stride, 1))));
    y = s.bn("bn3", s.conv("conv3", y, out, Window::square(1)), ResidualGamma);
  } else {
    y = s.relu(s.bn("bn1", s.conv("conv1", y, planes, Window::square(3, stride, 1))));
    y = s.bn("bn2", s.conv("conv2", y, planes, Window::square(3, 1, 1)), ResidualGamma);
  }
  Tensor shortcut = x;
  if (stride != 1 || inplanes != out)
    shortcut = s.bn("downsample/downsample.1",
                    s.conv("downsample/downsample.0", x, out, Window::square(1, stride)));
  inplanes = out;
  return s.relu(s.add(y, shortcut));
}
} // namespace

llvm::Error buildResNet(ModelBuilder &b, const ZooOptions &o, const std::string &name) {
  ResNetShape shape = resnetShape(std::stoi(name.substr(6)));
  b.model().set_producer_name("kiln-zoo");
  b.model().set_producer_version("pytorch style");
  b.model().mutable_graph()->set_name("main_graph");
  b.calibrate();
  Tensor x = imageInput(b, o, "input");

  Scope top(b, "", "");
  x = top.conv("conv1", x, 64, Window::square(7, 2, 3));
  x = top.relu(top.bn("bn1", x));
  x = b.maxPool(torchNames("/maxpool", "MaxPool"), x, Window::square(3, 2, 1));

  int64_t inplanes = 64;
  for (int stage = 0; stage < 4; ++stage) {
    std::string layer = fmt::format("layer{}", stage + 1);
    for (int i = 0; i < shape.blocks[stage]; ++i)
      x = block(b, x, layer, i, shape.bottleneck, int64_t(64) << stage, stage > 0 && i == 0 ? 2 : 1,
                inplanes);
  }
  x = b.globalAveragePool(torchNames("/avgpool", "GlobalAveragePool"), x);
  x = exportFlatten(b, o, x, /*torchStyle=*/true);
  x = b.gemm(torchNames("/fc", "Gemm"), x, "fc.weight", "fc.bias", 1000, 0.01);
  b.renameLastOutput(x, "output");
  b.output(x, "batch_size");
  return llvm::Error::success();
}

} // namespace kiln::zoo
