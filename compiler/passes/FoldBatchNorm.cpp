//===- FoldBatchNorm.cpp - Fold inference BatchNormalization away ---------===//
//
// With s = scale / sqrt(var + eps) and t = B - mean * s per channel:
//
// %c = Conv(%x, @w, @b?); %y = BN(%c, ...)    (%c read only by the BN)
//     ==>  %c = Conv(%x, @w * s[m], @b * s + t)
// %y = BN(%x, ...); Conv(%y, @w, @b?) ...     (every reader a Conv with zero
//                                              pads reading %y as its input)
//     ==>  Conv(%x, @w * s[c], @b + sum_{c,k} @w * t[c])
// %y = BN(%x, ...)  (otherwise)
//     ==>  %y = kiln.ScaleShift(%x, @s, @t)
//
// Folding into a following conv is exact only without padding: the shift t
// would otherwise also be added where the conv reads padded zeros.
// s and t are computed in double and rounded once.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Passes.h"
#include "compiler/passes/PassUtils.h"

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

struct Affine {
  std::vector<double> scale, shift;
};

/// Per-channel scale and shift of a BN whose parameters are constants.
std::optional<Affine> bnAffine(const Node &bn) {
  for (size_t i = 1; i < 5; ++i) {
    const Value *p = bn.input(i);
    if (!p->isConstant() || p->type.dtype != DType::F32)
      return std::nullopt;
  }
  double eps = bn.attrs.getFloat("epsilon");
  const float *gamma = bn.input(1)->f32(), *beta = bn.input(2)->f32();
  const float *mean = bn.input(3)->f32(), *var = bn.input(4)->f32();
  int64_t c = bn.input(1)->type.numElements();
  Affine a;
  a.scale.resize(size_t(c));
  a.shift.resize(size_t(c));
  for (int64_t i = 0; i < c; ++i) {
    double s = double(gamma[i]) / std::sqrt(double(var[i]) + eps);
    a.scale[i] = s;
    a.shift[i] = double(beta[i]) - double(mean[i]) * s;
  }
  return a;
}

/// A Conv whose weights and bias (if any) are f32 constants.
bool hasConstantParams(const Node &conv) {
  if (conv.op != OpKind::Conv || !conv.fused.empty())
    return false;
  for (size_t i = 1; i < conv.inputs.size(); ++i)
    if (!conv.input(i)->isConstant() || conv.input(i)->type.dtype != DType::F32)
      return false;
  return true;
}

std::vector<double> biasOf(const Node &conv, int64_t m) {
  std::vector<double> b(size_t(m), 0.0);
  if (const Value *bias = conv.input(2))
    for (int64_t i = 0; i < m; ++i)
      b[i] = bias->f32()[i];
  return b;
}

void setConvParams(Graph &g, Node &conv, std::vector<float> w,
                   const std::vector<double> &b) {
  const Value *oldW = conv.input(1);
  conv.inputs[1] = addF32Constant(g, oldW->name + ".bn", oldW->type.dims, std::move(w));
  std::vector<float> bf(b.begin(), b.end());
  std::string bname = conv.input(2) ? conv.input(2)->name + ".bn" : conv.name + ".bias";
  Value *bias = addF32Constant(g, bname, {int64_t(b.size())}, std::move(bf));
  if (conv.inputs.size() > 2)
    conv.inputs[2] = bias;
  else
    conv.inputs.push_back(bias);
}

/// conv -> BN  ==>  conv with scaled weights and shifted bias.
bool foldIntoProducer(Graph &g, Node *bn, const Affine &a) {
  Node *conv = bn->input(0)->producer;
  if (!conv || !hasConstantParams(*conv) || soleUser(g, conv->output()) != bn)
    return false;
  const Value *w = conv->input(1);
  int64_t m = w->type.dims[0], perOut = w->type.numElements() / m;
  std::vector<float> nw(size_t(w->type.numElements()));
  for (int64_t o = 0; o < m; ++o)
    for (int64_t k = 0; k < perOut; ++k)
      nw[o * perOut + k] = float(double(w->f32()[o * perOut + k]) * a.scale[o]);
  std::vector<double> b = biasOf(*conv, m);
  for (int64_t o = 0; o < m; ++o)
    b[o] = b[o] * a.scale[o] + a.shift[o];
  setConvParams(g, *conv, std::move(nw), b);
  absorbConsumer(g, conv, bn);
  return true;
}

bool zeroPads(const Node &conv) {
  return convAttrs(conv).window.zeroPads();
}

/// BN -> conv(s)  ==>  conv(s) reading the BN's input, when exact.
bool foldIntoReaders(Graph &g, Node *bn, const Affine &a) {
  Value *y = bn->output();
  if (g.isGraphOutput(y))
    return false;
  std::vector<Node *> readers = g.users(y);
  if (readers.empty())
    return false;
  for (Node *r : readers) {
    if (!hasConstantParams(*r) || !zeroPads(*r) || r->input(0) != y ||
        std::count(r->inputs.begin(), r->inputs.end(), y) != 1)
      return false;
  }
  for (Node *conv : readers) {
    const Value *w = conv->input(1);
    int64_t m = w->type.dims[0], cg = w->type.dims[1];
    int64_t k = w->type.dims[2] * w->type.dims[3];
    int64_t groups = convAttrs(*conv).group;
    int64_t mg = m / groups;
    std::vector<float> nw(size_t(w->type.numElements()));
    std::vector<double> b = biasOf(*conv, m);
    for (int64_t o = 0; o < m; ++o) {
      int64_t firstChannel = o / mg * cg; // input channels of o's group
      double extra = 0;
      for (int64_t c = 0; c < cg; ++c) {
        double s = a.scale[firstChannel + c], t = a.shift[firstChannel + c];
        for (int64_t i = 0; i < k; ++i) {
          double wv = w->f32()[(o * cg + c) * k + i];
          nw[(o * cg + c) * k + i] = float(wv * s);
          extra += wv * t;
        }
      }
      b[o] += extra;
    }
    setConvParams(g, *conv, std::move(nw), b);
  }
  g.replaceAllUsesWith(y, bn->input(0));
  eraseNode(g, bn);
  return true;
}

/// BN  ==>  kiln.ScaleShift
void toScaleShift(Graph &g, Node *bn, const Affine &a) {
  int64_t c = int64_t(a.scale.size());
  Value *s = addF32Constant(g, bn->name + ".scale", {c},
                            std::vector<float>(a.scale.begin(), a.scale.end()));
  Value *t = addF32Constant(g, bn->name + ".shift", {c},
                            std::vector<float>(a.shift.begin(), a.shift.end()));
  bn->op = OpKind::ScaleShift;
  bn->inputs = {bn->input(0), s, t};
  bn->attrs = Attrs();
  g.removeUnusedValues();
}

} // namespace

bool foldBatchNorm(Graph &g, const PassOptions &) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes().size();) {
    Node *bn = g.nodes()[i].get();
    std::optional<Affine> a;
    if (bn->op != OpKind::BatchNormalization || !bn->fused.empty() ||
        !(a = bnAffine(*bn))) {
      ++i;
      continue;
    }
    changed = true;
    // Each rewrite removes the BN (index i now holds the next node) or
    // turns it into a ScaleShift (move past it).
    if (foldIntoProducer(g, bn, *a) || foldIntoReaders(g, bn, *a))
      continue;
    toScaleShift(g, bn, *a);
    ++i;
  }
  return changed;
}

} // namespace kiln
