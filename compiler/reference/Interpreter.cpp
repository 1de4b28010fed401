//===- Interpreter.cpp - Run a graph with the reference kernels -----------===//
//
// Walks the nodes in their (topological) order, keeping one Tensor per live
// value. After each node the result type is compared with the type the graph
// declares, so a shape inference bug surfaces as an error naming the node
// rather than as wrong numbers further down. Values are freed after their
// last use: VGG-16's weights alone are 553 MB.
//
// evaluateOp, below the interpreter, is the one dispatch from an op to its
// kernel; constant folding at import and in fold-constants calls it too.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/Cost.h"
#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/OpDispatch.h"
#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Kernels.h"
#include "compiler/reference/Reference.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace kiln {

namespace {

using namespace ref;

class Interpreter {
public:
  Interpreter(const Graph &g, const ReferenceOptions &opts) : g_(g), opts_(opts) {}

  llvm::Expected<std::vector<Tensor>> run(const std::vector<Tensor> &inputs);

private:
  /// Inputs that match the graph; outputs of types callers hold.
  llvm::Error checkInputs(const std::vector<Tensor> &inputs) const;
  /// The tensor of v: computed, a graph input, or a constant (materialized
  /// on first use).
  const Tensor &get(const Value *v);
  llvm::Expected<Tensor> applyFusion(const Node &n, const Fusion &f, Tensor x);

  const Graph &g_;
  const ReferenceOptions opts_;
  std::unordered_map<const Value *, Tensor> env_;
};

llvm::Error Interpreter::checkInputs(const std::vector<Tensor> &inputs) const {
  if (inputs.size() != g_.inputs.size())
    return inputError(fmt::format("the graph has {} input{}, got {} tensor{}",
                                  g_.inputs.size(), g_.inputs.size() == 1 ? "" : "s",
                                  inputs.size(), inputs.size() == 1 ? "" : "s"));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value *v = g_.inputs[i];
    if (!hasTensorData(v->type.dtype))
      return inputError(fmt::format("input '{}' has type {}: the reference "
                                    "interpreter holds no f64 data",
                                    displayName(v->name), v->type.str()));
    if (inputs[i].type != v->type)
      return inputError(fmt::format("input '{}' expects {}, got {}",
                                    displayName(v->name), v->type.str(),
                                    inputs[i].type.str()));
    size_t have = inputs[i].holdsFloat() ? inputs[i].f32.size() : inputs[i].i64.size();
    if (int64_t(have) != inputs[i].numElements())
      return inputError(fmt::format("input '{}' holds {} elements, its type {} "
                                    "has {}", displayName(v->name), have,
                                    inputs[i].type.str(), inputs[i].numElements()));
  }
  for (const Value *v : g_.outputs)
    if (!hasTensorData(v->type.dtype))
      return inputError(fmt::format("output '{}' has type {}: the reference "
                                    "interpreter holds no f64 data",
                                    displayName(v->name), v->type.str()));
  return llvm::Error::success();
}

const Tensor &Interpreter::get(const Value *v) {
  auto it = env_.find(v);
  if (it != env_.end())
    return it->second;
  assert(v->isConstant() && "value read before it was computed");
  Tensor t = constantTensor(*v);
  return env_.emplace(v, std::move(t)).first->second;
}

} // namespace

ref::EvalFn ref::evaluatorFor(OpKind op) {
  static const auto ByOp = indexByOp({convPoolEvaluators(), denseEvaluators(),
                                      elementwiseEvaluators(), dataMovementEvaluators(),
                                      reductionEvaluators(), movementEvaluators(),
                                      quantizeEvaluators()},
                                     &OpEvaluator::eval);
  return ByOp[size_t(op)];
}

llvm::Expected<Tensor> ref::evaluateOp(OpKind op, const Attrs &a,
                                       const std::vector<const Tensor *> &in,
                                       const ReferenceOptions &opts) {
  if (int64_t(in.size()) < opMinInputs(op))
    return inputError(fmt::format("has {} operands, needs at least {}", in.size(),
                                  opMinInputs(op)));
  if (opInfo(op).f32Only())
    for (size_t i = 0; i < in.size(); ++i)
      if (!in[i]->isF32())
        return inputError(fmt::format("operand {} is {}; this op computes in f32 only",
                                      i, in[i]->type.str()));
  EvalFn eval = evaluatorFor(op);
  if (!eval)
    return inputError("no reference kernel for this op");
  return eval(EvalArgs{op, a, in, opts});
}

namespace {

llvm::Expected<Tensor> Interpreter::applyFusion(const Node &n, const Fusion &f, Tensor x) {
  if (!x.isF32())
    return inputError(fmt::format("fused {} on a {} result", opName(f.op),
                                  dtypeName(x.dtype())));
  if (isActivation(f.op))
    return activation_ref(f.op, x, f.attrs);
  switch (f.op) {
  case OpKind::MaxPool: return maxpool2d_ref(x, f.attrs);
  case OpKind::AveragePool: return avgpool2d_ref(x, f.attrs);
  case OpKind::Add: {
    int64_t i = f.attrs.getInt("input", -1);
    if (i < 0 || size_t(i) >= n.inputs.size())
      return inputError(fmt::format("fused add reads input {}, the node has {}", i,
                                    n.inputs.size()));
    const Tensor &other = get(n.inputs[size_t(i)]);
    if (other.type != x.type)
      return inputError(fmt::format("fused add of {} to a {} result",
                                    other.type.str(), x.type.str()));
    return binary_ref(OpKind::Add, x, other);
  }
  default:
    return inputError(fmt::format("fused {} is not a known epilogue", opName(f.op)));
  }
}

llvm::Expected<std::vector<Tensor>> Interpreter::run(const std::vector<Tensor> &inputs) {
  if (llvm::Error err = checkInputs(inputs))
    return err;
  for (size_t i = 0; i < inputs.size(); ++i)
    env_[g_.inputs[i]] = inputs[i];

  // Index of the last node reading each value; graph outputs live to the end.
  const auto &nodes = g_.nodes();
  std::unordered_map<const Value *, size_t> lastUse;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const Value *v : nodes[i]->inputs)
      lastUse[v] = i;
  std::unordered_set<const Value *> keep(g_.outputs.begin(), g_.outputs.end());

  for (size_t ni = 0; ni < nodes.size(); ++ni) {
    const Node &n = *nodes[ni];
    if (n.outputs.size() != 1)
      return nodeErrorf(n, "has {} results; kiln's ops have one", n.outputs.size());
    // The op's own operands: all inputs except those appended for fusions.
    std::unordered_set<int64_t> fusedOperands;
    for (const Fusion &f : n.fused)
      if (f.op == OpKind::Add)
        fusedOperands.insert(f.attrs.getInt("input", -1));
    std::vector<const Tensor *> in;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (fusedOperands.count(int64_t(i)))
        continue;
      if (!n.inputs[i]) // an omitted optional operand
        break;
      in.push_back(&get(n.inputs[i]));
    }

    llvm::Expected<Tensor> result = evaluateOp(n.op, n.attrs, in, opts_);
    for (const Fusion &f : n.fused) {
      if (!result)
        break;
      result = applyFusion(n, f, std::move(*result));
    }
    if (!result)
      return nodeError(n, llvm::toString(result.takeError()));
    const Value *out = n.output();
    if (result->type != out->type)
      return nodeErrorf(n, "the reference kernel computes {}, the graph declares {}",
                        result->type.str(), out->type.str());
    env_[out] = std::move(*result);

    for (const Value *v : n.inputs) // free what no later node reads
      if (v && lastUse[v] == ni && !keep.count(v))
        env_.erase(v);
  }

  std::vector<Tensor> outputs;
  for (const Value *v : g_.outputs)
    outputs.push_back(get(v));
  return outputs;
}

/// a * b and a + b of non-negative counts, saturating at INT64_MAX (the
/// cost of a huge op only needs to be huge).
int64_t mulSat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

int64_t addSat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

int64_t product(const std::vector<int64_t> &v) {
  int64_t p = 1;
  for (int64_t x : v)
    p = mulSat(p, x);
  return p;
}

} // namespace

int64_t ref::evaluationMacs(OpKind op, const Attrs &a,
                            const std::vector<const TensorType *> &in,
                            const TensorType &result) {
  const int64_t out = result.numElements();
  // Shape reads only its operand's dims.
  if (op == OpKind::Shape)
    return out;
  // Every other kernel reads each operand and writes each result element.
  int64_t elements = out;
  for (const TensorType *t : in)
    if (t)
      elements = addSat(elements, t->numElements());
  // Conv, Gemm and MatMul: the one multiply-add count (compiler/ir/Cost.h);
  // windowed ops: their window per result element.
  int64_t work = multiplyAdds(op, a, in, result);
  switch (op) {
  case OpKind::MaxPool:
  case OpKind::AveragePool:
  case OpKind::MaxPoolIndices:
    work = mulSat(out, product(a.getInts("kernel")));
    break;
  case OpKind::LRN: work = mulSat(out, a.getInt("size", 1)); break;
  default: break;
  }
  return addSat(elements, work);
}

bool ref::keepsElements(OpKind op) { return opInfo(op).sameBytes(); }

Tensor ref::constantTensor(const Value &v) {
  assert(v.isConstant() && "not a constant");
  Tensor t;
  t.type = v.type;
  if (t.isF32())
    t.f32 = v.constant->f32;
  else
    t.i64 = v.constant->i64;
  assert(int64_t(t.isF32() ? t.f32.size() : t.i64.size()) == t.numElements() &&
         "constant data does not match its type");
  return t;
}

std::shared_ptr<ConstantData> ref::constantData(Tensor &&t) {
  auto data = std::make_shared<ConstantData>();
  data->f32 = std::move(t.f32);
  data->i64 = std::move(t.i64);
  return data;
}

llvm::Expected<std::vector<Tensor>> runReference(const Graph &g,
                                                 const std::vector<Tensor> &inputs,
                                                 const ReferenceOptions &opts) {
  return Interpreter(g, opts).run(inputs);
}

llvm::Expected<std::vector<Tensor>> runReference(const Graph &g,
                                                 const std::vector<Tensor> &inputs) {
  return runReference(g, inputs, ReferenceOptions{});
}

} // namespace kiln
