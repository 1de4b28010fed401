//===- Epilogue.cpp - Node::fused as kernel epilogue params ---------------===//

#include "compiler/codegen/LowerImpl.h"


namespace kiln::codegen {

bool activationStep(OpKind op, const Attrs &a, int64_t &kind, double &pa,
                    double &pb) {
  const ActivationInfo *act = activationInfo(op);
  if (!act)
    return false;
  kind = act->code;
  pa = *act->attrA ? a.getFloat(act->attrA, act->defaultA) : 0.0;
  pb = *act->attrB ? a.getFloat(act->attrB, act->defaultB) : 0.0;
  return true;
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
      PoolAttrs pa = poolAttrs(f.attrs);
      const Window2d &w = pa.window;
      e.pool_kind = f.op == OpKind::MaxPool ? KILN_POOL_MAX : KILN_POOL_AVG;
      e.pool_kh = w.kh;
      e.pool_kw = w.kw;
      e.pool_sh = w.sh;
      e.pool_sw = w.sw;
      e.pool_pt = w.pt;
      e.pool_pl = w.pl;
      e.pool_pb = w.pb;
      e.pool_pr = w.pr;
      e.pool_dh = w.dh;
      e.pool_dw = w.dw;
      e.pool_count_pad = pa.countIncludePad;
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
