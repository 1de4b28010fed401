//===- SelectConvAlgorithm.cpp - Which kernel computes each Conv ----------===//
//
// %y = Conv(...)  ==>  %y = Conv(...) {algo="direct" | "winograd" | "generic"}
//
// The one place that decides how a convolution is computed; fuse-pool and the
// code generator (codegen/LowerSpatial.cpp) read the attribute:
//
//   generic   the generic kernel (kernels/generic/): the blocked kernels cannot
//             run the conv. It does not run blocked (assign-layout's
//             convRunsBlocked: grouped with a group's channels not whole
//             blocks, depthwise included; weights not constant; no blocked
//             layout, vectorLanes <= 1), or its bias is not constant. Also
//             when a weight is NaN or infinite: the generic kernel skips the
//             taps that fall on padding, as ONNX Runtime and the reference
//             do, where the direct kernel multiplies them by the padding's
//             zeros (0 x Inf is NaN) and Winograd's transforms mix every
//             weight of a tile.
//   winograd  Winograd F(4x4,3x3) (kernels/Winograd.h), when it applies and is
//             faster than direct: 3x3, stride 1, dilation 1, one group, top
//             and left pads <= 2, a blocked input, no fused pool, and at
//             least 36 output tiles of 4x4 (about 24x24 outputs and up; on
//             smaller images its transformed weights are re-read for too few
//             tiles). Only with PassOptions::winograd (`--no-winograd`).
//   direct    the blocked direct kernel (kernels/Conv.h) otherwise. Lowering
//             still hands the conv to the generic kernel when its epilogue is
//             one the direct kernel cannot run (a fused pool it cannot pool,
//             kiln_conv2d_can_fuse_pool) or fast kernels are off.
//
// A blocked input: assign-layout gives a blocked conv a plain input only
// when that input is plain and has fewer than one block of channels, so a
// conv with C >= vectorLanes always reads NCHW<L>c. Below one block this pass
// takes direct even when the input happens to be blocked.
//
// Runs before fuse-pool, which leaves the pool behind a Winograd conv
// separate (the kernel has no pooling epilogue), so the unpooled output
// shape the tile count needs is the conv's result type; a conv that already
// has a fused pool is never Winograd.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

bool winogradApplies(const Node &conv, const PassOptions &opts) {
  const int64_t L = opts.vectorLanes;
  if (!opts.winograd || (L != 4 && L != 8 && L != 16))
    return false;
  if (std::any_of(conv.fused.begin(), conv.fused.end(),
                  [](const Fusion &f) { return isPoolFusion(f.op); }))
    return false;
  const Attrs &a = conv.attrs;
  const auto &kernel = a.getInts("kernel"), &strides = a.getInts("strides"),
             &dilations = a.getInts("dilations"), &pads = a.getInts("pads");
  if (kernel.size() != 2 || kernel[0] != 3 || kernel[1] != 3 || strides[0] != 1 ||
      strides[1] != 1 || dilations[0] != 1 || dilations[1] != 1 ||
      a.getInt("group") != 1)
    return false;
  // The kernel reads pads [top, left]; bottom and right only shape the output.
  if (pads[0] < 0 || pads[0] > 2 || pads[1] < 0 || pads[1] > 2)
    return false;
  const Value *x = conv.input(0);
  const Dims &in = x->type.dims, &out = conv.output()->type.dims;
  if (x->isConstant() || in.size() != 4 || in[1] < L || out[2] < 1 || out[3] < 1)
    return false;
  const int64_t tiles = (out[2] + 3) / 4 * ((out[3] + 3) / 4);
  return tiles >= 36;
}

bool hasNonFinite(const Value *v) {
  if (!v || !v->isConstant())
    return false;
  const std::vector<float> &f = v->constant->f32;
  return std::any_of(f.begin(), f.end(), [](float x) { return !std::isfinite(x); });
}

} // namespace

const char *chooseConvAlgorithm(const Node &conv, const PassOptions &opts) {
  if (opts.vectorLanes <= 1 || !convRunsBlocked(conv, opts.vectorLanes) ||
      (conv.input(2) && !conv.input(2)->isConstant()) || hasNonFinite(conv.input(1)))
    return "generic";
  return winogradApplies(conv, opts) ? "winograd" : "direct";
}

bool selectConvAlgorithm(Graph &g, const PassOptions &opts) {
  bool changed = false;
  for (const auto &n : g.nodes()) {
    if (n->op != OpKind::Conv)
      continue;
    std::string algo = chooseConvAlgorithm(*n, opts);
    if (n->attrs.has("algo") && n->attrs.getString("algo") == algo)
      continue;
    n->attrs.set("algo", algo);
    changed = true;
  }
  return changed;
}

} // namespace kiln
