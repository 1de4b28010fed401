//===- LowerDataMovement.cpp - Transpose, Slice, Concat, Pad, Resize, ... -===//

#include "compiler/codegen/LowerImpl.h"
#include "compiler/ir/Resize.h"

#include "compiler/codegen/kernels/Reorder.h"

#include <cstring>

namespace kiln::codegen {

namespace {

/// Data movement moves elements of every type compiled code holds.
llvm::Error requireHeld(const Node &n) {
  for (const Value *v : n.inputs)
    if (kernelDtype(v->type.dtype) < 0)
      return nodeErrorf(n, "{} data is not supported in compiled code",
                        dtypeName(v->type.dtype));
  return llvm::Error::success();
}

llvm::Error requirePlain(const Node &n) {
  for (const Value *v : n.inputs)
    if (blockOf(v))
      return nodeError(n, "operands must have the plain layout");
  if (blockOf(n.output()))
    return nodeError(n, "result must have the plain layout");
  if (!n.fused.empty())
    return nodeErrorf(n, "fused operations on {} are not supported", opName(n.op));
  return llvm::Error::success();
}

int64_t product(const Dims &d, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to && i < d.size(); ++i)
    p *= d[i];
  return p;
}

} // namespace

static llvm::Error lowerTranspose(LowerContext &cx, const Node &n) {
  if (auto e = requirePlain(n))
    return e;
  if (auto e = requireHeld(n))
    return e;
  const Dims &in = n.input(0)->type.dims;
  const auto &perm = n.attrs.getInts("perm");
  if (in.size() > KILN_GEN_MAX_RANK)
    return nodeErrorf(n, "rank above {}", KILN_GEN_MAX_RANK);
  KilnGenTransposeParams p{};
  p.elem_bytes = int64_t(dtypeSize(n.input(0)->type.dtype));
  p.rank = int64_t(in.size());
  if (p.rank == 0) {
    addCopyBytesLayer(cx, &n, cx.buffer(n.input(0)), cx.buffer(n.output()),
                      p.elem_bytes);
    return llvm::Error::success();
  }
  Dims stride(in.size(), 1);
  for (size_t d = in.size(); d-- > 1;)
    stride[d - 1] = stride[d] * in[d];
  for (size_t d = 0; d < in.size(); ++d) {
    p.dims[d] = in[size_t(perm[d])];
    p.in_strides[d] = stride[size_t(perm[d])];
  }
  Layer &l = cx.addLayer(&n, Kernel::GenTranspose);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_transpose_work_items(&p);
  return llvm::Error::success();
}

/// x[begin + i*step] per axis: a strided read starting at the offset of the
/// first kept element.
static llvm::Error lowerSlice(LowerContext &cx, const Node &n) {
  if (auto e = requirePlain(n))
    return e;
  const Dims &in = n.input(0)->type.dims, &out = n.output()->type.dims;
  if (in.size() > KILN_GEN_MAX_RANK)
    return nodeErrorf(n, "rank above {}", KILN_GEN_MAX_RANK);
  size_t bytes = dtypeSize(n.output()->type.dtype);
  if (bytes != 1 && bytes != 4 && bytes != 8)
    return nodeErrorf(n, "elements of {} bytes", bytes);
  if (n.output()->type.numElements() == 0)
    return llvm::Error::success();
  const auto &begin = n.attrs.getInts("begin"), &step = n.attrs.getInts("step");
  KilnGenSliceParams p{};
  p.elem_bytes = int64_t(bytes);
  p.rank = int64_t(in.size());
  int64_t stride = 1;
  for (size_t d = in.size(); d-- > 0;) {
    p.dims[d] = out[d];
    p.in_strides[d] = step[d] * stride;
    p.offset += begin[d] * stride;
    stride *= in[d];
  }
  Layer &l = cx.addLayer(&n, Kernel::GenSlice);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_slice_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerConcat(LowerContext &cx, const Node &n) {
  if (auto e = requireHeld(n))
    return e;
  // f32 is copied in floats, other types in bytes.
  const bool floats = n.output()->type.dtype == DType::F32;
  const int64_t width = floats ? 1 : int64_t(dtypeSize(n.output()->type.dtype));
  const Value *out = n.output();
  size_t axis = size_t(n.attrs.getInt("axis"));
  const Dims &od = out->type.dims;
  // Blocked channel concat of whole blocks is a concat of the storage.
  bool blocked = blockOf(out) != 0;
  if (blocked) {
    int64_t b = blockOf(out);
    for (const Value *v : n.inputs)
      if (blockOf(v) != b || v->type.dims[1] % b != 0 || axis != 1)
        return nodeError(n, "blocked concat needs channel counts that are "
                            "multiples of the block");
    if (!n.fused.empty())
      return nodeError(n, "fused operations on Concat are not supported");
  } else if (auto e = requirePlain(n)) {
    return e;
  }
  int64_t rows = product(od, 0, axis);
  int64_t dstCols = blocked ? storageElements(out) / rows : product(od, axis, od.size());
  int64_t off = 0;
  for (const Value *v : n.inputs) {
    int64_t cols = blocked ? storageElements(v) / rows
                           : product(v->type.dims, axis, v->type.dims.size());
    KilnGenCopyParams p{};
    p.rows = rows;
    p.cols = cols * width;
    p.src_stride = cols * width;
    p.dst_stride = dstCols * width;
    p.dst_off = off * width;
    p.chunk = FlatChunkElements;
    off += cols;
    if (cols == 0)
      continue;
    Layer &l = cx.addLayer(&n, floats ? Kernel::GenCopy : Kernel::GenCopyBytes);
    l.setParams(p);
    l.buffers = {cx.buffer(out), cx.buffer(v)};
    l.workItems = kiln_gen_copy_work_items(&p);
  }
  return llvm::Error::success();
}

static llvm::Error lowerPad(LowerContext &cx, const Node &n) {
  if (auto e = requirePlain(n))
    return e;
  if (auto e = requireHeld(n))
    return e;
  const DType dt = n.input(0)->type.dtype;
  if (dt == DType::F16)
    return nodeError(n, "padding f16 data is not supported in compiled code");
  const Dims &in = n.input(0)->type.dims, &out = n.output()->type.dims;
  if (in.size() > KILN_GEN_MAX_RANK)
    return nodeErrorf(n, "rank above {}", KILN_GEN_MAX_RANK);
  if (in.empty()) {
    addCopyBytesLayer(cx, &n, cx.buffer(n.input(0)), cx.buffer(n.output()),
                      int64_t(dtypeSize(dt)));
    return llvm::Error::success();
  }
  const auto &pads = n.attrs.getInts("pads");
  const std::string &mode = n.attrs.getString("mode");
  KilnGenPadParams p{};
  p.dtype = kernelDtype(dt);
  p.rank = int64_t(in.size());
  for (size_t d = 0; d < in.size(); ++d) {
    p.in_dims[d] = in[d];
    p.out_dims[d] = out[d];
    p.begin[d] = pads[d];
    if (in[d] == 0 && out[d] > 0 && mode != "constant")
      return nodeErrorf(n, "{} padding of an empty dimension", mode);
  }
  if (mode == "constant")
    p.mode = KILN_PAD_CONSTANT;
  else if (mode == "reflect")
    p.mode = KILN_PAD_REFLECT;
  else if (mode == "edge")
    p.mode = KILN_PAD_EDGE;
  else
    return nodeErrorf(n, "unknown pad mode '{}'", displayName(mode));
  p.value = n.attrs.getFloat("value", 0.0);
  Layer &l = cx.addLayer(&n, Kernel::GenPad);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_pad_work_items(&p);
  return llvm::Error::success();
}

/// The taps of every output coordinate of every axis, computed now into the
/// kernel's tables. Zero-weight taps are dropped, so an axis that keeps its
/// size (N and C) has one tap per coordinate, and nearest has one everywhere.
static llvm::Error lowerResize(LowerContext &cx, const Node &n) {
  if (auto e = requirePlain(n))
    return e;
  const Dims &in = n.input(0)->type.dims;
  if (in.empty() || in.size() > KILN_GEN_MAX_RANK)
    return nodeErrorf(n, "rank {} is not in 1..{}", in.size(), KILN_GEN_MAX_RANK);
  auto r = resizeAttrs(n.attrs, in.size());
  if (!r)
    return nodeError(n, llvm::toString(r.takeError()));
  KilnGenResizeParams p{};
  p.rank = int64_t(in.size());
  p.extrapolation = r->extrapolation;
  std::vector<int64_t> offsets;
  std::vector<float> weights;
  int64_t stride = 1;
  std::vector<int64_t> strides(in.size());
  for (size_t d = in.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= in[d];
  }
  for (size_t d = 0; d < in.size(); ++d) {
    const int64_t outLen = r->sizes[d];
    std::vector<ResizeTaps> taps(static_cast<size_t>(outLen));
    int64_t K = 1;
    for (int64_t o = 0; o < outLen; ++o) {
      ResizeTaps t = resizeTaps(*r, d, in[d], o);
      int kept = 0;
      for (int k = 0; k < t.n; ++k)
        if (float(t.weight[k]) != 0.0f) {
          t.index[kept] = t.index[k];
          t.weight[kept++] = t.weight[k];
        }
      t.n = kept;
      K = std::max<int64_t>(K, kept);
      taps[size_t(o)] = t;
    }
    p.out_dims[d] = outLen;
    p.taps[d] = K;
    p.table[d] = int64_t(offsets.size());
    for (const ResizeTaps &t : taps)
      for (int64_t k = 0; k < K; ++k) {
        const bool used = !t.outside && k < t.n;
        offsets.push_back(t.outside && k == 0 ? -1 : used ? t.index[k] * strides[d] : 0);
        weights.push_back(used ? float(t.weight[k]) : 0.0f);
      }
  }
  std::vector<char> offsetBytes(offsets.size() * sizeof(int64_t));
  std::memcpy(offsetBytes.data(), offsets.data(), offsetBytes.size());
  BufferRef ob = cx.addWeight(std::move(offsetBytes));
  BufferRef wb = cx.addWeight(weights);
  Layer &l = cx.addLayer(&n, Kernel::GenResize);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)), ob, wb};
  l.workItems = kiln_gen_resize_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerGather(LowerContext &cx, const Node &n) {
  if (auto e = requirePlain(n))
    return e;
  const Value *data = n.input(0), *idx = n.input(1);
  if (!compiledBoundaryType(data->type.dtype))
    return nodeErrorf(n, "gathering {} data is not supported in compiled code",
                      dtypeName(data->type.dtype));
  size_t axis = size_t(n.attrs.getInt("axis"));
  const Dims &d = data->type.dims;
  KilnGenGatherParams p{};
  p.outer = product(d, 0, axis);
  p.axis_dim = d[axis];
  p.inner = product(d, axis + 1, d.size());
  p.K = idx->type.numElements();
  p.elem_bytes = int64_t(dtypeSize(data->type.dtype));
  p.idx_bytes = int64_t(dtypeSize(idx->type.dtype)); // i32 or i64 (shape rule)
  if (idx->isConstant())
    for (int64_t k = 0; k < p.K; ++k)
      if (int64_t i = idx->i64()[k]; i < -p.axis_dim || i >= p.axis_dim)
        return nodeErrorf(n, "index {} out of range [-{}, {})", i, p.axis_dim,
                          p.axis_dim);
  if (p.K == 0 || p.outer == 0 || p.inner == 0)
    return llvm::Error::success(); // an empty result
  Layer &l = cx.addLayer(&n, Kernel::GenGather);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(data), cx.buffer(idx)};
  l.workItems = kiln_gen_gather_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerReorder(LowerContext &cx, const Node &n) {
  const Value *in = n.input(0), *out = n.output();
  const Dims &d = in->type.dims;
  if (d.size() < 2)
    return nodeError(n, "reorder of a tensor without channels");
  int64_t ib = blockOf(in), ob = blockOf(out);
  if (ib == ob) {
    addCopyLayer(cx, &n, cx.buffer(in), cx.buffer(out), storageElements(out));
    return llvm::Error::success();
  }
  int64_t hw = product(d, 2, d.size());
  int64_t L = cx.options().vectorLanes;
  if (cx.options().fastKernels && d.size() == 4 &&
      ((ib == 0 && ob == L) || (ib == L && ob == 0))) {
    KilnReorderParams p{};
    p.L = L;
    p.N = d[0], p.C = d[1], p.H = d[2], p.W = d[3];
    Layer &l = cx.addLayer(&n, ib ? Kernel::ReorderToPlain : Kernel::ReorderToBlocked,
                           KernelAbi::PointerArgs);
    l.setParams(p);
    l.buffers = {cx.buffer(in), cx.buffer(out)};
    l.workItems = kiln_reorder_work_items(&p);
    return llvm::Error::success();
  }
  KilnGenReorderParams p{};
  p.N = d[0];
  p.C = d[1];
  p.HW = hw;
  p.in_block = ib;
  p.out_block = ob;
  Layer &l = cx.addLayer(&n, Kernel::GenReorder);
  l.setParams(p);
  l.buffers = {cx.buffer(out), cx.buffer(in)};
  l.workItems = kiln_gen_reorder_work_items(&p);
  return llvm::Error::success();
}

/// Static shapes: the result is known now (a Shape the graph exports is not
/// folded by the importer). Copied from a weight into its buffer.
static llvm::Error lowerShape(LowerContext &cx, const Node &n) {
  const Dims &d = n.input(0)->type.dims;
  int64_t start = n.attrs.getInt("start"), end = n.attrs.getInt("end");
  std::vector<int64_t> dims(d.begin() + start, d.begin() + end);
  std::vector<char> bytes(dims.size() * sizeof(int64_t));
  if (!bytes.empty()) // start == end: no data, and memcpy takes no null
    std::memcpy(bytes.data(), dims.data(), bytes.size());
  BufferRef w = cx.addWeight(std::move(bytes));
  addCopyBytesLayer(cx, &n, w, cx.buffer(n.output()), n.output()->type.numBytes());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> dataMovementLowerings() {
  static constexpr OpLowering Table[] = {
      {OpKind::Transpose, lowerTranspose},
      {OpKind::Slice, lowerSlice},
      {OpKind::Concat, lowerConcat},
      {OpKind::Pad, lowerPad},
      {OpKind::Resize, lowerResize},
      {OpKind::Gather, lowerGather},
      {OpKind::Reorder, lowerReorder},
      {OpKind::Shape, lowerShape},
  };
  return Table;
}

} // namespace kiln::codegen
