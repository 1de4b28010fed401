//===- LowerReduction.cpp - Reduce* to the generic strided reduction ------===//
//
// Reduce*(x) {axes keepdims} ==> kiln_gen_reduce_f32 over the kept and the
// reduced axes of x, each with x's strides. Axes of size 1 are dropped and
// neighbours of the same kind that are contiguous are merged, so a reduction
// over trailing axes (ReduceMean over H,W; LayerNorm's last axis) reads one
// contiguous run per output element.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"

#include "compiler/ir/OpAttrs.h"

#include <algorithm>

namespace kiln::codegen {

namespace {

/// One axis of the strided form.
struct Axis {
  int64_t dim, stride;
  bool reduced;
};

} // namespace

static llvm::Error lowerReduction(LowerContext &cx, const Node &n) {
  for (const Value *v : {n.input(0), n.output()})
    if (blockOf(v))
      return nodeError(n, "operand and result must have the plain layout");
  if (!n.fused.empty())
    return nodeErrorf(n, "fused operations on {} are not supported", opName(n.op));
  const Dims &in = n.input(0)->type.dims;
  const auto &axesAttr = n.attrs.getInts("axes");
  std::vector<bool> isReduced(in.size());
  for (int64_t a : axesAttr)
    isReduced[size_t(a)] = true;
  // Row-major, outermost first; merge b into a when a's stride is b's span.
  std::vector<Axis> axes;
  int64_t stride = 1;
  std::vector<Axis> reversed;
  for (size_t d = in.size(); d-- > 0;) {
    reversed.push_back({in[d], stride, bool(isReduced[d])});
    stride *= in[d];
  }
  for (size_t k = reversed.size(); k-- > 0;) {
    const Axis &b = reversed[k];
    if (b.dim == 1)
      continue;
    if (!axes.empty() && axes.back().reduced == b.reduced &&
        axes.back().stride == b.dim * b.stride) {
      axes.back().dim *= b.dim;
      axes.back().stride = b.stride;
      continue;
    }
    axes.push_back(b);
  }
  KilnGenReduceParams p{};
  p.op = reductionCode(n.op);
  p.total = n.output()->type.numElements();
  p.count = 1;
  p.chunk = 1;
  for (const Axis &a : axes) {
    if (a.reduced) {
      p.red_dims[p.red_rank] = a.dim;
      p.red_strides[p.red_rank++] = a.stride;
      p.count *= a.dim;
    } else {
      p.out_dims[p.out_rank] = a.dim;
      p.out_strides[p.out_rank++] = a.stride;
    }
  }
  if (p.total == 0)
    return llvm::Error::success();
  // Enough outputs per work item to keep items above ~RowChunkElements reads.
  if (p.count < RowChunkElements)
    p.chunk = RowChunkElements / std::max<int64_t>(p.count, 1);
  Layer &l = cx.addLayer(&n, Kernel::GenReduce);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_reduce_work_items(&p);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> reductionLowerings() {
  static constexpr OpLowering Table[] = {
#define REDUCTION(Name, ...) {OpKind::Name, lowerReduction},
#include "compiler/ir/Reductions.def"
  };
  return Table;
}

} // namespace kiln::codegen
