//===- MemoryPlan.cpp - Workspace offsets of intermediate values ----------===//
//
// compiler/passes' plan-memory decides the arena normally. A graph that did
// not go through the pipeline (tests, `kiln run --no-opt`) gets a first-fit
// plan here so that every graph can be compiled.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"

#include <algorithm>
#include <set>

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
  if (planned) {
    for (const auto &v : g.values())
      if (needsArena(g, v.get()))
        plan.offsets[v.get()] = v->offset;
    plan.bytes = g.workspaceBytes;
    for (auto &[v, off] : plan.offsets)
      plan.bytes = std::max(plan.bytes, off + storageBytes(v->type, v->layout));
    plan.bytes = alignUp(plan.bytes);
    return plan;
  }

  // Lifetimes in node indices: [producer, last reader of the value or of any
  // view of it].
  const auto &nodes = g.nodes();
  std::map<const Value *, size_t> first, last;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Value *out : nodes[i]->outputs)
      if (needsArena(g, out))
        first[out] = last[out] = i;
    for (const Value *in : nodes[i]->inputs) {
      const Value *root = storageRoot(in);
      if (last.count(root))
        last[root] = i;
    }
  }
  // First fit in order of production; blocks freed after their last use.
  struct Block {
    int64_t off, size;
    size_t end;
  };
  std::vector<Block> live;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Value *out : nodes[i]->outputs) {
      if (!first.count(out))
        continue;
      // A value may not reuse memory of an input of its own producer.
      std::erase_if(live, [&](const Block &b) { return b.end < i; });
      std::sort(live.begin(), live.end(),
                [](const Block &a, const Block &b) { return a.off < b.off; });
      int64_t size = alignUp(std::max<int64_t>(storageBytes(out->type, out->layout), 1));
      int64_t off = 0;
      for (const Block &b : live) {
        if (off + size <= b.off)
          break;
        off = std::max(off, b.off + b.size);
      }
      live.push_back({off, size, last[out]});
      plan.offsets[out] = off;
      plan.bytes = std::max(plan.bytes, off + size);
    }
  }
  return plan;
}

} // namespace kiln::codegen
