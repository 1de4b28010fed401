//===- Compare.h - Compiled code against the reference, layer by layer -*- C++ -*-===//
//
// `kiln run --compare`: where do the compiled model's numbers leave the
// reference's? The model is optimized as `kiln compile` would, with one
// difference: every intermediate value keeps its own workspace range
// (CompileOptions::keepValues), so after one run of the JIT-compiled code
// all of them can be read back (blocked NCHWc layouts converted to NCHW).
// The reference interpreter runs the same optimized graph on the same
// inputs, each node as its fused whole: a Conv with a fused ReLU and
// residual Add compares at its output, after the epilogue.
//
// Each side runs its own chain, so an error made by one layer shows from
// that layer on; the first layer past the tolerance is where to look.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_COMPARE_H
#define KILN_DRIVER_COMPARE_H

#include "compiler/driver/Options.h"
#include "compiler/ir/IR.h"
#include "compiler/reference/Tensor.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace kiln::driver {

/// The largest |compiled - reference| of a layer, relative to the layer's
/// largest |reference|, that counts as float32 rounding: the e2e bar against
/// ONNX Runtime (tests/e2e/compare-npy.cpp), applied to every layer. The
/// compiled kernels reorder float32 sums (blocked, vectorised, Winograd) and
/// each layer reads inputs that already differ by the layers before. The
/// worst layer, measured 2026-12-03 with torchvision's exports at 224x224
/// (299 for Inception-v3), random input seed 1, AVX-512: ResNet-50 4.1e-6,
/// MobileNetV3-Large 5.7e-6, Inception-v3 6.5e-6, DenseNet-121 4.5e-6,
/// VGG-11 4.9e-6, EfficientNet-B0 1.6e-5;
/// the zoo's ResNet-18 at 64x64 3.3e-6 (tests/driver/compare-cli.sh).
inline constexpr double LayerTolerance = 1e-4;

struct LayerComparison {
  std::string node;  ///< the node's name
  std::string op;    ///< its op with the fused ones: "Conv+Relu"
  std::string value; ///< the output compared (a node with several: one entry each)
  Tensor compiled, reference;
  double maxAbsError = 0;     ///< max |compiled - reference| (NaN on one side: infinity)
  double maxAbsReference = 0; ///< max |reference|
  /// maxAbsError / maxAbsReference (maxAbsError when the reference is all 0).
  double relativeError() const {
    return maxAbsReference > 0 ? maxAbsError / maxAbsReference : maxAbsError;
  }
  bool withinTolerance() const { return relativeError() <= LayerTolerance; }
};

struct CompareOptions {
  /// How to compile (keepValues is set by compareLayers).
  CompileOptions compile;
  unsigned threads = 1;
  /// Tests the comparison itself: the compiled code computes the node of
  /// this name with its first constant operand (its weights) scaled by
  /// 1.01, the reference with the true ones. Empty: nothing is perturbed.
  std::string perturbNode;
};

/// Optimizes `g` (freshly imported) in place, runs it compiled and in the
/// reference interpreter on `inputs` (one per graph input, in order) and
/// compares every node's outputs, in execution order.
llvm::Expected<std::vector<LayerComparison>> compareLayers(Graph &g,
                                                           const std::vector<Tensor> &inputs,
                                                           const CompareOptions &opts);

} // namespace kiln::driver

#endif // KILN_DRIVER_COMPARE_H
