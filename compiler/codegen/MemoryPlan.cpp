//===- MemoryPlan.cpp - Workspace offsets of intermediate values ----------===//
//
// The arena is planned by compiler/passes' planner (PlanMemory.h): read from
// the graph after the plan-memory pass, or computed here, without changing
// the graph, for a graph that did not go through the pipeline (tests).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"
#include "compiler/passes/PlanMemory.h"

#include <algorithm>

namespace kiln::codegen {

const Value *storageRoot(const Value *v) {
  while (v->viewOf)
    v = v->viewOf;
  return v;
}

int64_t storageElements(const Value *v) {
  return storageBytes(v->type, v->layout) / int64_t(dtypeSize(v->type.dtype));
}

namespace {

/// Values that need arena storage: produced by a node, not graph outputs,
/// not views.
bool needsArena(const Graph &g, const Value *v) {
  return v->producer && !v->viewOf && !v->isConstant() && !g.isGraphOutput(v);
}

constexpr int64_t Align = 64;
int64_t alignUp(int64_t x) { return (x + Align - 1) / Align * Align; }

} // namespace

MemoryPlan planMemory(const Graph &g) {
  MemoryPlan plan;
  bool planned = true;
  for (const auto &v : g.values())
    if (needsArena(g, v.get()) && v->offset < 0)
      planned = false;
  if (!planned) {
    // Not through the pipeline: the same planner, the graph left as it is.
    ArenaPlan arena = planArena(g);
    plan.offsets.insert(arena.offsets.begin(), arena.offsets.end());
    plan.bytes = arena.bytes;
    return plan;
  }
  for (const auto &v : g.values())
    if (needsArena(g, v.get()))
      plan.offsets[v.get()] = v->offset;
  plan.bytes = g.workspaceBytes;
  for (auto &[v, off] : plan.offsets)
    plan.bytes = std::max(plan.bytes, off + storageBytes(v->type, v->layout));
  plan.bytes = alignUp(plan.bytes);
  return plan;
}

} // namespace kiln::codegen
