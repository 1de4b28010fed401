//===- Indexing.h - Generic kernels of the indexing and selection ops -*- C++ -*-===//
//
// Parameters of the generic kernels behind ArgMax/ArgMin, TopK, CumSum,
// Trilu, GatherElements, ScatterElements, GatherND, ScatterND, OneHot and
// Range (kernels in Indexing.cpp; Expand and Tile run on kiln_gen_slice with
// zero strides). The conventions are Generic.h's: one signature, bufs[0] the
// output, `dtype` a KilnGenDtype, `elem_bytes` 1, 2, 4 or 8 where elements
// are only moved. Indices (`idx_bytes` 4: int32, 8: int64) may come at run
// time: negative ones count from the end; one outside the axis reads zeros
// or writes nothing (ONNX leaves it undefined; compiled code never touches
// memory outside its buffers).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_GENERIC_INDEXING_H
#define KILN_CODEGEN_KERNELS_GENERIC_INDEXING_H

#include "compiler/codegen/kernels/generic/Generic.h"

/// ArgMax / ArgMin of x viewed as [outer][n][inner]: out (int64) [outer][inner].
/// Ties go to the first index, or the last with `last`. bufs = {out, x}.
/// Work items: outer.
struct KilnGenArgParams {
  int64_t dtype, outer, n, inner;
  int64_t is_min, last;
};

/// TopK of x viewed as [outer][n][inner] along n: the k largest (or
/// smallest) in order, ties by the lower index; out holds the values
/// (`indices` 0) or their int64 indices (1). bufs = {out, x}.
/// Work items: outer * inner.
struct KilnGenTopKParams {
  int64_t dtype, outer, n, inner, k;
  int64_t largest, indices;
};

/// CumSum along n of [outer][n][inner]. bufs = {out, x}. Work items: outer.
struct KilnGenCumSumParams {
  int64_t dtype, outer, n, inner;
  int64_t exclusive, reverse;
};

/// Trilu over the last two axes ([rows][cols] matrices, `matrices` of them):
/// keeps col - row >= k (upper) or <= k (lower), zeros the rest.
/// bufs = {out, x}. Work items: matrices * rows.
struct KilnGenTriluParams {
  int64_t elem_bytes, matrices, rows, cols;
  int64_t upper, k;
};

/// GatherElements: out[i] (row-major over `dims`, the indices' shape) =
/// data[sum over d of i_d * data_strides[d], with i_axis replaced by
/// indices[i]]. bufs = {out, data, indices}. Work items: rows of the
/// innermost dim.
struct KilnGenGatherElementsParams {
  int64_t elem_bytes, idx_bytes;
  int64_t rank, axis, axis_dim;
  int64_t dims[KILN_GEN_MAX_RANK];
  int64_t data_strides[KILN_GEN_MAX_RANK];
};

/// Scatter reductions (ONNX's `reduction`).
enum KilnGenScatterReduction : int64_t {
  KILN_SCATTER_NONE = 0,
  KILN_SCATTER_ADD = 1,
  KILN_SCATTER_MUL = 2,
};

/// ScatterElements: out = data, then for every update i in row-major order
/// over `dims` (the indices' shape) out[position as GatherElements reads it]
/// is set to (or combined with) updates[i]. `total` data elements.
/// bufs = {out, data, indices, updates}. One work item: updates apply in
/// order, later ones last.
struct KilnGenScatterElementsParams {
  int64_t dtype, idx_bytes, reduction, total;
  int64_t rank, axis, axis_dim;
  int64_t dims[KILN_GEN_MAX_RANK];
  int64_t data_strides[KILN_GEN_MAX_RANK];
};

/// GatherND: tuple t (q indices) addresses data axes batch_dims..+q of batch
/// t / per_batch; out[t*slice ..] = the `slice` elements there.
/// bufs = {out, data, indices}. Work items: tuples.
struct KilnGenGatherNDParams {
  int64_t elem_bytes, idx_bytes;
  int64_t tuples, per_batch, batch_stride, q, slice;
  int64_t dims[KILN_GEN_MAX_RANK];
  int64_t strides[KILN_GEN_MAX_RANK];
};

/// ScatterND: out = data, then each tuple's slice of `slice` elements is set
/// to (or combined with) the updates', in order. `total` data elements.
/// bufs = {out, data, indices, updates}. One work item.
struct KilnGenScatterNDParams {
  int64_t dtype, idx_bytes, reduction, total;
  int64_t tuples, q, slice;
  int64_t dims[KILN_GEN_MAX_RANK];
  int64_t strides[KILN_GEN_MAX_RANK];
};

/// OneHot: out[o][d][i] = values[indices[o][i] == d ? 1 : 0], indices of
/// `idx_dtype` (floats truncate; negative ones count from the end of depth).
/// bufs = {out, indices, values}. Work items: outer * depth.
struct KilnGenOneHotParams {
  int64_t idx_dtype, elem_bytes, outer, depth, inner;
};

/// Range: out[i] = start + i * delta, `count` elements of `dtype` (floats
/// from the double fields, integers from the int64 ones). bufs = {out}.
/// Work items: 1.
struct KilnGenRangeParams {
  int64_t dtype, count;
  double start_f, delta_f;
  int64_t start_i, delta_i;
};

static inline int64_t kiln_gen_arg_work_items(const KilnGenArgParams *p) { return p->outer; }
static inline int64_t kiln_gen_topk_work_items(const KilnGenTopKParams *p) {
  return p->outer * p->inner;
}
static inline int64_t kiln_gen_cumsum_work_items(const KilnGenCumSumParams *p) {
  return p->outer;
}
static inline int64_t kiln_gen_trilu_work_items(const KilnGenTriluParams *p) {
  return p->matrices * p->rows;
}
static inline int64_t
kiln_gen_gather_elements_work_items(const KilnGenGatherElementsParams *p) {
  return kiln_gen_rows_of(p->rank, p->dims);
}
static inline int64_t kiln_gen_gather_nd_work_items(const KilnGenGatherNDParams *p) {
  return p->tuples;
}
static inline int64_t kiln_gen_one_hot_work_items(const KilnGenOneHotParams *p) {
  return p->outer * p->depth;
}

#ifdef __cplusplus
extern "C" {
#endif

KILN_GEN_KERNEL(kiln_gen_arg, KilnGenArgParams);
KILN_GEN_KERNEL(kiln_gen_topk, KilnGenTopKParams);
KILN_GEN_KERNEL(kiln_gen_cumsum, KilnGenCumSumParams);
KILN_GEN_KERNEL(kiln_gen_trilu, KilnGenTriluParams);
KILN_GEN_KERNEL(kiln_gen_gather_elements, KilnGenGatherElementsParams);
KILN_GEN_KERNEL(kiln_gen_scatter_elements, KilnGenScatterElementsParams);
KILN_GEN_KERNEL(kiln_gen_gather_nd, KilnGenGatherNDParams);
KILN_GEN_KERNEL(kiln_gen_scatter_nd, KilnGenScatterNDParams);
KILN_GEN_KERNEL(kiln_gen_one_hot, KilnGenOneHotParams);
KILN_GEN_KERNEL(kiln_gen_range, KilnGenRangeParams);

#ifdef __cplusplus
}
#endif

#endif // KILN_CODEGEN_KERNELS_GENERIC_INDEXING_H
