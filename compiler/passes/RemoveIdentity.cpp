//===- RemoveIdentity.cpp - Drop ops that copy their input ----------------===//
//
// %y = Identity(%x)  ==>  readers of %y read %x
// %y = Dropout(%x)   ==>  readers of %y read %x        (inference: identity)
// %y = MaxPool|AveragePool(%x) {kernel=1x1 strides=1x1 pads=0}
//                    ==>  readers of %y read %x        (torchvision VGG's
//                                                       adaptive pool at 7x7)
// %x = op(...); %y = Identity(%x), %y a graph output
//                    ==>  %y = op(...)                 (the output's name stays)
//
// An Identity stays when it is the copy that makes a graph output: its
// operand is a graph input, a constant, or another graph output.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"

#include <algorithm>

namespace kiln {

namespace {

/// A 1x1 window with unit stride and no padding copies its input.
bool isUnitPool(const Node &n) {
  if (n.op != OpKind::MaxPool && n.op != OpKind::AveragePool)
    return false;
  const Window2d w = poolAttrs(n).window;
  return w.kh == 1 && w.kw == 1 && w.unitStride() && w.zeroPads() &&
         n.input(0)->type == n.output()->type;
}

bool tryRemove(Graph &g, Node *n) {
  if (!opInfo(n->op).isIdentity() && !isUnitPool(*n))
    return false;
  if (!n->fused.empty())
    return false;
  Value *in = n->input(0);
  Value *out = n->output();
  if (!g.isGraphOutput(out)) {
    // %y = Identity(%x) -> readers of %y read %x
    g.replaceAllUsesWith(out, in);
    eraseNode(g, n);
    return true;
  }
  // A graph output needs a producer of its own that writes it.
  Node *producer = in->producer;
  if (!producer || g.isGraphOutput(in))
    return false;
  // %x = op(...); %y = Identity(%x) -> %y = op(...), readers of %x read %y
  auto slot = std::find(producer->outputs.begin(), producer->outputs.end(), in);
  *slot = out;
  out->producer = producer;
  in->producer = nullptr;
  g.replaceAllUsesWith(in, out);
  // The Identity now reads its own result; it is the only node that does.
  eraseNode(g, n);
  return true;
}

} // namespace

bool removeIdentity(Graph &g, const PassOptions &) {
  bool changed = false;
  // Removing node i never moves nodes before it; revisit index i.
  for (size_t i = 0; i < g.nodes().size();) {
    if (tryRemove(g, g.nodes()[i].get()))
      changed = true;
    else
      ++i;
  }
  return changed;
}

} // namespace kiln
