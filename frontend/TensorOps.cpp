//===- TensorOps.cpp - Importers of data movement and shape ops -----------===//
//
// Identity, Flatten, Reshape, Transpose, Concat, Pad, Slice, Split, Shape, Gather,
// Unsqueeze, Squeeze, Cast and Constant. Operands that ONNX passes as
// inputs but kiln needs as attributes (Reshape's shape, Pad's pads,
// Unsqueeze's axes) must be constants after import-time folding.
//
//===----------------------------------------------------------------------===//

#include "frontend/OpImporters.h"

#include "compiler/ir/Diagnostics.h"

#include <cmath>
#include <numeric>

namespace kiln::frontend {

using Ints = std::vector<int64_t>;

static std::string listStr(const Ints &v) { return fmt::format("[{}]", fmt::join(v, ",")); }

// Identity(input)
static void importIdentity(NodeContext &c) { c.emit(OpKind::Identity, {c.input(0)}); }

// Flatten(input) {axis=1; negative from opset 11}
static void importFlatten(NodeContext &c) {
  Value *x = c.input(0);
  int64_t axis = c.attrInt("axis", 1);
  if (!x || c.failed())
    return;
  int64_t rank = x->type.rank();
  if (axis < -rank || axis > rank)
    return c.failf("axis {} is out of range [{}, {}]", axis, -rank, rank);
  Attrs a;
  a.set("axis", axis < 0 ? axis + rank : axis);
  c.emit(OpKind::Flatten, {x}, a);
}

// Reshape(data, shape) {allowzero=0 (14+)}; Reshape(data) {shape} (<5)
static void importReshape(NodeContext &c) {
  Value *x = c.input(0);
  Ints shape = c.opset() < 5 ? c.attrInts("shape") : c.constInts(1, "shape");
  bool allowZero = c.attrInt("allowzero", 0) != 0;
  if (!x || c.failed())
    return;
  if (int64_t(shape.size()) > limits::MaxRank)
    return c.failf("shape has {} dimensions, more than {}", shape.size(),
                   limits::MaxRank);
  // 0 copies the input's dimension (unless allowzero); one -1 is inferred.
  int64_t inferred = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t &d = shape[i];
    if (d == 0 && !allowZero) {
      if (i >= x->type.dims.size())
        return c.failf("shape {} copies dimension {} (0), but the input {} has "
                       "rank {}",
                       listStr(shape), i, x->type.str(), x->type.rank());
      d = x->type.dims[i];
    } else if (d == -1) {
      if (inferred >= 0)
        return c.failf("shape {} has more than one -1", listStr(shape));
      inferred = int64_t(i);
    } else if (d < 0) {
      return c.failf("shape {} has the invalid dimension {}", listStr(shape), d);
    }
  }
  auto total = checkedElementCount(x->type.dims);
  if (!total)
    return c.fail("input has too many elements");
  if (inferred >= 0) {
    if (allowZero && std::count(shape.begin(), shape.end(), 0))
      return c.failf("shape {} has both 0 and -1 with allowzero=1", listStr(shape));
    Ints known = shape;
    known[size_t(inferred)] = 1;
    auto rest = checkedElementCount(known);
    if (!rest || *rest == 0 || *total % *rest != 0)
      return c.failf("cannot reshape {} to {}: {} elements do not divide evenly",
                     x->type.str(), listStr(shape), *total);
    shape[size_t(inferred)] = *total / *rest;
  }
  Attrs a;
  a.set("shape", shape);
  c.emit(OpKind::Reshape, {x}, a);
}

// Transpose(data) {perm=reversed}
static void importTranspose(NodeContext &c) {
  Value *x = c.input(0);
  if (!x || c.failed())
    return;
  Ints reversed(size_t(x->type.rank()));
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  Ints perm = c.attrInts("perm", reversed);
  if (perm.size() != reversed.size())
    return c.failf("perm {} has {} entries for an input of rank {}", listStr(perm),
                   perm.size(), x->type.rank());
  for (int64_t &p : perm)
    p = normalizeAxis(c, p, x->type.rank(), "perm entry");
  Attrs a;
  a.set("perm", perm);
  c.emit(OpKind::Transpose, {x}, a);
}

// Concat(inputs...) {axis (required from opset 4; 1 before)}
static void importConcat(NodeContext &c) {
  std::vector<Value *> ops = c.allInputs();
  if (c.opset() >= 4 && !c.requireAttr("axis"))
    return;
  int64_t axis = c.attrInt("axis", 1);
  if (c.failed() || ops.empty())
    return;
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, ops[0]->type.rank(), "axis"));
  c.emit(OpKind::Concat, ops, a);
}

// Pad(data, pads, constant_value?) {mode="constant"} (11+);
// Pad(data) {mode="constant", pads (paddings before 2), value=0.0} (<11)
static void importPad(NodeContext &c) {
  Value *x = c.input(0);
  std::string mode = c.attrString("mode", "constant");
  Ints pads;
  double value = 0.0;
  if (c.opset() < 11) {
    pads = c.attrInts(c.opset() < 2 ? "paddings" : "pads");
    value = c.attrFloat("value", 0.0);
  } else {
    pads = c.constInts(1, "pads");
    if (c.hasInput(2))
      value = c.constScalar(2, "constant_value").value_or(0.0);
    if (c.hasInput(3))
      return c.unsupported("Pad with axes");
  }
  if (!x || c.failed())
    return;
  if (int64_t(pads.size()) != 2 * x->type.rank())
    return c.failf("pads {} has {} values, expected {} for rank {}", listStr(pads),
                   pads.size(), 2 * x->type.rank(), x->type.rank());
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return c.unsupported(fmt::format("Pad mode '{}'", displayName(mode)));
  Attrs a;
  a.set("pads", pads);
  a.set("mode", mode);
  a.set("value", value);
  c.emit(OpKind::Pad, {x}, a);
}

namespace {

/// Per-axis begin, end and step of a Slice in the canonical form (docs/IR.md):
/// every axis listed, begin and end clamped per the spec.
struct SliceBounds {
  Ints begin, end, step;
};

/// The whole of every axis, step 1.
SliceBounds fullSlice(const Dims &dims) {
  return {Ints(dims.size(), 0), Ints(dims.begin(), dims.end()), Ints(dims.size(), 1)};
}

/// Narrows `axis` of `b` to ONNX's [start, end) by `step`. Negative start and
/// end count from the end; out-of-range ones are clamped: to [0, dim] for a
/// positive step, to [0, dim-1] (start) and [-1, dim-1] (end) for a
/// negative one, where -1 means "past index 0".
void sliceAxis(SliceBounds &b, int64_t axis, int64_t dim, int64_t start, int64_t end,
               int64_t step) {
  auto wrap = [&](int64_t v) {
    // INT64_MIN/MAX are the exporters' "to the end": keep them away from
    // the addition.
    return v < 0 ? (v < -dim ? -1 : v + dim) : v;
  };
  start = wrap(start);
  end = wrap(end);
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
  }
  b.begin[size_t(axis)] = start;
  b.end[size_t(axis)] = end;
  b.step[size_t(axis)] = step;
}

Attrs sliceAttrs(const SliceBounds &b) {
  Attrs a;
  a.set("begin", b.begin);
  a.set("end", b.end);
  a.set("step", b.step);
  return a;
}

} // namespace

// Slice(data, starts, ends, axes?, steps?) (10+);
// Slice(data) {starts, ends (required), axes=0..n-1} (<10)
static void importSlice(NodeContext &c) {
  Value *x = c.input(0);
  Ints starts, ends, axes, steps;
  if (c.opset() < 10) {
    if (!c.requireAttr("starts") || !c.requireAttr("ends"))
      return;
    starts = c.attrInts("starts");
    ends = c.attrInts("ends");
    if (c.hasAttr("axes"))
      axes = c.attrInts("axes");
  } else {
    starts = c.constInts(1, "starts");
    ends = c.constInts(2, "ends");
    if (c.hasInput(3))
      axes = c.constInts(3, "axes");
    if (c.hasInput(4))
      steps = c.constInts(4, "steps");
  }
  if (!x || c.failed())
    return;
  const int64_t rank = x->type.rank();
  if (rank == 0)
    return c.fail("data must have rank >= 1");
  if (starts.size() != ends.size())
    return c.failf("starts {} and ends {} differ in length", listStr(starts),
                   listStr(ends));
  if (axes.empty() && !(c.opset() >= 10 && c.hasInput(3))) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty() && !(c.opset() >= 10 && c.hasInput(4)))
    steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return c.failf("starts {}, ends {}, axes {} and steps {} differ in length",
                   listStr(starts), listStr(ends), listStr(axes), listStr(steps));
  SliceBounds b = fullSlice(x->type.dims);
  std::vector<bool> seen(static_cast<size_t>(rank));
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = normalizeAxis(c, axes[i], rank, "axis");
    if (c.failed())
      return;
    if (seen[size_t(axis)])
      return c.failf("axes {} repeat axis {}", listStr(axes), axis);
    seen[size_t(axis)] = true;
    if (steps[i] == 0)
      return c.failf("steps {} has a 0", listStr(steps));
    sliceAxis(b, axis, x->type.dims[size_t(axis)], starts[i], ends[i], steps[i]);
  }
  c.emit(OpKind::Slice, {x}, sliceAttrs(b));
}

// Split(input, split?) {axis=0, num_outputs (18+)} (13+);
// Split(input) {axis=0, split?} (<13). Imported as one Slice per output.
static void importSplit(NodeContext &c) {
  Value *x = c.input(0);
  int64_t axis = c.attrInt("axis", 0);
  Ints split;
  bool given = false;
  if (c.opset() < 13) {
    given = c.hasAttr("split");
    if (given)
      split = c.attrInts("split");
  } else if (c.hasInput(1)) {
    given = true;
    split = c.constInts(1, "split");
  }
  int64_t numOutputs = c.attrInt("num_outputs", 0);
  if (!x || c.failed())
    return;
  const int64_t rank = x->type.rank();
  if (rank == 0)
    return c.fail("input must have rank >= 1");
  axis = normalizeAxis(c, axis, rank, "axis");
  if (c.failed())
    return;
  const int64_t dim = x->type.dims[size_t(axis)];
  const int64_t n = int64_t(c.numOutputs());
  if (given && numOutputs != 0)
    return c.fail("has both 'split' and 'num_outputs'");
  if (given) {
    if (int64_t(split.size()) != n)
      return c.failf("split {} has {} entries for {} outputs", listStr(split),
                     split.size(), n);
    int64_t total = 0;
    for (int64_t s : split)
      if (s < 0 || __builtin_add_overflow(total, s, &total))
        return c.failf("split {} has a negative entry", listStr(split));
    if (total != dim)
      return c.failf("split {} sums to {}, but axis {} has {} elements", listStr(split),
                     total, axis, dim);
  } else {
    if (numOutputs != 0 && numOutputs != n)
      return c.failf("num_outputs is {}, but the node has {} outputs", numOutputs, n);
    if (n == 0)
      return c.fail("has no outputs");
    // Equal parts; from opset 18 the last may be smaller (ceil).
    int64_t part = numOutputs != 0 ? (dim + n - 1) / n : dim / n;
    if (numOutputs == 0 && dim % n != 0)
      return c.failf("axis {} of {} elements does not split into {} equal parts", axis,
                     dim, n);
    for (int64_t i = 0; i < n; ++i)
      split.push_back(std::clamp<int64_t>(dim - i * part, 0, part));
  }
  int64_t begin = 0;
  for (int64_t i = 0; i < n; ++i) {
    SliceBounds b = fullSlice(x->type.dims);
    sliceAxis(b, axis, dim, begin, begin + split[size_t(i)], 1);
    begin += split[size_t(i)];
    c.emitOutput(size_t(i), OpKind::Slice, {x}, sliceAttrs(b), fmt::format("slice{}", i));
  }
}

/// A constant f32 operand's values; empty when the operand is absent or has
/// no elements (Resize's "not given").
static std::vector<double> constFloats(NodeContext &c, size_t i, const char *what) {
  Value *v = c.optionalInput(i);
  if (!v || v->type.numElements() == 0)
    return {};
  if (!v->isConstant()) {
    c.failf("{} (input '{}') must be a constant; kiln needs static shapes", what,
            displayName(v->name));
    return {};
  }
  if (v->type.dtype != DType::F32 || v->type.rank() != 1) {
    c.failf("{} (input '{}') is {}, expected a 1-D float tensor", what,
            displayName(v->name), v->type.str());
    return {};
  }
  return std::vector<double>(v->constant->f32.begin(), v->constant->f32.end());
}

// Resize(X, roi?, scales?, sizes?) {mode="nearest",
//   coordinate_transformation_mode="half_pixel", nearest_mode="round_prefer_floor",
//   cubic_coeff_a=-0.75, exclude_outside=0, extrapolation_value=0.0,
//   antialias=0 (18+), axes (18+), keep_aspect_ratio_policy="stretch" (18+)} (11+);
// Resize(X, scales) {mode="nearest"} (10); Upsample(X, scales) {mode="nearest"} (9);
// Upsample(X) {scales, mode="nearest"} (7).
// Before Resize-11 the coordinates are asymmetric and nearest takes the floor
// (as ONNX's Resize 10 -> 11 version converter rewrites them).
static void importResize(NodeContext &c) {
  Value *x = c.input(0);
  const bool upsample = c.opType() == "Upsample";
  const bool legacy = upsample || c.opset() < 11;
  std::string mode = c.attrString("mode", "nearest");
  std::string coord = legacy ? "asymmetric"
                             : c.attrString("coordinate_transformation_mode", "half_pixel");
  std::string nearest = legacy ? "floor" : c.attrString("nearest_mode", "round_prefer_floor");
  if (coord == "tf_half_pixel_for_nn") // its name in ONNX 1.5's Resize-11 tests
    coord = "tf_half_pixel_for_nearest";
  double cubicA = c.attrFloat("cubic_coeff_a", -0.75);
  int64_t exclude = c.attrInt("exclude_outside", 0);
  double extrapolation = c.attrFloat("extrapolation_value", 0.0);
  std::vector<double> scales, roi;
  std::vector<int64_t> sizes;
  if (upsample && c.opset() < 9) {
    scales = c.attrFloats("scales");
  } else if (legacy) {
    scales = constFloats(c, 1, "scales");
  } else {
    if (coord == "tf_crop_and_resize")
      roi = constFloats(c, 1, "roi");
    scales = constFloats(c, 2, "scales");
    if (c.hasInput(3))
      sizes = c.constInts(3, "sizes");
  }
  if (c.attrInt("antialias", 0) != 0)
    return c.unsupported("Resize with antialias");
  if (c.attrString("keep_aspect_ratio_policy", "stretch") != "stretch")
    return c.unsupported(fmt::format("Resize keep_aspect_ratio_policy '{}'",
                                     displayName(c.attrString("keep_aspect_ratio_policy", ""))));
  if (!x || c.failed())
    return;
  const Dims &in = x->type.dims;
  const int64_t rank = x->type.rank();
  // axes (18+): scales, sizes and roi name only these axes; the others keep
  // their size.
  std::vector<int64_t> axes = c.attrInts("axes");
  if (axes.empty()) {
    axes.resize(size_t(rank));
    std::iota(axes.begin(), axes.end(), 0);
  }
  for (int64_t &a : axes)
    a = normalizeAxis(c, a, rank, "axes");
  if (c.failed())
    return;
  const size_t n = axes.size();
  if (scales.empty() == sizes.empty())
    return c.failf("needs exactly one of scales and sizes, has {} scales and {} sizes",
                   scales.size(), sizes.size());
  if (!scales.empty() && scales.size() != n)
    return c.failf("scales has {} values, expected {}", scales.size(), n);
  if (!sizes.empty() && sizes.size() != n)
    return c.failf("sizes has {} values, expected {}", sizes.size(), n);
  if (!roi.empty() && roi.size() != 2 * n)
    return c.failf("roi has {} values, expected {}", roi.size(), 2 * n);
  Ints outSizes(in.begin(), in.end());
  std::vector<double> outScales(size_t(rank), 1.0), outRoi(2 * size_t(rank), 0.0);
  for (int64_t d = 0; d < rank; ++d)
    outRoi[size_t(rank + d)] = 1.0;
  for (size_t k = 0; k < n; ++k) {
    const size_t d = size_t(axes[k]);
    if (!roi.empty()) {
      outRoi[d] = roi[k];
      outRoi[size_t(rank) + d] = roi[n + k];
    }
    if (in[d] <= 0)
      return c.failf("resizing axis {} of size {}", d, in[d]);
    if (!sizes.empty()) {
      if (sizes[k] <= 0)
        return c.failf("sizes {} has a value that is not positive", listStr(sizes));
      outSizes[d] = sizes[k];
      outScales[d] = double(sizes[k]) / double(in[d]);
    } else {
      const double s = scales[k];
      if (!(s > 0) || !std::isfinite(s))
        return c.failf("scale {} of axis {} is not positive", s, d);
      const double crop = outRoi[size_t(rank) + d] - outRoi[d];
      const double len = std::floor(double(in[d]) * (coord == "tf_crop_and_resize" ? crop : 1.0) * s);
      if (!(len >= 1) || len > 1e15)
        return c.failf("scale {} makes axis {} of size {} {} long", s, d, in[d], len);
      outSizes[d] = int64_t(len);
      outScales[d] = s;
    }
  }
  Attrs a;
  a.set("sizes", outSizes);
  a.set("scales", outScales);
  a.set("roi", outRoi);
  a.set("mode", mode);
  a.set("coordinate_transformation_mode", coord);
  a.set("nearest_mode", nearest);
  a.set("cubic_coeff_a", cubicA);
  a.set("exclude_outside", int64_t(exclude != 0));
  a.set("extrapolation_value", extrapolation);
  c.emit(OpKind::Resize, {x}, a);
}

// Shape(data) {start=0, end=rank (15+)}
static void importShape(NodeContext &c) {
  Value *x = c.input(0);
  if (!x || c.failed())
    return;
  int64_t rank = x->type.rank();
  // Out-of-range start/end are clamped, per the spec.
  auto clamp = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clamp(c.attrInt("start", 0));
  int64_t end = clamp(c.attrInt("end", rank));
  Attrs a;
  a.set("start", start);
  a.set("end", std::max(start, end));
  c.emit(OpKind::Shape, {x}, a);
}

// Gather(data, indices) {axis=0}
static void importGather(NodeContext &c) {
  Value *x = c.input(0), *idx = c.input(1);
  int64_t axis = c.attrInt("axis", 0);
  if (!x || !idx || c.failed())
    return;
  if (x->type.rank() == 0)
    return c.fail("data must have rank >= 1");
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, x->type.rank(), "axis"));
  c.emit(OpKind::Gather, {x, idx}, a);
}

// Unsqueeze(data, axes) (13+); Unsqueeze(data) {axes (required)} (<13)
static void importUnsqueeze(NodeContext &c) {
  Value *x = c.input(0);
  Ints axes;
  if (c.opset() < 13) {
    if (c.requireAttr("axes"))
      axes = c.attrInts("axes");
  } else {
    axes = c.constInts(1, "axes");
  }
  if (!x || c.failed())
    return;
  int64_t outRank = x->type.rank() + int64_t(axes.size());
  if (outRank > limits::MaxRank)
    return c.failf("result would have rank {}, more than {}", outRank, limits::MaxRank);
  Attrs a;
  a.set("axes", normalizeAxes(c, axes, outRank));
  c.emit(OpKind::Unsqueeze, {x}, a);
}

// Squeeze(data, axes?) (13+); Squeeze(data) {axes?} (<13).
// Without axes, every dimension of size 1 goes.
static void importSqueeze(NodeContext &c) {
  Value *x = c.input(0);
  std::optional<Ints> axes;
  if (c.opset() < 13) {
    if (c.hasAttr("axes"))
      axes = c.attrInts("axes");
  } else if (c.hasInput(1)) {
    axes = c.constInts(1, "axes");
  }
  if (!x || c.failed())
    return;
  Ints resolved;
  if (axes) {
    resolved = normalizeAxes(c, *axes, x->type.rank());
  } else {
    for (int64_t i = 0; i < x->type.rank(); ++i)
      if (x->type.dims[size_t(i)] == 1)
        resolved.push_back(i);
  }
  Attrs a;
  a.set("axes", resolved);
  c.emit(OpKind::Squeeze, {x}, a);
}

// Cast(input) {to (required; a type name string before opset 6)}
static void importCast(NodeContext &c) {
  Value *x = c.input(0);
  if (!c.requireAttr("to"))
    return;
  int32_t onnxType = 0;
  if (c.opset() < 6) {
    std::string name = c.attrString("to", "");
    onnx::TensorProto::DataType t = onnx::TensorProto::UNDEFINED;
    if (!c.failed() && !onnx::TensorProto::DataType_Parse(name, &t))
      return c.failf("'to' names the unknown type '{}'", displayName(name));
    onnxType = t;
  } else {
    int64_t to = c.attrInt("to", 0);
    if (to < INT32_MIN || to > INT32_MAX)
      to = -1;
    onnxType = int32_t(to);
  }
  if (c.failed())
    return;
  DType dt;
  if (!dtypeFromOnnx(onnxType, dt))
    return c.unsupported("Cast to " + onnxTypeName(onnxType));
  // f16 is a storage type (Cast to and from it, graph boundaries); nothing
  // holds f64.
  if (dt == DType::F64)
    return c.unsupported(fmt::format("Cast to {} (kiln computes in float32)",
                                     onnxTypeName(onnxType)));
  Attrs a;
  a.set("to", int64_t(dt));
  c.emit(OpKind::Cast, {x}, a);
}

// Constant() {value | value_float | value_floats | value_int | value_ints
//             (11+; value_string(s) and sparse_value unsupported)}
static void importConstant(NodeContext &c) {
  for (const char *name : {"sparse_value", "value_string", "value_strings"})
    if (c.hasAttr(name))
      return c.unsupported(fmt::format("Constant with '{}'", name));
  int present = 0;
  for (const char *name : {"value", "value_float", "value_floats", "value_int",
                           "value_ints"})
    present += c.hasAttr(name);
  if (present != 1)
    return c.failf("needs exactly one value attribute, has {}", present);

  ConstantTensor t;
  auto data = std::make_shared<ConstantData>();
  if (c.hasAttr("value")) {
    auto decoded = c.tensorAttr("value");
    if (!decoded)
      return;
    t = *decoded;
  } else if (c.hasAttr("value_float")) {
    data->f32 = {float(c.attrFloat("value_float", 0))};
    t = {TensorType{DType::F32, {}}, data};
  } else if (c.hasAttr("value_floats")) {
    for (double f : c.attrFloats("value_floats"))
      data->f32.push_back(float(f));
    t = {TensorType{DType::F32, {int64_t(data->f32.size())}}, data};
  } else if (c.hasAttr("value_int")) {
    data->i64 = {c.attrInt("value_int", 0)};
    t = {TensorType{DType::I64, {}}, data};
  } else if (c.hasAttr("value_ints")) {
    data->i64 = c.attrInts("value_ints");
    t = {TensorType{DType::I64, {int64_t(data->i64.size())}}, data};
  }
  if (c.failed())
    return;
  c.defineConstant(0, t);
}

// ConstantOfShape(input) {value = float 0 (a one-element tensor)}: the shape
// must be a constant (PyTorch's quantized exports make zero points with it).
static void importConstantOfShape(NodeContext &c) {
  Ints shape = c.constInts(0, "shape");
  std::optional<ConstantTensor> value;
  if (c.hasAttr("value"))
    value = c.tensorAttr("value");
  if (c.failed())
    return;
  if (value && value->type.numElements() != 1)
    return c.failf("'value' has {} elements, expected 1", value->type.numElements());
  for (int64_t d : shape)
    if (d < 0)
      return c.failf("shape [{}] has a negative dimension", fmt::join(shape, ","));
  std::optional<int64_t> count = checkedElementCount(shape);
  if (!count || int64_t(shape.size()) > limits::MaxRank)
    return c.failf("shape [{}] is too large", fmt::join(shape, ","));
  // Sized by the model: bounded like import-time folding.
  if (*count > limits::MaxImportFoldElements)
    return c.unsupported(fmt::format("ConstantOfShape of {} elements (more than {})", *count,
                                     limits::MaxImportFoldElements));
  DType t = value ? value->type.dtype : DType::F32;
  auto data = std::make_shared<ConstantData>();
  if (t == DType::F32)
    data->f32.assign(size_t(*count), value ? value->data->f32[0] : 0.0f);
  else
    data->i64.assign(size_t(*count), value->data->i64[0]);
  c.defineConstant(0, ConstantTensor{TensorType{t, shape}, data});
}

std::span<const OpImporter> tensorOpImporters() {
  static constexpr OpImporter Table[] = {
      {"Identity", importIdentity},
      {"Flatten", importFlatten},
      {"Reshape", importReshape},
      {"Transpose", importTranspose},
      {"Concat", importConcat},
      {"Pad", importPad},
      {"Slice", importSlice},
      {"Split", importSplit},
      {"Resize", importResize},
      {"Upsample", importResize},
      {"Shape", importShape},
      {"Gather", importGather},
      {"Unsqueeze", importUnsqueeze},
      {"Squeeze", importSqueeze},
      {"Cast", importCast},
      {"Constant", importConstant},
      {"ConstantOfShape", importConstantOfShape},
  };
  return Table;
}

} // namespace kiln::frontend
