//===- ModelBuilder.h - Writes ONNX graphs the way exporters do -*- C++ -*-===//
//
// A thin layer over the ONNX protobuf API for the zoo's models: one method per
// op, each taking the node's name and output name from the caller (PyTorch and
// Caffe converters name things differently), generating the op's parameters
// as raw_data initializers, and emitting the attributes the opset in use
// expects (Dropout's ratio, Unsqueeze's axes, pooling's ceil_mode ...).
//
// For models with BatchNormalization it also runs a calibration batch
// through each layer as it is added (Calibrate.h), so every BN gets the
// statistics of the data that reaches it, as a trained network's BN has.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SAMPLES_ZOO_MODELBUILDER_H
#define KILN_SAMPLES_ZOO_MODELBUILDER_H

#include "samples/zoo/Calibrate.h"
#include "samples/zoo/Random.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln::zoo {

/// A tensor flowing through the graph being built.
struct Tensor {
  std::string name;
  /// Dims; dims[0] is the batch, -1 when symbolic.
  std::vector<int64_t> dims;
  /// The calibration batch's values of this tensor, while the builder
  /// calibrates and the tensor is NCHW; else null.
  std::shared_ptr<const Activations> act;
};

/// The name of a node and of its (single) output.
struct Names {
  std::string node, output;
};

/// Parameters of a 2-D convolution or pooling window, per spatial axis
/// (0: height, 1: width).
struct Window {
  int64_t kernel[2] = {1, 1}, stride[2] = {1, 1}, pad[2] = {0, 0};
  /// Extra padding at the bottom/right end, as Caffe converters emit for
  /// Caffe's ceil-mode pooling.
  int64_t extraEnd[2] = {0, 0};

  /// A square window.
  static Window square(int64_t kernel, int64_t stride = 1, int64_t pad = 0) {
    return {{kernel, kernel}, {stride, stride}, {pad, pad}, {0, 0}};
  }
};

class ModelBuilder {
public:
  /// A model for the default ONNX domain at `opset`; parameters are drawn
  /// from streams seeded by `seed` and named `<model>/<initializer>`, so two
  /// models never share weights and a tensor's values do not depend on when
  /// it is generated.
  ModelBuilder(int64_t opset, uint64_t seed, std::string model);

  int64_t opset() const { return opset_; }
  onnx::ModelProto &model() { return model_; }

  /// Runs a calibration batch through the layers from the next input() on;
  /// needed before batchNorm().
  void calibrate() { calibrate_ = true; }

  /// Declares the float graph input `name` with `dims`; dims[0] < 0 makes the
  /// batch the symbolic dimension `batchParam`. The calibration batch, if
  /// any, is uniform in [-1, 1), like kiln's random inputs.
  Tensor input(const std::string &name, std::vector<int64_t> dims, const std::string &batchParam);
  /// Declares `t` a graph output.
  void output(const Tensor &t, const std::string &batchParam);

  // Ops. Each appends one node (or an exporter's chain of them) and returns
  // its result. Parameter names are the initializers' names; an empty bias
  // name means no bias.
  Tensor conv(const Names &n, const Tensor &x, const std::string &weight, const std::string &bias,
              int64_t outChannels, const Window &w, int64_t group = 1);
  /// BatchNormalization with the calibration data's statistics; gamma is
  /// gammaScale * (1 + U(-0.1, 0.1)).
  Tensor batchNorm(const Names &n, const Tensor &x, const std::string &scale,
                   const std::string &shift, const std::string &mean, const std::string &var,
                   double gammaScale = 1.0, double epsilon = 1e-5, double momentum = 0.9);
  Tensor relu(const Names &n, const Tensor &x);
  Tensor add(const Names &n, const Tensor &a, const Tensor &b);
  Tensor maxPool(const Names &n, const Tensor &x, const Window &w);
  Tensor averagePool(const Names &n, const Tensor &x, const Window &w);
  Tensor globalAveragePool(const Names &n, const Tensor &x);
  Tensor lrn(const Names &n, const Tensor &x, int64_t size, double alpha, double beta, double bias);
  Tensor flatten(const Names &n, const Tensor &x);
  /// Gemm with transB=1: weight [outFeatures, inFeatures], normal with
  /// standard deviation `stddev` (0: He, sqrt(2/inFeatures)).
  Tensor gemm(const Names &n, const Tensor &x, const std::string &weight, const std::string &bias,
              int64_t outFeatures, double stddev = 0);
  Tensor dropout(const Names &n, const Tensor &x, double ratio = 0.5);
  Tensor softmax(const Names &n, const Tensor &x);
  /// An int64 Constant node (1-D, or a scalar when `scalar`).
  std::string constantI64(const Names &n, const std::vector<int64_t> &values, bool scalar = false);
  /// Generic node with the given inputs; the caller adds attributes.
  onnx::NodeProto &node(const std::string &opType, const Names &n,
                        const std::vector<std::string> &inputs);
  Tensor reshape(const Names &n, const Tensor &x, const std::string &shape,
                 std::vector<int64_t> resultDims);

  // Attributes for nodes made with node().
  void attrInt(onnx::NodeProto &n, const std::string &name, int64_t v);
  void attrFloat(onnx::NodeProto &n, const std::string &name, double v);
  void attrInts(onnx::NodeProto &n, const std::string &name, const std::vector<int64_t> &v);

  /// Renames the result of the last node, e.g. to the graph output's name.
  void renameLastOutput(Tensor &t, const std::string &name);

  /// Adds a float initializer and returns its data to be filled in place.
  float *initializer(const std::string &name, const std::vector<int64_t> &dims);
  /// A stream for the parameters of `name`.
  Rng rng(const std::string &name) const { return Rng::forName(seed_, modelName_ + "/" + name); }

  /// The smallest and largest value of each tensor the calibration batch
  /// reached, by tensor name (kiln-zoo --quantize: Quantize.h).
  const std::map<std::string, std::pair<float, float>> &ranges() const { return ranges_; }

  /// The first problem met (an input too small for a window), or empty.
  const std::string &error() const { return error_; }

  /// Number of float parameters so far.
  int64_t parameterCount() const { return parameters_; }

private:
  onnx::AttributeProto *attr(onnx::NodeProto &n, const std::string &name,
                             onnx::AttributeProto::AttributeType type);
  /// Records an error when a window does not fit `x`; clamps `y` so that
  /// building can go on.
  void checkSpatial(const Names &n, const Tensor &x, Tensor &y);
  Tensor pool(const char *opType, const Names &n, const Tensor &x, const Window &w);
  /// Records the range of `t`'s calibration values, if any; returns `t`.
  Tensor observe(Tensor t);

  onnx::ModelProto model_;
  onnx::GraphProto *graph_;
  int64_t opset_;
  uint64_t seed_;
  std::string modelName_;
  int64_t parameters_ = 0;
  bool calibrate_ = false;
  std::string error_;
  std::map<std::string, std::pair<float, float>> ranges_;
};

/// Output size of a window along spatial `axis` (0: H, 1: W), floor mode.
int64_t windowOutput(int64_t in, const Window &w, int axis);

} // namespace kiln::zoo

#endif // KILN_SAMPLES_ZOO_MODELBUILDER_H
