//===- IR.cpp - Graph, Node, Value and the op table -----------------------===//

#include "compiler/ir/IR.h"

#include <algorithm>
#include <cassert>
#include <fmt/format.h>
#include <unordered_map>
#include <unordered_set>

namespace kiln {

namespace {
using namespace opflag;
constexpr OpInfo OpTable[] = {
#define OP(Name, Onnx, MinIn, MaxIn, Out, Family, Flags)                       \
  {Onnx, MinIn, MaxIn, Out, OpFamily::Family, uint32_t(Flags)},
#include "compiler/ir/Ops.def"
};

struct ActivationRow {
  OpKind op;
  ActivationInfo info;
};
constexpr ActivationRow ActivationTable[] = {
#define ACTIVATION(Name, ABI, Code, A, DefaultA, B, DefaultB)                  \
  {OpKind::Name, {Code, A, DefaultA, B, DefaultB, true}},
#define UNFUSED_ACTIVATION(Name, ABI, Code, A, DefaultA, B, DefaultB)          \
  {OpKind::Name, {Code, A, DefaultA, B, DefaultB, false}},
#include "compiler/ir/Activations.def"
};
} // namespace

const OpInfo &opInfo(OpKind op) { return OpTable[size_t(op)]; }

const ActivationInfo *activationInfo(OpKind op) {
  for (const ActivationRow &r : ActivationTable)
    if (r.op == op)
      return &r.info;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Attrs
//===----------------------------------------------------------------------===//

template <typename T>
static const T &getAs(const std::map<std::string, AttrValue> &m,
                      const std::string &name) {
  auto it = m.find(name);
  assert(it != m.end() && "missing canonical attribute");
  assert(std::holds_alternative<T>(it->second) && "attribute of wrong type");
  return std::get<T>(it->second);
}

int64_t Attrs::getInt(const std::string &n) const { return getAs<int64_t>(map_, n); }
double Attrs::getFloat(const std::string &n) const { return getAs<double>(map_, n); }
const std::string &Attrs::getString(const std::string &n) const {
  return getAs<std::string>(map_, n);
}
const std::vector<int64_t> &Attrs::getInts(const std::string &n) const {
  return getAs<std::vector<int64_t>>(map_, n);
}
int64_t Attrs::getInt(const std::string &n, int64_t dflt) const {
  return has(n) ? getInt(n) : dflt;
}
double Attrs::getFloat(const std::string &n, double dflt) const {
  return has(n) ? getFloat(n) : dflt;
}

bool Node::hasFusion(OpKind k) const {
  return std::any_of(fused.begin(), fused.end(),
                     [&](const Fusion &f) { return f.op == k; });
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

Value *Graph::addValue(std::string name, TensorType type) {
  auto v = std::make_unique<Value>();
  v->name = std::move(name);
  v->type = std::move(type);
  values_.push_back(std::move(v));
  return values_.back().get();
}

Value *Graph::addConstant(std::string name, TensorType type,
                          std::shared_ptr<const ConstantData> data) {
  Value *v = addValue(std::move(name), std::move(type));
  v->constant = std::move(data);
  return v;
}

static std::unique_ptr<Node> makeNode(OpKind op, std::string name,
                                      std::vector<Value *> inputs,
                                      std::vector<Value *> outputs, Attrs attrs) {
  auto n = std::make_unique<Node>();
  n->op = op;
  n->name = std::move(name);
  n->inputs = std::move(inputs);
  n->outputs = std::move(outputs);
  n->attrs = std::move(attrs);
  for (Value *out : n->outputs) {
    assert(!out->producer && !out->isConstant() && "value produced twice");
    out->producer = n.get();
  }
  return n;
}

Node *Graph::addNode(OpKind op, std::string name, std::vector<Value *> inputs,
                     std::vector<Value *> outputs, Attrs attrs) {
  nodes_.push_back(makeNode(op, std::move(name), std::move(inputs),
                            std::move(outputs), std::move(attrs)));
  return nodes_.back().get();
}

Node *Graph::insertNodeBefore(Node *before, OpKind op, std::string name,
                              std::vector<Value *> inputs,
                              std::vector<Value *> outputs, Attrs attrs) {
  auto it = std::find_if(nodes_.begin(), nodes_.end(),
                         [&](const auto &n) { return n.get() == before; });
  assert(it != nodes_.end() && "insertion point not in graph");
  auto pos = nodes_.insert(it, makeNode(op, std::move(name), std::move(inputs),
                                        std::move(outputs), std::move(attrs)));
  return pos->get();
}

void Graph::replaceAllUsesWith(Value *from, Value *to) {
  for (auto &n : nodes_)
    for (Value *&in : n->inputs)
      if (in == from)
        in = to;
  for (Value *&out : outputs)
    if (out == from)
      out = to;
}

std::vector<Node *> Graph::users(const Value *v) const {
  std::vector<Node *> result;
  for (auto &n : nodes_)
    if (std::find(n->inputs.begin(), n->inputs.end(), v) != n->inputs.end())
      result.push_back(n.get());
  return result;
}

bool Graph::isGraphOutput(const Value *v) const {
  return std::find(outputs.begin(), outputs.end(), v) != outputs.end();
}

void Graph::removeUnusedValues() {
  std::unordered_set<const Value *> live(inputs.begin(), inputs.end());
  live.insert(outputs.begin(), outputs.end());
  for (auto &n : nodes_) {
    live.insert(n->inputs.begin(), n->inputs.end());
    live.insert(n->outputs.begin(), n->outputs.end());
  }
  for (auto &v : values_)
    if (v->viewOf)
      live.insert(v->viewOf);
  // A producer that was erased leaves a dangling pointer: clear it first.
  std::unordered_set<const Node *> present;
  for (auto &n : nodes_)
    present.insert(n.get());
  for (auto &v : values_)
    if (v->producer && !present.count(v->producer))
      v->producer = nullptr;
  std::erase_if(values_, [&](const std::unique_ptr<Value> &v) {
    return !live.count(v.get());
  });
}

bool Graph::topologicalSort() {
  // Kahn's algorithm, taking ready nodes in their current order.
  std::unordered_map<const Node *, size_t> pending;
  std::unordered_map<const Value *, std::vector<Node *>> readers;
  for (auto &n : nodes_) {
    size_t count = 0;
    for (Value *in : n->inputs) {
      if (in && in->producer) {
        ++count;
        readers[in].push_back(n.get());
      }
    }
    pending[n.get()] = count;
  }
  std::vector<std::unique_ptr<Node>> sorted;
  sorted.reserve(nodes_.size());
  std::vector<std::unique_ptr<Node>> rest = std::move(nodes_);
  nodes_.clear();
  bool progress = true;
  while (!rest.empty() && progress) {
    progress = false;
    for (auto &n : rest) {
      if (!n || pending[n.get()] != 0)
        continue;
      for (Value *out : n->outputs)
        for (Node *r : readers[out])
          --pending[r];
      sorted.push_back(std::move(n));
      progress = true;
    }
    std::erase_if(rest, [](const auto &n) { return !n; });
  }
  bool acyclic = rest.empty();
  for (auto &n : rest)
    sorted.push_back(std::move(n));
  nodes_ = std::move(sorted);
  return acyclic;
}

std::string Graph::uniqueValueName(const std::string &base) const {
  std::unordered_set<std::string_view> names;
  for (auto &v : values_)
    names.insert(v->name);
  if (!names.count(base))
    return base;
  for (int i = 1;; ++i) {
    std::string candidate = fmt::format("{}.{}", base, i);
    if (!names.count(candidate))
      return candidate;
  }
}

} // namespace kiln
