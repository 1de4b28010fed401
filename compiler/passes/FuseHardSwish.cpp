//===- FuseHardSwish.cpp - Recognise x * HardSigmoid(x) as HardSwish ------===//
//
// %h = HardSigmoid(%x) {alpha=1/6, beta=0.5}; %y = Mul(%x, %h)  (or Mul(%h, %x))
//     ==>  %y = HardSwish(%x)
//
// ONNX has HardSwish from opset 14 only; exporters targeting older opsets
// (torch's default for MobileNetV3 below 14) write it as a HardSigmoid and
// a Mul. As one activation it fuses into the conv before it. Only with
// HardSwish's own constants, the HardSigmoid read by the Mul alone and no
// broadcasting (MobileNetV3's squeeze-excite gate, HardSigmoid(s) * x, stays).
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/PassUtils.h"
#include "compiler/passes/Passes.h"

#include <cmath>

namespace kiln {

bool fuseHardSwish(Graph &g, const PassOptions &) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node *hs = g.nodes()[i].get();
    if (hs->op != OpKind::HardSigmoid || !hs->fused.empty())
      continue;
    // The attributes are doubles read from float: compare to float precision.
    if (std::fabs(hs->attrs.getFloat("alpha") - 1.0 / 6.0) > 1e-7 ||
        std::fabs(hs->attrs.getFloat("beta") - 0.5) > 1e-7)
      continue;
    Node *mul = selfGatingMul(g, *hs);
    if (!mul)
      continue;
    mul->op = OpKind::HardSwish;
    mul->inputs = {hs->input(0)};
    mul->attrs = Attrs();
    eraseNode(g, hs);
    --i; // the node now at i follows the erased HardSigmoid
    changed = true;
  }
  return changed;
}

} // namespace kiln
