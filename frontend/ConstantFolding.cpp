//===- ConstantFolding.cpp - Import-time evaluation of shape arithmetic ---===//

#include "frontend/ConstantFolding.h"

#include "compiler/reference/Reference.h"

namespace kiln::frontend {

namespace {

/// Shape arithmetic: what exporters compute shapes and indices with; and the
/// dequantization of constant weights (docs/INT8.md), so that Conv and Gemm
/// see f32 weights from the start.
bool foldsAtImport(OpKind op) {
  switch (op) {
  case OpKind::DequantizeLinear: case OpKind::QuantizeLinear:
  case OpKind::Shape: case OpKind::Gather: case OpKind::Unsqueeze:
  case OpKind::Squeeze: case OpKind::Concat: case OpKind::Cast:
  case OpKind::Reshape: case OpKind::Flatten: case OpKind::Identity:
  case OpKind::Dropout: case OpKind::Transpose: case OpKind::Add:
  case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Slice:
  case OpKind::Size: case OpKind::Range: case OpKind::Expand: case OpKind::Tile:
    return true;
  default:
    return false;
  }
}

bool readsTypeOnly(OpKind op) { return op == OpKind::Shape || op == OpKind::Size; }

} // namespace

std::optional<ConstantTensor> foldNode(OpKind op, const Attrs &attrs,
                                       const std::vector<Value *> &inputs,
                                       const TensorType &result,
                                       std::string *failure) {
  if (!foldsAtImport(op) || inputs.empty())
    return std::nullopt;
  for (const Value *v : inputs)
    // Shape and Size read only their operand's (always static) type.
    if (!v || (!readsTypeOnly(op) && !v->isConstant()))
      return std::nullopt;
  const Value &x = *inputs[0];
  // Views share the payload, whatever its size.
  if (ref::keepsElements(op))
    return ConstantTensor{TensorType{x.type.dtype, result.dims}, x.constant};

  std::vector<const TensorType *> types;
  for (const Value *v : inputs)
    types.push_back(&v->type);
  if (result.numElements() > limits::MaxImportFoldElements ||
      ref::evaluationMacs(op, attrs, types, result) > limits::MaxFoldMacs)
    return std::nullopt;
  std::vector<Tensor> operands;
  for (const Value *v : inputs)
    operands.push_back(readsTypeOnly(op) ? Tensor{v->type, {}, {}}
                                           : ref::constantTensor(*v));
  std::vector<const Tensor *> ptrs;
  for (const Tensor &t : operands)
    ptrs.push_back(&t);
  llvm::Expected<Tensor> r = ref::evaluateOp(op, attrs, ptrs);
  if (!r) {
    std::string why = llvm::toString(r.takeError());
    if (failure)
      *failure = std::move(why);
    return std::nullopt;
  }
  if (r->type != result) // a shape inference bug: the interpreter reports it
    return std::nullopt;
  TensorType type = r->type;
  if (type.dtype == DType::F16)
    return std::nullopt; // constants hold no f16: left to Cast at run time
  if (!constantHolds(type.dtype))
    return std::nullopt;
  return ConstantTensor{type, ref::constantData(std::move(*r))};
}

} // namespace kiln::frontend
