//===- Resize.h - Resize's attributes and the spec's sampling formulas --*- C++ -*-===//
//
// The canonical Resize (docs/IR.md) read into one struct, and the ONNX
// formulas that map one output coordinate along one axis to its source taps
// (coordinate transformation, then nearest / linear / cubic weights). The
// reference interpreter evaluates them per output element; the lowering
// evaluates them once per output coordinate into the kernel's tables.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_RESIZE_H
#define KILN_IR_RESIZE_H

#include "compiler/ir/IR.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace kiln {

enum class ResizeMode { Nearest, Linear, Cubic };
enum class ResizeCoord {
  HalfPixel,
  PytorchHalfPixel,
  AlignCorners,
  Asymmetric,
  TfHalfPixelForNearest,
  TfCropAndResize,
};
enum class ResizeNearest { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

/// A Resize node's canonical attributes, checked.
struct ResizeAttrs {
  Dims sizes;                 ///< output dims, one per axis
  std::vector<double> scales; ///< the scale each axis's coordinates use
  std::vector<double> roi;    ///< starts then ends, normalized (tf_crop_and_resize)
  ResizeMode mode = ResizeMode::Nearest;
  ResizeCoord coord = ResizeCoord::HalfPixel;
  ResizeNearest nearest = ResizeNearest::RoundPreferFloor;
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0.0;
};

/// Reads and checks the attributes of a Resize on a tensor of `rank`; the
/// error is a message without the node (callers name it).
llvm::Expected<ResizeAttrs> resizeAttrs(const Attrs &a, size_t rank);

/// The source of one output coordinate along one axis: up to four input
/// coordinates in [0, inLen) and their weights, or `outside` (the
/// coordinate falls outside the crop of tf_crop_and_resize: the output
/// element is the extrapolation value).
struct ResizeTaps {
  int n = 0;
  int64_t index[4] = {};
  double weight[4] = {};
  bool outside = false;
};

/// The taps of output coordinate `x` along `axis` of an input `inLen` long.
ResizeTaps resizeTaps(const ResizeAttrs &r, size_t axis, int64_t inLen, int64_t x);

} // namespace kiln

#endif // KILN_IR_RESIZE_H
