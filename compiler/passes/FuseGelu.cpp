//===- FuseGelu.cpp - Recognise the exported erf form of GELU -------------===//
//
// %d = Div(%x, sqrt(2))  (or Mul(%x, 1/sqrt(2)))
// %e = Erf(%d)
// %a = Add(%e, 1)                        (operands in either order)
// %m = Mul(%x, %a); %y = Mul(%m, 0.5)    (torch 1.13's nn.GELU export)
//   or %h = Mul(%x, 0.5); %y = Mul(%h, %a)
//     ==>  %y = Gelu(%x)
//
// One activation instead of five elementwise passes over the tensor, and it
// fuses into the Gemm/MatMul/Conv before it. The constants must be scalars
// within float rounding of the exact ones, every intermediate must be read
// once, and nothing may broadcast %x.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/PassUtils.h"
#include "compiler/passes/Passes.h"

#include <cmath>

namespace kiln {

namespace {

/// v is an f32 scalar constant (any rank, one element) equal to `want` to
/// float precision.
bool isScalar(const Value *v, double want) {
  if (!v || !v->isConstant() || v->type.dtype != DType::F32 ||
      v->type.numElements() != 1 || v->constant->f32.size() != 1)
    return false;
  return std::fabs(v->constant->f32[0] - want) <= 1e-6 * std::fabs(want);
}

/// `n` is the binary `op` of `a` and a scalar constant `c`, in either order
/// (Div only as a / c).
bool isOpWithScalar(const Node *n, OpKind op, const Value *a, double c) {
  if (!n || n->op != op || !n->fused.empty() || n->inputs.size() != 2)
    return false;
  if (n->input(0) == a && isScalar(n->input(1), c))
    return true;
  return op != OpKind::Div && n->input(1) == a && isScalar(n->input(0), c);
}

/// The other operand of binary `n` than `v` (null if `n` does not read `v`).
Value *otherOperand(const Node *n, const Value *v) {
  if (n->input(0) == v)
    return n->input(1);
  return n->input(1) == v ? n->input(0) : nullptr;
}

/// Rewrites the pattern rooted at `erf` into Gelu; false if it does not match.
bool rewriteGelu(Graph &g, Node *erf) {
  Node *scale = erf->input(0)->producer;
  if (!scale || scale->outputs.size() != 1 || soleUser(g, scale->output()) != erf)
    return false;
  // x / sqrt(2), x * (1 / sqrt(2)) or (1 / sqrt(2)) * x
  const double sqrt2 = 1.41421356237309505, rsqrt2 = 0.70710678118654752;
  Value *x = nullptr;
  for (Value *cand : {scale->input(0), scale->input(1)})
    if (isOpWithScalar(scale, OpKind::Div, cand, sqrt2) ||
        isOpWithScalar(scale, OpKind::Mul, cand, rsqrt2))
      x = cand;
  if (!x)
    return false;
  Node *add = soleUser(g, erf->output());
  if (!isOpWithScalar(add, OpKind::Add, erf->output(), 1.0))
    return false;
  Value *a = add->output();
  Node *mulA = soleUser(g, a);
  if (!mulA || mulA->op != OpKind::Mul || !mulA->fused.empty())
    return false;
  Value *withA = otherOperand(mulA, a);
  Node *last = nullptr, *half = nullptr;
  if (withA == x) { // (x * a) * 0.5
    last = soleUser(g, mulA->output());
    if (!isOpWithScalar(last, OpKind::Mul, mulA->output(), 0.5))
      return false;
  } else { // (x * 0.5) * a
    half = withA ? withA->producer : nullptr;
    if (!half || soleUser(g, withA) != mulA || !isOpWithScalar(half, OpKind::Mul, x, 0.5))
      return false;
    last = mulA;
  }
  if (last->output()->type != x->type || x->type.dtype != DType::F32)
    return false;
  // The last Mul becomes Gelu(x); the rest lose their readers, last first.
  last->op = OpKind::Gelu;
  last->inputs = {x};
  last->attrs = Attrs();
  for (Node *dead : {last == mulA ? half : mulA, add, erf, scale})
    eraseNode(g, dead);
  return true;
}

} // namespace

bool fuseGelu(Graph &g, const PassOptions &) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node *n = g.nodes()[i].get();
    if (n->op != OpKind::Erf || !n->fused.empty() || !rewriteGelu(g, n))
      continue;
    changed = true;
    // At most two erased nodes (the scaling and x * 0.5) preceded the Erf.
    i = i >= 3 ? i - 3 : size_t(-1);
  }
  return changed;
}

} // namespace kiln
