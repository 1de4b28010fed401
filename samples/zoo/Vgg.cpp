//===- Vgg.cpp - torchvision's VGG-11/13/16/19 (and -bn), as exported -----===//
//
// features: 3x3 pad-1 convolutions (with bias, also in the -bn variants),
// [BatchNormalization,] ReLU, 2x2/2 max-pools; avgpool AdaptiveAvgPool2d(7);
// flatten; classifier Linear(25088, 4096) ReLU Dropout Linear(4096, 4096)
// ReLU Dropout Linear(4096, 1000). Module indices follow torchvision, so the
// names match a real export (/features/features.3/Conv, features.3.weight).
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Models.h"

#include <fmt/format.h>

namespace kiln::zoo {

namespace {
constexpr int M = 0; // a max-pool in the configuration

// torchvision's cfgs "A", "B", "D", "E".
std::vector<int> vggConfig(int depth) {
  switch (depth) {
  case 11:
    return {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
  case 13:
    return {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
  case 16:
    return {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
  default:
    return {64,  64,  M,   128, 128, M,   256, 256, 256, 256, M,
            512, 512, 512, 512, M,   512, 512, 512, 512, M};
  }
}
} // namespace

llvm::Error buildVgg(ModelBuilder &b, const ZooOptions &o, const std::string &name) {
  int depth = std::stoi(name.substr(3));
  bool batchNorm = name.ends_with("-bn");
  b.model().set_producer_name("kiln-zoo");
  b.model().set_producer_version("pytorch style");
  b.model().mutable_graph()->set_name("main_graph");
  if (batchNorm)
    b.calibrate();
  Tensor x = imageInput(b, o, "input");

  int index = 0; // the module's index in nn.Sequential
  auto scope = [](const char *seq, int i) { return fmt::format("/{0}/{0}.{1}", seq, i); };
  for (int channels : vggConfig(depth)) {
    if (channels == M) {
      x = b.maxPool(torchNames(scope("features", index), "MaxPool"), x, Window::square(2, 2));
      ++index;
      continue;
    }
    std::string p = fmt::format("features.{}.", index);
    x = b.conv(torchNames(scope("features", index), "Conv"), x, p + "weight", p + "bias", channels,
               Window::square(3, 1, 1));
    ++index;
    if (batchNorm) {
      p = fmt::format("features.{}.", index);
      x = b.batchNorm(torchNames(scope("features", index), "BatchNormalization"), x, p + "weight",
                      p + "bias", p + "running_mean", p + "running_var");
      ++index;
    }
    x = b.relu(torchNames(scope("features", index), "Relu"), x);
    ++index;
  }
  if (!b.error().empty())
    return llvm::Error::success(); // reported by the caller
  llvm::Expected<Tensor> pooled = exportAdaptiveAvgPool(b, x, 7, "/avgpool");
  if (!pooled)
    return pooled.takeError();
  x = exportFlatten(b, o, *pooled, /*torchStyle=*/true);

  auto linear = [&](int i, const Tensor &t, int64_t out, double stddev = 0) {
    std::string p = fmt::format("classifier.{}.", i);
    return b.gemm(torchNames(scope("classifier", i), "Gemm"), t, p + "weight", p + "bias", out,
                  stddev);
  };
  x = linear(0, x, 4096);
  x = b.relu(torchNames(scope("classifier", 1), "Relu"), x);
  x = b.dropout(torchNames(scope("classifier", 2), "Dropout"), x);
  x = linear(3, x, 4096);
  x = b.relu(torchNames(scope("classifier", 4), "Relu"), x);
  x = b.dropout(torchNames(scope("classifier", 5), "Dropout"), x);
  x = linear(6, x, 1000, 0.01); // small last layer: logits of order 1
  b.renameLastOutput(x, "output");
  b.output(x, "batch_size");
  return llvm::Error::success();
}

} // namespace kiln::zoo
