//===- Lowering.h - A graph as a list of kernel calls ------------*- C++ -*-===//
//
// Lowering turns an optimized (or a plain, unoptimized) graph into a
// ModelPlan: the packed weights, and per node one or more Layers, each a call
// of one kernel with constant params over `workItems` parallel items. The
// ModuleEmitter turns the plan into LLVM IR; nothing here touches LLVM IR.
//
// Buffers are named by BufferRef (a graph input/output pointer, a byte offset
// in the workspace, or a packed weight), so two layers with equal kernel and
// params share one task function whatever their buffers are.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LOWERING_H
#define KILN_CODEGEN_LOWERING_H

#include "compiler/codegen/Kernels.h"
#include "compiler/codegen/Target.h"
#include "compiler/ir/IR.h"

#include "llvm/Support/Error.h"

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kiln::codegen {

/// Where a buffer lives when the model runs.
struct BufferRef {
  enum Kind : uint8_t { Null, Input, Output, Workspace, Weight } kind = Null;
  int64_t index = 0; ///< input/output/weight index, or workspace byte offset

  static BufferRef null() { return {}; }
  static BufferRef input(int64_t i) { return {Input, i}; }
  static BufferRef output(int64_t i) { return {Output, i}; }
  static BufferRef workspace(int64_t off) { return {Workspace, off}; }
  static BufferRef weight(int64_t i) { return {Weight, i}; }
  bool operator==(const BufferRef &o) const = default;
};

/// A constant the generated code reads: packed into the kernels' layout at
/// compile time, or the graph's data as it is (kept alive by `source`).
/// Packed weights are packed only when their bytes are needed (`pack`), so
/// a model's weights exist once (the graph's) until they are written out.
struct Weight {
  std::vector<char> owned;                       ///< packed bytes, or
  std::shared_ptr<const ConstantData> source;    ///< borrowed graph data
  const char *data = nullptr;                    ///< the bytes
  size_t bytes = 0;
  /// Until materialized: writes the `bytes` packed bytes to dst (it holds
  /// the graph data it reads).
  std::function<void(char *dst)> pack;

  /// Makes `data` valid: runs `pack` into `owned`.
  void materialize() {
    if (!pack)
      return;
    owned.resize(bytes);
    pack(owned.data());
    data = owned.data();
    pack = nullptr;
  }
  /// Frees the data once it has been copied out.
  void release() {
    owned = {};
    source.reset();
    data = nullptr;
    pack = nullptr;
  }
};

/// How the kernel takes its buffers.
enum class KernelAbi : uint8_t {
  /// generic kernels: fn(params, void *const *bufs, begin, end)
  BufArray,
  /// fast kernels: fn(params, ptr0, ptr1, ..., begin, end)
  PointerArgs,
};

/// One parallel loop: kernel(params, buffers, [begin, end)) over workItems.
struct Layer {
  std::string kernel;             ///< kernelName(Kernel::...): its symbol
  KernelAbi abi = KernelAbi::BufArray;
  std::vector<uint64_t> params;   ///< the params struct as 8-byte words
  std::vector<BufferRef> buffers; ///< bufs[] / pointer arguments in order
  int64_t workItems = 1;
  const Node *node = nullptr;     ///< for progress and -v; never in symbols

  template <typename P> void setParams(const P &p) {
    static_assert(sizeof(P) % 8 == 0, "params are 8-byte words");
    params.resize(sizeof(P) / 8);
    std::memcpy(params.data(), &p, sizeof(P));
  }
};

/// Element types a compiled model's inputs and outputs may have: all but
/// f64, each in its own width (bool one byte 0 or 1, f16 IEEE binary16).
inline bool compiledBoundaryType(DType t) { return t != DType::F64; }

/// The generic kernels' code of an element type (KilnGenDtype, equal to
/// kiln_dtype); -1 for f64, which compiled code does not hold.
int64_t kernelDtype(DType t);

/// An input or output of the compiled function, dense, row-major, of any
/// compiledBoundaryType.
struct TensorInfo {
  std::string name; ///< as in the model; data only, never a symbol
  Dims dims;
  DType dtype = DType::F32;
};

struct ModelPlan {
  std::vector<Layer> layers;
  std::vector<Weight> weights;
  std::vector<TensorInfo> inputs, outputs;
  int64_t workspaceBytes = 0;
};

/// Derived from the driver's CompileOptions (compiler/driver/Options.h,
/// loweringOptions()); tests set it directly.
struct LoweringOptions {
  /// Vector lanes of the target (selects the fast kernels' variant).
  int vectorLanes = 16;
  /// Cache sizes of the target (Target::caches).
  CacheSizes caches;
  /// Use the fast kernels (Conv.h, Gemm.h, ...) where they apply.
  bool fastKernels = true;
};

/// Lowers `g`. Errors name the node that cannot be compiled; all such nodes
/// are collected before failing.
llvm::Expected<ModelPlan> lowerGraph(const Graph &g, const LoweringOptions &opts);

/// Whether the code generator can lower `op` (tests/codegen check that every
/// op of Ops.def can).
bool hasLowering(OpKind op);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_LOWERING_H
