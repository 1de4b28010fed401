//===- FuseResidual.cpp - Fold residual additions into a convolution ------===//
//
// %c = Conv(%x, @w, @b); %y = Add(%c, %s)
//     ==>  %c = Conv(%x, @w, @b, %s) {fused=[add(input=3)]}
// %c = Conv(...); %a = Add(%c, %s); %y = Relu(%a)  (likewise every activation
//     ==>  %c = Conv(..., %s) {fused=[add, relu]}    of Activations.def)
//
// The kernel epilogue runs bias, add, activation, pool in that order, so the
// conv must not have an activation or pool fused already. Shapes must be
// equal (no broadcasting in the epilogue) and the conv's result read only by
// the Add. When both operands are such convs the later one absorbs the Add,
// so the other's result is already computed. When the shortcut is computed
// after the conv, the conv moves down to just before the Add: its operands
// are all computed earlier and the Add is its only reader, so the move is
// always legal.
//
// A conv without bias gets a zero bias first: the shortcut is appended to the
// operands, and operand 2 is the bias.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"

namespace kiln {

namespace {

/// The operand's producer when it is a conv that can absorb this Add.
Node *absorbingConv(const Graph &g, const Node &add, size_t operand) {
  Value *v = add.input(operand);
  Node *conv = v->producer;
  if (!conv || conv->op != OpKind::Conv || conv->outputs.size() != 1)
    return nullptr;
  if (!conv->fused.empty() || soleUser(g, v) != &add)
    return nullptr;
  return conv;
}

bool tryFuse(Graph &g, Node *add) {
  if (add->op != OpKind::Add || !add->fused.empty())
    return false;
  Value *out = add->output();
  const TensorType &t = out->type;
  if (t.dtype != DType::F32 || add->input(0)->type != t || add->input(1)->type != t ||
      add->input(0) == add->input(1))
    return false;

  Node *c0 = absorbingConv(g, *add, 0), *c1 = absorbingConv(g, *add, 1);
  if (!c0 && !c1)
    return false;
  size_t which = 0;
  if (c0 && c1)
    which = nodeIndex(g, c1) > nodeIndex(g, c0) ? 1 : 0;
  else if (c1)
    which = 1;
  Node *conv = which ? c1 : c0;
  Value *shortcut = add->input(1 - which);

  // The shortcut must be computed before the conv runs.
  if (Node *p = shortcut->producer; p && nodeIndex(g, p) > nodeIndex(g, conv))
    conv = moveBefore(g, conv, add);

  // Operand 2 is the bias: make sure it exists before appending the shortcut.
  if (conv->inputs.size() == 2) {
    int64_t m = conv->output()->type.dims[1];
    conv->inputs.push_back(addF32Constant(g, conv->name + ".bias", {m},
                                          std::vector<float>(size_t(m), 0.0f)));
  }
  Fusion f{OpKind::Add, {}};
  f.attrs.set("input", int64_t(conv->inputs.size()));
  conv->inputs.push_back(shortcut);
  conv->fused.push_back(std::move(f));

  // An activation right after the Add joins the epilogue too.
  Node *act = soleUser(g, out);
  std::optional<Fusion> actFusion;
  if (act)
    actFusion = activationFusion(*act);

  absorbConsumer(g, conv, add);
  if (actFusion) {
    conv->fused.push_back(std::move(*actFusion));
    absorbConsumer(g, conv, act);
  }
  return true;
}

} // namespace

bool fuseResidual(Graph &g, const PassOptions &) {
  bool changed = false;
  // A rewrite removes the Add at index i (and perhaps moves the conv from
  // before i to just before it): index i then holds an unvisited node or the
  // conv, which is no Add.
  for (size_t i = 0; i < g.nodes().size();) {
    if (tryFuse(g, g.nodes()[i].get()))
      changed = true;
    else
      ++i;
  }
  return changed;
}

} // namespace kiln
