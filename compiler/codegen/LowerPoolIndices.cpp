//===- LowerPoolIndices.cpp - kiln.MaxPoolIndices (MaxPool's Indices) -----===//
//
// The argmax of MaxPool's windows as int64, from an input in any layout to a
// plain NCHW output. Generic kernel only: models export Indices for
// unpooling and training, not on the inference hot path.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"

namespace kiln::codegen {

static llvm::Error lowerMaxPoolIndices(LowerContext &cx, const Node &n) {
  if (!n.fused.empty())
    return nodeError(n, "fused operations on MaxPool indices are not supported");
  const Value *in = n.input(0), *out = n.output();
  if (blockOf(out))
    return nodeError(n, "MaxPool indices must have the plain layout");
  const Dims &x = in->type.dims, &y = out->type.dims;
  const Attrs &a = n.attrs;
  const Window2d w = poolAttrs(a).window;
  KilnGenPoolIndicesParams p{};
  KilnGenPoolParams &q = p.pool;
  q.N = x[0], q.C = x[1], q.H = x[2], q.W = x[3], q.OH = y[2], q.OW = y[3];
  q.KH = w.kh, q.KW = w.kw, q.SH = w.sh, q.SW = w.sw;
  q.PT = w.pt, q.PL = w.pl, q.PB = w.pb, q.PR = w.pr;
  q.DH = w.dh, q.DW = w.dw;
  q.kind = KILN_POOL_MAX;
  q.in_block = blockOf(in);
  p.column_major = a.getInt("storage_order") != 0;
  Layer &l = cx.addLayer(&n, Kernel::GenMaxPoolIndices);
  l.setParams(p);
  l.buffers = {cx.buffer(out), cx.buffer(in)};
  l.workItems = kiln_gen_pool_indices_work_items(&p);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> poolIndicesLowerings() {
  static constexpr OpLowering Table[] = {
      {OpKind::MaxPoolIndices, lowerMaxPoolIndices},
  };
  return Table;
}

} // namespace kiln::codegen
