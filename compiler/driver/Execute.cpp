//===- Execute.cpp - Run a model: reference or compiled -------------------===//

#include "compiler/driver/Execute.h"

#include "compiler/driver/Driver.h"
#include "compiler/reference/Reference.h"

#include <kiln/runtime.h>

#include <algorithm>
#include <thread>

namespace kiln::driver {

llvm::Expected<std::vector<Tensor>> runReference(const Graph &g,
                                                 const std::vector<Tensor> &inputs,
                                                 unsigned threads) {
  ReferenceOptions ref;
  ref.threads = threads;
  return kiln::runReference(g, inputs, ref);
}

llvm::Expected<std::vector<Tensor>> runCompiled(Graph &g, const std::vector<Tensor> &inputs,
                                                const CompileOptions &opts, unsigned threads) {
  // The optimization pipeline for this host's vectors, the JIT, one run.
  auto target = resolveTarget(opts);
  if (!target)
    return target.takeError();
  if (auto e = optimize(g, opts, *target))
    return e;
  auto cm = jitModel(g, opts, *target);
  if (!cm)
    return cm.takeError();
  if ((*cm)->inputs().size() != inputs.size())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the compiled model takes %zu inputs, %zu given",
                                   (*cm)->inputs().size(), inputs.size());
  // Generated code refuses null buffers, which is what an empty vector
  // may hand out: empty tensors point here (nothing is read or written).
  static float emptyTensor;
  std::vector<const float *> in;
  for (const Tensor &t : inputs) {
    if (!t.isF32())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "compiled models take float32 inputs only");
    in.push_back(t.f32.empty() ? &emptyTensor : t.f32.data());
  }
  // Outputs in the generated code's representation: f32 and i64 are the
  // Tensor's own storage, bool is one byte per element.
  std::vector<Tensor> outputs;
  std::vector<std::vector<char>> boolBytes((*cm)->outputs().size());
  std::vector<float *> out;
  for (size_t i = 0; i < (*cm)->outputs().size(); ++i) {
    const codegen::TensorInfo &o = (*cm)->outputs()[i];
    Tensor &t = outputs.emplace_back(Tensor::zeros(TensorType{o.dtype, o.dims}));
    void *p = t.isF32()   ? static_cast<void *>(t.f32.data())
              : t.isI64() ? static_cast<void *>(t.i64.data())
                          : (boolBytes[i].resize(t.i64.size()), boolBytes[i].data());
    out.push_back(t.numElements() == 0 ? &emptyTensor : static_cast<float *>(p));
  }
  kiln_pool *pool = threads > 1 ? kiln_pool_create(int(threads)) : nullptr;
  kiln_status st = (*cm)->run(in.data(), out.data(), pool);
  kiln_pool_destroy(pool);
  if (st != KILN_OK)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "compiled model failed: %s",
                                   kiln_status_string(st));
  for (size_t i = 0; i < outputs.size(); ++i)
    for (size_t e = 0; e < boolBytes[i].size(); ++e)
      outputs[i].i64[e] = boolBytes[i][e] != 0;
  return outputs;
}

llvm::Expected<std::vector<Tensor>> executeGraph(Graph &g, const std::vector<Tensor> &inputs,
                                                 const ExecOptions &opts) {
  if (opts.engine == Engine::Compiled)
    return runCompiled(g, inputs, opts.compile, opts.threads);
  return runReference(g, inputs, opts.threads);
}

unsigned defaultThreads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 8u); }

} // namespace kiln::driver
