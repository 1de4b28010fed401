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
// Nor into a conv that select-conv-algorithm gave algo="winograd": Winograd
// F(4x4,3x3) has no pooling epilogue, and at 2-2.5x the direct kernel's speed
// on VGG's conv1_2..conv4_3 it pays for writing the unpooled tensor and
// pooling it on its own many times over.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"

#include <algorithm>

namespace kiln {

namespace {

bool tryFuse(Graph &g, Node *conv) {
  if (conv->op != OpKind::Conv || conv->output()->type.dtype != DType::F32)
    return false;
  if (conv->attrs.has("algo") && conv->attrs.getString("algo") == "winograd")
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

bool fusePool(Graph &g, const PassOptions &) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes().size(); ++i)
    changed |= tryFuse(g, g.nodes()[i].get());
  return changed;
}

} // namespace kiln
