//===- FuseActivation.cpp - Fold activations into the op that feeds them --===//
//
// %m = MatMul(%a, @b); %y = Add(%m, @bias)     (a, b 2-D; bias [N] or [1,N])
//     ==>  %m = Gemm(%a, @b, @bias) {alpha=1 beta=1 transA=0 transB=0}
// %c = Conv|Gemm|MatMul(...); %y = Relu(%c)     (likewise every activation
//     ==>  %c = Conv|Gemm|MatMul(...) {fused=[relu]}     of Activations.def)
//
// Only when the producer's result is read by the activation alone and is not
// a graph output, and the producer has no activation or pool fused already
// (a fused residual add is fine: the epilogue adds before it activates).
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"

namespace kiln {

namespace {

/// MatMul + Add(constant bias broadcast on the last axis) -> Gemm.
bool matMulAddToGemm(Graph &g, Node *mm) {
  if (mm->op != OpKind::MatMul || !mm->fused.empty())
    return false;
  const Value *a = mm->input(0), *b = mm->input(1);
  if (a->type.rank() != 2 || b->type.rank() != 2 || a->type.dtype != DType::F32)
    return false;
  Node *add = soleUser(g, mm->output());
  if (!add || add->op != OpKind::Add)
    return false;
  Value *bias = add->input(add->input(0) == mm->output() ? 1 : 0);
  int64_t n = mm->output()->type.dims[1];
  bool rowVector = (bias->type.rank() == 1 && bias->type.dims[0] == n) ||
                   (bias->type.rank() == 2 && bias->type.dims[0] == 1 &&
                    bias->type.dims[1] == n);
  if (!bias->isConstant() || bias->type.dtype != DType::F32 || !rowVector ||
      add->output()->type != mm->output()->type)
    return false;
  mm->op = OpKind::Gemm;
  mm->inputs.push_back(bias);
  mm->attrs = Attrs();
  mm->attrs.set("alpha", 1.0);
  mm->attrs.set("beta", 1.0);
  mm->attrs.set("transA", int64_t(0));
  mm->attrs.set("transB", int64_t(0));
  absorbConsumer(g, mm, add);
  return true;
}

bool fuseInto(Graph &g, Node *n) {
  if (!opInfo(n->op).acceptsEpilogue())
    return false;
  if (n->outputs.size() != 1 || n->output()->type.dtype != DType::F32 ||
      hasActivationOrPoolFusion(*n))
    return false;
  Node *act = soleUser(g, n->output());
  if (!act || !act->fused.empty())
    return false;
  std::optional<Fusion> f = activationFusion(*act);
  if (!f)
    return false;
  n->fused.push_back(std::move(*f));
  absorbConsumer(g, n, act);
  return true;
}

} // namespace

bool fuseActivation(Graph &g, const PassOptions &) {
  bool changed = false;
  // Rewrites remove nodes after index i only; node i may match again
  // (MatMul -> Gemm, then the Gemm takes the Relu).
  for (size_t i = 0; i < g.nodes().size();) {
    Node *n = g.nodes()[i].get();
    if (matMulAddToGemm(g, n) || fuseInto(g, n))
      changed = true;
    else
      ++i;
  }
  return changed;
}

} // namespace kiln
