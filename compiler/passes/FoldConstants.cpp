//===- FoldConstants.cpp - Evaluate constant subgraphs at compile time ----===//
//
// op(@c1, @c2, ...)  ==>  @result          (every operand a constant)
// Shape(%x)          ==>  @dims            (shapes are static)
// Reshape/Flatten/Squeeze/Unsqueeze/Identity/Dropout(@c)  ==>  @c re-typed,
//                                          sharing the payload (no copy)
//
// What exporters leave behind: shape subgraphs, Transpose/Reshape/Mul/Add of
// weights. Arithmetic runs the reference interpreter's kernels, so a folded
// constant is exactly what the interpreter would have computed at run time.
// Graph outputs are left to their producers (the caller's buffer is written
// by code). Nodes left without readers are removed.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"
#include "compiler/reference/Kernels.h"

#include <memory>

namespace kiln {

namespace {

Tensor toTensor(const Value &v) {
  Tensor t;
  t.type = v.type;
  if (t.isF32())
    t.f32 = v.constant->f32;
  else
    t.i64 = v.constant->i64;
  return t;
}

/// Evaluates `n` with the reference kernels; null when kiln does not fold
/// this op or the evaluation fails (that failure then happens at run time,
/// where the data-dependent error belongs).
std::shared_ptr<const ConstantData> evaluate(const Node &n) {
  const Value &out = *n.output();
  // Pure re-typing: the payload is shared, whatever its size.
  switch (n.op) {
  case OpKind::Reshape:
  case OpKind::Flatten:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Identity:
  case OpKind::Dropout:
    if (n.input(0)->type.dtype == out.type.dtype)
      return n.input(0)->constant;
    return nullptr;
  default:
    break;
  }

  std::vector<Tensor> ins;
  for (const Value *in : n.inputs)
    ins.push_back(n.op == OpKind::Shape ? Tensor{in->type, {}, {}} : toTensor(*in));
  std::vector<const Tensor *> ptrs;
  for (const Tensor &t : ins)
    ptrs.push_back(&t);
  auto x = [&](size_t i) -> const Tensor & { return ins[i]; };
  const Attrs &a = n.attrs;

  std::optional<Tensor> r;
  auto take = [&](llvm::Expected<Tensor> e) {
    if (e)
      r = std::move(*e);
    else
      llvm::consumeError(e.takeError());
  };
  switch (n.op) {
  case OpKind::Conv:
    r = ref::conv2d_ref(x(0), x(1), ins.size() > 2 ? &ins[2] : nullptr, a);
    break;
  case OpKind::MaxPool: r = ref::maxpool2d_ref(x(0), a); break;
  case OpKind::AveragePool: r = ref::avgpool2d_ref(x(0), a); break;
  case OpKind::GlobalAveragePool: r = ref::globalavgpool_ref(x(0)); break;
  case OpKind::GlobalMaxPool: r = ref::globalmaxpool_ref(x(0)); break;
  case OpKind::LRN: r = ref::lrn_ref(x(0), a); break;
  case OpKind::BatchNormalization:
    r = ref::batchnorm_ref(x(0), x(1), x(2), x(3), x(4), a);
    break;
  case OpKind::ScaleShift: r = ref::scaleshift_ref(x(0), x(1), x(2)); break;
  case OpKind::Gemm:
    r = ref::gemm_ref(x(0), x(1), ins.size() > 2 ? &ins[2] : nullptr, a);
    break;
  case OpKind::MatMul: r = ref::matmul_ref(x(0), x(1)); break;
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div: take(ref::binary_ref(n.op, x(0), x(1))); break;
  case OpKind::Sum: r = ref::sum_ref(ptrs); break;
  case OpKind::Relu: r = ref::relu_ref(x(0)); break;
  case OpKind::LeakyRelu: r = ref::leakyrelu_ref(x(0), a); break;
  case OpKind::Sigmoid: r = ref::sigmoid_ref(x(0)); break;
  case OpKind::Clip: r = ref::clip_ref(x(0), a); break;
  case OpKind::Softmax: r = ref::softmax_ref(x(0), a); break;
  case OpKind::Transpose: r = ref::transpose_ref(x(0), a); break;
  case OpKind::Concat: r = ref::concat_ref(ptrs, a); break;
  case OpKind::Pad: r = ref::pad_ref(x(0), a); break;
  case OpKind::Shape: r = ref::shape_ref(x(0), a); break;
  case OpKind::Gather: take(ref::gather_ref(x(0), x(1), a)); break;
  case OpKind::Cast: take(ref::cast_ref(x(0), a)); break;
  default:
    return nullptr;
  }
  if (!r || !(r->type == out.type))
    return nullptr;
  auto data = std::make_shared<ConstantData>();
  data->f32 = std::move(r->f32);
  data->i64 = std::move(r->i64);
  return data;
}

bool foldable(const Graph &g, const Node &n) {
  if (!n.fused.empty() || n.outputs.size() != 1 || g.isGraphOutput(n.output()))
    return false;
  if (!hasTensorData(n.output()->type.dtype))
    return false;
  // Shape reads only its operand's static type.
  if (n.op == OpKind::Shape)
    return true;
  for (const Value *in : n.inputs)
    if (!in->isConstant() || !hasTensorData(in->type.dtype))
      return false;
  return true;
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
