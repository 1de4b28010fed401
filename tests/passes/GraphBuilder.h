//===- GraphBuilder.h - Small graphs for the pass tests ----------*- C++ -*-===//
//
// Builds canonical graphs node by node with result types from shape
// inference, and compares a graph's reference-interpreter outputs before and
// after a rewrite.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_PASSES_GRAPHBUILDER_H
#define KILN_TESTS_PASSES_GRAPHBUILDER_H

#include "compiler/ir/IR.h"
#include "compiler/ir/ShapeInference.h"
#include "compiler/ir/Verifier.h"
#include "compiler/passes/Pipeline.h"
#include "compiler/reference/Reference.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace kiln::test {

/// Deterministic values in [lo, hi) (a linear congruential sequence).
inline std::vector<float> randomData(int64_t n, uint32_t &seed, float lo = -1.0f,
                                     float hi = 1.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float &x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = lo + float(seed >> 8) / float(1 << 24) * (hi - lo);
  }
  return v;
}

inline Attrs convAttrs(int64_t k, int64_t stride = 1, int64_t pad = 0, int64_t group = 1,
                       int64_t dilation = 1) {
  Attrs a;
  a.set("kernel", std::vector<int64_t>{k, k});
  a.set("strides", std::vector<int64_t>{stride, stride});
  a.set("pads", std::vector<int64_t>{pad, pad, pad, pad});
  a.set("dilations", std::vector<int64_t>{dilation, dilation});
  a.set("group", group);
  return a;
}

inline Attrs maxPoolAttrs(int64_t k, int64_t stride, int64_t pad = 0, int64_t ceil = 0) {
  Attrs a;
  a.set("kernel", std::vector<int64_t>{k, k});
  a.set("strides", std::vector<int64_t>{stride, stride});
  a.set("pads", std::vector<int64_t>{pad, pad, pad, pad});
  a.set("dilations", std::vector<int64_t>{1, 1});
  a.set("ceil_mode", ceil);
  return a;
}

inline Attrs avgPoolAttrs(int64_t k, int64_t stride, int64_t pad, int64_t countPad) {
  Attrs a;
  a.set("kernel", std::vector<int64_t>{k, k});
  a.set("strides", std::vector<int64_t>{stride, stride});
  a.set("pads", std::vector<int64_t>{pad, pad, pad, pad});
  a.set("ceil_mode", int64_t(0));
  a.set("count_include_pad", countPad);
  return a;
}

class GraphBuilder {
public:
  explicit GraphBuilder(std::string name = "test", uint32_t seed = 7) : seed_(seed) {
    g_ = std::make_unique<Graph>();
    g_->name = std::move(name);
  }

  Graph &graph() { return *g_; }
  std::unique_ptr<Graph> take() { return std::move(g_); }

  Value *input(const std::string &name, Dims dims) {
    Value *v = g_->addValue(name, {DType::F32, std::move(dims)});
    g_->inputs.push_back(v);
    return v;
  }
  Value *constant(const std::string &name, Dims dims, std::vector<float> data) {
    auto d = std::make_shared<ConstantData>();
    d->f32 = std::move(data);
    return g_->addConstant(name, {DType::F32, std::move(dims)}, std::move(d));
  }
  Value *constantI64(const std::string &name, Dims dims, std::vector<int64_t> data) {
    auto d = std::make_shared<ConstantData>();
    d->i64 = std::move(data);
    return g_->addConstant(name, {DType::I64, std::move(dims)}, std::move(d));
  }
  /// A constant of pseudo-random values in [lo, hi).
  Value *weight(const std::string &name, Dims dims, float lo = -1.0f, float hi = 1.0f) {
    int64_t n = TensorType{DType::F32, dims}.numElements();
    return constant(name, std::move(dims), randomData(n, seed_, lo, hi));
  }
  /// A node whose one result is named `name` and typed by shape inference.
  Value *node(OpKind op, const std::string &name, std::vector<Value *> inputs,
              Attrs attrs = {}) {
    Value *out = g_->addValue(name, {});
    Node *n = g_->addNode(op, name, std::move(inputs), {out}, std::move(attrs));
    llvm::Error err = inferShapes(*n);
    std::string msg = err ? llvm::toString(std::move(err)) : "";
    INFO("shape inference of " << name);
    REQUIRE(msg == "");
    return out;
  }
  Value *conv(const std::string &name, Value *x, int64_t m, int64_t k, int64_t stride = 1,
              int64_t pad = 0, int64_t group = 1, bool bias = true, int64_t dilation = 1) {
    int64_t c = x->type.dims[1];
    std::vector<Value *> ins{x, weight(name + ".w", {m, c / group, k, k}, -0.5f, 0.5f)};
    if (bias)
      ins.push_back(weight(name + ".b", {m}));
    return node(OpKind::Conv, name, ins, convAttrs(k, stride, pad, group, dilation));
  }
  Value *batchNorm(const std::string &name, Value *x) {
    int64_t c = x->type.dims[1];
    Attrs a;
    a.set("epsilon", 1e-5);
    return node(OpKind::BatchNormalization, name,
                {x, weight(name + ".scale", {c}, 0.5f, 1.5f), weight(name + ".bias", {c}),
                 weight(name + ".mean", {c}), weight(name + ".var", {c}, 0.2f, 2.0f)},
                a);
  }
  void output(Value *v) { g_->outputs.push_back(v); }

  /// Pseudo-random inputs for every graph input.
  std::vector<Tensor> randomInputs() {
    std::vector<Tensor> ins;
    for (const Value *v : g_->inputs)
      ins.push_back(Tensor::fromF32(v->type.dims, randomData(v->type.numElements(), seed_)));
    return ins;
  }

private:
  std::unique_ptr<Graph> g_;
  uint32_t seed_;
};

/// The error's text, or "" for success; consumes the error.
inline std::string errorText(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : "";
}

inline std::vector<Tensor> runOrFail(const Graph &g, const std::vector<Tensor> &inputs) {
  auto out = runReference(g, inputs);
  if (!out) {
    FAIL("reference interpreter: " << llvm::toString(out.takeError()));
    return {};
  }
  return std::move(*out);
}

/// Tolerance for rewrites that change float32 rounding (folded weights):
/// each output is a sum of K products, each product's rounding differs by at
/// most one ulp, so |diff| <= K * 2^-23 * max|term| ... bounded here by
/// 2^-16 relative to the output's magnitude (K up to ~100 terms of similar
/// size). Rewrites that only move where an epilogue runs compare exactly.
inline constexpr float FoldedRounding = 1.0f / 65536.0f;

/// Runs `rewrite` on `g` and checks that the verifier accepts the result and
/// that the reference outputs are unchanged (within `tol` relative to the
/// largest output magnitude, 0 for exact).
template <typename Rewrite>
void checkPreserves(Graph &g, const std::vector<Tensor> &inputs, Rewrite rewrite,
                    float tol = 0.0f) {
  REQUIRE(errorText(verifyGraph(g)) == "");
  std::vector<Tensor> before = runOrFail(g, inputs);
  rewrite(g);
  REQUIRE(errorText(verifyGraph(g)) == "");
  std::vector<Tensor> after = runOrFail(g, inputs);
  REQUIRE(before.size() == after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    REQUIRE(before[i].dims() == after[i].dims());
    float scale = 1.0f;
    for (float v : before[i].f32)
      scale = std::max(scale, std::fabs(v));
    for (size_t j = 0; j < before[i].f32.size(); ++j) {
      float a = before[i].f32[j], b = after[i].f32[j];
      if (std::fabs(a - b) > tol * scale) {
        FAIL_CHECK("output " << i << " element " << j << ": before " << a << ", after " << b);
        return;
      }
    }
  }
}

inline size_t countOps(const Graph &g, OpKind op) {
  return size_t(std::count_if(g.nodes().begin(), g.nodes().end(),
                              [&](const auto &n) { return n->op == op; }));
}

inline const Node *findNode(const Graph &g, const std::string &name) {
  for (const auto &n : g.nodes())
    if (n->name == name)
      return n.get();
  return nullptr;
}

} // namespace kiln::test

#endif // KILN_TESTS_PASSES_GRAPHBUILDER_H
