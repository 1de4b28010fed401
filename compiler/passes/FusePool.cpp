//===- FusePool.cpp - Pool a convolution's result in its epilogue ---------===//
//
// %c = Conv(...) {fused=[...]}; %p = MaxPool(%c)
//     ==>  %c = Conv(...) {fused=[..., maxpool]}       (likewise AveragePool)
//
// The conv's result becomes the pooled tensor: the unpooled one never exists
// in memory. The pool's attributes are copied into the Fusion. Only when the
// conv's result is read by the pool alone, is not a graph output, and the
// conv has no pool fused yet. A pool behind anything but the conv's own
// epilogue (Caffe AlexNet's conv -> relu -> LRN -> pool) stays.
//
// Nor into a conv the code generator will run with Winograd F(4x4,3x3)
// (PassOptions::winograd): at 2-2.5x the direct kernel's speed on VGG's
// conv1_2..conv4_3, it pays for writing the unpooled tensor and pooling it
// on its own many times over.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"

#include <algorithm>

namespace kiln {

namespace {

/// Whether codegen will pick Winograd for `conv` (without a fused pool).
/// Mirrors kiln_conv2d_winograd_preferred (codegen/kernels/Winograd.cpp):
/// 3x3, stride 1, dilation 1, one group, pads <= 2, a blocked input (the
/// layout pass gives a conv a plain input only below one channel block), and
/// at least 36 output tiles of 4x4.
bool winogradConv(const Node &conv, const PassOptions &opts) {
  if (!opts.winograd)
    return false;
  const Attrs &a = conv.attrs;
  const auto &kernel = a.getInts("kernel"), &strides = a.getInts("strides"),
             &dilations = a.getInts("dilations"), &pads = a.getInts("pads");
  if (kernel.size() != 2 || kernel[0] != 3 || kernel[1] != 3 ||
      strides[0] != 1 || strides[1] != 1 || dilations[0] != 1 ||
      dilations[1] != 1 || a.getInt("group") != 1)
    return false;
  for (int64_t p : pads)
    if (p < 0 || p > 2)
      return false;
  const auto &in = conv.inputs[0]->type.dims, &out = conv.output()->type.dims;
  if (in.size() != 4 || out.size() != 4 || in[1] < opts.vectorLanes)
    return false;
  return (out[2] + 3) / 4 * ((out[3] + 3) / 4) >= 36;
}

bool tryFuse(Graph &g, Node *conv, const PassOptions &opts) {
  if (conv->op != OpKind::Conv || conv->output()->type.dtype != DType::F32)
    return false;
  if (winogradConv(*conv, opts))
    return false;
  if (std::any_of(conv->fused.begin(), conv->fused.end(),
                  [](const Fusion &f) { return isPoolFusion(f.op); }))
    return false;
  Node *pool = soleUser(g, conv->output());
  if (!pool || !isPoolFusion(pool->op) || !pool->fused.empty() ||
      pool->output()->type.rank() != 4)
    return false;
  conv->fused.push_back(Fusion{pool->op, pool->attrs});
  absorbConsumer(g, conv, pool);
  return true;
}

} // namespace

bool fusePool(Graph &g, const PassOptions &opts) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes().size(); ++i)
    changed |= tryFuse(g, g.nodes()[i].get(), opts);
  return changed;
}

} // namespace kiln
