//===- FoldConstants.cpp - Evaluate constant subgraphs at compile time ----===//
//
// op(@c1, @c2, ...)  ==>  @result          (every operand a constant)
// Shape(%x)          ==>  @dims            (shapes are static)
// Reshape/Flatten/Squeeze/Unsqueeze/Identity/Dropout(@c)  ==>  @c re-typed,
//                                          sharing the payload (no copy)
//
// What exporters leave behind: shape subgraphs, Transpose/Reshape/Mul/Add of
// weights. The value is the reference interpreter's (ref::evaluateOp), so a
// folded constant is exactly what the interpreter would have computed at run
// time; this pass only decides what to fold. Left to run time: graph outputs
// (the caller's buffer is written by code), results larger than
// limits::MaxFoldElements, work beyond limits::MaxFoldMacs, and evaluations
// that fail (that data-dependent error belongs to run time). Nodes left
// without readers are removed.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"
#include "compiler/reference/Reference.h"

#include <memory>

namespace kiln {

namespace {

/// The operands of `n`, up to an omitted optional one.
std::vector<const Value *> operands(const Node &n) {
  std::vector<const Value *> in;
  for (const Value *v : n.inputs) {
    if (!v)
      break;
    in.push_back(v);
  }
  return in;
}

/// Evaluates `n`; null when the evaluation fails or disagrees with the type
/// the graph declares.
std::shared_ptr<const ConstantData> evaluate(const Node &n) {
  const Value &out = *n.output();
  std::vector<const Value *> in = operands(n);
  // Pure re-typing: the payload is shared, whatever its size.
  if (ref::keepsElements(n.op))
    return in[0]->type.dtype == out.type.dtype ? in[0]->constant : nullptr;

  std::vector<Tensor> tensors;
  for (const Value *v : in) // Shape reads only its operand's type
    tensors.push_back(n.op == OpKind::Shape ? Tensor{v->type, {}, {}}
                                            : ref::constantTensor(*v));
  std::vector<const Tensor *> ptrs;
  for (const Tensor &t : tensors)
    ptrs.push_back(&t);
  llvm::Expected<Tensor> r = ref::evaluateOp(n.op, n.attrs, ptrs);
  if (!r) {
    llvm::consumeError(r.takeError());
    return nullptr;
  }
  if (r->type != out.type)
    return nullptr;
  return ref::constantData(std::move(*r));
}

bool foldable(const Graph &g, const Node &n) {
  // A layout change is the code generator's to make, not a value to store.
  if (n.op == OpKind::Reorder)
    return false;
  if (!n.fused.empty() || n.outputs.size() != 1 || g.isGraphOutput(n.output()))
    return false;
  const TensorType &out = n.output()->type;
  if (!constantHolds(out.dtype))
    return false;
  std::vector<const Value *> in = operands(n);
  if (in.empty())
    return false;
  // Shape reads only its operand's static type.
  if (n.op != OpKind::Shape)
    for (const Value *v : in)
      if (!v->isConstant() || !constantHolds(v->type.dtype))
        return false;
  if (ref::keepsElements(n.op)) // no copy, no work
    return true;
  std::vector<const TensorType *> types;
  for (const Value *v : in)
    types.push_back(&v->type);
  return out.numElements() <= limits::MaxFoldElements &&
         ref::evaluationMacs(n.op, n.attrs, types, out) <= limits::MaxFoldMacs;
}

} // namespace

bool foldConstants(Graph &g, const PassOptions &opts) {
  bool changed = false;
  // One sweep in topological order folds whole chains: a folded result is a
  // constant by the time its readers are visited.
  std::vector<Node *> order;
  for (const auto &n : g.nodes())
    order.push_back(n.get());
  for (Node *n : order) {
    if (!foldable(g, *n))
      continue;
    std::shared_ptr<const ConstantData> data = evaluate(*n);
    if (!data)
      continue;
    // The result keeps its name and becomes a constant; the node is dead.
    Value *out = n->output();
    out->constant = std::move(data);
    out->producer = nullptr;
    n->outputs.clear();
    changed = true;
  }
  if (!changed)
    return false;
  // Folded nodes have no results left; inputs only they read go with them.
  g.eraseNodesIf([](const Node &n) { return n.outputs.empty(); });
  deadCode(g, opts);
  return true;
}

} // namespace kiln
