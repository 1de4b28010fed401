//===- MovementOps.cpp - Importers of indexing and selection ops ----------===//
//
// ArgMax, ArgMin, TopK, CumSum, Trilu, Expand, Tile, ConstantOfShape,
// GatherElements, ScatterElements (and Scatter), GatherND, ScatterND,
// OneHot, Size, Range, DepthToSpace, SpaceToDepth, CastLike and Compress.
// Operands the result's shape depends on (TopK's K, Tile's repeats,
// Expand's shape, Range's bounds, Compress's condition) must be constants
// after import-time folding; the others (indices, updates, OneHot's values)
// may come at run time. DepthToSpace, SpaceToDepth, ConstantOfShape,
// CastLike and Compress are written in other ops (docs/IR.md).
//
//===----------------------------------------------------------------------===//

#include "frontend/OpImporters.h"

#include "compiler/ir/Diagnostics.h"

#include <numeric>

namespace kiln::frontend {

using Ints = std::vector<int64_t>;

static std::string listStr(const Ints &v) { return fmt::format("[{}]", fmt::join(v, ",")); }

/// A 0/1 attribute read as such; any other value is an error.
static int64_t attrFlag(NodeContext &c, const char *name, int64_t dflt) {
  int64_t v = c.attrInt(name, dflt);
  if (v != 0 && v != 1 && !c.failed())
    c.failf("attribute '{}' is {}, expected 0 or 1", name, v);
  return v;
}

// ArgMax/ArgMin(data) {axis=0, keepdims=1, select_last_index=0 (12+)}
static void importArgExtreme(NodeContext &c) {
  Value *x = c.input(0);
  int64_t axis = c.attrInt("axis", 0);
  int64_t keep = attrFlag(c, "keepdims", 1);
  int64_t last = attrFlag(c, "select_last_index", 0);
  if (!x || c.failed())
    return;
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, x->type.rank(), "axis"));
  a.set("keepdims", keep);
  a.set("select_last_index", last);
  c.emit(c.opType() == "ArgMax" ? OpKind::ArgMax : OpKind::ArgMin, {x}, a);
}

// TopK(X, K) {axis=-1, largest=1 (11+), sorted=1 (11+)} (10+);
// TopK(X) {k (required), axis=-1} (<10). Values and i64 indices, as TopK and
// kiln.TopKIndices. kiln always sorts (sorted=0 leaves the order free).
static void importTopK(NodeContext &c) {
  Value *x = c.input(0);
  int64_t k = 0;
  if (c.opset() < 10) {
    if (c.requireAttr("k"))
      k = c.attrInt("k", 0);
  } else {
    Ints ks = c.constInts(1, "K");
    if (!c.failed() && ks.size() != 1)
      return c.failf("K {} must hold one value", listStr(ks));
    if (!ks.empty())
      k = ks[0];
  }
  int64_t axis = c.attrInt("axis", -1);
  int64_t largest = attrFlag(c, "largest", 1), sorted = attrFlag(c, "sorted", 1);
  if (!x || c.failed())
    return;
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, x->type.rank(), "axis"));
  a.set("k", k);
  a.set("largest", largest);
  a.set("sorted", sorted);
  c.emit(OpKind::TopK, {x}, a);
  if (c.outputUsed(1))
    c.emitOutput(1, OpKind::TopKIndices, {x}, a, "indices");
}

// CumSum(x, axis) {exclusive=0, reverse=0}
static void importCumSum(NodeContext &c) {
  Value *x = c.input(0);
  std::optional<double> axis = c.constScalar(1, "axis");
  int64_t exclusive = attrFlag(c, "exclusive", 0), reverse = attrFlag(c, "reverse", 0);
  if (!x || !axis || c.failed())
    return;
  Attrs a;
  a.set("axis", normalizeAxis(c, int64_t(*axis), x->type.rank(), "axis"));
  a.set("exclusive", exclusive);
  a.set("reverse", reverse);
  c.emit(OpKind::CumSum, {x}, a);
}

// Trilu(input, k=0) {upper=1}
static void importTrilu(NodeContext &c) {
  Value *x = c.input(0);
  int64_t upper = attrFlag(c, "upper", 1);
  int64_t k = 0;
  if (c.hasInput(1))
    k = int64_t(c.constScalar(1, "k").value_or(0));
  if (!x || c.failed())
    return;
  Attrs a;
  a.set("upper", upper);
  a.set("k", k);
  c.emit(OpKind::Trilu, {x}, a);
}

/// The numpy broadcast of `x` and `shape` (Expand's rule: either may be the
/// larger); records an error when they do not broadcast.
static Ints broadcastShape(NodeContext &c, const Dims &x, const Ints &shape) {
  size_t rank = std::max(x.size(), shape.size());
  Ints out(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t a = d + x.size() >= rank ? x[d + x.size() - rank] : 1;
    int64_t b = d + shape.size() >= rank ? shape[d + shape.size() - rank] : 1;
    if (b < 0) {
      c.failf("shape {} has a negative dimension", listStr(shape));
      return {};
    }
    if (a != b && a != 1 && b != 1) {
      c.failf("cannot broadcast [{}] to shape {}", fmt::join(x, ","), listStr(shape));
      return {};
    }
    out[d] = a == 1 ? b : a;
  }
  return out;
}

// Expand(input, shape)
static void importExpand(NodeContext &c) {
  Value *x = c.input(0);
  Ints shape = c.constInts(1, "shape");
  if (!x || c.failed())
    return;
  if (int64_t(shape.size()) > limits::MaxRank)
    return c.failf("shape {} has more than {} dimensions", listStr(shape), limits::MaxRank);
  Attrs a;
  a.set("shape", broadcastShape(c, x->type.dims, shape));
  c.emit(OpKind::Expand, {x}, a);
}

// Tile(input, repeats) (6+)
static void importTile(NodeContext &c) {
  if (c.opset() < 6)
    return c.unsupported("Tile before opset 6 (tiles and axis operands)");
  Value *x = c.input(0);
  Ints repeats = c.constInts(1, "repeats");
  if (!x || c.failed())
    return;
  if (int64_t(repeats.size()) != x->type.rank())
    return c.failf("repeats {} has {} values for an input of rank {}", listStr(repeats),
                   repeats.size(), x->type.rank());
  for (int64_t r : repeats)
    if (r < 0)
      return c.failf("repeats {} has a negative value", listStr(repeats));
  Attrs a;
  a.set("repeats", repeats);
  c.emit(OpKind::Tile, {x}, a);
}

// ConstantOfShape(input) {value=float 0}: Expand of the one-element value to
// the shape, and a Cast when the value's type is not one kiln's constants
// hold (i32, i8, u8 are held widened to i64).
static void importConstantOfShape(NodeContext &c) {
  Ints shape = c.constInts(0, "shape");
  ConstantTensor value{TensorType{DType::F32, {1}},
                       std::make_shared<ConstantData>(ConstantData{{0.0f}, {}})};
  DType dtype = DType::F32;
  if (c.hasAttr("value")) {
    auto t = c.tensorAttr("value");
    if (!t)
      return;
    int32_t onnxType = c.tensorAttrDataType("value");
    if (!dtypeFromOnnx(onnxType, dtype) || dtype == DType::F64 || dtype == DType::F16)
      return c.unsupported("ConstantOfShape of " + onnxTypeName(onnxType));
    if (t->type.numElements() != 1)
      return c.failf("value {} must hold one element", t->type.str());
    value = {TensorType{t->type.dtype, {1}}, t->data};
  }
  if (c.failed())
    return;
  for (int64_t d : shape)
    if (d < 0)
      return c.failf("shape {} has a negative dimension", listStr(shape));
  if (int64_t(shape.size()) > limits::MaxRank)
    return c.failf("shape {} has more than {} dimensions", listStr(shape), limits::MaxRank);
  Value *v = c.helperConstant(value, "value");
  Attrs a;
  a.set("shape", broadcastShape(c, {1}, shape.empty() ? Ints{1} : shape));
  if (shape.empty()) { // a scalar: the value itself
    Attrs r;
    r.set("shape", Ints{});
    if (dtype == value.type.dtype)
      return void(c.emit(OpKind::Reshape, {v}, r));
    v = c.emitHelper(OpKind::Reshape, {v}, r, "scalar");
  } else if (dtype == value.type.dtype) {
    return void(c.emit(OpKind::Expand, {v}, a));
  } else {
    v = c.emitHelper(OpKind::Expand, {v}, a, "expand");
  }
  Attrs cast;
  cast.set("to", int64_t(dtype));
  c.emit(OpKind::Cast, {v}, cast);
}

// GatherElements(data, indices) {axis=0}
static void importGatherElements(NodeContext &c) {
  Value *x = c.input(0), *idx = c.input(1);
  int64_t axis = c.attrInt("axis", 0);
  if (!x || !idx || c.failed())
    return;
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, x->type.rank(), "axis"));
  c.emit(OpKind::GatherElements, {x, idx}, a);
}

// ScatterElements(data, indices, updates) {axis=0, reduction="none" (16+)};
// Scatter (9, 10) is the same op.
static void importScatterElements(NodeContext &c) {
  Value *x = c.input(0), *idx = c.input(1), *upd = c.input(2);
  int64_t axis = c.attrInt("axis", 0);
  std::string reduction = c.attrString("reduction", "none");
  if (!x || !idx || !upd || c.failed())
    return;
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return c.unsupported(fmt::format("reduction '{}'", displayName(reduction)));
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, x->type.rank(), "axis"));
  a.set("reduction", reduction);
  c.emit(OpKind::ScatterElements, {x, idx, upd}, a);
}

// GatherND(data, indices) {batch_dims=0 (12+)}
static void importGatherND(NodeContext &c) {
  Value *x = c.input(0), *idx = c.input(1);
  int64_t batchDims = c.attrInt("batch_dims", 0);
  if (!x || !idx || c.failed())
    return;
  Attrs a;
  a.set("batch_dims", batchDims);
  c.emit(OpKind::GatherND, {x, idx}, a);
}

// ScatterND(data, indices, updates) {reduction="none" (16+)}
static void importScatterND(NodeContext &c) {
  Value *x = c.input(0), *idx = c.input(1), *upd = c.input(2);
  std::string reduction = c.attrString("reduction", "none");
  if (!x || !idx || !upd || c.failed())
    return;
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return c.unsupported(fmt::format("reduction '{}'", displayName(reduction)));
  Attrs a;
  a.set("reduction", reduction);
  c.emit(OpKind::ScatterND, {x, idx, upd}, a);
}

// OneHot(indices, depth, values) {axis=-1}
static void importOneHot(NodeContext &c) {
  Value *idx = c.input(0), *values = c.input(2);
  std::optional<double> depth = c.constScalar(1, "depth");
  int64_t axis = c.attrInt("axis", -1);
  if (!idx || !values || !depth || c.failed())
    return;
  if (!(*depth >= 1 && *depth <= double(limits::MaxElements)))
    return c.failf("depth {} is not a positive element count", *depth);
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, idx->type.rank() + 1, "axis"));
  a.set("depth", int64_t(*depth));
  c.emit(OpKind::OneHot, {idx, values}, a);
}

// Size(data)
static void importSize(NodeContext &c) {
  if (Value *x = c.input(0))
    c.emit(OpKind::Size, {x});
}

// Range(start, limit, delta): all three constants (the length depends on them).
static void importRange(NodeContext &c) {
  std::vector<Value *> ops = {c.input(0), c.input(1), c.input(2)};
  if (c.failed())
    return;
  for (size_t i = 0; i < 3; ++i)
    if (!ops[i]->isConstant())
      return c.failf("{} (input '{}') must be a constant; the result's length depends on it",
                     i == 0 ? "start" : i == 1 ? "limit" : "delta", displayName(ops[i]->name));
  // Integer initializers are held as i64: compute in i64, then give the
  // declared type (i32) back.
  DType declared = c.declaredType(0);
  if (declared == ops[0]->type.dtype)
    return void(c.emit(OpKind::Range, ops));
  Value *r = c.emitHelper(OpKind::Range, ops, {}, "range");
  Attrs a;
  a.set("to", int64_t(declared));
  c.emit(OpKind::Cast, {r}, a);
}

// DepthToSpace(input) {blocksize (required), mode="DCR" (11+)};
// SpaceToDepth(input) {blocksize (required)}. Each is Reshape, Transpose,
// Reshape of the NCHW input:
//   DCR: [N,b,b,C/b²,H,W] perm [0,3,4,1,5,2] -> [N,C/b²,H*b,W*b]
//   CRD: [N,C/b²,b,b,H,W] perm [0,1,4,2,5,3] -> [N,C/b²,H*b,W*b]
//   SpaceToDepth: [N,C,H/b,b,W/b,b] perm [0,3,5,1,2,4] -> [N,C*b²,H/b,W/b]
static void importDepthSpace(NodeContext &c) {
  Value *x = c.input(0);
  if (!c.requireAttr("blocksize"))
    return;
  int64_t b = c.attrInt("blocksize", 1);
  std::string mode = c.attrString("mode", "DCR");
  const bool toSpace = c.opType() == "DepthToSpace";
  if (!x || c.failed())
    return;
  if (x->type.rank() != 4)
    return c.failf("input {} must have rank 4 (NCHW)", x->type.str());
  if (b < 1 || b > (1 << 20))
    return c.failf("blocksize {} is not positive", b);
  const int64_t N = x->type.dims[0], C = x->type.dims[1], H = x->type.dims[2],
                W = x->type.dims[3];
  Ints split, perm, out;
  if (toSpace) {
    if (C % (b * b) != 0)
      return c.failf("channels {} are not a multiple of blocksize² {}", C, b * b);
    if (mode == "DCR") {
      split = {N, b, b, C / (b * b), H, W};
      perm = {0, 3, 4, 1, 5, 2};
    } else if (mode == "CRD") {
      split = {N, C / (b * b), b, b, H, W};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      return c.unsupported(fmt::format("mode '{}'", displayName(mode)));
    }
    out = {N, C / (b * b), H * b, W * b};
  } else {
    if (H % b != 0 || W % b != 0)
      return c.failf("height {} and width {} are not multiples of blocksize {}", H, W, b);
    split = {N, C, H / b, b, W / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {N, C * b * b, H / b, W / b};
  }
  Attrs r1, t, r2;
  r1.set("shape", split);
  t.set("perm", perm);
  r2.set("shape", out);
  Value *v = c.emitHelper(OpKind::Reshape, {x}, r1, "blocks");
  v = c.emitHelper(OpKind::Transpose, {v}, t, "transpose");
  c.emit(OpKind::Reshape, {v}, r2);
}

// CastLike(input, target_type): Cast to target_type's element type.
static void importCastLike(NodeContext &c) {
  Value *x = c.input(0), *like = c.input(1);
  if (!x || !like || c.failed())
    return;
  if (like->type.dtype == DType::F64) // as Cast: nothing holds f64
    return c.unsupported("CastLike to f64 (kiln computes in float32)");
  Attrs a;
  a.set("to", int64_t(like->type.dtype));
  c.emit(OpKind::Cast, {x}, a);
}

// Compress(input, condition) {axis (none: the flattened input)}: Gather of
// the positions where the constant condition holds (a condition shorter than
// the axis drops the rest).
static void importCompress(NodeContext &c) {
  Value *x = c.input(0), *condition = c.input(1);
  if (!x || !condition)
    return;
  if (!condition->isConstant())
    return c.failf("condition (input '{}') must be a constant; the result's shape depends "
                   "on it", displayName(condition->name));
  if (condition->type.rank() != 1 || condition->type.dtype == DType::F32)
    return c.failf("condition (input '{}') is {}, expected a 1-D bool tensor",
                   displayName(condition->name), condition->type.str());
  const Ints &cond = condition->constant->i64;
  bool flat = !c.hasAttr("axis");
  int64_t axis = c.attrInt("axis", 0);
  if (!x || c.failed())
    return;
  if (flat) {
    Attrs r;
    r.set("shape", Ints{x->type.numElements()});
    x = c.emitHelper(OpKind::Reshape, {x}, r, "flat");
    if (!x)
      return;
  }
  axis = normalizeAxis(c, axis, x->type.rank(), "axis");
  if (c.failed())
    return;
  const int64_t dim = x->type.dims[size_t(axis)];
  if (int64_t(cond.size()) > dim)
    return c.failf("condition has {} entries for an axis of {}", cond.size(), dim);
  auto data = std::make_shared<ConstantData>();
  for (size_t j = 0; j < cond.size(); ++j)
    if (cond[j] != 0)
      data->i64.push_back(int64_t(j));
  TensorType type{DType::I64, {int64_t(data->i64.size())}};
  Value *idx = c.helperConstant({type, data}, "indices");
  Attrs a;
  a.set("axis", axis);
  c.emit(OpKind::Gather, {x, idx}, a);
}

std::span<const OpImporter> movementOpImporters() {
  static constexpr OpImporter Table[] = {
      {"ArgMax", importArgExtreme},
      {"ArgMin", importArgExtreme},
      {"TopK", importTopK},
      {"CumSum", importCumSum},
      {"Trilu", importTrilu},
      {"Expand", importExpand},
      {"Tile", importTile},
      {"ConstantOfShape", importConstantOfShape},
      {"GatherElements", importGatherElements},
      {"ScatterElements", importScatterElements},
      {"Scatter", importScatterElements},
      {"GatherND", importGatherND},
      {"ScatterND", importScatterND},
      {"OneHot", importOneHot},
      {"Size", importSize},
      {"Range", importRange},
      {"DepthToSpace", importDepthSpace},
      {"SpaceToDepth", importDepthSpace},
      {"CastLike", importCastLike},
      {"Compress", importCompress},
  };
  return Table;
}

} // namespace kiln::frontend
