//===- AssignLayout.cpp - Plain or blocked channel layout per value -------===//
//
// %c = Conv(%x) (eligible)            ==>  %c : nchw<b>c
// %y = op(%c) (layout-agnostic, some activation operand blocked)
//                                     ==>  %y : nchw<b>c
// op(%c) needing plain, %c blocked    ==>  %r = kiln.Reorder(%c) : nchw;  op(%r)
// Conv(%p) blocked, %p plain, C >= b  ==>  %r = kiln.Reorder(%p) : nchw<b>c
// %out (graph output) blocked         ==>  producer writes %out.blocked, then
//                                          %out = kiln.Reorder(%out.blocked)
//
// b = PassOptions::vectorLanes, as in oneDNN's and ONNX Runtime's NCHWc. A
// Conv runs blocked unless grouped with (C/group) or (M/group) not a multiple
// of b. Layout-agnostic ops (Blockable in Ops.def) keep their operand's
// layout: pools, activations, ScaleShift, same-shape elementwise ops, Concat
// on channels when every part is a whole number of blocks. Everything else
// (Flatten, Reshape, Gemm, Transpose, LRN, ...) reads plain data, with one exception: a
// blocked [N,C,1,1] value with C % b == 0 is stored exactly as plain, so
// Flatten and Reshape read it without a reorder (they become views).
// A blocked conv reads a plain input directly when C < b (a first layer on
// RGB): its kernel packs the few channels itself. Graph inputs and outputs
// are always plain: that is the API's promise.
//
// Conv weights are packed by the code generator; it derives the packing from
// the layouts of the conv's input and output.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"

#include <map>
#include <unordered_map>

namespace kiln {

namespace {

class LayoutAssigner {
public:
  LayoutAssigner(Graph &g, int lanes) : g_(g), blocked_{Layout::NCHWc, lanes} {}

  bool run();

private:
  bool isActivation4d(const Value *v) const {
    return !v->isConstant() && v->type.rank() == 4 && v->type.dtype == DType::F32;
  }
  bool blockable(const Node &n) const;
  bool isAgnostic(const Node &n) const;
  Layout required(const Node &n, size_t operand) const;
  Value *reordered(Value *v, Layout to, Node *before);
  void exportPlain(Value *out);

  Graph &g_;
  Layout blocked_, plain_;
  std::unordered_map<const Node *, bool> runsBlocked_;
  std::map<std::pair<Value *, Layout::Kind>, Value *> reorders_;
  bool changed_ = false;
};

/// Ops that compute each element from the same element (and channel) of
/// their operands, so blocking changes nothing but addresses.
bool LayoutAssigner::isAgnostic(const Node &n) const {
  if (!isActivation4d(n.output()))
    return false;
  const OpInfo &info = opInfo(n.op);
  if (!info.blockable())
    return false;
  // Per-element ops of one operand.
  if (info.is(OpFamily::Pool) || info.isActivation())
    return isActivation4d(n.input(0));
  // Per-element ops of several: no broadcasting on blocked data.
  if (info.isElementwiseBinary()) {
    for (const Value *in : n.inputs)
      if (!isActivation4d(in) || in->type != n.output()->type)
        return false;
    return true;
  }
  switch (n.op) {
  case OpKind::ScaleShift:
    return isActivation4d(n.input(0)) && n.input(1)->isConstant() &&
           n.input(2)->isConstant();
  case OpKind::Concat:
    if (n.attrs.getInt("axis") != 1)
      return false;
    for (const Value *in : n.inputs)
      if (!isActivation4d(in) || in->type.dims[1] % blocked_.block != 0)
        return false;
    return true;
  default:
    return false;
  }
}

/// Whether `n` runs on blocked data, given its operands' layouts.
bool LayoutAssigner::blockable(const Node &n) const {
  if (n.op == OpKind::Conv)
    return convRunsBlocked(n, blocked_.block);
  if (!isAgnostic(n))
    return false;
  for (const Value *in : n.inputs)
    if (!in->isConstant() && in->layout == blocked_)
      return true;
  return false;
}

/// The layout `n` needs operand `i` in.
Layout LayoutAssigner::required(const Node &n, size_t i) const {
  const Value *in = n.input(i);
  bool isBlocked = runsBlocked_.at(&n);
  switch (n.op) {
  case OpKind::Conv:
    if (!isBlocked)
      return plain_;
    if (i == 0)
      return in->layout == plain_ && in->type.dims[1] < blocked_.block ? plain_
                                                                       : blocked_;
    return i >= 3 ? blocked_ : plain_; // weights, bias | fused add operand
  case OpKind::Flatten:
  case OpKind::Reshape:
    // Blocked [N,C,1,1] with whole blocks is byte-for-byte plain.
    if (in->layout == blocked_ && in->type.dims[2] == 1 && in->type.dims[3] == 1 &&
        in->type.dims[1] % blocked_.block == 0)
      return blocked_;
    return plain_;
  default:
    if (!isBlocked || (n.op == OpKind::ScaleShift && i > 0))
      return plain_;
    return blocked_;
  }
}

/// `v` in layout `to`: a Reorder inserted before `before`, shared by every
/// reader that needs the same.
Value *LayoutAssigner::reordered(Value *v, Layout to, Node *before) {
  Value *&r = reorders_[{v, to.kind}];
  if (r)
    return r;
  r = g_.addValue(g_.uniqueValueName(v->name + "." + to.str()), v->type);
  r->layout = to;
  g_.insertNodeBefore(before, OpKind::Reorder, r->name, {v}, {r});
  changed_ = true;
  return r;
}

/// A blocked graph output: its producer writes a blocked copy, a Reorder
/// writes the caller's buffer.
void LayoutAssigner::exportPlain(Value *out) {
  Node *p = out->producer;
  Value *inner = g_.addValue(g_.uniqueValueName(out->name + "." + blocked_.str()),
                             out->type);
  inner->layout = blocked_;
  for (Value *&o : p->outputs)
    if (o == out)
      o = inner;
  inner->producer = p;
  out->producer = nullptr;
  out->layout = plain_;
  for (const auto &n : g_.nodes())
    for (Value *&in : n->inputs)
      if (in == out)
        in = inner;
  size_t next = nodeIndex(g_, p) + 1;
  if (next < g_.nodes().size())
    g_.insertNodeBefore(g_.nodes()[next].get(), OpKind::Reorder, out->name, {inner},
                        {out});
  else
    g_.addNode(OpKind::Reorder, out->name, {inner}, {out});
  reorders_[{inner, Layout::Plain}] = out;
  runsBlocked_[out->producer] = false;
  changed_ = true;
}

bool LayoutAssigner::run() {
  // Decide in topological order: operands' layouts are known first.
  std::unordered_map<const Value *, Layout> before;
  for (const auto &v : g_.values()) {
    before[v.get()] = v->layout;
    v->layout = plain_;
  }
  for (const auto &n : g_.nodes()) {
    if (n->op == OpKind::Reorder) {
      // From an earlier run: its result keeps the layout it converts to.
      runsBlocked_[n.get()] = false;
      n->output()->layout = before[n->output()];
      continue;
    }
    bool b = blockable(*n);
    runsBlocked_[n.get()] = b;
    for (Value *out : n->outputs)
      out->layout = b ? blocked_ : plain_;
  }

  std::vector<Value *> exported;
  for (Value *out : g_.outputs)
    if (out->layout == blocked_ && out->producer)
      exported.push_back(out);
  for (Value *out : exported)
    exportPlain(out);

  std::vector<Node *> order;
  for (const auto &n : g_.nodes())
    order.push_back(n.get());
  for (Node *n : order) {
    if (n->op == OpKind::Reorder)
      continue;
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      Value *in = n->inputs[i];
      if (in->isConstant())
        continue;
      Layout want = required(*n, i);
      if (in->layout == want)
        continue;
      n->inputs[i] = reordered(in, want, n);
    }
  }

  for (const auto &v : g_.values()) {
    auto it = before.find(v.get());
    if (it == before.end() || !(it->second == v->layout))
      changed_ = true;
  }
  return changed_;
}

} // namespace

bool assignLayout(Graph &g, const PassOptions &opts) {
  if (opts.vectorLanes <= 1)
    return false;
  return LayoutAssigner(g, opts.vectorLanes).run();
}

} // namespace kiln
