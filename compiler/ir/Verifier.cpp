//===- Verifier.cpp - Structural and type checks of a graph ---------------===//

#include "compiler/ir/Verifier.h"

#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/ShapeInference.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace kiln {

namespace {

llvm::Error verifyNodeStructure(const Node &n,
                                const std::unordered_set<const Value *> &defined) {
  int extra = 0; // operands appended by fusions (the shortcut of a fused Add)
  for (const Fusion &f : n.fused) {
    if (f.op == OpKind::Add) {
      if (!f.attrs.has("input"))
        return nodeError(n, "fused add has no 'input' attribute");
      int64_t idx = f.attrs.getInt("input");
      if (idx < 0 || idx >= int64_t(n.inputs.size()))
        return nodeErrorf(n, "fused add reads operand {} of {}", idx, n.inputs.size());
      ++extra;
    }
  }
  int count = int(n.inputs.size()) - extra;
  if (count < opMinInputs(n.op) ||
      (opMaxInputs(n.op) >= 0 && count > opMaxInputs(n.op)))
    return nodeErrorf(n, "has {} operands", count);
  if (int(n.outputs.size()) != opNumOutputs(n.op))
    return nodeErrorf(n, "has {} results, expected {}", n.outputs.size(), opNumOutputs(n.op));
  for (const Value *in : n.inputs) {
    if (!in)
      return nodeError(n, "has a null operand");
    if (!defined.count(in))
      return nodeErrorf(n, "reads '{}' before it is defined", displayName(in->name));
  }
  for (const Value *out : n.outputs) {
    if (out->producer != &n)
      return nodeErrorf(n, "result '{}' names another producer", displayName(out->name));
    if (out->isConstant())
      return nodeErrorf(n, "result '{}' is a constant", displayName(out->name));
  }
  return llvm::Error::success();
}

llvm::Error verifyTypes(const Node &n) {
  auto types = inferResultTypes(n);
  if (!types)
    return types.takeError();
  for (size_t i = 0; i < n.outputs.size(); ++i)
    if (!((*types)[i] == n.outputs[i]->type))
      return nodeErrorf(n, "result '{}' has type {} but shape inference gives {}",
                        displayName(n.outputs[i]->name), n.outputs[i]->type.str(),
                        (*types)[i].str());
  return llvm::Error::success();
}

/// Arena ranges of values that are live at the same time must not overlap.
llvm::Error verifyMemoryPlan(const Graph &g) {
  struct Interval {
    const Value *v;
    int64_t begin, end; // node indices: definition, last use
    int64_t offset, bytes;
  };
  std::unordered_map<const Value *, size_t> index;
  std::vector<Interval> intervals;
  auto root = [](const Value *v) {
    while (v->viewOf)
      v = v->viewOf;
    return v;
  };
  const auto &nodes = g.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Value *out : nodes[i]->outputs) {
      const Value *r = root(out);
      if (r->offset < 0 || index.count(r))
        continue;
      if (r->offset % 64 != 0)
        return inputError(fmt::format("value '{}' is at unaligned offset {}",
                                      displayName(r->name), r->offset));
      int64_t bytes = storageBytes(r->type, r->layout);
      if (r->offset + bytes > g.workspaceBytes)
        return inputError(fmt::format("value '{}' ends past the workspace",
                                      displayName(r->name)));
      index[r] = intervals.size();
      intervals.push_back({r, int64_t(i), int64_t(i), r->offset, bytes});
    }
    for (const Value *in : nodes[i]->inputs) {
      auto it = index.find(root(in));
      if (it != index.end())
        intervals[it->second].end = int64_t(i);
    }
  }
  // Sweep in definition order (intervals are created sorted by begin). The
  // active ranges never overlap each other, so in offset order a new range
  // can only collide with its neighbours: O(n log n), not pairwise.
  std::multimap<int64_t, size_t> byEnd;  // active, by last use
  std::map<int64_t, size_t> byOffset;    // active, by offset
  auto clash = [&](size_t a, size_t b) {
    return inputError(fmt::format("values '{}' and '{}' are live together and overlap "
                                  "in the workspace",
                                  displayName(intervals[a].v->name),
                                  displayName(intervals[b].v->name)));
  };
  for (size_t k = 0; k < intervals.size(); ++k) {
    const Interval &x = intervals[k];
    if (x.bytes <= 0)
      continue;
    while (!byEnd.empty() && byEnd.begin()->first < x.begin) {
      byOffset.erase(intervals[byEnd.begin()->second].offset);
      byEnd.erase(byEnd.begin());
    }
    auto next = byOffset.lower_bound(x.offset);
    if (next != byOffset.end() && next->first < x.offset + x.bytes)
      return clash(next->second, k);
    if (next != byOffset.begin()) {
      const Interval &p = intervals[std::prev(next)->second];
      if (p.offset + p.bytes > x.offset)
        return clash(std::prev(next)->second, k);
    }
    byOffset.emplace(x.offset, k);
    byEnd.emplace(x.end, k);
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error verifyGraph(const Graph &g) {
  std::unordered_set<const Value *> defined;
  for (const auto &v : g.values())
    if (v->isConstant())
      defined.insert(v.get());
  for (const Value *in : g.inputs) {
    if (in->producer || in->isConstant())
      return inputError(fmt::format("graph input '{}' is produced inside the graph",
                                    displayName(in->name)));
    defined.insert(in);
  }
  for (const auto &n : g.nodes()) {
    if (auto err = verifyNodeStructure(*n, defined))
      return err;
    if (auto err = verifyTypes(*n))
      return err;
    for (const Value *out : n->outputs)
      if (!defined.insert(out).second)
        return nodeErrorf(*n, "result '{}' is defined twice", displayName(out->name));
  }
  if (g.outputs.empty())
    return inputError("graph has no outputs");
  for (const Value *o : g.outputs)
    if (!defined.count(o))
      return inputError(fmt::format("graph output '{}' is never computed",
                                    displayName(o->name)));
  if (g.workspaceBytes > 0)
    return verifyMemoryPlan(g);
  return llvm::Error::success();
}

} // namespace kiln
