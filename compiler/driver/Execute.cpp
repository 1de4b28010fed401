//===- Execute.cpp - Run a model: reference or compiled -------------------===//

#include "compiler/driver/Execute.h"

#include "compiler/driver/Driver.h"
#include "compiler/reference/Reference.h"

#include <kiln/runtime.h>

#include <algorithm>
#include <thread>

namespace kiln::driver {

char CompileRefusal::ID = 0;

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
    return llvm::make_error<CompileRefusal>(llvm::toString(cm.takeError()));
  if ((*cm)->inputs().size() != inputs.size())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the compiled model takes %zu inputs, %zu given",
                                   (*cm)->inputs().size(), inputs.size());
  // Every buffer in the element type the generated code reads or writes.
  // Generated code refuses null buffers, which is what an empty vector may
  // hand out: empty tensors point here (nothing is read or written).
  static int64_t emptyTensor;
  std::vector<std::vector<char>> inBytes;
  std::vector<const void *> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const codegen::TensorInfo &want = (*cm)->inputs()[i];
    if (inputs[i].type != TensorType{want.dtype, want.dims})
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "input %zu is %s, the compiled model takes %s", i,
                                     inputs[i].type.str().c_str(),
                                     TensorType{want.dtype, want.dims}.str().c_str());
    inBytes.push_back(tensorBytes(inputs[i]));
    in.push_back(inBytes.back().empty() ? static_cast<const void *>(&emptyTensor)
                                        : inBytes.back().data());
  }
  std::vector<std::vector<char>> outBytes;
  std::vector<void *> out;
  for (const codegen::TensorInfo &o : (*cm)->outputs()) {
    outBytes.emplace_back(size_t(TensorType{o.dtype, o.dims}.numBytes()));
    out.push_back(outBytes.back().empty() ? static_cast<void *>(&emptyTensor)
                                          : outBytes.back().data());
  }
  kiln_pool *pool = threads > 1 ? kiln_pool_create(int(threads)) : nullptr;
  kiln_status st = (*cm)->run(in.data(), out.data(), pool);
  kiln_pool_destroy(pool);
  if (st != KILN_OK)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "compiled model failed: %s",
                                   kiln_status_string(st));
  std::vector<Tensor> outputs;
  for (size_t i = 0; i < out.size(); ++i) {
    const codegen::TensorInfo &o = (*cm)->outputs()[i];
    outputs.push_back(tensorFromBytes(TensorType{o.dtype, o.dims}, outBytes[i].data()));
  }
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
