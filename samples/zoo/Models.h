//===- Models.h - The zoo: classic CNNs as their exporters write them -*- C++ -*-===//
//
// Each model is written the way the tool that produced the published files
// wrote it: AlexNet as a Caffe converter did (names conv1, relu1, norm1 ...,
// fixed batch, opset 9), torchvision's AlexNet, VGG and ResNet as
// torch.onnx.export does (names /features/features.0/Conv, initializers
// features.0.weight, a symbolic "batch_size", opset 17). Weights are random
// (He initialization, seeded) but the graphs are the real ones.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SAMPLES_ZOO_MODELS_H
#define KILN_SAMPLES_ZOO_MODELS_H

#include "samples/zoo/ModelBuilder.h"

#include <llvm/Support/Error.h>

#include <memory>
#include <string>
#include <vector>

namespace kiln::zoo {

/// What the command line can change; 0/-1 mean "the model's default".
struct ZooOptions {
  /// Fixed batch size; -1: the model's default (symbolic for PyTorch models,
  /// 1 for the Caffe one).
  int64_t batch = -1;
  /// Input resolution; 0: the model's default (224, or 227 for Caffe AlexNet).
  int64_t height = 0, width = 0;
  uint64_t seed = 1;
  /// ONNX opset; 0: the model's default.
  int64_t opset = 0;
  /// Flatten as Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as
  /// PyTorch exports x.view(x.size(0), -1).
  bool reshapeFlatten = false;
  /// Declare the input's height and width symbolic ("height", "width"), as
  /// torch.onnx.export with dynamic_axes does; the graph is built, and its
  /// BatchNorms calibrated, at height x width.
  bool dynamic = false;
  /// Statically quantized in ONNX Runtime's QDQ format (Quantize.h),
  /// calibrated on the builder's seeded calibration batch.
  bool quantize = false;
};

/// One entry of the zoo.
struct ZooModel {
  std::string name, description;
  /// The input resolution and opset used when the options leave them out.
  int64_t defaultSize, defaultOpset;
  /// Builds the graph into `b`.
  llvm::Error (*build)(ModelBuilder &b, const ZooOptions &o, const std::string &name);
};

/// Every model, in a stable order.
const std::vector<ZooModel> &zooModels();

/// Lowest and highest opset the zoo writes (ONNX 1.12 knows up to 17).
constexpr int64_t MinOpset = 9, MaxOpset = 17;

/// Builds model `name`; errors name the model and the problem.
llvm::Expected<std::unique_ptr<ModelBuilder>> buildZooModel(const std::string &name,
                                                            ZooOptions options);

/// Runs onnx::checker and ONNX's strict shape inference (a node whose shapes
/// do not work out, or an output whose inferred shape differs from the
/// declared one, is an error); keeps the inferred shapes as value_info, as
/// torch.onnx.export does.
llvm::Error validateZooModel(onnx::ModelProto &model);

// Shared by the model files.

/// PyTorch's names for the op `op` in module scope `scope` ("" at the top):
/// node "/features/features.0/Conv", output ".../Conv_output_0".
Names torchNames(const std::string &scope, const std::string &op);

/// The graph input as an exporter declares it: [batch, 3, H, W], batch
/// symbolic ("batch_size") when `o.batch` < 0, H and W ("height", "width")
/// with `o.dynamic`.
Tensor imageInput(ModelBuilder &b, const ZooOptions &o, const std::string &name);

/// Flatten (axis 1) the way each exporter writes it: one Flatten node, or
/// with --reshape-flatten the Shape/Gather/Unsqueeze/Concat/Reshape chain.
/// `torchStyle` picks PyTorch's node names, else Caffe-converter ones.
Tensor exportFlatten(ModelBuilder &b, const ZooOptions &o, const Tensor &x, bool torchStyle);

/// torchvision's AdaptiveAvgPool2d((size, size)) as torch.onnx exports it:
/// GlobalAveragePool for 1x1, else an AveragePool whose kernel and stride
/// are the input size over the output size (an error when that does not
/// divide, as it is for the exporter).
llvm::Expected<Tensor> exportAdaptiveAvgPool(ModelBuilder &b, const Tensor &x, int64_t size,
                                             const std::string &scope);

llvm::Error buildAlexNetCaffe(ModelBuilder &b, const ZooOptions &o, const std::string &name);
llvm::Error buildAlexNetTorch(ModelBuilder &b, const ZooOptions &o, const std::string &name);
llvm::Error buildVgg(ModelBuilder &b, const ZooOptions &o, const std::string &name);
llvm::Error buildResNet(ModelBuilder &b, const ZooOptions &o, const std::string &name);

} // namespace kiln::zoo

#endif // KILN_SAMPLES_ZOO_MODELS_H
