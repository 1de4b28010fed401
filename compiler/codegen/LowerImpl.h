//===- LowerImpl.h - Shared state of the per-op lowerings --------*- C++ -*-===//
//
// Internal to compiler/codegen: the Lower*.cpp files each lower a family of
// ops through a LowerContext, which knows where every value lives and owns
// the plan being built.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LOWERIMPL_H
#define KILN_CODEGEN_LOWERIMPL_H

#include "compiler/codegen/Lowering.h"
#include "compiler/codegen/kernels/generic/Generic.h"
#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/OpAttrs.h"

#include <map>
#include <span>

namespace kiln::codegen {

/// Byte offsets in the workspace of every value that lives there.
struct MemoryPlan {
  std::map<const Value *, int64_t> offsets;
  int64_t bytes = 0;
};

/// Uses the offsets chosen by compiler/passes (plan-memory) when every
/// intermediate value has one; otherwise (an unoptimized graph) runs the
/// same planner (compiler/passes/PlanMemory.h) on the graph as it is.
MemoryPlan planMemory(const Graph &g);

/// The value whose storage `v` shares (itself when it is not a view).
const Value *storageRoot(const Value *v);

/// Channel block of a 4-D value's layout (0: plain).
inline int64_t blockOf(const Value *v) {
  return v->layout.kind == Layout::NCHWc ? v->layout.block : 0;
}

/// Whether v's bytes are those of the plain layout: plain, or blocked
/// [N,C,1,1] with whole channel blocks (assign-layout lets Flatten and
/// Reshape read such values without a reorder).
inline bool storedAsPlain(const Value *v) {
  int64_t b = blockOf(v);
  const Dims &d = v->type.dims;
  return b == 0 || (d.size() == 4 && d[2] == 1 && d[3] == 1 && d[1] % b == 0);
}

class LowerContext {
public:
  LowerContext(const Graph &g, const LoweringOptions &opts, ModelPlan &plan,
               MemoryPlan mem);

  const Graph &graph() const { return g_; }
  const LoweringOptions &options() const { return opts_; }

  /// Where `v` is stored at run time. Constants become weights (the graph's
  /// data, shared, not copied) on first use.
  BufferRef buffer(const Value *v);
  /// A weight holding `data`.
  BufferRef addWeight(std::vector<char> data);
  BufferRef addWeight(const std::vector<float> &data);
  /// A weight of `bytes` bytes that `pack` writes when they are needed.
  BufferRef addWeight(size_t bytes, std::function<void(char *)> pack);

  /// Appends a layer for `n` calling `kernel`.
  Layer &addLayer(const Node *n, Kernel kernel,
                  KernelAbi abi = KernelAbi::BufArray);

  /// A Node's graph-output index (first occurrence) or -1.
  int64_t outputIndex(const Value *v) const;

private:
  const Graph &g_;
  const LoweringOptions &opts_;
  ModelPlan &plan_;
  MemoryPlan mem_;
  std::map<const Value *, int64_t> weightOf_;
};

/// Node::fused as a generic epilogue. Residual operands are appended to
/// `layer.buffers`. `unpooled` is the shape of the node's result before a
/// fused pool (only Conv may carry one: `allowPool`).
llvm::Expected<KilnGenEpilogue> lowerEpilogue(LowerContext &cx, const Node &n,
                                              Layer &layer, bool allowPool);

/// An activation op (a row of compiler/ir/Activations.def) as one epilogue
/// step: its KilnActivation code and parameters a, b; false for other ops.
bool activationStep(OpKind op, const Attrs &a, int64_t &kind, double &pa,
                    double &pb);

/// Lowers one node: appends its layers to the plan.
using LowerFn = llvm::Error (*)(LowerContext &cx, const Node &n);

/// One row of a family's table: the op and its lowering.
struct OpLowering {
  OpKind op;
  LowerFn lower;
};

/// Each Lower*.cpp file ends with the table of the ops it lowers;
/// loweringFor (Lowering.cpp) merges them.
std::span<const OpLowering> spatialLowerings();
std::span<const OpLowering> poolIndicesLowerings();
std::span<const OpLowering> denseLowerings();
std::span<const OpLowering> elementwiseLowerings();
std::span<const OpLowering> dataMovementLowerings();
std::span<const OpLowering> reductionLowerings();
std::span<const OpLowering> movementLowerings(); // LowerMovement.cpp
std::span<const OpLowering> quantizeLowerings();

/// The lowering of `op`, from the tables or its family; null when the code
/// generator cannot lower it.
LowerFn loweringFor(OpKind op);

/// The families lowered by one function each, parameterised by the op:
/// broadcasting n-ary arithmetic, and flat unary kernels (activations,
/// copies, casts).
llvm::Error lowerElementwise(LowerContext &cx, const Node &n);
llvm::Error lowerUnary(LowerContext &cx, const Node &n);

/// Work-item sizes of the flat generic kernels (copies, unary, n-ary): large
/// enough that the thread pool's cost per item (about a microsecond) is noise
/// next to the item's memory traffic, small enough that a tensor of a few
/// hundred kilobytes still splits across threads.
inline constexpr int64_t FlatChunkElements = 16384;  ///< f32 elements
inline constexpr int64_t FlatChunkBytes = 65536;     ///< bytes (byte copies)
/// Broadcast kernels split each innermost row into pieces of this many
/// elements, so a long row is shared and a short one is one item.
inline constexpr int64_t RowChunkElements = 4096;

/// A flat copy of `elements` floats from `src` to `dst` (views that must be
/// materialized, graph outputs that are inputs or constants).
void addCopyLayer(LowerContext &cx, const Node *n, BufferRef src, BufferRef dst,
                  int64_t elements);

/// A flat copy of `bytes` bytes of any element type: whole floats when they
/// divide, else bytes (i64 indices, bool masks).
void addCopyBytesLayer(LowerContext &cx, const Node *n, BufferRef src, BufferRef dst,
                       int64_t bytes);

/// Elements of v's storage (blocked layouts include padded channels).
int64_t storageElements(const Value *v);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_LOWERIMPL_H
