//===- Compare.cpp - Compiled code against the reference, layer by layer --===//

#include "compiler/driver/Compare.h"

#include "compiler/driver/Driver.h"
#include "compiler/driver/Execute.h"
#include "compiler/ir/Diagnostics.h"
#include "compiler/reference/Reference.h"

#include <kiln/runtime.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace kiln::driver {

namespace {

llvm::Error error(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", message.c_str());
}

size_t indexOf(const std::vector<Value *> &vs, const Value *v) {
  return size_t(std::find(vs.begin(), vs.end(), v) - vs.begin());
}

/// "Conv+Relu+Add": the op and what is fused into it, in order.
std::string opLabel(const Node &n) {
  std::string s = opName(n.op);
  for (const Fusion &f : n.fused)
    s += fmt::format("+{}", opName(f.op));
  return s;
}

/// `t`'s elements under `type` (a view: same elements, other dims).
Tensor retyped(Tensor t, const TensorType &type) {
  t.type = type;
  return t;
}

/// NCHW<b>c storage ([N][ceil(C/b)][H][W][b], f32) as a logical NCHW tensor.
Tensor fromBlocked(const TensorType &type, int64_t block, const char *bytes) {
  const Dims &d = type.dims;
  const int64_t N = d[0], C = d[1], S = d[2] * d[3], CB = (C + block - 1) / block;
  const auto *src = reinterpret_cast<const float *>(bytes);
  Tensor t = Tensor::zeros(type);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t s = 0; s < S; ++s)
        t.f32[size_t((n * C + c) * S + s)] =
            src[((n * CB + c / block) * S + s) * block + c % block];
  return t;
}

/// What the compiled code left for `v`: in an output buffer, the workspace
/// (at its root's offset, for a view) or, for a view of a graph input, the
/// input itself.
llvm::Expected<Tensor> compiledValue(const Graph &g, const Value *v,
                                     const std::vector<Tensor> &inputs,
                                     const std::vector<Tensor> &outputs, const char *workspace) {
  const Value *root = v;
  while (root->viewOf)
    root = root->viewOf;
  if (size_t i = indexOf(g.outputs, root); i < g.outputs.size())
    return retyped(outputs[i], v->type);
  if (root->isConstant())
    return retyped(ref::constantTensor(*root), v->type);
  if (!root->producer) {
    size_t i = indexOf(g.inputs, root);
    if (i == g.inputs.size())
      return error(fmt::format("value '{}' has no storage", displayName(v->name)));
    return retyped(inputs[i], v->type);
  }
  if (root->offset < 0)
    return error(fmt::format("value '{}' has no workspace offset", displayName(v->name)));
  const char *at = workspace + root->offset;
  if (v->layout.kind == Layout::NCHWc) {
    if (v->type.dtype != DType::F32 || v->type.rank() != 4)
      return error(fmt::format("value '{}' is blocked but not f32 4-D", displayName(v->name)));
    return fromBlocked(v->type, v->layout.block, at);
  }
  return tensorFromBytes(v->type, at);
}

void measure(LayerComparison &c) {
  const int64_t n = c.reference.numElements();
  for (int64_t i = 0; i < n; ++i) {
    const double r = c.reference.at(i), x = c.compiled.at(i);
    if (std::isnan(r) && std::isnan(x))
      continue;
    const double err = std::isnan(r) || std::isnan(x) ? INFINITY : std::fabs(x - r);
    c.maxAbsError = std::max(c.maxAbsError, err);
    if (!std::isnan(r))
      c.maxAbsReference = std::max(c.maxAbsReference, std::fabs(r));
  }
}

/// Scales the first f32 constant operand of the node named `name` by 1.01;
/// returns the value and its true data, to put back once compiled.
llvm::Expected<std::pair<Value *, std::shared_ptr<const ConstantData>>>
perturb(Graph &g, const std::string &name) {
  for (const auto &n : g.nodes()) {
    if (n->name != name)
      continue;
    for (Value *in : n->inputs)
      if (in && in->isConstant() && in->type.dtype == DType::F32 && !in->constant->f32.empty()) {
        auto scaled = std::make_shared<ConstantData>(*in->constant);
        for (float &x : scaled->f32)
          x *= 1.01f;
        auto original = std::move(in->constant);
        in->constant = std::move(scaled);
        return std::make_pair(in, std::move(original));
      }
    return error(fmt::format("node '{}' has no f32 constant operand to perturb",
                             displayName(name)));
  }
  return error(fmt::format("no node '{}' in the optimized graph", displayName(name)));
}

} // namespace

llvm::Expected<std::vector<LayerComparison>> compareLayers(Graph &g,
                                                           const std::vector<Tensor> &inputs,
                                                           const CompareOptions &opts) {
  CompileOptions co = opts.compile;
  co.keepValues = true;
  auto target = resolveTarget(co);
  if (!target)
    return target.takeError();
  if (auto e = optimize(g, co, *target))
    return e;

  // Compile (with the perturbed weights, if asked), then put the true ones
  // back for the reference: the compiled model holds what it was given.
  std::pair<Value *, std::shared_ptr<const ConstantData>> perturbed;
  if (!opts.perturbNode.empty()) {
    auto p = perturb(g, opts.perturbNode);
    if (!p)
      return p.takeError();
    perturbed = std::move(*p);
  }
  auto cm = jitModel(g, co, *target);
  if (perturbed.first)
    perturbed.first->constant = std::move(perturbed.second);
  if (!cm)
    return cm.takeError();

  if ((*cm)->inputs().size() != inputs.size())
    return error(fmt::format("the compiled model takes {} inputs, {} given",
                             (*cm)->inputs().size(), inputs.size()));
  static int64_t emptyTensor; // generated code refuses null buffers
  std::vector<std::vector<char>> inBytes, outBytes;
  std::vector<const void *> in;
  std::vector<void *> out;
  for (const Tensor &t : inputs) {
    inBytes.push_back(tensorBytes(t));
    in.push_back(inBytes.back().empty() ? static_cast<const void *>(&emptyTensor)
                                        : inBytes.back().data());
  }
  for (const codegen::TensorInfo &o : (*cm)->outputs()) {
    outBytes.emplace_back(size_t(TensorType{o.dtype, o.dims}.numBytes()));
    out.push_back(outBytes.back().empty() ? static_cast<void *>(&emptyTensor)
                                          : outBytes.back().data());
  }
  std::unique_ptr<void, void (*)(void *)> workspace(
      kiln_workspace_alloc(std::max<size_t>((*cm)->workspaceSize(), 64)), kiln_workspace_free);
  if (!workspace)
    return error("cannot allocate the workspace");
  std::unique_ptr<kiln_pool, void (*)(kiln_pool *)> pool(
      opts.threads > 1 ? kiln_pool_create(int(opts.threads)) : nullptr, kiln_pool_destroy);
  if (kiln_status st = (*cm)->run(in.data(), out.data(), workspace.get(), pool.get());
      st != KILN_OK)
    return error(fmt::format("compiled model failed: {}", kiln_status_string(st)));
  std::vector<Tensor> outputs;
  for (size_t i = 0; i < out.size(); ++i) {
    const codegen::TensorInfo &o = (*cm)->outputs()[i];
    outputs.push_back(tensorFromBytes(TensorType{o.dtype, o.dims}, outBytes[i].data()));
  }

  // The reference on the same graph, every node's outputs kept.
  std::vector<Value *> all;
  for (const auto &n : g.nodes())
    for (Value *v : n->outputs)
      all.push_back(v);
  std::vector<Value *> graphOutputs = std::exchange(g.outputs, all);
  auto reference = runReference(g, inputs, opts.threads);
  g.outputs = std::move(graphOutputs);
  if (!reference)
    return reference.takeError();

  std::vector<LayerComparison> layers;
  size_t k = 0;
  for (const auto &n : g.nodes())
    for (const Value *v : n->outputs) {
      LayerComparison c;
      c.node = n->name;
      c.op = opLabel(*n);
      c.value = v->name;
      c.reference = std::move((*reference)[k++]);
      auto compiled = compiledValue(g, v, inputs, outputs,
                                    static_cast<const char *>(workspace.get()));
      if (!compiled)
        return compiled.takeError();
      c.compiled = std::move(*compiled);
      measure(c);
      layers.push_back(std::move(c));
    }
  return layers;
}

} // namespace kiln::driver
