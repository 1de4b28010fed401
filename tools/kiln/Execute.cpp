//===- Execute.cpp - How the CLI runs a model -----------------------------===//

#include "tools/kiln/Execute.h"

#include "compiler/codegen/Jit.h"
#include "compiler/codegen/Target.h"
#include "compiler/passes/Pipeline.h"
#include "compiler/reference/Reference.h"

#include <kiln/runtime.h>

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
  case Engine::Compiled: {
    // The optimization pipeline for this host's vectors, the JIT, one run.
    auto target = codegen::resolveTarget({});
    if (!target)
      return target.takeError();
    PassOptions po;
    po.vectorLanes = target->vectorLanes;
    if (auto e = runPipeline(g, po))
      return std::move(e);
    auto cm = codegen::CompiledModel::compile(g);
    if (!cm)
      return cm.takeError();
    if ((*cm)->inputs().size() != inputs.size())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the compiled model takes %zu inputs, %zu given",
                                     (*cm)->inputs().size(), inputs.size());
    std::vector<const float *> in;
    for (const Tensor &t : inputs) {
      if (!t.isF32())
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "compiled models take float32 inputs only");
      in.push_back(t.f32.data());
    }
    std::vector<Tensor> outputs;
    std::vector<float *> out;
    for (const codegen::TensorInfo &o : (*cm)->outputs())
      outputs.push_back(Tensor::zeros(TensorType{DType::F32, o.dims}));
    for (Tensor &t : outputs)
      out.push_back(t.f32.data());
    kiln_pool *pool = opts.threads > 1 ? kiln_pool_create(int(opts.threads)) : nullptr;
    kiln_status st = (*cm)->run(in.data(), out.data(), pool);
    kiln_pool_destroy(pool);
    if (st != KILN_OK)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "compiled model failed: %s", kiln_status_string(st));
    return outputs;
  }
  }
  return runReference(g, inputs, ref);
}

unsigned defaultThreads() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
}

} // namespace kiln::cli
