//===- PlanMemory.h - The workspace arena of a graph ------------*- C++ -*-===//
//
// kiln's one memory planner. The plan-memory pass (PlanMemory.cpp) runs it
// and records the result on the graph; the code generator runs it for a
// graph that did not go through the pipeline (tests), without changing it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PLANMEMORY_H
#define KILN_PASSES_PLANMEMORY_H

#include "compiler/ir/IR.h"

#include <cstdint>
#include <unordered_map>

namespace kiln {

/// Arena offsets, 64-byte aligned.
struct ArenaPlan {
  /// Every value computed by a node that is neither a graph output nor a
  /// view (Value::viewOf), by its offset.
  std::unordered_map<const Value *, int64_t> offsets;
  int64_t bytes = 0;
};

/// Plans `g`'s arena from value lifetimes, taking the views already marked
/// (Value::viewOf) as sharing their root's storage: greedy by size, each
/// buffer at the best-fitting gap among those live at the same time. With
/// `keepValues`, every value lives to the end: no range is reused.
ArenaPlan planArena(const Graph &g, bool keepValues = false);

} // namespace kiln

#endif // KILN_PASSES_PLANMEMORY_H
