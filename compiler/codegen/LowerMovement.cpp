//===- LowerMovement.cpp - Indexing and selection ops to generic kernels --===//
//
// ArgMax/ArgMin, TopK, CumSum, Trilu, GatherElements, ScatterElements,
// GatherND, ScatterND, OneHot and Range each run their kernel of
// kernels/generic/Indexing.h. Expand and Tile are strided reads, so they run
// on kiln_gen_slice:
//
//   Expand(x) to shape  ==> slice with stride 0 along every broadcast axis
//   Tile(x) by repeats  ==> slice over [r0, d0, r1, d1, ...] with strides
//                           [0, s0, 0, s1, ...] (the result, row-major, is
//                           exactly that index space)
//
// Size is known at compile time: a copy from a weight.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"
#include "compiler/codegen/kernels/generic/Indexing.h"

#include <cstring>

namespace kiln::codegen {

namespace {

llvm::Error requirePlainUnfused(const Node &n) {
  for (const Value *v : n.inputs)
    if (blockOf(v))
      return nodeError(n, "operands must have the plain layout");
  if (blockOf(n.output()))
    return nodeError(n, "result must have the plain layout");
  if (!n.fused.empty())
    return nodeErrorf(n, "fused operations on {} are not supported", opName(n.op));
  return llvm::Error::success();
}

/// The element type of operand i as a kernel computes on it.
llvm::Expected<int64_t> computeDtype(const Node &n, const Value *v) {
  const DType t = v->type.dtype;
  if (t == DType::F16 || t == DType::F64 || kernelDtype(t) < 0)
    return nodeErrorf(n, "{} data is not supported in compiled code", dtypeName(t));
  return kernelDtype(t);
}

/// Element bytes of data that is only moved (1, 2, 4 or 8).
llvm::Expected<int64_t> movedBytes(const Node &n, const Value *v) {
  if (!compiledBoundaryType(v->type.dtype))
    return nodeErrorf(n, "{} data is not supported in compiled code",
                      dtypeName(v->type.dtype));
  return int64_t(dtypeSize(v->type.dtype));
}

int64_t product(const Dims &d, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to && i < d.size(); ++i)
    p *= d[i];
  return p;
}

/// [outer, n, inner] of dims around `axis`.
void splitAt(const Dims &d, size_t axis, int64_t &outer, int64_t &n, int64_t &inner) {
  outer = product(d, 0, axis);
  n = d[axis];
  inner = product(d, axis + 1, d.size());
}

Dims rowMajorStrides(const Dims &d) {
  Dims s(d.size(), 1);
  for (size_t i = d.size(); i-- > 1;)
    s[i - 1] = s[i] * d[i];
  return s;
}

} // namespace

static llvm::Error lowerArgExtreme(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto dt = computeDtype(n, n.input(0));
  if (!dt)
    return dt.takeError();
  KilnGenArgParams p{};
  p.dtype = *dt;
  splitAt(n.input(0)->type.dims, size_t(n.attrs.getInt("axis")), p.outer, p.n, p.inner);
  p.is_min = n.op == OpKind::ArgMin;
  p.last = n.attrs.getInt("select_last_index");
  if (n.output()->type.numElements() == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenArg);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_arg_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerTopK(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto dt = computeDtype(n, n.input(0));
  if (!dt)
    return dt.takeError();
  KilnGenTopKParams p{};
  p.dtype = *dt;
  splitAt(n.input(0)->type.dims, size_t(n.attrs.getInt("axis")), p.outer, p.n, p.inner);
  p.k = n.attrs.getInt("k");
  p.largest = n.attrs.getInt("largest");
  p.indices = n.op == OpKind::TopKIndices;
  if (n.output()->type.numElements() == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenTopK);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_topk_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerCumSum(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto dt = computeDtype(n, n.input(0));
  if (!dt)
    return dt.takeError();
  KilnGenCumSumParams p{};
  p.dtype = *dt;
  splitAt(n.input(0)->type.dims, size_t(n.attrs.getInt("axis")), p.outer, p.n, p.inner);
  p.exclusive = n.attrs.getInt("exclusive");
  p.reverse = n.attrs.getInt("reverse");
  if (n.output()->type.numElements() == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenCumSum);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_cumsum_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerTrilu(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto bytes = movedBytes(n, n.input(0));
  if (!bytes)
    return bytes.takeError();
  const Dims &d = n.input(0)->type.dims;
  KilnGenTriluParams p{};
  p.elem_bytes = *bytes;
  p.rows = d[d.size() - 2];
  p.cols = d.back();
  p.matrices = product(d, 0, d.size() - 2);
  p.upper = n.attrs.getInt("upper");
  p.k = n.attrs.getInt("k");
  if (n.output()->type.numElements() == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenTrilu);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_trilu_work_items(&p);
  return llvm::Error::success();
}

/// A strided read of x (dims and element strides, in the result's row-major
/// order) into n's result, on the Slice kernel.
static llvm::Error addStridedRead(LowerContext &cx, const Node &n, const Dims &dims,
                                  const Dims &strides) {
  size_t bytes = dtypeSize(n.output()->type.dtype);
  if (bytes != 1 && bytes != 4 && bytes != 8)
    return nodeErrorf(n, "elements of {} bytes are not supported in compiled code", bytes);
  if (dims.size() > KILN_GEN_MAX_RANK)
    return nodeErrorf(n, "the strided read has rank {}, above {}", dims.size(),
                      KILN_GEN_MAX_RANK);
  if (n.output()->type.numElements() == 0)
    return llvm::Error::success();
  KilnGenSliceParams p{};
  p.elem_bytes = int64_t(bytes);
  p.rank = int64_t(dims.size());
  if (dims.empty()) { // a scalar: one element
    p.rank = 1;
    p.dims[0] = 1;
  }
  for (size_t d = 0; d < dims.size(); ++d) {
    p.dims[d] = dims[d];
    p.in_strides[d] = strides[d];
  }
  Layer &l = cx.addLayer(&n, Kernel::GenSlice);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_slice_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerExpand(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  const Dims &x = n.input(0)->type.dims, &out = n.output()->type.dims;
  const Dims xs = rowMajorStrides(x);
  const size_t lead = out.size() - x.size();
  Dims strides(out.size(), 0);
  for (size_t d = lead; d < out.size(); ++d)
    strides[d] = x[d - lead] == 1 ? 0 : xs[d - lead];
  return addStridedRead(cx, n, out, strides);
}

static llvm::Error lowerTile(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  const Dims &x = n.input(0)->type.dims;
  const auto &repeats = n.attrs.getInts("repeats");
  const Dims xs = rowMajorStrides(x);
  Dims dims, strides;
  for (size_t d = 0; d < x.size(); ++d) {
    if (repeats[d] != 1) {
      dims.push_back(repeats[d]);
      strides.push_back(0);
    }
    if (x[d] != 1 || repeats[d] == 1) {
      dims.push_back(x[d]);
      strides.push_back(xs[d]);
    }
  }
  return addStridedRead(cx, n, dims, strides);
}

static llvm::Error lowerGatherElements(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto bytes = movedBytes(n, n.input(0));
  if (!bytes)
    return bytes.takeError();
  const Dims &data = n.input(0)->type.dims, &idx = n.input(1)->type.dims;
  if (idx.size() > KILN_GEN_MAX_RANK)
    return nodeErrorf(n, "rank above {}", KILN_GEN_MAX_RANK);
  KilnGenGatherElementsParams p{};
  p.elem_bytes = *bytes;
  p.idx_bytes = int64_t(dtypeSize(n.input(1)->type.dtype));
  p.rank = int64_t(idx.size());
  p.axis = n.attrs.getInt("axis");
  p.axis_dim = data[size_t(p.axis)];
  const Dims ds = rowMajorStrides(data);
  for (size_t d = 0; d < idx.size(); ++d) {
    p.dims[d] = idx[d];
    p.data_strides[d] = ds[d];
  }
  if (n.output()->type.numElements() == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenGatherElements);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)), cx.buffer(n.input(1))};
  l.workItems = kiln_gen_gather_elements_work_items(&p);
  return llvm::Error::success();
}

static int64_t scatterReduction(const Node &n) {
  const std::string &r = n.attrs.getString("reduction");
  return r == "add" ? KILN_SCATTER_ADD : r == "mul" ? KILN_SCATTER_MUL : KILN_SCATTER_NONE;
}

static llvm::Error lowerScatterElements(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto dt = computeDtype(n, n.input(0));
  if (!dt)
    return dt.takeError();
  const Dims &data = n.input(0)->type.dims, &idx = n.input(1)->type.dims;
  if (idx.size() > KILN_GEN_MAX_RANK)
    return nodeErrorf(n, "rank above {}", KILN_GEN_MAX_RANK);
  KilnGenScatterElementsParams p{};
  p.dtype = *dt;
  p.idx_bytes = int64_t(dtypeSize(n.input(1)->type.dtype));
  p.reduction = scatterReduction(n);
  p.total = n.output()->type.numElements();
  p.rank = int64_t(idx.size());
  p.axis = n.attrs.getInt("axis");
  p.axis_dim = data[size_t(p.axis)];
  const Dims ds = rowMajorStrides(data);
  for (size_t d = 0; d < idx.size(); ++d) {
    p.dims[d] = idx[d];
    p.data_strides[d] = ds[d];
  }
  if (p.total == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenScatterElements);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)), cx.buffer(n.input(1)),
               cx.buffer(n.input(2))};
  l.workItems = 1;
  return llvm::Error::success();
}

/// The tuple addressing of GatherND and ScatterND: q axes of data from
/// `batchDims` on.
template <typename P>
static void ndAddressing(P &p, const Dims &data, size_t batchDims, int64_t q) {
  const Dims ds = rowMajorStrides(data);
  p.q = q;
  for (int64_t m = 0; m < q; ++m) {
    p.dims[m] = data[batchDims + size_t(m)];
    p.strides[m] = ds[batchDims + size_t(m)];
  }
  p.slice = product(data, batchDims + size_t(q), data.size());
}

static llvm::Error lowerGatherND(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto bytes = movedBytes(n, n.input(0));
  if (!bytes)
    return bytes.takeError();
  const Dims &data = n.input(0)->type.dims, &idx = n.input(1)->type.dims;
  const size_t batchDims = size_t(n.attrs.getInt("batch_dims"));
  KilnGenGatherNDParams p{};
  p.elem_bytes = *bytes;
  p.idx_bytes = int64_t(dtypeSize(n.input(1)->type.dtype));
  ndAddressing(p, data, batchDims, idx.back());
  p.tuples = product(idx, 0, idx.size() - 1);
  const int64_t batches = product(data, 0, batchDims);
  p.batch_stride = product(data, batchDims, data.size());
  if (n.output()->type.numElements() == 0 || batches == 0)
    return llvm::Error::success();
  p.per_batch = p.tuples / batches;
  Layer &l = cx.addLayer(&n, Kernel::GenGatherND);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)), cx.buffer(n.input(1))};
  l.workItems = kiln_gen_gather_nd_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerScatterND(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto dt = computeDtype(n, n.input(0));
  if (!dt)
    return dt.takeError();
  const Dims &data = n.input(0)->type.dims, &idx = n.input(1)->type.dims;
  KilnGenScatterNDParams p{};
  p.dtype = *dt;
  p.idx_bytes = int64_t(dtypeSize(n.input(1)->type.dtype));
  p.reduction = scatterReduction(n);
  p.total = n.output()->type.numElements();
  p.tuples = product(idx, 0, idx.size() - 1);
  ndAddressing(p, data, 0, idx.back());
  if (p.total == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenScatterND);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)), cx.buffer(n.input(1)),
               cx.buffer(n.input(2))};
  l.workItems = 1;
  return llvm::Error::success();
}

static llvm::Error lowerOneHot(LowerContext &cx, const Node &n) {
  if (auto e = requirePlainUnfused(n))
    return e;
  auto idt = computeDtype(n, n.input(0));
  if (!idt)
    return idt.takeError();
  auto bytes = movedBytes(n, n.input(1));
  if (!bytes)
    return bytes.takeError();
  const Dims &idx = n.input(0)->type.dims;
  const size_t axis = size_t(n.attrs.getInt("axis"));
  KilnGenOneHotParams p{};
  p.idx_dtype = *idt;
  p.elem_bytes = *bytes;
  p.outer = product(idx, 0, axis);
  p.inner = product(idx, axis, idx.size());
  p.depth = n.attrs.getInt("depth");
  if (n.output()->type.numElements() == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenOneHot);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)), cx.buffer(n.input(1))};
  l.workItems = kiln_gen_one_hot_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerRange(LowerContext &cx, const Node &n) {
  const Value *start = n.input(0), *delta = n.input(2);
  if (!start->isConstant() || !delta->isConstant())
    return nodeError(n, "start and delta must be constants");
  auto dt = computeDtype(n, start);
  if (!dt)
    return dt.takeError();
  KilnGenRangeParams p{};
  p.dtype = *dt;
  p.count = n.output()->type.numElements();
  if (start->type.dtype == DType::F32) {
    p.start_f = start->f32()[0];
    p.delta_f = delta->f32()[0];
  } else {
    p.start_i = start->i64()[0];
    p.delta_i = delta->i64()[0];
  }
  if (p.count == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenRange);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output())};
  l.workItems = 1;
  return llvm::Error::success();
}

/// Static shapes: the element count is known now.
static llvm::Error lowerSize(LowerContext &cx, const Node &n) {
  const int64_t count = n.input(0)->type.numElements();
  std::vector<char> bytes(sizeof(int64_t));
  std::memcpy(bytes.data(), &count, bytes.size());
  BufferRef w = cx.addWeight(std::move(bytes));
  addCopyBytesLayer(cx, &n, w, cx.buffer(n.output()), n.output()->type.numBytes());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> movementLowerings() {
  static constexpr OpLowering Table[] = {
      {OpKind::ArgMax, lowerArgExtreme},
      {OpKind::ArgMin, lowerArgExtreme},
      {OpKind::TopK, lowerTopK},
      {OpKind::TopKIndices, lowerTopK},
      {OpKind::CumSum, lowerCumSum},
      {OpKind::Trilu, lowerTrilu},
      {OpKind::Expand, lowerExpand},
      {OpKind::Tile, lowerTile},
      {OpKind::GatherElements, lowerGatherElements},
      {OpKind::GatherND, lowerGatherND},
      {OpKind::ScatterElements, lowerScatterElements},
      {OpKind::ScatterND, lowerScatterND},
      {OpKind::OneHot, lowerOneHot},
      {OpKind::Size, lowerSize},
      {OpKind::Range, lowerRange},
  };
  return Table;
}

} // namespace kiln::codegen
