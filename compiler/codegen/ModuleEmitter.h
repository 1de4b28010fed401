//===- ModuleEmitter.h - A ModelPlan as an LLVM module -----------*- C++ -*-===//
//
// The emitted module defines, for --name NAME:
//
//   size_t NAME_workspace_size(void);
//   kiln_status NAME_run(const void *const *inputs, void *const *outputs,
//                        void *workspace, kiln_pool *pool);
//   const kiln_model_info NAME_info;
//
// and internal definitions: one task function `void (void *ctx, int64_t
// begin, int64_t end)` per distinct (kernel, params) pair, the params as
// constant [N x i64] globals, the weights as 64-byte aligned constants (or
// placeholders / declarations: WeightStorage), and the kernels linked from
// the embedded bitcode (inlined into the tasks and specialized to their
// params, then removed). NAME_run fills a stack array with the layer's buffer
// pointers and calls kiln_parallel_for(pool, workItems, task, array) per
// layer: no mutable globals, so it is reentrant.
//
// Only NAME reaches symbol names; tensor names are data (NAME_info).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_MODULEEMITTER_H
#define KILN_CODEGEN_MODULEEMITTER_H

#include "compiler/codegen/Lowering.h"
#include "compiler/codegen/Target.h"

#include <kiln/runtime.h>

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>

namespace llvm {
class TargetMachine;
}

namespace kiln::codegen {

/// stage ("lowering", "emitting", ...), step i of n.
using ProgressFn = std::function<void(const char *stage, size_t i, size_t n)>;

/// How the weights' bytes reach the output.
enum class WeightStorage : uint8_t {
  /// LLVM constants in the module (assembly and IR output; any target).
  Constants,
  /// Zero-filled placeholders in an ELF section: the object writer streams
  /// zeros, patchWeights writes the bytes over them in the file. The bytes
  /// are never copied into LLVM (VGG-16: 553 MB less at the peak).
  Placeholders,
  /// Declarations only: the caller defines NAME_weight<i> (the JIT maps them
  /// to EmittedModel::weightData, no copy at all).
  External,
};

/// The JIT's profiling hooks (EmitOptions::profileState): NAME_run calls
/// them, the JIT defines them.
inline constexpr const char *JitProfileBeginSymbol = "kiln_jit_profile_begin";
inline constexpr const char *JitProfileLayerSymbol = "kiln_jit_profile_layer";

struct EmitOptions {
  std::string name = "model"; ///< a C identifier (checked by the caller)
  /// Weights go to a separate module (a second object the user links)
  /// instead of being internal constants of the code module.
  bool externalWeights = false;
  WeightStorage weightStorage = WeightStorage::Constants;
  /// 0..3: the IR optimization level.
  int optLevel = 3;
  /// JIT only: when set, NAME_run calls kiln_jit_profile_begin(state) on
  /// entry and kiln_jit_profile_layer(state, i) after layer i (state baked
  /// in as a constant). Never set for objects: the hooks exist only in the
  /// JIT.
  const void *profileState = nullptr;
  ProgressFn progress;
};

struct EmittedModel {
  std::unique_ptr<llvm::Module> code;
  std::unique_ptr<llvm::Module> weights; ///< only with externalWeights
  /// Unless WeightStorage::Constants: the weights' bytes and symbols, in
  /// order, for patchWeights or the JIT.
  std::vector<Weight> weightData;
  std::vector<std::string> weightSymbols;
  size_t layers = 0, tasks = 0;          ///< layers, distinct task functions
  int64_t workspaceBytes = 0;
  std::vector<TensorInfo> inputs, outputs;
};

/// The kiln_dtype (<kiln/runtime.h>) of a boundary element type, and its
/// enumerator's name for the header.
kiln_dtype kilnDtype(DType t);
const char *kilnDtypeName(DType t);

/// Emits `plan` (its weights are released as they are copied into the
/// module), links the kernels for `target` and runs the optimization
/// pipeline.
llvm::Expected<EmittedModel> emitModel(ModelPlan &&plan, const Target &target,
                                       llvm::TargetMachine &tm,
                                       llvm::LLVMContext &ctx,
                                       const EmitOptions &opts);

/// Links the embedded kernel bitcode of `target` into `m` (only the
/// functions `m` references).
llvm::Error linkKernels(llvm::Module &m, const Target &target);

/// Inlines the kernel each task calls and folds what its constant params
/// decide (SCCP, SimplifyCFG), then deletes the unused generic kernel
/// bodies: the optimization pipeline then works on each layer's own code
/// instead of inlining every tile shape and layout variant into every task
/// first.
void specializeTasks(llvm::Module &m, llvm::ArrayRef<llvm::Function *> tasks,
                     llvm::TargetMachine &tm);

/// Runs LLVM's default O0..O3 pipeline with `tm`'s cost model.
void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm, int optLevel);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_MODULEEMITTER_H
