//===- ConstantFolding.h - Import-time evaluation of shape arithmetic -*- C++ -*-===//
//
// A small evaluator for the ops exporters use to compute shapes: Shape,
// Gather, Unsqueeze, Squeeze, Concat, Cast, Reshape, Flatten, Identity,
// Dropout, Transpose and elementwise Add/Sub/Mul/Div on f32 and i64.
// Compute-heavy ops (Conv, Gemm, ...) are never folded here; that is a
// pass's decision. Results follow kiln's constant rule: f32 or i64.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_CONSTANTFOLDING_H
#define KILN_FRONTEND_CONSTANTFOLDING_H

#include "frontend/Tensors.h"

#include <optional>

namespace kiln::frontend {

/// Operands beyond which copying ops are left to run time (elements).
inline constexpr int64_t MaxFoldElements = int64_t(1) << 20;

/// The constant result of `op` on `inputs` whose result type shape
/// inference computed as `result`, or nullopt when the node is not folded at
/// import (an operand is not constant, the op is not shape arithmetic, the
/// result is large, or the arithmetic is undefined such as i64 x/0).
std::optional<ConstantTensor> foldNode(OpKind op, const Attrs &attrs,
                                       const std::vector<Value *> &inputs,
                                       const TensorType &result);

} // namespace kiln::frontend

#endif // KILN_FRONTEND_CONSTANTFOLDING_H
