//===- Cost.cpp - The work of an op: multiply-adds and FLOPs --------------===//

#include "compiler/ir/Cost.h"

namespace kiln {

namespace {
int64_t mulSat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}
} // namespace

int64_t multiplyAdds(OpKind op, const Attrs &a, const std::vector<const TensorType *> &in,
                     const TensorType &out) {
  switch (op) {
  case OpKind::Conv: {
    if (in.size() < 2 || !in[0] || !in[1] || in[0]->rank() != 4 || in[1]->rank() != 4)
      return 0;
    const Dims &x = in[0]->dims, &w = in[1]->dims;
    // The window walk from the canonical attributes; a result type alone
    // would count a fused pool's output.
    int64_t oh = out.rank() == 4 ? out.dims[2] : 0, ow = out.rank() == 4 ? out.dims[3] : 0;
    if (a.has("strides") && a.has("pads") && a.has("dilations")) {
      const auto &s = a.getInts("strides"), &p = a.getInts("pads"),
                 &d = a.getInts("dilations");
      oh = (x[2] + p[0] + p[2] - d[0] * (w[2] - 1) - 1) / s[0] + 1;
      ow = (x[3] + p[1] + p[3] - d[1] * (w[3] - 1) - 1) / s[1] + 1;
    }
    // w is [M][C/group][KH][KW]: C/group*KH*KW multiply-adds per output.
    int64_t r = 1;
    for (int64_t f : {x[0], w[0], oh, ow, w[1], w[2], w[3]})
      r = mulSat(r, std::max<int64_t>(f, 0));
    return r;
  }
  case OpKind::ConvTranspose: {
    if (in.size() < 2 || !in[0] || !in[1] || in[0]->rank() != 4 || in[1]->rank() != 4)
      return 0;
    // Every input element meets w[c]'s M/group x KH x KW taps (an upper
    // bound: the kernel skips the taps that pads crop).
    const Dims &x = in[0]->dims, &w = in[1]->dims;
    int64_t r = 1;
    for (int64_t f : {x[0], x[1], x[2], x[3], w[1], w[2], w[3]})
      r = mulSat(r, std::max<int64_t>(f, 0));
    return r;
  }
  case OpKind::Gemm:
    if (in.empty() || !in[0] || in[0]->rank() != 2)
      return 0;
    return mulSat(out.numElements(), in[0]->dims[a.getInt("transA", 0) ? 0 : 1]);
  case OpKind::MatMul:
    if (in.empty() || !in[0] || in[0]->rank() < 1)
      return 0;
    return mulSat(out.numElements(), in[0]->dims.back());
  default:
    return 0;
  }
}

double nodeFlops(const Node &n) {
  std::vector<const TensorType *> in;
  for (const Value *v : n.inputs)
    in.push_back(v ? &v->type : nullptr);
  return 2.0 * double(multiplyAdds(n.op, n.attrs, in, n.output()->type));
}

double graphFlops(const Graph &g) {
  double flops = 0;
  for (const auto &n : g.nodes())
    flops += nodeFlops(*n);
  return flops;
}

} // namespace kiln
