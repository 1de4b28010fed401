//===- Cost.h - The work of an op: multiply-adds and FLOPs -------*- C++ -*-===//
//
// The one count of an op's arithmetic. `kiln bench`'s GFLOP/s and the JIT's
// per-layer profile read it as FLOPs; constant folding weighs it against
// limits::MaxFoldMacs (ref::evaluationMacs adds element traffic to it).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_COST_H
#define KILN_IR_COST_H

#include "compiler/ir/IR.h"

namespace kiln {

/// Multiply-adds of a Conv, Gemm or MatMul whose operands have the types
/// `in` (an omitted operand is null) and whose result has type `out`;
/// 0 for every other op. A Conv counts the output its window walks, before
/// any fused pool, so the count is the same before and after fusion.
/// Saturates at INT64_MAX.
int64_t multiplyAdds(OpKind op, const Attrs &attrs,
                     const std::vector<const TensorType *> &in, const TensorType &out);

/// 2 x multiplyAdds of a node: its FLOPs (other ops are noise next to these
/// and count 0).
double nodeFlops(const Node &n);

/// nodeFlops summed over the graph's nodes: one inference.
double graphFlops(const Graph &g);

} // namespace kiln

#endif // KILN_IR_COST_H
