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
/// largest |reference|, that counts as float32 rounding. The compiled
/// kernels reorder float32 sums (blocked, vectorised, Winograd) and each
/// layer reads inputs that already differ by the layers before; measured on
/// the zoo's ResNet-18/50, VGG-11 and torchvision's models the largest layer
/// is below 1e-5 (tests/driver/compare-cli.sh).
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
