//===- FuseSilu.cpp - Recognise x * Sigmoid(x) as one activation ----------===//
//
// %s = Sigmoid(%x); %y = Mul(%x, %s)      (or Mul(%s, %x))
//     ==>  %y = kiln.Silu(%x)
//
// SiLU (Swish) is how EfficientNet, MobileNetV3's successors and most recent
// CNNs activate; exporters write it as a Sigmoid and a Mul. As one
// activation it fuses into the conv before it (fuse-activation), so the conv
// result is never stored and read back twice. Only when the Sigmoid is read
// by the Mul alone and the Mul does not broadcast.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/PassUtils.h"
#include "compiler/passes/Passes.h"

namespace kiln {

bool fuseSilu(Graph &g, const PassOptions &) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node *sig = g.nodes()[i].get();
    if (sig->op != OpKind::Sigmoid || !sig->fused.empty())
      continue;
    Node *mul = selfGatingMul(g, *sig);
    if (!mul)
      continue;
    // Sigmoid(x) * x -> Silu(x), in the Mul's place (x is defined before it).
    mul->op = OpKind::Silu;
    mul->inputs = {sig->input(0)};
    mul->attrs = Attrs();
    eraseNode(g, sig);
    --i; // the node now at i follows the erased Sigmoid
    changed = true;
  }
  return changed;
}

} // namespace kiln
