//===- DeadCode.cpp - Remove nodes whose results nobody reads -------------===//
//
// %x = op(...)   (no reader, not a graph output)  ==>  (removed)
//
// One sweep in reverse topological order removes whole dead chains: a node's
// operands lose a reader when it goes, before their producers are visited.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"

#include <unordered_map>
#include <unordered_set>

namespace kiln {

bool deadCode(Graph &g, const PassOptions &) {
  std::unordered_map<const Value *, int64_t> readers;
  for (const auto &n : g.nodes())
    for (const Value *in : n->inputs)
      ++readers[in];
  for (const Value *out : g.outputs)
    ++readers[out];

  std::unordered_set<const Node *> dead;
  const auto &nodes = g.nodes();
  for (size_t i = nodes.size(); i-- > 0;) {
    const Node &n = *nodes[i];
    bool used = false;
    for (const Value *out : n.outputs)
      used |= readers[out] > 0;
    if (used)
      continue;
    dead.insert(&n);
    for (const Value *in : n.inputs)
      --readers[in];
  }
  if (dead.empty())
    return false;
  g.eraseNodesIf([&](const Node &n) { return dead.count(&n) != 0; });
  return true;
}

} // namespace kiln
