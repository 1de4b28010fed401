//===- ShapeInferenceMovement.cpp - Result types of indexing ops ----------===//
//
// ArgMax, ArgMin, TopK, kiln.TopKIndices, CumSum, Trilu, Expand, Tile,
// GatherElements, GatherND, ScatterElements, ScatterND, OneHot, Size and
// Range (see ShapeInference.cpp; canonical forms in docs/IR.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/ShapeInferenceImpl.h"

#include <cmath>

namespace kiln::shape_inference {

namespace {

bool isIndexType(DType t) { return t == DType::I64 || t == DType::I32; }

/// Element types the selecting and accumulating ops compare or add: what
/// compiled code computes on (f16 is a storage type, f64 is not held).
bool isNumeric(DType t) {
  return t == DType::F32 || t == DType::I64 || t == DType::I32 || t == DType::I8 ||
         t == DType::U8;
}

llvm::Error needAxis(const Inferrer &s, int64_t rank, int64_t &axis) {
  KILN_TRY(s.needInt(s.node.attrs, "axis", axis));
  if (axis < 0 || axis >= rank)
    return s.errf("axis {} is out of range for rank {}", axis, rank);
  return llvm::Error::success();
}

llvm::Error needFlag(const Inferrer &s, const char *name) {
  int64_t v;
  KILN_TRY(s.needInt(s.node.attrs, name, v));
  if (v != 0 && v != 1)
    return s.errf("{} is {}, expected 0 or 1", name, v);
  return llvm::Error::success();
}

llvm::Error needNumeric(const Inferrer &s, size_t i, const char *what) {
  if (!isNumeric(s.in.type(i).dtype))
    return s.errf("{} has element type {}, expected f32, i64, i32, i8 or u8", what,
                  dtypeName(s.in.type(i).dtype));
  return llvm::Error::success();
}

} // namespace

// ArgMax, ArgMin: i64 indices along axis; the axis kept as 1 or dropped.
static llvm::Expected<TensorType> inferArgExtreme(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  KILN_TRY(needNumeric(s, 0, "input"));
  int64_t axis, keep;
  KILN_TRY(needAxis(s, x.rank(), axis));
  KILN_TRY(needFlag(s, "keepdims"));
  KILN_TRY(needFlag(s, "select_last_index"));
  KILN_TRY(s.needInt(s.node.attrs, "keepdims", keep));
  if (x.dims[size_t(axis)] == 0)
    return s.errf("axis {} is empty: there is no extreme to select", axis);
  Dims out = x.dims;
  if (keep)
    out[size_t(axis)] = 1;
  else
    out.erase(out.begin() + axis);
  return TensorType{DType::I64, out};
}

// TopK, kiln.TopKIndices: k elements along axis.
static llvm::Expected<TensorType> inferTopK(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  KILN_TRY(needNumeric(s, 0, "input"));
  int64_t axis, k;
  KILN_TRY(needAxis(s, x.rank(), axis));
  KILN_TRY(s.needInt(s.node.attrs, "k", k));
  KILN_TRY(needFlag(s, "largest"));
  KILN_TRY(needFlag(s, "sorted"));
  if (k < 0 || k > x.dims[size_t(axis)])
    return s.errf("k {} is not in [0, {}] (axis {} of {})", k, x.dims[size_t(axis)],
                  axis, dimsStr(x.dims));
  Dims out = x.dims;
  out[size_t(axis)] = k;
  return TensorType{s.node.op == OpKind::TopKIndices ? DType::I64 : x.dtype, out};
}

static llvm::Expected<TensorType> inferCumSum(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  KILN_TRY(needNumeric(s, 0, "input"));
  int64_t axis;
  KILN_TRY(needAxis(s, x.rank(), axis));
  KILN_TRY(needFlag(s, "exclusive"));
  KILN_TRY(needFlag(s, "reverse"));
  return x;
}

static llvm::Expected<TensorType> inferTrilu(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  int64_t k;
  KILN_TRY(needFlag(s, "upper"));
  KILN_TRY(s.needInt(s.node.attrs, "k", k));
  if (x.rank() < 2)
    return s.errf("input has rank {}, expected at least 2", x.rank());
  return x;
}

// Expand: `shape` is the result's (broadcast already resolved by the
// importer); every input dim must be 1 or the result's.
static llvm::Expected<TensorType> inferExpand(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  std::vector<int64_t> shape;
  KILN_TRY(s.needInts(s.node.attrs, "shape", size_t(-1), shape));
  if (int64_t(shape.size()) < x.rank() || int64_t(shape.size()) > limits::MaxRank)
    return s.errf("shape {} has rank {}; the input {} needs rank {}..{}",
                  dimsStr(shape), shape.size(), x.str(), x.rank(), limits::MaxRank);
  size_t lead = shape.size() - x.dims.size();
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0)
      return s.errf("shape {} has a negative dimension", dimsStr(shape));
    if (d >= lead && x.dims[d - lead] != 1 && x.dims[d - lead] != shape[d])
      return s.errf("cannot expand {} to {}", x.str(), dimsStr(shape));
  }
  if (!checkedElementCount(shape))
    return s.errf("shape {} has too many elements", dimsStr(shape));
  return TensorType{x.dtype, shape};
}

static llvm::Expected<TensorType> inferTile(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  std::vector<int64_t> repeats;
  KILN_TRY(s.needInts(s.node.attrs, "repeats", size_t(x.rank()), repeats));
  Dims out = x.dims;
  for (size_t d = 0; d < out.size(); ++d)
    if (repeats[d] < 0 || !checkedMul(out[d], repeats[d], out[d]))
      return s.errf("repeats {} are not valid for {}", dimsStr(repeats), x.str());
  if (!checkedElementCount(out))
    return s.errf("the result {} has too many elements", dimsStr(out));
  return TensorType{x.dtype, out};
}

static llvm::Expected<TensorType> inferGatherElements(const Inferrer &s) {
  const TensorType &data = s.in.type(0), &idx = s.in.type(1);
  int64_t axis;
  KILN_TRY(needAxis(s, data.rank(), axis));
  if (!isIndexType(idx.dtype))
    return s.errf("indices have element type {}, expected i32 or i64", dtypeName(idx.dtype));
  if (idx.rank() != data.rank())
    return s.errf("indices {} and data {} differ in rank", idx.str(), data.str());
  // Off the axis, an index's own position addresses data.
  for (int64_t d = 0; d < data.rank(); ++d)
    if (d != axis && idx.dims[size_t(d)] > data.dims[size_t(d)])
      return s.errf("indices {} exceed data {} along axis {}", idx.str(), data.str(), d);
  return TensorType{data.dtype, idx.dims};
}

static llvm::Expected<TensorType> inferScatterElements(const Inferrer &s) {
  const TensorType &data = s.in.type(0), &idx = s.in.type(1), &upd = s.in.type(2);
  int64_t axis;
  KILN_TRY(needAxis(s, data.rank(), axis));
  const std::string *reduction;
  if (!getAttr(s.node.attrs, "reduction", reduction))
    return s.err("missing string attribute 'reduction'");
  if (*reduction != "none" && *reduction != "add" && *reduction != "mul")
    return s.errf("reduction '{}' is not one of none, add, mul", displayName(*reduction));
  if (*reduction != "none")
    KILN_TRY(needNumeric(s, 0, "data"));
  if (!isIndexType(idx.dtype))
    return s.errf("indices have element type {}, expected i32 or i64", dtypeName(idx.dtype));
  if (idx.dims != upd.dims || upd.dtype != data.dtype)
    return s.errf("updates {} must have the indices' shape {} and the data's type {}",
                  upd.str(), dimsStr(idx.dims), dtypeName(data.dtype));
  if (idx.rank() != data.rank())
    return s.errf("indices {} and data {} differ in rank", idx.str(), data.str());
  for (int64_t d = 0; d < data.rank(); ++d)
    if (d != axis && idx.dims[size_t(d)] > data.dims[size_t(d)])
      return s.errf("indices {} exceed data {} along axis {}", idx.str(), data.str(), d);
  return data;
}

/// GatherND and ScatterND: indices [..., q] address q leading axes of data
/// (after batch_dims); the rest of data is the slice each index selects.
static llvm::Error checkNDIndices(const Inferrer &s, int64_t batchDims, int64_t &q) {
  const TensorType &data = s.in.type(0), &idx = s.in.type(1);
  if (!isIndexType(idx.dtype))
    return s.errf("indices have element type {}, expected i32 or i64", dtypeName(idx.dtype));
  if (idx.rank() < 1 || data.rank() < 1)
    return s.errf("data {} and indices {} need rank >= 1", data.str(), idx.str());
  if (batchDims < 0 || batchDims >= std::min(data.rank(), idx.rank()))
    return s.errf("batch_dims {} is out of range for data {} and indices {}", batchDims,
                  data.str(), idx.str());
  q = idx.dims.back();
  if (q < 1 || batchDims + q > data.rank())
    return s.errf("index tuples of length {} do not address data {}", q, data.str());
  for (int64_t d = 0; d < batchDims; ++d)
    if (idx.dims[size_t(d)] != data.dims[size_t(d)])
      return s.errf("batch dimension {} differs: data {}, indices {}", d, data.str(),
                    idx.str());
  return llvm::Error::success();
}

static llvm::Expected<TensorType> inferGatherND(const Inferrer &s) {
  const TensorType &data = s.in.type(0), &idx = s.in.type(1);
  int64_t batchDims, q;
  KILN_TRY(s.needInt(s.node.attrs, "batch_dims", batchDims));
  KILN_TRY(checkNDIndices(s, batchDims, q));
  // indices[:-1] + data[batch_dims + q:]
  Dims out(idx.dims.begin(), idx.dims.end() - 1);
  out.insert(out.end(), data.dims.begin() + batchDims + q, data.dims.end());
  if (int64_t(out.size()) > limits::MaxRank)
    return s.errf("result has rank {}, more than {}", out.size(), limits::MaxRank);
  return TensorType{data.dtype, out};
}

static llvm::Expected<TensorType> inferScatterND(const Inferrer &s) {
  const TensorType &data = s.in.type(0), &idx = s.in.type(1), &upd = s.in.type(2);
  int64_t q;
  KILN_TRY(checkNDIndices(s, 0, q));
  const std::string *reduction;
  if (!getAttr(s.node.attrs, "reduction", reduction))
    return s.err("missing string attribute 'reduction'");
  if (*reduction != "none" && *reduction != "add" && *reduction != "mul")
    return s.errf("reduction '{}' is not one of none, add, mul", displayName(*reduction));
  if (*reduction != "none")
    KILN_TRY(needNumeric(s, 0, "data"));
  Dims want(idx.dims.begin(), idx.dims.end() - 1);
  want.insert(want.end(), data.dims.begin() + q, data.dims.end());
  if (upd.dims != want || upd.dtype != data.dtype)
    return s.errf("updates {} must be {}{}", upd.str(), dtypeName(data.dtype), dimsStr(want));
  return data;
}

// OneHot(indices, values[2]) {axis depth}: values' type, a new axis of depth.
static llvm::Expected<TensorType> inferOneHot(const Inferrer &s) {
  const TensorType &idx = s.in.type(0), &values = s.in.type(1);
  int64_t axis, depth;
  KILN_TRY(s.needInt(s.node.attrs, "depth", depth));
  KILN_TRY(needAxis(s, idx.rank() + 1, axis));
  KILN_TRY(needNumeric(s, 0, "indices"));
  if (values.numElements() != 2)
    return s.errf("values {} must hold two elements (off, on)", values.str());
  if (depth < 1)
    return s.errf("depth {} is not positive", depth);
  Dims out = idx.dims;
  out.insert(out.begin() + axis, depth);
  if (int64_t(out.size()) > limits::MaxRank || !checkedElementCount(out))
    return s.errf("the result {} is too large", dimsStr(out));
  return TensorType{values.dtype, out};
}

static llvm::Expected<TensorType> inferSize(const Inferrer &s) {
  return TensorType{DType::I64, {}};
}

// Range(start, limit, delta): constant scalars of one type; the result has
// max(ceil((limit - start) / delta), 0) elements.
static llvm::Expected<TensorType> inferRange(const Inferrer &s) {
  const DType t = s.in.type(0).dtype;
  double v[3];
  for (size_t i = 0; i < 3; ++i) {
    const Value *x = s.in[i];
    if (x->type.dtype != t)
      return s.errf("operands have element types {} and {}, expected one type",
                    dtypeName(t), dtypeName(x->type.dtype));
    if (x->type.numElements() != 1)
      return s.errf("operand {} is {}, expected a scalar", i, x->type.str());
    if (!x->isConstant())
      return s.errf("operand {} ('{}') must be a constant: the result's length depends on it",
                    i, displayName(x->name));
    v[i] = t == DType::F32 ? double(x->f32()[0]) : double(x->i64()[0]);
  }
  if (t != DType::F32 && t != DType::I64 && t != DType::I32)
    return s.errf("element type {} is not f32, i32 or i64", dtypeName(t));
  if (v[2] == 0 || !std::isfinite(v[0]) || !std::isfinite(v[1]) || !std::isfinite(v[2]))
    return s.errf("start {}, limit {}, delta {} do not define a range", v[0], v[1], v[2]);
  double n = std::ceil((v[1] - v[0]) / v[2]);
  if (n > double(limits::MaxElements))
    return s.errf("start {}, limit {}, delta {} give too many elements", v[0], v[1], v[2]);
  return TensorType{t, {n > 0 ? int64_t(n) : 0}};
}

//===----------------------------------------------------------------------===//
// The ops of this file (ShapeInferenceImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpShapeRule> movementShapeRules() {
  static constexpr OpShapeRule Table[] = {
      {OpKind::ArgMax, inferArgExtreme},
      {OpKind::ArgMin, inferArgExtreme},
      {OpKind::TopK, inferTopK},
      {OpKind::TopKIndices, inferTopK},
      {OpKind::CumSum, inferCumSum},
      {OpKind::Trilu, inferTrilu},
      {OpKind::Expand, inferExpand},
      {OpKind::Tile, inferTile},
      {OpKind::GatherElements, inferGatherElements},
      {OpKind::GatherND, inferGatherND},
      {OpKind::ScatterElements, inferScatterElements},
      {OpKind::ScatterND, inferScatterND},
      {OpKind::OneHot, inferOneHot},
      {OpKind::Size, inferSize},
      {OpKind::Range, inferRange},
  };
  return Table;
}

} // namespace kiln::shape_inference
