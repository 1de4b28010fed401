//===- Passes.h - Every optimization pass --------------------------*- C++ -*-===//
//
// One function per pass, each in its own file. A pass rewrites the graph in
// place and returns true when it changed it. Pipeline.cpp orders them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PASSES_H
#define KILN_PASSES_PASSES_H

#include "compiler/ir/IR.h"
#include "compiler/passes/Pipeline.h"

namespace kiln {

/// Identity, inference Dropout and 1x1 unit-stride pools disappear; their
/// readers read the input.
bool removeIdentity(Graph &g, const PassOptions &opts);
/// Nodes whose inputs are all constants (and Shape of any value) become
/// constants; nodes left without readers are removed.
bool foldConstants(Graph &g, const PassOptions &opts);
/// BatchNormalization folds into the Conv before or after it, or becomes
/// kiln.ScaleShift.
bool foldBatchNorm(Graph &g, const PassOptions &opts);
/// Mul(x, Sigmoid(x)) -> kiln.Silu(x).
bool fuseSilu(Graph &g, const PassOptions &opts);
/// Mul(x, HardSigmoid(x) {alpha=1/6, beta=1/2}) -> HardSwish(x).
bool fuseHardSwish(Graph &g, const PassOptions &opts);
/// x * 0.5 * (1 + Erf(x / sqrt 2)), as exporters write it -> Gelu(x).
bool fuseGelu(Graph &g, const PassOptions &opts);
/// Add(conv, shortcut) [+ activation] -> Conv{fused=[add, act]}.
bool fuseResidual(Graph &g, const PassOptions &opts);
/// MatMul + Add(bias) -> Gemm; Conv/Gemm/MatMul + activation -> fused.
bool fuseActivation(Graph &g, const PassOptions &opts);
/// Conv -> Conv{algo="direct"|"winograd"|"generic"}: the kernel that will
/// compute it.
bool selectConvAlgorithm(Graph &g, const PassOptions &opts);
/// The algorithm select-conv-algorithm records for `conv` (its one predicate).
const char *chooseConvAlgorithm(const Node &conv, const PassOptions &opts);
/// Conv + MaxPool/AveragePool -> Conv{fused=[..., pool]}.
bool fusePool(Graph &g, const PassOptions &opts);
/// Removes nodes none of whose outputs is read or exported.
bool deadCode(Graph &g, const PassOptions &opts);
/// Chooses plain or blocked (NCHW<b>c) layout per value, inserting
/// kiln.Reorder where producer and consumer disagree.
bool assignLayout(Graph &g, const PassOptions &opts);
/// Gives every internal value an arena offset; sets Graph::workspaceBytes.
bool planMemory(Graph &g, const PassOptions &opts);

} // namespace kiln

#endif // KILN_PASSES_PASSES_H
