//===- Normalize.h - One strided form for the row normalizations -*- C++ -*-===//
//
// LayerNormalization, InstanceNormalization, MeanVarianceNormalization and
// LpNormalization all split X's axes into kept ones (a group) and reduced ones
// (the elements of a group), reduce each group to a mean and variance (or an
// L1/L2 norm), and write every element of the group scaled by it, then by
// Scale and B where the op has them. normalizeForm reads a canonical node
// (docs/IR.md) into that form once; the reference interpreter and the
// lowering both run on it, so the ops differ only here.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_NORMALIZE_H
#define KILN_IR_NORMALIZE_H

#include "compiler/ir/IR.h"

#include <vector>

namespace kiln {

struct NormalizeForm {
  std::vector<bool> reduced;   ///< per axis of X: part of a group's elements
  Dims scaleStrides;           ///< per axis of X, 0 where Scale does not vary
  Dims biasStrides;            ///< per axis of X, 0 where B does not vary
  bool hasScale = false, hasBias = false;
  /// 0: y = (x - mean) / (sqrt(var + epsilon) + stdEpsilon);
  /// 1, 2: y = x / ||x||_p over the group (0 where the norm is 0).
  int64_t p = 0;
  double epsilon = 0.0;
  double stdEpsilon = 0.0;
  /// 0: the normalized X; 1: each group's mean; 2: 1 / sqrt(var + epsilon)
  /// (LayerNormalization's Mean and InvStdDev, X's shape with reduced axes 1).
  int64_t result = 0;
};

/// The form of a canonical LayerNormalization, InstanceNormalization,
/// MeanVarianceNormalization or LpNormalization node whose shape rule
/// passed: `scale`/`bias` are the dims of its Scale and B operands (null when
/// absent), numpy-broadcastable to the reduced trailing axes.
NormalizeForm normalizeForm(OpKind op, const Dims &x, const Dims *scale,
                            const Dims *bias, const Attrs &a);

/// The Mean/InvStdDev result shape: x with its reduced axes set to 1.
Dims normalizeGroupDims(const Dims &x, const std::vector<bool> &reduced);

} // namespace kiln

#endif // KILN_IR_NORMALIZE_H
