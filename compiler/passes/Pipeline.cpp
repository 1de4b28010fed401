//===- Pipeline.cpp - The optimization pipeline, in order -----------------===//

#include "compiler/passes/Pipeline.h"

#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/Verifier.h"
#include "compiler/passes/Passes.h"

#include <fmt/format.h>

namespace kiln {

const std::vector<PassInfo> &passPipeline() {
  static const std::vector<PassInfo> pipeline = {
      // Exporters' no-ops go first so that every later pattern sees producers
      // and consumers next to each other.
      {"remove-identity", "remove Identity, inference Dropout and 1x1 unit-stride pools",
       removeIdentity},
      // Weight preprocessing and leftover shape arithmetic become constants,
      // which the folds and fusions below require.
      {"fold-constants", "evaluate nodes whose operands are all constants",
       foldConstants},
      // Before fusion: a BN between a conv and its add or relu hides them.
      {"fold-batchnorm",
       "fold BatchNormalization into adjacent convolutions, else kiln.ScaleShift",
       foldBatchNorm},
      // Exporters spell these activations as several elementwise nodes;
      // recognised before the fusions, they fuse like any other.
      {"fuse-silu", "x * Sigmoid(x) -> kiln.Silu(x)", fuseSilu},
      {"fuse-hardswish", "x * HardSigmoid(x) {1/6, 1/2} -> HardSwish(x)", fuseHardSwish},
      {"fuse-gelu", "x * 0.5 * (1 + Erf(x / sqrt 2)) -> Gelu(x)", fuseGelu},
      // Before fuse-activation: the epilogue adds before it activates, so the
      // add must be fused first (and takes the Relu that follows it).
      {"fuse-residual", "fuse residual Add [+ activation] into the conv producing one operand",
       fuseResidual},
      {"fuse-activation",
       "fuse activations (Relu, Clip, ...) into Conv/Gemm/MatMul; MatMul+Add -> Gemm",
       fuseActivation},
      // Before fuse-pool, which leaves the pool behind a Winograd conv alone.
      {"select-conv-algorithm", "choose each Conv's kernel: direct, winograd or generic",
       selectConvAlgorithm},
      // Last in the epilogue, so last to fuse.
      {"fuse-pool", "fuse MaxPool/AveragePool into the conv that feeds it", fusePool},
      {"dead-code", "remove nodes whose results are never read", deadCode},
      // Layout needs the final nodes: a fused pool or add changes what is read.
      {"assign-layout", "choose plain or blocked (NCHWc) layouts, insert kiln.Reorder",
       assignLayout},
      // Sizes depend on layouts (blocked rounds channels up), so this is last.
      {"plan-memory", "assign workspace arena offsets from value lifetimes", planMemory},
  };
  return pipeline;
}

llvm::Error runPipeline(Graph &g, const PassOptions &opts, const std::string &stopAfter,
                        const std::function<void(const PassInfo &, const Graph &)> &afterEach) {
  const auto &pipeline = passPipeline();
  if (!stopAfter.empty()) {
    bool known = false;
    std::vector<std::string> names;
    for (const PassInfo &p : pipeline) {
      known |= stopAfter == p.name;
      names.push_back(p.name);
    }
    if (!known)
      return inputError(fmt::format("unknown pass '{}'; passes are: {}",
                                    displayName(stopAfter), fmt::join(names, ", ")));
  }
  for (const PassInfo &p : pipeline) {
    p.run(g, opts);
    if (opts.verifyEach)
      if (auto err = verifyGraph(g))
        return inputError(fmt::format("after pass '{}': {}", p.name,
                                      llvm::toString(std::move(err))));
    if (afterEach)
      afterEach(p, g);
    if (stopAfter == p.name)
      break;
  }
  return llvm::Error::success();
}

} // namespace kiln
