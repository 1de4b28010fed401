//===- Flops.h - Floating-point operations of a graph -----------*- C++ -*-===//
//
// The one FLOP count: `kiln bench`'s GFLOP/s and the JIT's per-layer profile
// both read it. 2 per multiply-add of every Conv, Gemm and MatMul; other ops
// are noise next to these and count 0.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_FLOPS_H
#define KILN_CODEGEN_FLOPS_H

#include "compiler/ir/IR.h"

namespace kiln::codegen {

/// 2 x multiply-adds of a conv or matrix product node; 0 for other ops. A
/// Conv counts its unpooled output (a fused pool reduces what it stores, not
/// what it computes), so the count is the same before and after fusion.
double nodeFlops(const Node &n);

/// nodeFlops summed over the graph's nodes: one inference.
double graphFlops(const Graph &g);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_FLOPS_H
