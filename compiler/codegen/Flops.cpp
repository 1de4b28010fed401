//===- Flops.cpp - Floating-point operations of a graph -------------------===//

#include "compiler/codegen/Flops.h"

namespace kiln::codegen {

double nodeFlops(const Node &n) {
  switch (n.op) {
  case OpKind::Conv: {
    const Dims &x = n.input(0)->type.dims, &w = n.input(1)->type.dims;
    if (x.size() != 4 || w.size() != 4)
      return 0;
    const Attrs &a = n.attrs;
    const auto &s = a.getInts("strides"), &p = a.getInts("pads"),
               &d = a.getInts("dilations");
    double oh = double((x[2] + p[0] + p[2] - d[0] * (w[2] - 1) - 1) / s[0] + 1);
    double ow = double((x[3] + p[1] + p[3] - d[1] * (w[3] - 1) - 1) / s[1] + 1);
    // w is [M][C/group][KH][KW]: C/group*KH*KW multiply-adds per output.
    return 2.0 * double(x[0]) * double(w[0]) * oh * ow * double(w[1]) *
           double(w[2]) * double(w[3]);
  }
  case OpKind::Gemm: {
    const Dims &a = n.input(0)->type.dims;
    int64_t k = n.attrs.getInt("transA") ? a[0] : a[1];
    return 2.0 * double(n.output()->type.numElements()) * double(k);
  }
  case OpKind::MatMul: {
    const Dims &a = n.input(0)->type.dims;
    return a.empty() ? 0
                     : 2.0 * double(n.output()->type.numElements()) *
                           double(a.back());
  }
  default:
    return 0;
  }
}

double graphFlops(const Graph &g) {
  double flops = 0;
  for (const auto &n : g.nodes())
    flops += nodeFlops(*n);
  return flops;
}

} // namespace kiln::codegen
