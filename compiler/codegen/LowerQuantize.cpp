//===- LowerQuantize.cpp - QuantizeLinear and DequantizeLinear to kernels -===//
//
// Both run the generic flat kernels of kernels/generic/Quantize.cpp on plain
// layouts, parameters per tensor or per `axis` (compiler/ir/Quantization.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"
#include "compiler/ir/Quantization.h"

namespace kiln::codegen {

static llvm::Error lowerQuantization(LowerContext &cx, const Node &n) {
  const Value *x = n.input(0), *scale = n.input(1), *zp = n.input(2), *y = n.output();
  if (!n.fused.empty())
    return nodeErrorf(n, "fused operations on {} are not supported", opName(n.op));
  if (blockOf(x) || blockOf(y))
    return nodeErrorf(n, "{} operands must have the plain layout", opName(n.op));
  std::optional<QuantGeometry> g =
      quantGeometry(x->type.dims, scale->type.dims, n.attrs.getInt("axis", 1));
  if (!g)
    return nodeError(n, "scale does not fit the input");
  bool quantize = n.op == OpKind::QuantizeLinear;
  KilnGenQuantizeParams p{};
  p.total = x->type.numElements();
  p.chunk = FlatChunkElements;
  p.channels = g->channels;
  p.inner = g->inner;
  p.zp_per_channel = zp->type.numElements() != 1;
  p.qtype = kernelDtype(quantize ? y->type.dtype : x->type.dtype);
  if (p.total == 0)
    return llvm::Error::success();
  Layer &l = cx.addLayer(&n, quantize ? Kernel::GenQuantize : Kernel::GenDequantize);
  l.setParams(p);
  l.buffers = {cx.buffer(y), cx.buffer(x), cx.buffer(scale), cx.buffer(zp)};
  l.workItems = kiln_gen_quantize_work_items(&p);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> quantizeLowerings() {
  static constexpr OpLowering Table[] = {
      {OpKind::QuantizeLinear, lowerQuantization},
      {OpKind::DequantizeLinear, lowerQuantization},
  };
  return Table;
}

} // namespace kiln::codegen
