//===- PassUtils.cpp - Small graph-editing helpers shared by passes -------===//

#include "compiler/passes/PassUtils.h"

#include <algorithm>
#include <cassert>
#include <memory>

namespace kiln {

Node *soleUser(const Graph &g, const Value *v) {
  if (g.isGraphOutput(v))
    return nullptr;
  std::vector<Node *> users = g.users(v);
  if (users.size() != 1)
    return nullptr;
  // A node reading v twice (Add(x, x)) is not a sole reader in the sense
  // fusions need: they replace one operand.
  Node *u = users.front();
  if (std::count(u->inputs.begin(), u->inputs.end(), v) != 1)
    return nullptr;
  return u;
}

size_t nodeIndex(const Graph &g, const Node *n) {
  const auto &nodes = g.nodes();
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].get() == n)
      return i;
  assert(false && "node not in graph");
  return nodes.size();
}

void eraseNode(Graph &g, Node *n) {
  g.eraseNodesIf([n](const Node &x) { return &x == n; });
}

Node *moveBefore(Graph &g, Node *n, Node *before) {
  assert(n != before && "cannot move a node before itself");
  // Copy, then detach the outputs so the new node may claim them.
  Node copy = *n;
  for (Value *out : n->outputs)
    out->producer = nullptr;
  Node *m = g.insertNodeBefore(before, copy.op, copy.name, copy.inputs,
                               copy.outputs, copy.attrs);
  m->fused = copy.fused;
  eraseNode(g, n);
  return m;
}

void absorbConsumer(Graph &g, Node *producer, Node *consumer) {
  Value *mid = producer->output();
  Value *out = consumer->output();
  assert(producer->outputs.size() == 1 && consumer->outputs.size() == 1);
  if (g.isGraphOutput(out)) {
    // The graph output keeps its name: the producer writes it directly.
    producer->outputs[0] = out;
    out->producer = producer;
    out->layout = mid->layout;
    mid->producer = nullptr;
  } else {
    mid->type = out->type;
    g.replaceAllUsesWith(out, mid);
  }
  eraseNode(g, consumer);
}

Value *addF32Constant(Graph &g, const std::string &base, Dims dims,
                      std::vector<float> data) {
  TensorType t{DType::F32, std::move(dims)};
  assert(int64_t(data.size()) == t.numElements() && "constant size mismatch");
  auto payload = std::make_shared<ConstantData>();
  payload->f32 = std::move(data);
  return g.addConstant(g.uniqueValueName(base), std::move(t), std::move(payload));
}

std::optional<Fusion> activationFusion(const Node &n) {
  const ActivationInfo *act = activationInfo(n.op);
  if (!act || !act->fuses)
    return std::nullopt;
  Fusion f{n.op, {}};
  for (const char *name : {act->attrA, act->attrB})
    if (*name)
      f.attrs.set(name, n.attrs.getFloat(name));
  return f;
}

Node *selfGatingMul(const Graph &g, const Node &gate) {
  if (gate.inputs.size() != 1 || gate.outputs.size() != 1)
    return nullptr;
  Value *x = gate.input(0), *s = gate.output();
  Node *mul = soleUser(g, s);
  if (!mul || mul->op != OpKind::Mul || !mul->fused.empty())
    return nullptr;
  Value *other = mul->input(mul->input(0) == s ? 1 : 0);
  if (other != x || mul->output()->type != x->type)
    return nullptr;
  return mul;
}

bool isActivationFusion(OpKind op) { return isActivation(op); }

bool isPoolFusion(OpKind op) {
  return op == OpKind::MaxPool || op == OpKind::AveragePool;
}

bool hasActivationOrPoolFusion(const Node &n) {
  return std::any_of(n.fused.begin(), n.fused.end(), [](const Fusion &f) {
    return isActivationFusion(f.op) || isPoolFusion(f.op);
  });
}

bool convRunsBlocked(const Node &conv, int64_t block) {
  const Value *y = conv.output();
  if (y->isConstant() || y->type.rank() != 4 || y->type.dtype != DType::F32 ||
      !conv.input(1)->isConstant())
    return false;
  int64_t group = conv.attrs.getInt("group");
  int64_t c = conv.input(0)->type.dims[1], m = y->type.dims[1];
  return group == 1 || ((c / group) % block == 0 && (m / group) % block == 0);
}

} // namespace kiln
