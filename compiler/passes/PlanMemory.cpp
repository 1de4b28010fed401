//===- PlanMemory.cpp - Static workspace arena from value lifetimes -------===//
//
// %v = op(...)   (internal)        ==>  %v @ offset in the arena
// %v = Reshape|Flatten(%x) (plain) ==>  %v viewOf %x, sharing its storage
//
// Every value computed by a node that is neither a graph output (written
// straight into the caller's buffer) nor a view gets a 64-byte aligned range
// of the arena. A value is live from its producer to its last reader, a
// reader of any view of it included; operands appended by fusions (the
// shortcut of a fused Add) are operands, so they stay live until the fusing
// node runs. Ranges of values whose lifetimes overlap are disjoint.
//
// Placement is TFLite's and ONNX Runtime's "greedy by size": the largest
// buffers are placed first, each at the best-fitting gap among the buffers
// already placed that are live at the same time.
//
// A view of a value that is not in the arena (a graph input) has no offset
// either; a graph output is never a view (its producer copies into it).
//
// With PassOptions::keepValues (kiln run --compare), every value lives to
// the end of the graph: nothing shares a range, all can be read after a run.
//
// planArena is kiln's only memory planner: this pass marks the views and
// records its offsets on the graph; the code generator calls it directly for
// a graph that did not go through the pipeline.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/PlanMemory.h"
#include "compiler/passes/Passes.h"

#include <algorithm>
#include <map>
#include <limits>
#include <unordered_map>

namespace kiln {

namespace {

constexpr int64_t Alignment = 64;

int64_t alignUp(int64_t n) { return (n + Alignment - 1) / Alignment * Alignment; }

struct Buffer {
  const Value *value;
  int64_t begin, end; // node indices: producer, last reader
  int64_t bytes;
  int64_t offset = -1;
};

bool isViewOp(const Graph &g, const Node &n) {
  if (n.op != OpKind::Reshape && n.op != OpKind::Flatten)
    return false;
  const Value *in = n.input(0), *out = n.output();
  if (in->isConstant() || g.isGraphOutput(out) || out->layout.kind != Layout::Plain)
    return false;
  if (in->layout.kind == Layout::Plain)
    return true;
  // Blocked [N,C,1,1] with whole blocks is stored exactly as plain.
  return in->type.rank() == 4 && in->type.dims[2] == 1 && in->type.dims[3] == 1 &&
         in->type.dims[1] % in->layout.block == 0;
}

template <typename V> V *rootOf(V *v) {
  while (v->viewOf)
    v = v->viewOf;
  return v;
}

/// Placed buffers, found by lifetime. Short-lived ones are indexed by their
/// first node, so a query scans only a window around its own lifetime; the
/// few long-lived ones are kept apart and always scanned. A chain of 100,000
/// nodes plans in linear time instead of comparing every pair.
class PlacedBuffers {
public:
  void add(const Buffer *b) {
    if (b->end - b->begin > ShortLife)
      long_.push_back(b);
    else
      byBegin_.emplace(b->begin, b);
  }
  /// Every placed buffer live at some node of [begin, end].
  std::vector<const Buffer *> liveDuring(int64_t begin, int64_t end) const {
    std::vector<const Buffer *> live;
    for (const Buffer *p : long_)
      if (p->begin <= end && begin <= p->end)
        live.push_back(p);
    for (auto it = byBegin_.lower_bound(begin - ShortLife);
         it != byBegin_.end() && it->first <= end; ++it)
      if (begin <= it->second->end)
        live.push_back(it->second);
    return live;
  }

private:
  static constexpr int64_t ShortLife = 256; // nodes
  std::vector<const Buffer *> long_;
  std::multimap<int64_t, const Buffer *> byBegin_;
};

/// Best-fit offset for `b` among already placed buffers live at the same time.
int64_t bestFit(const Buffer &b, const PlacedBuffers &placed) {
  std::vector<const Buffer *> live = placed.liveDuring(b.begin, b.end);
  std::sort(live.begin(), live.end(), [](const Buffer *x, const Buffer *y) {
    return x->offset != y->offset ? x->offset < y->offset : x->begin < y->begin;
  });
  int64_t best = -1, bestGap = std::numeric_limits<int64_t>::max();
  int64_t cursor = 0;
  for (const Buffer *p : live) {
    int64_t gap = p->offset - cursor;
    if (gap >= b.bytes && gap < bestGap) {
      best = cursor;
      bestGap = gap;
    }
    cursor = std::max(cursor, p->offset + p->bytes);
  }
  return best >= 0 ? best : cursor;
}

} // namespace

ArenaPlan planArena(const Graph &g, bool keepValues) {
  const auto &nodes = g.nodes();
  std::vector<Buffer> buffers;
  std::unordered_map<const Value *, size_t> bufferOf;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Value *out : nodes[i]->outputs) {
      if (out->viewOf || g.isGraphOutput(out))
        continue;
      bufferOf[out] = buffers.size();
      buffers.push_back({out, int64_t(i), int64_t(i),
                         alignUp(storageBytes(out->type, out->layout))});
    }
    for (const Value *in : nodes[i]->inputs) {
      auto it = bufferOf.find(rootOf(in));
      if (it != bufferOf.end())
        buffers[it->second].end = int64_t(i);
    }
  }

  if (keepValues)
    for (Buffer &b : buffers)
      b.end = int64_t(nodes.size());

  std::vector<Buffer *> bySize;
  for (Buffer &b : buffers)
    bySize.push_back(&b);
  std::stable_sort(bySize.begin(), bySize.end(), [](const Buffer *x, const Buffer *y) {
    if (x->bytes != y->bytes)
      return x->bytes > y->bytes;
    return x->begin < y->begin;
  });
  ArenaPlan plan;
  PlacedBuffers placed;
  for (Buffer *b : bySize) {
    b->offset = bestFit(*b, placed);
    placed.add(b);
    plan.bytes = std::max(plan.bytes, b->offset + b->bytes);
  }
  for (const Buffer &b : buffers)
    plan.offsets[b.value] = b.offset;
  return plan;
}

bool planMemory(Graph &g, const PassOptions &opts) {
  const auto &nodes = g.nodes();
  for (const auto &v : g.values()) {
    v->offset = -1;
    v->viewOf = nullptr;
  }

  // Views first: they decide whose lifetime a reader extends.
  for (const auto &n : nodes)
    if (isViewOp(g, *n))
      n->output()->viewOf = rootOf(n->input(0));

  ArenaPlan plan = planArena(g, opts.keepValues);
  for (const auto &v : g.values())
    if (auto it = plan.offsets.find(v.get()); it != plan.offsets.end())
      v->offset = it->second;
  for (const auto &n : nodes)
    for (Value *out : n->outputs)
      if (out->viewOf)
        out->offset = out->viewOf->offset;
  g.workspaceBytes = plan.bytes;
  return true;
}

} // namespace kiln
