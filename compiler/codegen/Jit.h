//===- Jit.h - Compile a graph and run it in this process -------*- C++ -*-===//
//
// The same module `kiln compile` writes to an object file, compiled with ORC
// LLJIT for the host. Used by `kiln run`, `kiln conformance` and the tests.
// The runtime functions the module calls (kiln_parallel_for, memcpy, ...)
// are mapped explicitly to the ones linked into kiln; the weights are read
// where lowering left them (the graph's data or the packed copies), never
// copied into the JIT's memory.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_JIT_H
#define KILN_CODEGEN_JIT_H

#include "compiler/codegen/Lowering.h"
#include "compiler/codegen/Target.h"
#include "compiler/ir/IR.h"

#include <kiln/runtime.h>

#include "llvm/Support/Error.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace llvm::orc {
class LLJIT;
}

namespace kiln::codegen {

struct JitOptions {
  int optLevel = 3;
  /// Host CPU/features overrides ("haswell", "-avx512f"); empty: this host.
  /// Read only by the compile() overload that resolves the target itself.
  std::string cpu, features;
  /// Time every layer: NAME_run marks the steady clock after each layer
  /// (kiln_jit_profile_begin/_layer, JIT-only hooks) into per-layer slots
  /// read with CompiledModel::profile(). The slots are the model's: profile
  /// one run at a time.
  bool profile = false;
  /// Profile with the calling thread's CPU time instead of the steady clock:
  /// with a one-thread pool every layer runs on the caller, and CPU time is
  /// unaffected by other processes taking the core (a shared, noisy machine).
  bool profileCpuTime = false;
};

/// One layer's accumulated time (CompiledModel::profile).
struct LayerProfile {
  std::string name;   ///< the node's name, escaped for display
  std::string kernel; ///< the kernel entry point
  double ms = 0;      ///< summed over runs
  double flops = 0;   ///< 2 x multiply-adds of conv/gemm work per run; 0 otherwise
  int64_t calls = 0;  ///< runs measured
};

class CompiledModel {
public:
  ~CompiledModel();

  /// Compiles `g` (optimized or not) for `target`, which must be this
  /// host's architecture, lowered with `lowering` (compiler/driver derives
  /// both from its CompileOptions).
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  compile(const Graph &g, const Target &target, const LoweringOptions &lowering,
          const JitOptions &opts);
  /// Compiles `g` for this host (opts.cpu/features) with the default
  /// lowering for its vectors: the tests' shorthand.
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  compile(const Graph &g, const JitOptions &opts = {});

  /// Runs with a workspace owned by this object (not reentrant).
  kiln_status run(const void *const *inputs, void *const *outputs,
                  kiln_pool *pool = nullptr);
  /// Runs with the caller's workspace (reentrant).
  kiln_status run(const void *const *inputs, void *const *outputs,
                  void *workspace, kiln_pool *pool);

  size_t workspaceSize() const { return workspaceSize_; }
  const kiln_model_info &info() const { return *info_; }
  const std::vector<TensorInfo> &inputs() const { return inputs_; }
  const std::vector<TensorInfo> &outputs() const { return outputs_; }
  const Target &target() const { return target_; }
  /// Layers and distinct task functions of the generated code.
  size_t numLayers() const { return layers_; }
  size_t numTasks() const { return tasks_; }

  /// Zeroes every layer's profile slot.
  void resetProfile();
  /// One entry per layer, in execution order (zero times unless compiled
  /// with JitOptions::profile).
  std::vector<LayerProfile> profile() const;

  /// The hooks' implementation (called by generated code only).
  void profileBegin();
  void profileLayer(int64_t layer);

private:
  CompiledModel() = default;

  std::unique_ptr<llvm::orc::LLJIT> jit_;
  Target target_;
  using RunFn = kiln_status (*)(const void *const *, void *const *, void *,
                                kiln_pool *);
  RunFn run_ = nullptr;
  const kiln_model_info *info_ = nullptr;
  size_t workspaceSize_ = 0;
  void *workspace_ = nullptr;
  std::vector<TensorInfo> inputs_, outputs_;
  size_t layers_ = 0, tasks_ = 0;
  std::vector<Weight> weights_; ///< the code reads them in place
  std::vector<LayerProfile> profile_;
  bool profileCpuTime_ = false;
  double markMs_ = 0; ///< the profile clock at the last mark
};

} // namespace kiln::codegen

#endif // KILN_CODEGEN_JIT_H
