//===- LowerElementwise.cpp - Broadcast arithmetic, activations, softmax --===//
//
// Broadcasting becomes per-input strides over the output's dims, collapsed so
// the kernel's innermost loop is as long as possible. Activations and copies
// are the unary kernel with an epilogue; on equal layouts they run over the
// flat storage, so they work on blocked tensors too.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"

#include <algorithm>

namespace kiln::codegen {

namespace {

/// Output dims and per-input strides (0 = broadcast), collapsed.
struct Broadcast {
  Dims dims;
  std::vector<Dims> strides;
};

Broadcast broadcastStrides(const Dims &out, const std::vector<const Dims *> &ins) {
  size_t r = out.size();
  Broadcast b;
  b.dims = out;
  for (const Dims *in : ins) {
    Dims s(r, 0);
    int64_t stride = 1;
    for (size_t i = 0; i < in->size(); ++i) {
      size_t d = r - 1 - i;
      int64_t dim = (*in)[in->size() - 1 - i];
      s[d] = dim == 1 ? 0 : stride;
      stride *= dim;
    }
    b.strides.push_back(std::move(s));
  }
  // Drop size-1 dims, then merge neighbours that every input walks alike.
  Broadcast c;
  c.strides.resize(ins.size());
  for (size_t d = 0; d < r; ++d) {
    if (b.dims[d] == 1)
      continue;
    bool merge = !c.dims.empty();
    for (size_t k = 0; merge && k < ins.size(); ++k)
      merge = c.strides[k].back() == b.strides[k][d] * b.dims[d];
    if (merge) {
      c.dims.back() *= b.dims[d];
      for (size_t k = 0; k < ins.size(); ++k)
        c.strides[k].back() = b.strides[k][d];
      continue;
    }
    c.dims.push_back(b.dims[d]);
    for (size_t k = 0; k < ins.size(); ++k)
      c.strides[k].push_back(b.strides[k][d]);
  }
  if (c.dims.empty()) {
    c.dims.push_back(1);
    for (auto &s : c.strides)
      s.push_back(0);
  }
  return c;
}

/// The padded channels a flat kernel writing `out` must store as zero (none
/// unless `out` is blocked with a partial last channel block).
KilnGenPadLanes paddedLanes(const Value *out) {
  KilnGenPadLanes z{};
  const int64_t b = blockOf(out);
  const Dims &d = out->type.dims;
  if (b == 0 || d.size() != 4 || d[1] % b == 0)
    return z;
  z.block = b;
  z.plane = d[2] * d[3] * b;
  z.blocks = (d[1] + b - 1) / b;
  z.valid = d[1] - (z.blocks - 1) * b;
  return z;
}

} // namespace

llvm::Error lowerElementwise(LowerContext &cx, const Node &n) {
  // Operands of the op itself (fused Adds append more inputs).
  const bool variadic = opMaxInputs(n.op) < 0;
  size_t numOperands = variadic ? n.inputs.size() : size_t(opMaxInputs(n.op));
  for (const Fusion &f : n.fused)
    if (f.op == OpKind::Add && variadic)
      numOperands = std::min<size_t>(numOperands, size_t(f.attrs.getInt("input")));
  if (numOperands > KILN_GEN_MAX_NARY)
    return nodeErrorf(n, "more than {} operands", KILN_GEN_MAX_NARY);
  const Value *out = n.output();
  // The operands' type (Where: of x and y; its condition is bool).
  const DType dt = n.input(n.op == OpKind::Where ? 1 : 0)->type.dtype;
  if (dt == DType::F16 || dt == DType::F64)
    return nodeErrorf(n, "{} operands are not supported in compiled code",
                      dtypeName(dt));
  KilnGenNaryParams p{};
  p.op = elementwiseCode(n.op, n.attrs);
  p.dtype = kernelDtype(dt);
  p.n = int64_t(numOperands);
  p.chunk = RowChunkElements;
  bool sameLayout = true, sameShape = true;
  for (size_t i = 0; i < numOperands; ++i) {
    sameLayout &= n.inputs[i]->layout == out->layout;
    sameShape &= n.inputs[i]->type.dims == out->type.dims;
  }
  if (!n.fused.empty() && dt != DType::F32) // the epilogue computes in f32
    return nodeErrorf(n, "fused operations on {} operands are not supported",
                      dtypeName(dt));
  if (blockOf(out) || !sameLayout) {
    if (!sameLayout || !sameShape)
      return nodeError(n, "broadcasting on a blocked layout is not supported");
    // Same shape, same layout: elementwise over the flat storage.
    p.rank = 1;
    p.dims[0] = storageElements(out);
    for (size_t i = 0; i < numOperands; ++i)
      p.strides[i][0] = 1;
    p.pad = paddedLanes(out);
  } else {
    std::vector<const Dims *> ins;
    for (size_t i = 0; i < numOperands; ++i)
      ins.push_back(&n.inputs[i]->type.dims);
    Broadcast b = broadcastStrides(out->type.dims, ins);
    if (b.dims.size() > KILN_GEN_MAX_RANK)
      return nodeErrorf(n, "rank above {} after collapsing", KILN_GEN_MAX_RANK);
    p.rank = int64_t(b.dims.size());
    for (size_t d = 0; d < b.dims.size(); ++d) {
      p.dims[d] = b.dims[d];
      for (size_t i = 0; i < numOperands; ++i)
        p.strides[i][d] = b.strides[i][d];
    }
  }
  Layer &l = cx.addLayer(&n, Kernel::GenNary);
  l.buffers.push_back(cx.buffer(out));
  for (size_t i = 0; i < numOperands; ++i)
    l.buffers.push_back(cx.buffer(n.inputs[i]));
  auto epi = lowerEpilogue(cx, n, l, /*allowPool=*/false);
  if (!epi)
    return epi.takeError();
  p.epi = *epi;
  l.setParams(p);
  l.workItems = kiln_gen_nary_work_items(&p);
  return llvm::Error::success();
}

llvm::Error lowerUnary(LowerContext &cx, const Node &n) {
  const Value *in = n.input(0), *out = n.output();
  // Data movement of other element types (MaxPool indices through a
  // Squeeze): the same bytes, copied.
  bool moves = opInfo(n.op).sameBytes();
  if (in->type.dtype != DType::F32 && moves && n.fused.empty() && !blockOf(in) &&
      !blockOf(out)) {
    addCopyBytesLayer(cx, &n, cx.buffer(in), cx.buffer(out), in->type.numBytes());
    return llvm::Error::success();
  }
  if (in->type.dtype != DType::F32)
    return nodeErrorf(n, "{} input is not supported in compiled code",
                      dtypeName(in->type.dtype));
  // Equal layouts and shapes run over the flat storage; so does any pair
  // whose bytes are plain (a reshape of a blocked [N,C,1,1]).
  bool flat = (in->layout == out->layout && (!blockOf(out) ||
                                            in->type.dims == out->type.dims)) ||
              (storedAsPlain(in) && storedAsPlain(out));
  if (!flat)
    return nodeError(n, "reshaping a blocked tensor is not supported");
  KilnGenUnaryParams p{};
  p.total = storageElements(out);
  p.chunk = FlatChunkElements;
  p.pad = paddedLanes(out);
  Layer &l = cx.addLayer(&n, Kernel::GenUnary);
  l.buffers = {cx.buffer(out), cx.buffer(in)};
  // The op itself is the first epilogue step.
  int64_t kind;
  double a, b;
  Node shifted; // n with the op prepended to its fusions
  const Node *src = &n;
  if (activationStep(n.op, n.attrs, kind, a, b)) {
    shifted.op = n.op;
    shifted.name = n.name;
    shifted.inputs = n.inputs;
    shifted.outputs = n.outputs;
    shifted.fused.push_back({n.op, n.attrs});
    shifted.fused.insert(shifted.fused.end(), n.fused.begin(), n.fused.end());
    src = &shifted;
  }
  auto epi = lowerEpilogue(cx, *src, l, /*allowPool=*/false);
  if (!epi)
    return epi.takeError();
  p.epi = *epi;
  l.setParams(p);
  l.workItems = kiln_gen_unary_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerCast(LowerContext &cx, const Node &n) {
  const Value *in = n.input(0), *out = n.output();
  if (!n.fused.empty())
    return nodeError(n, "fused operations on Cast are not supported");
  if (blockOf(in) || blockOf(out))
    return nodeError(n, "Cast operands must have the plain layout");
  const DType from = in->type.dtype, to = out->type.dtype;
  if (kernelDtype(from) < 0 || kernelDtype(to) < 0)
    return nodeErrorf(n, "cast from {} to {} is not supported in compiled code",
                      dtypeName(from), dtypeName(to));
  if (from == to) { // the same bytes
    addCopyBytesLayer(cx, &n, cx.buffer(in), cx.buffer(out), in->type.numBytes());
    return llvm::Error::success();
  }
  KilnGenCastParams p{};
  p.total = in->type.numElements();
  p.chunk = FlatChunkElements;
  p.from = kernelDtype(from);
  p.to = kernelDtype(to);
  if (p.total == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, Kernel::GenCast);
  l.setParams(p);
  l.buffers = {cx.buffer(out), cx.buffer(in)};
  l.workItems = kiln_gen_cast_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerSoftmax(LowerContext &cx, const Node &n) {
  if (!n.fused.empty())
    return nodeErrorf(n, "fused operations on {} are not supported", opName(n.op));
  const Value *in = n.input(0);
  if (blockOf(in) || blockOf(n.output()))
    return nodeErrorf(n, "{} operands must have the plain layout", opName(n.op));
  const Dims &d = in->type.dims;
  int64_t axis = n.attrs.getInt("axis");
  bool legacy = n.attrs.getInt("legacy", 0);
  KilnGenSoftmaxParams p{};
  p.outer = p.n = p.inner = 1;
  p.mode = n.op == OpKind::LogSoftmax ? KILN_SOFTMAX_LOG
           : n.op == OpKind::Hardmax  ? KILN_SOFTMAX_HARD
                                      : KILN_SOFTMAX_EXP;
  for (int64_t i = 0; i < int64_t(d.size()); ++i) {
    if (i < axis)
      p.outer *= d[size_t(i)];
    else if (i == axis || legacy)
      p.n *= d[size_t(i)];
    else
      p.inner *= d[size_t(i)];
  }
  Layer &l = cx.addLayer(&n, Kernel::GenSoftmax);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(in)};
  l.workItems = kiln_gen_softmax_work_items(&p);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> elementwiseLowerings() {
  static constexpr OpLowering Table[] = {
      {OpKind::Cast, lowerCast},
      {OpKind::Softmax, lowerSoftmax},
      {OpKind::LogSoftmax, lowerSoftmax},
      {OpKind::Hardmax, lowerSoftmax},
  };
  return Table;
}

} // namespace kiln::codegen
