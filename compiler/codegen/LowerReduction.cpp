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

#include "compiler/ir/Normalize.h"
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

/// One axis of a normalization's strided form: X's, Scale's and B's strides.
struct NormAxis {
  int64_t dim, stride, sstride, bstride;
  bool reduced;
};

// LayerNormalization, InstanceNormalization, MeanVarianceNormalization,
// LpNormalization ==> kiln_gen_normalize_f32 over normalizeForm's kept and
// reduced axes, merged like the reductions' when X, Scale and B all allow it
// (LayerNorm over [.., C] or InstanceNorm over H,W: one contiguous run).
static llvm::Error lowerNormalize(LowerContext &cx, const Node &n) {
  for (const Value *v : {n.input(0), n.output()})
    if (blockOf(v))
      return nodeError(n, "operand and result must have the plain layout");
  if (!n.fused.empty())
    return nodeErrorf(n, "fused operations on {} are not supported", opName(n.op));
  const Value *scale = n.inputs.size() > 1 ? n.input(1) : nullptr;
  const Value *bias = n.inputs.size() > 2 ? n.input(2) : nullptr;
  const Dims &in = n.input(0)->type.dims;
  NormalizeForm f = normalizeForm(n.op, in, scale ? &scale->type.dims : nullptr,
                                  bias ? &bias->type.dims : nullptr, n.attrs);
  std::vector<NormAxis> reversed, axes;
  int64_t stride = 1;
  for (size_t d = in.size(); d-- > 0;) {
    reversed.push_back({in[d], stride, f.scaleStrides[d], f.biasStrides[d], bool(f.reduced[d])});
    stride *= in[d];
  }
  for (size_t k = reversed.size(); k-- > 0;) {
    const NormAxis &b = reversed[k];
    if (b.dim == 1)
      continue;
    if (!axes.empty()) {
      NormAxis &a = axes.back();
      if (a.reduced == b.reduced && a.stride == b.dim * b.stride &&
          a.sstride == b.dim * b.sstride && a.bstride == b.dim * b.bstride) {
        a = {a.dim * b.dim, b.stride, b.sstride, b.bstride, a.reduced};
        continue;
      }
    }
    axes.push_back(b);
  }
  KilnGenNormalizeParams p{};
  p.count = 1;
  p.chunk = 1;
  p.p = f.p;
  p.result = f.result;
  p.has_scale = f.hasScale;
  p.has_bias = f.hasBias;
  p.epsilon = f.epsilon;
  p.std_epsilon = f.stdEpsilon;
  for (const NormAxis &a : axes) {
    if (a.reduced) {
      p.red_dims[p.red_rank] = a.dim;
      p.red_strides[p.red_rank] = a.stride;
      p.red_sstrides[p.red_rank] = a.sstride;
      p.red_bstrides[p.red_rank++] = a.bstride;
      p.count *= a.dim;
    } else {
      p.out_dims[p.out_rank] = a.dim;
      p.out_strides[p.out_rank] = a.stride;
      p.out_sstrides[p.out_rank] = a.sstride;
      p.out_bstrides[p.out_rank++] = a.bstride;
    }
  }
  if (p.red_rank == 0) { // every reduced axis has size 1: groups of one
    p.red_dims[0] = 1;
    p.red_rank = 1;
  }
  p.total = TensorType{DType::F32, normalizeGroupDims(in, f.reduced)}.numElements();
  if (p.total == 0 || p.count == 0)
    return llvm::Error::success();
  if (p.count < RowChunkElements)
    p.chunk = RowChunkElements / p.count;
  Layer &l = cx.addLayer(&n, Kernel::GenNormalize);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)),
               scale ? cx.buffer(scale) : BufferRef::null(),
               bias ? cx.buffer(bias) : BufferRef::null()};
  l.workItems = kiln_gen_normalize_work_items(&p);
  return llvm::Error::success();
}

// NegativeLogLikelihoodLoss ==> kiln_gen_nll_loss_f32 over [N, C, D], D the
// product of the trailing axes.
static llvm::Error lowerNllLoss(LowerContext &cx, const Node &n) {
  if (!n.fused.empty())
    return nodeError(n, "fused operations on NegativeLogLikelihoodLoss are not supported");
  const Dims &x = n.input(0)->type.dims;
  const Value *weight = n.inputs.size() > 2 ? n.input(2) : nullptr;
  KilnGenNllLossParams p{};
  p.N = x[0];
  p.C = x[1];
  p.D = 1;
  for (size_t i = 2; i < x.size(); ++i)
    p.D *= x[i];
  p.reduction = n.attrs.getInt("reduction");
  p.has_weight = weight != nullptr;
  p.has_ignore = n.attrs.getInt("has_ignore_index");
  p.ignore_index = n.attrs.getInt("ignore_index");
  p.target_i32 = n.input(1)->type.dtype == DType::I32;
  if (p.reduction == 0 && n.output()->type.numElements() == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenNllLoss);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)), cx.buffer(n.input(1)),
               weight ? cx.buffer(weight) : BufferRef::null()};
  l.workItems = kiln_gen_nll_loss_work_items(&p);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> reductionLowerings() {
  static constexpr OpLowering Table[] = {
#define REDUCTION(Name, ...) {OpKind::Name, lowerReduction},
#include "compiler/ir/Reductions.def"
      {OpKind::LayerNormalization, lowerNormalize},
      {OpKind::InstanceNormalization, lowerNormalize},
      {OpKind::MeanVarianceNormalization, lowerNormalize},
      {OpKind::LpNormalization, lowerNormalize},
      {OpKind::NegativeLogLikelihoodLoss, lowerNllLoss},
  };
  return Table;
}

} // namespace kiln::codegen
