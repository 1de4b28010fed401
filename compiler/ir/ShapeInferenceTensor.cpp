//===- ShapeInferenceTensor.cpp - Result types of data movement -------------===//
//
// Flatten, Reshape, Transpose, Concat, Pad, Shape, Gather, Squeeze,
// Unsqueeze and Cast (see ShapeInference.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/ShapeInferenceImpl.h"

#include <algorithm>
#include <set>

namespace kiln::shape_inference {

//===----------------------------------------------------------------------===//
// Data movement and shape arithmetic
//===----------------------------------------------------------------------===//

llvm::Expected<TensorType> Inferrer::flatten() {
  int64_t axis;
  KILN_TRY(needInt(n_.attrs, "axis", axis));
  const Dims &x = in_.type(0).dims;
  if (axis < 0 || axis > int64_t(x.size()))
    return errf("axis {} is out of range for rank {}", axis, x.size());
  auto outer = checkedElementCount(Dims(x.begin(), x.begin() + axis));
  auto inner = checkedElementCount(Dims(x.begin() + axis, x.end()));
  if (!outer || !inner)
    return errf("input shape {} has too many elements", dimsStr(x));
  return TensorType{in_.type(0).dtype, {*outer, *inner}};
}

llvm::Expected<TensorType> Inferrer::reshape() {
  std::vector<int64_t> shape;
  KILN_TRY(needInts(n_.attrs, "shape", size_t(-1), shape));
  if (int64_t(shape.size()) > limits::MaxRank)
    return errf("shape has rank {}, more than {}", shape.size(), limits::MaxRank);
  for (int64_t d : shape)
    if (d < 0)
      return errf("shape {} is not resolved (negative dimension)", dimsStr(shape));
  auto want = checkedElementCount(shape);
  auto have = checkedElementCount(in_.type(0).dims);
  if (!want || !have || *want != *have)
    return errf("cannot reshape {} ({} elements) to {} ({} elements)",
                dimsStr(in_.type(0).dims), have ? fmt::to_string(*have) : "too many",
                dimsStr(shape), want ? fmt::to_string(*want) : "too many");
  return TensorType{in_.type(0).dtype, shape};
}

llvm::Expected<TensorType> Inferrer::transpose() {
  std::vector<int64_t> perm;
  const Dims &x = in_.type(0).dims;
  KILN_TRY(needInts(n_.attrs, "perm", size_t(-1), perm));
  if (perm.size() != x.size())
    return errf("perm {} has {} entries for an input of rank {}", dimsStr(perm),
                perm.size(), x.size());
  std::vector<bool> seen(x.size());
  Dims out;
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(x.size()) || seen[p])
      return errf("perm {} is not a permutation of 0..{}", dimsStr(perm),
                  int64_t(x.size()) - 1);
    seen[p] = true;
    out.push_back(x[p]);
  }
  return TensorType{in_.type(0).dtype, out};
}

llvm::Expected<TensorType> Inferrer::concat() {
  int64_t axis;
  KILN_TRY(needInt(n_.attrs, "axis", axis));
  const TensorType &first = in_.type(0);
  if (axis < 0 || axis >= first.rank())
    return errf("axis {} is out of range for rank {}", axis, first.rank());
  Dims out = first.dims;
  for (size_t i = 1; i < in_.size(); ++i) {
    const TensorType &t = in_.type(i);
    if (t.dtype != first.dtype)
      return errf("operand {} has element type {}, expected {}", i,
                  dtypeName(t.dtype), dtypeName(first.dtype));
    if (t.rank() != first.rank())
      return errf("operand {} has rank {}, expected {}", i, t.rank(), first.rank());
    for (int64_t d = 0; d < t.rank(); ++d)
      if (d != axis && t.dims[d] != first.dims[d])
        return errf("operand {} has shape {}, incompatible with {} along axis {}",
                    i, dimsStr(t.dims), dimsStr(first.dims), d);
    if (!checkedAdd(out[axis], t.dims[axis], out[axis]))
      return err("concatenated dimension overflows");
  }
  return TensorType{first.dtype, out};
}

llvm::Expected<TensorType> Inferrer::pad() {
  const TensorType &x = in_.type(0);
  std::vector<int64_t> pads;
  KILN_TRY(needInts(n_.attrs, "pads", size_t(2 * x.rank()), pads));
  const std::string *mode;
  if (!getAttr(n_.attrs, "mode", mode))
    return err("missing string attribute 'mode'");
  double value;
  KILN_TRY(needFloat(n_.attrs, "value", value));
  if (*mode != "constant" && *mode != "reflect" && *mode != "edge")
    return errf("mode '{}' is not one of constant, reflect, edge", displayName(*mode));
  Dims out = x.dims;
  for (int64_t i = 0; i < x.rank(); ++i) {
    int64_t b = pads[i], e = pads[i + x.rank()];
    if (!checkedAdd(out[i], b, out[i]) || !checkedAdd(out[i], e, out[i]) || out[i] < 0)
      return errf("pads {} make dimension {} of {} negative", dimsStr(pads), i,
                  dimsStr(x.dims));
    // reflect mirrors without repeating the edge: it needs pad < dim.
    if (*mode == "reflect" && (std::max(b, e) >= x.dims[i]) && std::max(b, e) > 0)
      return errf("reflect pads {} must be smaller than dimension {} of {}",
                  dimsStr(pads), i, dimsStr(x.dims));
    if (*mode == "edge" && x.dims[i] == 0 && std::max(b, e) > 0)
      return errf("edge padding of the empty dimension {}", i);
  }
  return TensorType{x.dtype, out};
}

llvm::Expected<TensorType> Inferrer::shape() {
  int64_t start, end;
  KILN_TRY(needInt(n_.attrs, "start", start));
  KILN_TRY(needInt(n_.attrs, "end", end));
  int64_t r = in_.type(0).rank();
  if (start < 0 || start > end || end > r)
    return errf("start {} and end {} are not normalized for rank {}", start, end, r);
  return TensorType{DType::I64, {end - start}};
}

llvm::Expected<TensorType> Inferrer::gather() {
  if (in_.size() != 2)
    return errf("expects 2 operands, got {}", in_.size());
  int64_t axis;
  KILN_TRY(needInt(n_.attrs, "axis", axis));
  const TensorType &data = in_.type(0), &idx = in_.type(1);
  if (axis < 0 || axis >= data.rank())
    return errf("axis {} is out of range for rank {}", axis, data.rank());
  if (idx.dtype != DType::I64 && idx.dtype != DType::I32)
    return errf("indices have element type {}, expected i32 or i64",
                dtypeName(idx.dtype));
  int64_t extent = data.dims[axis];
  if (in_[1]->isConstant() && idx.dtype == DType::I64) {
    const auto &v = in_[1]->constant->i64;
    for (int64_t i : v)
      if (i < -extent || i >= extent)
        return errf("index {} is out of range for dimension {} of size {}", i, axis,
                    extent);
  }
  Dims out(data.dims.begin(), data.dims.begin() + axis);
  out.insert(out.end(), idx.dims.begin(), idx.dims.end());
  out.insert(out.end(), data.dims.begin() + axis + 1, data.dims.end());
  if (int64_t(out.size()) > limits::MaxRank)
    return errf("result has rank {}, more than {}", out.size(), limits::MaxRank);
  return TensorType{data.dtype, out};
}

/// Axes must be non-negative, sorted and unique, and below `bound`.
llvm::Error checkAxes(const Node &n, const std::vector<int64_t> &axes, int64_t bound) {
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= bound)
      return nodeErrorf(n, "axis {} is out of range [0, {})", axes[i], bound);
    if (i > 0 && axes[i] <= axes[i - 1])
      return nodeErrorf(n, "axes {} are not sorted and unique", dimsStr(axes));
  }
  return llvm::Error::success();
}

llvm::Expected<TensorType> Inferrer::unsqueeze() {
  std::vector<int64_t> axes;
  KILN_TRY(needInts(n_.attrs, "axes", size_t(-1), axes));
  const Dims &x = in_.type(0).dims;
  int64_t outRank = int64_t(x.size() + axes.size());
  if (outRank > limits::MaxRank)
    return errf("result has rank {}, more than {}", outRank, limits::MaxRank);
  KILN_TRY(checkAxes(n_, axes, outRank));
  Dims out;
  size_t next = 0, src = 0;
  for (int64_t i = 0; i < outRank; ++i) {
    if (next < axes.size() && axes[next] == i) {
      out.push_back(1);
      ++next;
    } else {
      out.push_back(x[src++]);
    }
  }
  return TensorType{in_.type(0).dtype, out};
}

llvm::Expected<TensorType> Inferrer::squeeze() {
  std::vector<int64_t> axes;
  KILN_TRY(needInts(n_.attrs, "axes", size_t(-1), axes));
  const Dims &x = in_.type(0).dims;
  KILN_TRY(checkAxes(n_, axes, int64_t(x.size())));
  Dims out;
  for (int64_t i = 0; i < int64_t(x.size()); ++i) {
    if (std::binary_search(axes.begin(), axes.end(), i)) {
      if (x[i] != 1)
        return errf("cannot squeeze dimension {} of {}: size is not 1", i, dimsStr(x));
      continue;
    }
    out.push_back(x[i]);
  }
  return TensorType{in_.type(0).dtype, out};
}

llvm::Expected<TensorType> Inferrer::cast() {
  int64_t to;
  KILN_TRY(needInt(n_.attrs, "to", to));
  if (to < 0 || to > int64_t(DType::Bool))
    return errf("target type {} is not a kiln element type", to);
  return TensorType{DType(to), in_.type(0).dims};
}

} // namespace kiln::shape_inference
