//===- ConstantFolding.h - Import-time evaluation of shape arithmetic -*- C++ -*-===//
//
// Folds the ops exporters use to compute shapes: Shape, Gather, Unsqueeze,
// Squeeze, Concat, Cast, Reshape, Flatten, Identity, Dropout, Transpose, Slice and
// elementwise Add/Sub/Mul/Div. The values come from the reference
// interpreter (ref::evaluateOp), the one evaluator kiln has; this file only
// decides what to fold and converts to and from constants. Compute-heavy ops
// (Conv, Gemm, ...) are never folded here; that is fold-constants' decision.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_CONSTANTFOLDING_H
#define KILN_FRONTEND_CONSTANTFOLDING_H

#include "frontend/Tensors.h"

#include <optional>

namespace kiln::frontend {

/// The constant result of `op` on `inputs` whose result type shape
/// inference computed as `result`, or nullopt when the node is not folded at
/// import: an operand is not constant, the op is not shape arithmetic, the
/// result exceeds limits::MaxImportFoldElements or its work
/// limits::MaxFoldMacs, or the evaluation fails
/// (i64 x/0: that error belongs to run time). Results follow kiln's constant
/// rule (Tensors.h): an i32, i8 or u8 result is held as i64.
std::optional<ConstantTensor> foldNode(OpKind op, const Attrs &attrs,
                                       const std::vector<Value *> &inputs,
                                       const TensorType &result);

} // namespace kiln::frontend

#endif // KILN_FRONTEND_CONSTANTFOLDING_H
