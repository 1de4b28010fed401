//===- Lowering.cpp - Graph to kernel calls: buffers and dispatch ---------===//

#include "compiler/codegen/LowerImpl.h"
#include "compiler/ir/Cost.h"
#include "compiler/ir/OpDispatch.h"

#include <kiln/runtime.h>

#include <cstring>

#include <fmt/format.h>
#include <unordered_map>

namespace kiln::codegen {

// The kernels' element type codes are the C ABI's.
#define KILN_SAME_CODE(T) (int64_t(KILN_DT_##T) == int64_t(KILN_DTYPE_##T))
static_assert(KILN_SAME_CODE(F32) && KILN_SAME_CODE(I64) && KILN_SAME_CODE(BOOL) &&
              KILN_SAME_CODE(I32) && KILN_SAME_CODE(I8) && KILN_SAME_CODE(U8) &&
              KILN_SAME_CODE(F16));
#undef KILN_SAME_CODE

int64_t kernelDtype(DType t) {
  switch (t) {
  case DType::F32: return KILN_DT_F32;
  case DType::I64: return KILN_DT_I64;
  case DType::Bool: return KILN_DT_BOOL;
  case DType::I32: return KILN_DT_I32;
  case DType::I8: return KILN_DT_I8;
  case DType::U8: return KILN_DT_U8;
  case DType::F16: return KILN_DT_F16;
  case DType::F64: break;
  }
  return -1;
}

LowerContext::LowerContext(const Graph &g, const LoweringOptions &opts,
                           ModelPlan &plan, MemoryPlan mem)
    : g_(g), opts_(opts), plan_(plan), mem_(std::move(mem)) {}

int64_t LowerContext::outputIndex(const Value *v) const {
  for (size_t i = 0; i < g_.outputs.size(); ++i)
    if (g_.outputs[i] == v)
      return int64_t(i);
  return -1;
}

BufferRef LowerContext::buffer(const Value *v) {
  const Value *root = storageRoot(v);
  if (root->isConstant()) {
    auto it = weightOf_.find(root);
    if (it != weightOf_.end())
      return BufferRef::weight(it->second);
    Weight w;
    w.source = root->constant;
    if (root->type.dtype == DType::Bool) {
      // Held widened in the graph; one byte per element at run time.
      std::vector<char> bytes(root->constant->i64.size());
      for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = char(root->constant->i64[i] != 0);
      w.source.reset();
      w.owned = std::move(bytes);
      w.data = w.owned.data();
      w.bytes = w.owned.size();
    } else if (DType t = root->type.dtype; t == DType::I32 || t == DType::I8 ||
                                           t == DType::U8) {
      // Held widened in the graph; its own width at run time.
      const std::vector<int64_t> &v = root->constant->i64;
      size_t width = dtypeSize(t);
      std::vector<char> bytes(v.size() * width);
      for (size_t i = 0; i < v.size(); ++i) {
        if (t == DType::I32) {
          int32_t e = int32_t(v[i]);
          std::memcpy(&bytes[i * 4], &e, 4);
        } else {
          bytes[i] = char(uint8_t(v[i]));
        }
      }
      w.source.reset();
      w.owned = std::move(bytes);
      w.data = w.owned.data();
      w.bytes = w.owned.size();
    } else if (root->type.dtype == DType::I64) {
      w.data = reinterpret_cast<const char *>(root->constant->i64.data());
      w.bytes = root->constant->i64.size() * sizeof(int64_t);
    } else {
      w.data = reinterpret_cast<const char *>(root->constant->f32.data());
      w.bytes = root->constant->f32.size() * sizeof(float);
    }
    plan_.weights.push_back(std::move(w));
    int64_t idx = int64_t(plan_.weights.size()) - 1;
    weightOf_[root] = idx;
    return BufferRef::weight(idx);
  }
  for (size_t i = 0; i < g_.inputs.size(); ++i)
    if (g_.inputs[i] == root)
      return BufferRef::input(int64_t(i));
  if (int64_t o = outputIndex(root); o >= 0)
    return BufferRef::output(o);
  auto it = mem_.offsets.find(root);
  assert(it != mem_.offsets.end() && "value without storage");
  return BufferRef::workspace(it->second);
}

BufferRef LowerContext::addWeight(std::vector<char> data) {
  Weight w;
  w.owned = std::move(data);
  w.data = w.owned.data();
  w.bytes = w.owned.size();
  plan_.weights.push_back(std::move(w));
  return BufferRef::weight(int64_t(plan_.weights.size()) - 1);
}

BufferRef LowerContext::addWeight(size_t bytes,
                                  std::function<void(char *)> pack) {
  Weight w;
  w.bytes = bytes;
  w.pack = std::move(pack);
  plan_.weights.push_back(std::move(w));
  return BufferRef::weight(int64_t(plan_.weights.size()) - 1);
}

BufferRef LowerContext::addWeight(const std::vector<float> &data) {
  std::vector<char> bytes(data.size() * sizeof(float));
  std::memcpy(bytes.data(), data.data(), bytes.size());
  return addWeight(std::move(bytes));
}

Layer &LowerContext::addLayer(const Node *n, Kernel kernel, KernelAbi abi) {
  Layer l;
  l.kernel = kernelName(kernel);
  l.abi = abi;
  l.node = n;
  plan_.layers.push_back(std::move(l));
  return plan_.layers.back();
}

void addCopyLayer(LowerContext &cx, const Node *n, BufferRef src, BufferRef dst,
                  int64_t elements) {
  if (elements == 0)
    return; // an empty tensor: nothing to copy
  KilnGenCopyParams p{};
  p.rows = 1;
  p.cols = elements;
  p.src_stride = p.dst_stride = elements;
  p.chunk = FlatChunkElements;
  Layer l;
  l.kernel = kernelName(Kernel::GenCopy);
  l.node = n;
  l.setParams(p);
  l.buffers = {dst, src};
  l.workItems = kiln_gen_copy_work_items(&p);
  cx.addLayer(n, Kernel::GenCopy) = std::move(l);
}

void addCopyBytesLayer(LowerContext &cx, const Node *n, BufferRef src, BufferRef dst,
                       int64_t bytes) {
  if (bytes % int64_t(sizeof(float)) == 0)
    return addCopyLayer(cx, n, src, dst, bytes / int64_t(sizeof(float)));
  KilnGenCopyParams p{};
  p.rows = 1;
  p.cols = bytes;
  p.src_stride = p.dst_stride = bytes;
  p.chunk = FlatChunkBytes;
  Layer &l = cx.addLayer(n, Kernel::GenCopyBytes);
  l.setParams(p);
  l.buffers = {dst, src};
  l.workItems = kiln_gen_copy_work_items(&p);
}

LowerFn loweringFor(OpKind op) {
  static const auto ByOp =
      indexByOp({spatialLowerings(), poolIndicesLowerings(), denseLowerings(),
                 elementwiseLowerings(), dataMovementLowerings(),
                 reductionLowerings(), movementLowerings(),
                 quantizeLowerings()},
                &OpLowering::lower);
  if (LowerFn f = ByOp[size_t(op)])
    return f;
  // Families with one lowering each, parameterised by the op.
  const OpInfo &info = opInfo(op);
  if (info.isElementwiseBinary())
    return lowerElementwise;
  if (info.isActivation() || info.sameBytes())
    return lowerUnary;
  return nullptr;
}

bool hasLowering(OpKind op) { return loweringFor(op) != nullptr; }

namespace {

llvm::Error lowerNode(LowerContext &cx, const Node &n) {
  // Views share their input's storage: nothing to run.
  if (n.outputs.size() == 1 && n.output()->viewOf)
    return llvm::Error::success();
  if (LowerFn lower = loweringFor(n.op))
    return lower(cx, n);
  return nodeError(n, "op not supported by the code generator");
}

} // namespace

llvm::Expected<ModelPlan> lowerGraph(const Graph &g, const LoweringOptions &opts) {
  ModelPlan plan;
  // Every element type but f64 crosses the boundary in its own width; the
  // lowering of each op says what it computes on.
  for (const Value *v : g.inputs) {
    if (!compiledBoundaryType(v->type.dtype))
      return inputError(fmt::format("graph input '{}' has type {}: compiled "
                                    "models take no {} tensors",
                                    displayName(v->name), v->type.str(),
                                    dtypeName(v->type.dtype)));
    plan.inputs.push_back({v->name, v->type.dims, v->type.dtype});
  }
  for (const Value *v : g.outputs) {
    DType t = v->type.dtype;
    if (!compiledBoundaryType(t))
      return inputError(fmt::format("graph output '{}' has type {}: compiled "
                                    "models produce no {} tensors",
                                    displayName(v->name), v->type.str(), dtypeName(t)));
    if (v->layout.kind != Layout::Plain)
      return inputError(fmt::format("graph output '{}' has a blocked layout",
                                    displayName(v->name)));
    plan.outputs.push_back({v->name, v->type.dims, t});
  }
  MemoryPlan mem = planMemory(g);
  plan.workspaceBytes = mem.bytes;
  LowerContext cx(g, opts, plan, std::move(mem));

  // Collect every node that cannot be compiled before failing.
  llvm::Error errors = llvm::Error::success();
  for (const auto &n : g.nodes())
    errors = llvm::joinErrors(std::move(errors), lowerNode(cx, *n));
  if (errors)
    return errors;

  // Graph outputs not written in place: inputs, constants, views, and values
  // listed twice.
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const Value *v = g.outputs[i];
    BufferRef src = cx.buffer(v);
    if (src == BufferRef::output(int64_t(i)))
      continue;
    addCopyBytesLayer(cx, v->producer, src, BufferRef::output(int64_t(i)),
                      v->type.numBytes());
  }

  // Each layer's share of its node's work (Layer::macs, bytes): the
  // node's count once, split over the layers it lowered to.
  struct Work {
    int64_t layers = 0;
    double macs = 0, bytes = 0;
  };
  std::unordered_map<const Node *, Work> work;
  for (const Layer &l : plan.layers)
    if (l.node)
      ++work[l.node].layers;
  for (auto &[n, w] : work) {
    w.macs = nodeFlops(*n) / 2 / double(w.layers);
    for (const Value *v : n->outputs)
      if (v)
        w.bytes += double(v->type.numBytes()) / double(w.layers);
  }
  for (Layer &l : plan.layers)
    if (l.node) {
      l.macs = work[l.node].macs;
      l.bytes = work[l.node].bytes;
    }
  return plan;
}

} // namespace kiln::codegen
