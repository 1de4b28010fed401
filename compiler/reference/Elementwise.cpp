//===- Elementwise.cpp - Reference elementwise ops and Softmax ------------===//

#include "compiler/codegen/kernels/Activation.h"
#include "compiler/codegen/kernels/Binary.h"
#include "compiler/ir/OpAttrs.h"
#include "compiler/ir/Diagnostics.h"
#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Kernels.h"
#include "compiler/reference/StdMath.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace kiln::ref {

namespace {

/// numpy broadcast of two shapes (asserted compatible).
Dims broadcastDims(const Dims &a, const Dims &b) {
  Dims out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    assert((da == db || da == 1 || db == 1) && "shapes do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// For every element of a tensor of shape `out`, the offset of the element
/// of a tensor of shape `in` that numpy broadcasting reads for it.
std::vector<int64_t> broadcastOffsets(const Dims &in, const Dims &out) {
  const size_t rank = out.size();
  assert(in.size() <= rank);
  Dims inAligned(rank - in.size(), 1);
  inAligned.insert(inAligned.end(), in.begin(), in.end());
  Dims strides = contiguousStrides(inAligned);
  for (size_t i = 0; i < rank; ++i)
    if (inAligned[i] == 1)
      strides[i] = 0;
  int64_t total = 1;
  for (int64_t d : out)
    total *= d;
  std::vector<int64_t> offsets(static_cast<size_t>(total));
  Dims index(rank, 0);
  int64_t off = 0;
  for (int64_t i = 0; i < total; ++i) {
    offsets[size_t(i)] = off;
    for (size_t d = rank; d-- > 0;) { // odometer over the output index
      off += strides[d];
      if (++index[d] < out[d])
        break;
      off -= strides[d] * out[d];
      index[d] = 0;
    }
  }
  return offsets;
}

template <typename T>
llvm::Error binaryLoop(OpKind op, const std::vector<T> &a, const std::vector<int64_t> &aOff,
                       const std::vector<T> &b, const std::vector<int64_t> &bOff,
                       std::vector<T> &y) {
  // Integers wrap like the hardware instead of being undefined in C++.
  using Wrap = typename std::conditional_t<std::is_integral_v<T>, std::make_unsigned<T>,
                                           std::type_identity<T>>::type;
  for (size_t i = 0; i < y.size(); ++i) {
    T x = a[size_t(aOff[i])], z = b[size_t(bOff[i])];
    switch (op) {
    case OpKind::Add: y[i] = T(Wrap(x) + Wrap(z)); break;
    case OpKind::Sub: y[i] = T(Wrap(x) - Wrap(z)); break;
    case OpKind::Mul: y[i] = T(Wrap(x) * Wrap(z)); break;
    case OpKind::Div:
      if constexpr (std::is_integral_v<T>) {
        if (z == 0)
          return inputError("integer division by zero");
        if (x == std::numeric_limits<T>::min() && z == -1)
          return inputError("integer division overflows");
      }
      y[i] = x / z; // integers truncate toward zero, as ONNX's Div does
      break;
    default: assert(false && "not a binary op");
    }
  }
  return llvm::Error::success();
}

template <typename F> Tensor mapF32(const Tensor &x, F f) {
  assert(x.isF32() && "f32 op");
  Tensor y = Tensor::zeros(x.type);
  for (size_t i = 0; i < x.f32.size(); ++i)
    y.f32[i] = f(x.f32[i]);
  return y;
}

} // namespace

llvm::Expected<Tensor> binary_ref(OpKind op, const Tensor &a, const Tensor &b) {
  assert(a.dtype() == b.dtype() && "operands of one dtype");
  Dims out = broadcastDims(a.dims(), b.dims());
  std::vector<int64_t> aOff = broadcastOffsets(a.dims(), out);
  std::vector<int64_t> bOff = broadcastOffsets(b.dims(), out);
  Tensor y = Tensor::zeros({a.dtype(), out});
  llvm::Error err = a.isF32() ? binaryLoop(op, a.f32, aOff, b.f32, bOff, y.f32)
                              : binaryLoop(op, a.i64, aOff, b.i64, bOff, y.i64);
  if (err)
    return err;
  return y;
}

Tensor sum_ref(const std::vector<const Tensor *> &xs) {
  assert(!xs.empty());
  Dims out = xs[0]->dims();
  for (const Tensor *x : xs)
    out = broadcastDims(out, x->dims());
  Tensor y = Tensor::zeros({xs[0]->dtype(), out});
  for (const Tensor *x : xs) { // y += x, input by input
    assert(x->dtype() == y.dtype() && "operands of one dtype");
    std::vector<int64_t> off = broadcastOffsets(x->dims(), out);
    for (size_t i = 0; i < off.size(); ++i) {
      if (y.isF32())
        y.f32[i] += x->f32[size_t(off[i])];
      else
        y.i64[i] = int64_t(uint64_t(y.i64[i]) + uint64_t(x->i64[size_t(off[i])])); // wraps
    }
  }
  return y;
}

namespace {
template <typename T>
void elementwiseLoop(int64_t code, const std::vector<const Tensor *> &xs,
                     const std::vector<std::vector<int64_t>> &off, Tensor &y) {
  auto at = [&](size_t k, size_t i) {
    const Tensor &x = *xs[k];
    return x.holdsFloat() ? T(x.f32[size_t(off[k][i])]) : T(x.i64[size_t(off[k][i])]);
  };
  const size_t n = y.type.numElements() > 0 ? size_t(y.type.numElements()) : 0;
  for (size_t i = 0; i < n; ++i) {
    T v;
    if (code == KILN_BIN_WHERE) {
      v = xs[0]->i64[size_t(off[0][i])] ? at(1, i) : at(2, i);
    } else if (code == KILN_BIN_NOT) {
      y.i64[i] = xs[0]->i64[size_t(off[0][i])] == 0;
      continue;
    } else if (kiln_gen_bin_is_compare(code)) {
      y.i64[i] = kiln_bin::compare(code, at(0, i), at(1, i));
      continue;
    } else {
      v = at(0, i);
      for (size_t k = 1; k < xs.size(); ++k)
        v = kiln_bin::arith(code, v, at(k, i));
      if constexpr (kiln_bin::IsFloat<T>)
        if (code == KILN_BIN_MEAN)
          v = v / float(xs.size());
    }
    if (y.holdsFloat())
      y.f32[i] = float(v);
    else
      y.i64[i] = int64_t(v);
  }
}
} // namespace

Tensor elementwise_ref(OpKind op, const Attrs &a, const std::vector<const Tensor *> &xs) {
  const int64_t code = elementwiseCode(op, a);
  const DType t = xs[op == OpKind::Where ? 1 : 0]->dtype();
  Dims out = xs[0]->dims();
  for (const Tensor *x : xs)
    out = broadcastDims(out, x->dims());
  std::vector<std::vector<int64_t>> off;
  for (const Tensor *x : xs)
    off.push_back(broadcastOffsets(x->dims(), out));
  Tensor y = Tensor::zeros({elementwiseResult(op, t), out});
  switch (t) {
  case DType::F32: elementwiseLoop<float>(code, xs, off, y); break;
  case DType::I64: elementwiseLoop<int64_t>(code, xs, off, y); break;
  case DType::I32: elementwiseLoop<int32_t>(code, xs, off, y); break;
  case DType::I8: elementwiseLoop<int8_t>(code, xs, off, y); break;
  case DType::U8: case DType::Bool: elementwiseLoop<uint8_t>(code, xs, off, y); break;
  default: assert(false && "shape inference admits no other type"); break;
  }
  return y;
}

Tensor activation_ref(OpKind op, const Tensor &x, const Attrs &a) {
  const ActivationInfo *act = activationInfo(op);
  assert(act && "not an activation");
  // Absent attributes (the fused form of an attribute-free activation) read
  // as the spec's defaults. Infinite Clip bounds stay infinite in float.
  const float pa = *act->attrA ? float(a.getFloat(act->attrA, act->defaultA)) : 0.0f;
  const float pb = *act->attrB ? float(a.getFloat(act->attrB, act->defaultB)) : 0.0f;
  const int64_t code = act->code;
  return mapF32(x, [=](float v) {
    return kiln_activate<StdMath>(code, v, pa, pb);
  });
}

Tensor softmax_ref(const Tensor &x, const Attrs &a, OpKind op) {
  assert(x.isF32());
  const int64_t axis = a.getInt("axis");
  const bool legacy = a.getInt("legacy") != 0;
  assert(axis >= 0 && axis < std::max<int64_t>(x.rank(), 1));
  // View x as [outer, n, inner] and normalize along n.
  int64_t outer = 1, n = 1, inner = 1;
  for (int64_t i = 0; i < x.rank(); ++i) {
    int64_t d = x.dims()[size_t(i)];
    if (i < axis)
      outer *= d;
    else if (i == axis || legacy)
      n *= d; // legacy: everything from axis on is one row
    else
      inner *= d;
  }
  Tensor y = Tensor::zeros(x.type);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      auto at = [&](int64_t j) { return size_t((o * n + j) * inner + in); };
      float mx = -INFINITY;
      int64_t first = 0;
      for (int64_t j = 0; j < n; ++j)
        if (x.f32[at(j)] > mx) {
          mx = x.f32[at(j)];
          first = j;
        }
      if (op == OpKind::Hardmax) {
        y.f32[at(first)] = 1.0f;
        continue;
      }
      float sum = 0.0f;
      for (int64_t j = 0; j < n; ++j)
        sum += std::exp(x.f32[at(j)] - mx);
      for (int64_t j = 0; j < n; ++j)
        y.f32[at(j)] = op == OpKind::LogSoftmax ? x.f32[at(j)] - mx - std::log(sum)
                                                : std::exp(x.f32[at(j)] - mx) / sum;
    }
  }
  return y;
}

//===----------------------------------------------------------------------===//
// The ops of this file (Dispatch.h)
//===----------------------------------------------------------------------===//

std::span<const OpEvaluator> elementwiseEvaluators() {
  using A = const EvalArgs &;
  // f32 and i64 keep their kernels (integer division by zero is an error
  // there); the other types, and the ops below, run elementwise_ref.
  constexpr EvalFn Binary = [](A e) -> llvm::Expected<Tensor> {
    if (e.operand(0).isF32() || e.operand(0).isI64())
      return binary_ref(e.op, e.operand(0), e.operand(1));
    return elementwise_ref(e.op, e.attrs, e.in);
  };
  constexpr EvalFn Elementwise = [](A e) -> llvm::Expected<Tensor> {
    return elementwise_ref(e.op, e.attrs, e.in);
  };
  constexpr EvalFn Activation = [](A e) -> llvm::Expected<Tensor> {
    return activation_ref(e.op, e.operand(0), e.attrs);
  };
  static constexpr OpEvaluator Table[] = {
      {OpKind::Add, Binary},
      {OpKind::Sub, Binary},
      {OpKind::Mul, Binary},
      {OpKind::Div, Binary},
      {OpKind::Sum,
       [](A e) -> llvm::Expected<Tensor> {
         if (e.operand(0).isF32() || e.operand(0).isI64())
           return sum_ref(e.in);
         return elementwise_ref(e.op, e.attrs, e.in);
       }},
      {OpKind::Pow, Elementwise},
      {OpKind::Max, Elementwise},
      {OpKind::Min, Elementwise},
      {OpKind::Mean, Elementwise},
      {OpKind::Mod, Elementwise},
      {OpKind::Equal, Elementwise},
      {OpKind::Less, Elementwise},
      {OpKind::Greater, Elementwise},
      {OpKind::LessOrEqual, Elementwise},
      {OpKind::GreaterOrEqual, Elementwise},
      {OpKind::And, Elementwise},
      {OpKind::Or, Elementwise},
      {OpKind::Xor, Elementwise},
      {OpKind::Not, Elementwise},
      {OpKind::Where, Elementwise},
      {OpKind::BitShift, Elementwise},
      {OpKind::PRelu, Elementwise},
#define ACTIVATION(Name, ...) {OpKind::Name, Activation},
#include "compiler/ir/Activations.def"
      {OpKind::Softmax, [](A e) -> llvm::Expected<Tensor> { return softmax_ref(e.operand(0), e.attrs); }},
      {OpKind::LogSoftmax, [](A e) -> llvm::Expected<Tensor> { return softmax_ref(e.operand(0), e.attrs, e.op); }},
      {OpKind::Hardmax, [](A e) -> llvm::Expected<Tensor> { return softmax_ref(e.operand(0), e.attrs, e.op); }},
  };
  return Table;
}

} // namespace kiln::ref
