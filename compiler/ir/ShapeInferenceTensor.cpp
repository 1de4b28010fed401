//===- ShapeInferenceTensor.cpp - Result types of data movement -------------===//
//
// Flatten, Reshape, Transpose, Concat, Pad, Slice, Resize, Shape, Gather, Squeeze,
// Unsqueeze and Cast (see ShapeInference.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/ShapeInferenceImpl.h"
#include "compiler/ir/Resize.h"

#include "compiler/ir/OpAttrs.h"

#include <algorithm>
#include <set>

namespace kiln::shape_inference {

//===----------------------------------------------------------------------===//
// Data movement and shape arithmetic
//===----------------------------------------------------------------------===//

static llvm::Expected<TensorType> inferFlatten(const Inferrer &s) {
  int64_t axis;
  KILN_TRY(s.needInt(s.node.attrs, "axis", axis));
  const Dims &x = s.in.type(0).dims;
  if (axis < 0 || axis > int64_t(x.size()))
    return s.errf("axis {} is out of range for rank {}", axis, x.size());
  auto outer = checkedElementCount(Dims(x.begin(), x.begin() + axis));
  auto inner = checkedElementCount(Dims(x.begin() + axis, x.end()));
  if (!outer || !inner)
    return s.errf("input shape {} has too many elements", dimsStr(x));
  return TensorType{s.in.type(0).dtype, {*outer, *inner}};
}

static llvm::Expected<TensorType> inferReshape(const Inferrer &s) {
  std::vector<int64_t> shape;
  KILN_TRY(s.needInts(s.node.attrs, "shape", size_t(-1), shape));
  if (int64_t(shape.size()) > limits::MaxRank)
    return s.errf("shape has rank {}, more than {}", shape.size(), limits::MaxRank);
  for (int64_t d : shape)
    if (d < 0)
      return s.errf("shape {} is not resolved (negative dimension)", dimsStr(shape));
  auto want = checkedElementCount(shape);
  auto have = checkedElementCount(s.in.type(0).dims);
  if (!want || !have || *want != *have)
    return s.errf("cannot reshape {} ({} elements) to {} ({} elements)",
                dimsStr(s.in.type(0).dims), have ? fmt::to_string(*have) : "too many",
                dimsStr(shape), want ? fmt::to_string(*want) : "too many");
  return TensorType{s.in.type(0).dtype, shape};
}

static llvm::Expected<TensorType> inferTranspose(const Inferrer &s) {
  std::vector<int64_t> perm;
  const Dims &x = s.in.type(0).dims;
  KILN_TRY(s.needInts(s.node.attrs, "perm", size_t(-1), perm));
  if (perm.size() != x.size())
    return s.errf("perm {} has {} entries for an input of rank {}", dimsStr(perm),
                perm.size(), x.size());
  std::vector<bool> seen(x.size());
  Dims out;
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(x.size()) || seen[p])
      return s.errf("perm {} is not a permutation of 0..{}", dimsStr(perm),
                  int64_t(x.size()) - 1);
    seen[p] = true;
    out.push_back(x[p]);
  }
  return TensorType{s.in.type(0).dtype, out};
}

static llvm::Expected<TensorType> inferConcat(const Inferrer &s) {
  int64_t axis;
  KILN_TRY(s.needInt(s.node.attrs, "axis", axis));
  const TensorType &first = s.in.type(0);
  if (axis < 0 || axis >= first.rank())
    return s.errf("axis {} is out of range for rank {}", axis, first.rank());
  Dims out = first.dims;
  for (size_t i = 1; i < s.in.size(); ++i) {
    const TensorType &t = s.in.type(i);
    if (t.dtype != first.dtype)
      return s.errf("operand {} has element type {}, expected {}", i,
                  dtypeName(t.dtype), dtypeName(first.dtype));
    if (t.rank() != first.rank())
      return s.errf("operand {} has rank {}, expected {}", i, t.rank(), first.rank());
    for (int64_t d = 0; d < t.rank(); ++d)
      if (d != axis && t.dims[d] != first.dims[d])
        return s.errf("operand {} has shape {}, incompatible with {} along axis {}",
                    i, dimsStr(t.dims), dimsStr(first.dims), d);
    if (!checkedAdd(out[axis], t.dims[axis], out[axis]))
      return s.err("concatenated dimension overflows");
  }
  return TensorType{first.dtype, out};
}

static llvm::Expected<TensorType> inferPad(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  std::vector<int64_t> pads;
  KILN_TRY(s.needInts(s.node.attrs, "pads", size_t(2 * x.rank()), pads));
  const std::string *mode;
  if (!getAttr(s.node.attrs, "mode", mode))
    return s.err("missing string attribute 'mode'");
  double value;
  KILN_TRY(s.needFloat(s.node.attrs, "value", value));
  if (*mode != "constant" && *mode != "reflect" && *mode != "edge")
    return s.errf("mode '{}' is not one of constant, reflect, edge", displayName(*mode));
  Dims out = x.dims;
  for (int64_t i = 0; i < x.rank(); ++i) {
    int64_t b = pads[i], e = pads[i + x.rank()];
    if (!checkedAdd(out[i], b, out[i]) || !checkedAdd(out[i], e, out[i]) || out[i] < 0)
      return s.errf("pads {} make dimension {} of {} negative", dimsStr(pads), i,
                  dimsStr(x.dims));
    // reflect mirrors without repeating the edge: it needs pad < dim.
    if (*mode == "reflect" && (std::max(b, e) >= x.dims[i]) && std::max(b, e) > 0)
      return s.errf("reflect pads {} must be smaller than dimension {} of {}",
                  dimsStr(pads), i, dimsStr(x.dims));
    if (*mode == "edge" && x.dims[i] == 0 && std::max(b, e) > 0)
      return s.errf("edge padding of the empty dimension {}", i);
  }
  return TensorType{x.dtype, out};
}

static llvm::Expected<TensorType> inferSlice(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  std::vector<int64_t> begin, end, step;
  KILN_TRY(s.needInts(s.node.attrs, "begin", size_t(x.rank()), begin));
  KILN_TRY(s.needInts(s.node.attrs, "end", size_t(x.rank()), end));
  KILN_TRY(s.needInts(s.node.attrs, "step", size_t(x.rank()), step));
  Dims out(x.dims.size());
  for (size_t d = 0; d < x.dims.size(); ++d) {
    std::optional<int64_t> n = sliceExtent(x.dims[d], begin[d], end[d], step[d]);
    if (!n)
      return s.errf("begin {}, end {}, step {} are not clamped to dimension {} of {}",
                    begin[d], end[d], step[d], d, dimsStr(x.dims));
    out[d] = *n;
  }
  return TensorType{x.dtype, out};
}

// Resize: the output dims are the attribute `sizes`; f32 only.
static llvm::Expected<TensorType> inferResize(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  KILN_TRY(s.requireF32(0, "input"));
  if (x.rank() < 1)
    return s.err("resizing a scalar");
  auto r = resizeAttrs(s.node.attrs, size_t(x.rank()));
  if (!r)
    return s.err(llvm::toString(r.takeError()));
  for (int64_t d = 0; d < x.rank(); ++d)
    if (x.dims[size_t(d)] <= 0)
      return s.errf("resizing axis {} of size {}", d, x.dims[size_t(d)]);
  return TensorType{x.dtype, r->sizes};
}

static llvm::Expected<TensorType> inferShape(const Inferrer &s) {
  int64_t start, end;
  KILN_TRY(s.needInt(s.node.attrs, "start", start));
  KILN_TRY(s.needInt(s.node.attrs, "end", end));
  int64_t r = s.in.type(0).rank();
  if (start < 0 || start > end || end > r)
    return s.errf("start {} and end {} are not normalized for rank {}", start, end, r);
  return TensorType{DType::I64, {end - start}};
}

static llvm::Expected<TensorType> inferGather(const Inferrer &s) {
  if (s.in.size() != 2)
    return s.errf("expects 2 operands, got {}", s.in.size());
  int64_t axis;
  KILN_TRY(s.needInt(s.node.attrs, "axis", axis));
  const TensorType &data = s.in.type(0), &idx = s.in.type(1);
  if (axis < 0 || axis >= data.rank())
    return s.errf("axis {} is out of range for rank {}", axis, data.rank());
  if (idx.dtype != DType::I64 && idx.dtype != DType::I32)
    return s.errf("indices have element type {}, expected i32 or i64",
                dtypeName(idx.dtype));
  int64_t extent = data.dims[axis];
  if (s.in[1]->isConstant() && idx.dtype == DType::I64) {
    const auto &v = s.in[1]->constant->i64;
    for (int64_t i : v)
      if (i < -extent || i >= extent)
        return s.errf("index {} is out of range for dimension {} of size {}", i, axis,
                    extent);
  }
  Dims out(data.dims.begin(), data.dims.begin() + axis);
  out.insert(out.end(), idx.dims.begin(), idx.dims.end());
  out.insert(out.end(), data.dims.begin() + axis + 1, data.dims.end());
  if (int64_t(out.size()) > limits::MaxRank)
    return s.errf("result has rank {}, more than {}", out.size(), limits::MaxRank);
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

static llvm::Expected<TensorType> inferUnsqueeze(const Inferrer &s) {
  std::vector<int64_t> axes;
  KILN_TRY(s.needInts(s.node.attrs, "axes", size_t(-1), axes));
  const Dims &x = s.in.type(0).dims;
  int64_t outRank = int64_t(x.size() + axes.size());
  if (outRank > limits::MaxRank)
    return s.errf("result has rank {}, more than {}", outRank, limits::MaxRank);
  KILN_TRY(checkAxes(s.node, axes, outRank));
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
  return TensorType{s.in.type(0).dtype, out};
}

static llvm::Expected<TensorType> inferSqueeze(const Inferrer &s) {
  std::vector<int64_t> axes;
  KILN_TRY(s.needInts(s.node.attrs, "axes", size_t(-1), axes));
  const Dims &x = s.in.type(0).dims;
  KILN_TRY(checkAxes(s.node, axes, int64_t(x.size())));
  Dims out;
  for (int64_t i = 0; i < int64_t(x.size()); ++i) {
    if (std::binary_search(axes.begin(), axes.end(), i)) {
      if (x[i] != 1)
        return s.errf("cannot squeeze dimension {} of {}: size is not 1", i, dimsStr(x));
      continue;
    }
    out.push_back(x[i]);
  }
  return TensorType{s.in.type(0).dtype, out};
}

static llvm::Expected<TensorType> inferCast(const Inferrer &s) {
  int64_t to;
  KILN_TRY(s.needInt(s.node.attrs, "to", to));
  if (to < 0 || to > int64_t(DType::Bool))
    return s.errf("target type {} is not a kiln element type", to);
  return TensorType{DType(to), s.in.type(0).dims};
}

//===----------------------------------------------------------------------===//
// The ops of this file (ShapeInferenceImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpShapeRule> tensorShapeRules() {
  // Identity, Dropout and Reorder (only the layout changes) keep the type.
  constexpr ShapeRule Same = [](const Inferrer &s) -> llvm::Expected<TensorType> {
    return s.in.type(0);
  };
  static constexpr OpShapeRule Table[] = {
      {OpKind::Identity, Same},
      {OpKind::Dropout, Same},
      {OpKind::Reorder, Same},
      {OpKind::Flatten, inferFlatten},
      {OpKind::Reshape, inferReshape},
      {OpKind::Transpose, inferTranspose},
      {OpKind::Concat, inferConcat},
      {OpKind::Pad, inferPad},
      {OpKind::Slice, inferSlice},
      {OpKind::Resize, inferResize},
      {OpKind::Shape, inferShape},
      {OpKind::Gather, inferGather},
      {OpKind::Unsqueeze, inferUnsqueeze},
      {OpKind::Squeeze, inferSqueeze},
      {OpKind::Cast, inferCast},
  };
  return Table;
}

} // namespace kiln::shape_inference
