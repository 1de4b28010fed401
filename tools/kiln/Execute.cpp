//===- Execute.cpp - How the CLI runs a model -----------------------------===//

#include "tools/kiln/Execute.h"

#include "compiler/reference/Reference.h"

#include <algorithm>
#include <thread>

namespace kiln::cli {

llvm::Expected<std::vector<Tensor>> executeGraph(Graph &g, const std::vector<Tensor> &inputs,
                                                 const ExecOptions &opts) {
  ReferenceOptions ref;
  ref.threads = opts.threads;
  switch (opts.engine) {
  case Engine::Reference:
    return runReference(g, inputs, ref);
  case Engine::Compiled:
    // The JIT plugs in here: runPipeline(g, ...), compile, run. Until then the
    // reference interpreter stands in.
    return runReference(g, inputs, ref);
  }
  return runReference(g, inputs, ref);
}

unsigned defaultThreads() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
}

} // namespace kiln::cli
