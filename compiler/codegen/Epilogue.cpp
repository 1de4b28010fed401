//===- Epilogue.cpp - Node::fused as kernel epilogue params ---------------===//

#include "compiler/codegen/LowerImpl.h"

#include <cmath>

namespace kiln::codegen {

bool activationStep(OpKind op, const Attrs &a, int64_t &kind, double &pa,
                    double &pb) {
  pa = pb = 0.0;
  switch (op) {
  case OpKind::Relu:
    kind = KILN_EPI_RELU;
    return true;
  case OpKind::LeakyRelu:
    kind = KILN_EPI_LEAKY_RELU;
    pa = a.getFloat("alpha", 0.01);
    return true;
  case OpKind::Clip:
    kind = KILN_EPI_CLIP;
    pa = a.getFloat("min", -INFINITY);
    pb = a.getFloat("max", INFINITY);
    return true;
  case OpKind::Sigmoid:
    kind = KILN_EPI_SIGMOID;
    return true;
  default:
    return false;
  }
}

llvm::Expected<KilnGenEpilogue> lowerEpilogue(LowerContext &cx, const Node &n,
                                              Layer &layer, bool allowPool) {
  KilnGenEpilogue e{};
  bool pooled = false;
  for (const Fusion &f : n.fused) {
    int64_t &count = pooled ? e.post_count : e.pre_count;
    int64_t *kind = pooled ? e.post_kind : e.pre_kind;
    double *pa = pooled ? e.post_a : e.pre_a;
    double *pb = pooled ? e.post_b : e.pre_b;
    int64_t *buf = pooled ? e.post_buf : e.pre_buf;
    if (f.op == OpKind::MaxPool || f.op == OpKind::AveragePool) {
      if (!allowPool || pooled)
        return nodeErrorf(n, "fused {} is not supported here", opName(f.op));
      pooled = true;
      const Attrs &a = f.attrs;
      const auto &k = a.getInts("kernel"), &s = a.getInts("strides"),
                 &p = a.getInts("pads");
      e.pool_kind = f.op == OpKind::MaxPool ? KILN_POOL_MAX : KILN_POOL_AVG;
      e.pool_kh = k[0];
      e.pool_kw = k[1];
      e.pool_sh = s[0];
      e.pool_sw = s[1];
      e.pool_pt = p[0];
      e.pool_pl = p[1];
      e.pool_pb = p[2];
      e.pool_pr = p[3];
      e.pool_dh = e.pool_dw = 1;
      if (a.has("dilations")) {
        e.pool_dh = a.getInts("dilations")[0];
        e.pool_dw = a.getInts("dilations")[1];
      }
      e.pool_count_pad = a.getInt("count_include_pad", 0);
      const Dims &od = n.output()->type.dims;
      e.pool_oh = od[2];
      e.pool_ow = od[3];
      continue;
    }
    if (count >= KILN_GEN_MAX_EPI)
      return nodeErrorf(n, "more than {} fused operations", KILN_GEN_MAX_EPI);
    int64_t i = count++;
    if (f.op == OpKind::Add) {
      int64_t idx = f.attrs.getInt("input");
      if (idx < 0 || idx >= int64_t(n.inputs.size()))
        return nodeErrorf(n, "fused add refers to missing input {}", idx);
      const Value *other = n.inputs[size_t(idx)];
      if (other->layout != n.output()->layout)
        return nodeErrorf(n, "fused add operand has layout {}, result {}",
                          other->layout.str(), n.output()->layout.str());
      kind[i] = KILN_EPI_ADD;
      buf[i] = int64_t(layer.buffers.size());
      layer.buffers.push_back(cx.buffer(other));
      continue;
    }
    if (!activationStep(f.op, f.attrs, kind[i], pa[i], pb[i]))
      return nodeErrorf(n, "fused {} is not supported", opName(f.op));
  }
  return e;
}

} // namespace kiln::codegen
