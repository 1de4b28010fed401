//===- ShapeInference.cpp - Result types of every op ----------------------===//
//
// One function per op family, each reading the canonical form of docs/IR.md.
// Every check that can fail on user input returns a nodeError; nothing here
// asserts on operand shapes, because the importer calls this on nodes built
// straight from an untrusted model.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/ShapeInference.h"
#include "compiler/ir/Diagnostics.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace kiln {

namespace {

using TypeList = std::vector<TensorType>;

std::string dimsStr(const Dims &d) { return fmt::format("[{}]", fmt::join(d, ",")); }

bool checkedAdd(int64_t a, int64_t b, int64_t &r) { return !__builtin_add_overflow(a, b, &r); }
bool checkedMul(int64_t a, int64_t b, int64_t &r) { return !__builtin_mul_overflow(a, b, &r); }

/// Reads the operands of a node that belong to the op itself, i.e. without the
/// extra operands appended by fused Adds.
struct Operands {
  std::vector<const Value *> values;
  size_t size() const { return values.size(); }
  const Value *operator[](size_t i) const { return i < values.size() ? values[i] : nullptr; }
  const TensorType &type(size_t i) const { return values[i]->type; }
};

/// Shared by the checks below: the node being inferred, for error messages.
class Inferrer {
public:
  explicit Inferrer(const Node &n) : n_(n) {}

  llvm::Expected<TypeList> run();

private:
  const Node &n_;
  Operands in_;

  llvm::Error err(const std::string &msg) const { return nodeError(n_, msg); }
  template <typename... Args>
  llvm::Error errf(fmt::format_string<Args...> f, Args &&...args) const {
    return nodeError(n_, fmt::format(f, std::forward<Args>(args)...));
  }

  // Attribute access that reports missing/mistyped attributes as errors
  // rather than asserting: shape inference also guards the importer.
  llvm::Error needInt(const Attrs &a, const char *name, int64_t &out) const;
  llvm::Error needFloat(const Attrs &a, const char *name, double &out) const;
  llvm::Error needInts(const Attrs &a, const char *name, size_t len,
                       std::vector<int64_t> &out) const;

  llvm::Error requireF32(size_t i, const char *what) const;
  llvm::Error requireRank(size_t i, const char *what, int64_t rank) const;

  llvm::Expected<TensorType> inferOp();
  llvm::Expected<TensorType> conv();
  llvm::Expected<TensorType> pool(OpKind op, const Attrs &a, const TensorType &x) const;
  llvm::Expected<TensorType> maxPoolIndices();
  llvm::Expected<TensorType> globalPool();
  llvm::Expected<TensorType> lrn();
  llvm::Expected<TensorType> batchNorm();
  llvm::Expected<TensorType> gemm();
  llvm::Expected<TensorType> matMul();
  llvm::Expected<TensorType> elementwise();
  llvm::Expected<TensorType> unary();
  llvm::Expected<TensorType> softmax();
  llvm::Expected<TensorType> flatten();
  llvm::Expected<TensorType> reshape();
  llvm::Expected<TensorType> transpose();
  llvm::Expected<TensorType> concat();
  llvm::Expected<TensorType> pad();
  llvm::Expected<TensorType> shape();
  llvm::Expected<TensorType> gather();
  llvm::Expected<TensorType> unsqueeze();
  llvm::Expected<TensorType> squeeze();
  llvm::Expected<TensorType> cast();
  llvm::Expected<TensorType> scaleShift();
  llvm::Error applyFusion(const Fusion &f, TensorType &t) const;
};

template <typename T>
bool getAttr(const Attrs &a, const char *name, const T *&out) {
  auto it = a.all().find(name);
  if (it == a.all().end() || !std::holds_alternative<T>(it->second))
    return false;
  out = &std::get<T>(it->second);
  return true;
}

llvm::Error Inferrer::needInt(const Attrs &a, const char *name, int64_t &out) const {
  const int64_t *v;
  if (!getAttr(a, name, v))
    return errf("missing integer attribute '{}'", name);
  out = *v;
  return llvm::Error::success();
}

llvm::Error Inferrer::needFloat(const Attrs &a, const char *name, double &out) const {
  const double *v;
  if (!getAttr(a, name, v))
    return errf("missing float attribute '{}'", name);
  out = *v;
  return llvm::Error::success();
}

llvm::Error Inferrer::needInts(const Attrs &a, const char *name, size_t len,
                               std::vector<int64_t> &out) const {
  const std::vector<int64_t> *v;
  if (!getAttr(a, name, v))
    return errf("missing integer list attribute '{}'", name);
  if (len != size_t(-1) && v->size() != len)
    return errf("attribute '{}' has {} values, expected {}", name, v->size(), len);
  out = *v;
  return llvm::Error::success();
}

llvm::Error Inferrer::requireF32(size_t i, const char *what) const {
  if (in_.type(i).dtype != DType::F32)
    return errf("{} has element type {}, expected f32", what,
                dtypeName(in_.type(i).dtype));
  return llvm::Error::success();
}

llvm::Error Inferrer::requireRank(size_t i, const char *what, int64_t rank) const {
  if (in_.type(i).rank() != rank)
    return errf("{} has rank {}, expected {}", what, in_.type(i).rank(), rank);
  return llvm::Error::success();
}

// Propagates an llvm::Error out of the enclosing function.
#define KILN_TRY(expr)                                                         \
  do {                                                                         \
    if (llvm::Error e_ = (expr))                                               \
      return e_;                                                               \
  } while (false)

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Validates kernel/strides/pads/dilations and computes H and W of the result.
llvm::Error windowDims(const Node &n, const Dims &in,
                       const std::vector<int64_t> &kernel,
                       const std::vector<int64_t> &strides,
                       const std::vector<int64_t> &pads,
                       const std::vector<int64_t> &dilations, bool ceilMode,
                       Dims &out) {
  out.clear();
  for (size_t i = 0; i < 2; ++i) {
    if (kernel[i] <= 0)
      return nodeErrorf(n, "kernel size {} must be positive", kernel[i]);
    if (strides[i] <= 0)
      return nodeErrorf(n, "stride {} must be positive", strides[i]);
    if (dilations[i] <= 0)
      return nodeErrorf(n, "dilation {} must be positive", dilations[i]);
    if (pads[i] < 0 || pads[i + 2] < 0)
      return nodeErrorf(n, "pads {} must not be negative", dimsStr(pads));
    int64_t o = windowOutputSize(in[2 + i], kernel[i], strides[i], pads[i],
                                 pads[i + 2], dilations[i], ceilMode);
    if (o <= 0)
      return nodeErrorf(n,
                        "window {}x{} (dilation {}x{}) does not fit the padded "
                        "input {}x{} (pads {}): empty output",
                        kernel[0], kernel[1], dilations[0], dilations[1], in[2],
                        in[3], dimsStr(pads));
    out.push_back(o);
  }
  return llvm::Error::success();
}

llvm::Expected<TensorType> Inferrer::conv() {
  if (in_.size() < 2 || in_.size() > 3)
    return errf("expects 2 or 3 operands, got {}", in_.size());
  KILN_TRY(requireRank(0, "input", 4));
  KILN_TRY(requireRank(1, "weight", 4));
  KILN_TRY(requireF32(0, "input"));
  KILN_TRY(requireF32(1, "weight"));
  const Dims &x = in_.type(0).dims, &w = in_.type(1).dims;
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t group;
  KILN_TRY(needInts(n_.attrs, "kernel", 2, kernel));
  KILN_TRY(needInts(n_.attrs, "strides", 2, strides));
  KILN_TRY(needInts(n_.attrs, "pads", 4, pads));
  KILN_TRY(needInts(n_.attrs, "dilations", 2, dilations));
  KILN_TRY(needInt(n_.attrs, "group", group));
  if (group <= 0)
    return errf("group {} must be positive", group);
  if (kernel[0] != w[2] || kernel[1] != w[3])
    return errf("kernel {}x{} does not match weight shape {}", kernel[0],
                kernel[1], dimsStr(w));
  int64_t cPerGroup = w[1];
  int64_t expectC;
  if (!checkedMul(cPerGroup, group, expectC) || expectC != x[1])
    return errf("input has {} channels but weight {} with group {} expects {}",
                x[1], dimsStr(w), group,
                checkedMul(cPerGroup, group, expectC) ? fmt::to_string(expectC)
                                                      : std::string("too many"));
  int64_t m = w[0];
  if (m <= 0 || m % group != 0)
    return errf("{} output channels are not a positive multiple of group {}", m,
                group);
  if (in_.size() == 3 && in_[2]) {
    KILN_TRY(requireF32(2, "bias"));
    if (in_.type(2).dims != Dims{m})
      return errf("bias has shape {}, expected [{}]", dimsStr(in_.type(2).dims), m);
  }
  Dims hw;
  KILN_TRY(windowDims(n_, x, kernel, strides, pads, dilations, false, hw));
  return TensorType{DType::F32, {x[0], m, hw[0], hw[1]}};
}

llvm::Expected<TensorType> Inferrer::pool(OpKind op, const Attrs &a,
                                          const TensorType &x) const {
  if (x.rank() != 4)
    return errf("{} input has rank {}, expected 4", opName(op), x.rank());
  if (x.dtype != DType::F32)
    return errf("{} input has element type {}, expected f32", opName(op),
                dtypeName(x.dtype));
  std::vector<int64_t> kernel, strides, pads, dilations{1, 1};
  int64_t ceilMode, countIncludePad;
  KILN_TRY(needInts(a, "kernel", 2, kernel));
  KILN_TRY(needInts(a, "strides", 2, strides));
  KILN_TRY(needInts(a, "pads", 4, pads));
  KILN_TRY(needInt(a, "ceil_mode", ceilMode));
  if (op == OpKind::MaxPool)
    KILN_TRY(needInts(a, "dilations", 2, dilations));
  else
    KILN_TRY(needInt(a, "count_include_pad", countIncludePad));
  if (ceilMode != 0 && ceilMode != 1)
    return errf("ceil_mode {} must be 0 or 1", ceilMode);
  Dims hw;
  KILN_TRY(windowDims(n_, x.dims, kernel, strides, pads, dilations,
                      ceilMode == 1, hw));
  // A pad as wide as the window would make windows that see only padding.
  for (size_t i = 0; i < 2; ++i) {
    int64_t effK = dilations[i] * (kernel[i] - 1) + 1; // fits: windowDims passed
    if (pads[i] >= effK || pads[i + 2] >= effK)
      return errf("pads {} must be smaller than the window {}x{}", dimsStr(pads),
                  kernel[0], kernel[1]);
  }
  return TensorType{x.dtype, {x.dims[0], x.dims[1], hw[0], hw[1]}};
}

llvm::Expected<TensorType> Inferrer::maxPoolIndices() {
  int64_t storageOrder;
  KILN_TRY(needInt(n_.attrs, "storage_order", storageOrder));
  if (storageOrder != 0 && storageOrder != 1)
    return errf("storage_order {} must be 0 or 1", storageOrder);
  auto t = pool(OpKind::MaxPool, n_.attrs, in_.type(0));
  if (t)
    t->dtype = DType::I64;
  return t;
}

llvm::Expected<TensorType> Inferrer::globalPool() {
  KILN_TRY(requireRank(0, "input", 4));
  KILN_TRY(requireF32(0, "input"));
  const Dims &x = in_.type(0).dims;
  if (x[2] <= 0 || x[3] <= 0)
    return errf("input {} has an empty spatial extent", dimsStr(x));
  return TensorType{DType::F32, {x[0], x[1], 1, 1}};
}

llvm::Expected<TensorType> Inferrer::lrn() {
  KILN_TRY(requireRank(0, "input", 4));
  KILN_TRY(requireF32(0, "input"));
  int64_t size;
  double alpha, beta, bias;
  KILN_TRY(needInt(n_.attrs, "size", size));
  KILN_TRY(needFloat(n_.attrs, "alpha", alpha));
  KILN_TRY(needFloat(n_.attrs, "beta", beta));
  KILN_TRY(needFloat(n_.attrs, "bias", bias));
  if (size <= 0)
    return errf("size {} must be positive", size);
  return in_.type(0);
}

llvm::Expected<TensorType> Inferrer::batchNorm() {
  if (in_.size() != 5)
    return errf("expects 5 operands, got {}", in_.size());
  const TensorType &x = in_.type(0);
  if (x.rank() < 2)
    return errf("input has rank {}, expected at least 2", x.rank());
  KILN_TRY(requireF32(0, "input"));
  double eps;
  KILN_TRY(needFloat(n_.attrs, "epsilon", eps));
  static const char *Names[] = {"", "scale", "bias", "mean", "variance"};
  for (size_t i = 1; i < 5; ++i) {
    KILN_TRY(requireF32(i, Names[i]));
    if (in_.type(i).dims != Dims{x.dims[1]})
      return errf("{} has shape {}, expected [{}] (one per channel)", Names[i],
                  dimsStr(in_.type(i).dims), x.dims[1]);
  }
  return x;
}

llvm::Expected<TensorType> Inferrer::scaleShift() {
  if (in_.size() != 3)
    return errf("expects 3 operands, got {}", in_.size());
  const TensorType &x = in_.type(0);
  if (x.rank() < 2)
    return errf("input has rank {}, expected at least 2", x.rank());
  KILN_TRY(requireF32(0, "input"));
  for (size_t i = 1; i < 3; ++i) {
    KILN_TRY(requireF32(i, i == 1 ? "scale" : "shift"));
    if (in_.type(i).dims != Dims{x.dims[1]})
      return errf("{} has shape {}, expected [{}]", i == 1 ? "scale" : "shift",
                  dimsStr(in_.type(i).dims), x.dims[1]);
  }
  return x;
}

//===----------------------------------------------------------------------===//
// Dense algebra and elementwise
//===----------------------------------------------------------------------===//

llvm::Expected<TensorType> Inferrer::gemm() {
  if (in_.size() < 2 || in_.size() > 3)
    return errf("expects 2 or 3 operands, got {}", in_.size());
  KILN_TRY(requireRank(0, "A", 2));
  KILN_TRY(requireRank(1, "B", 2));
  KILN_TRY(requireF32(0, "A"));
  KILN_TRY(requireF32(1, "B"));
  int64_t transA, transB;
  double alpha, beta;
  KILN_TRY(needInt(n_.attrs, "transA", transA));
  KILN_TRY(needInt(n_.attrs, "transB", transB));
  KILN_TRY(needFloat(n_.attrs, "alpha", alpha));
  KILN_TRY(needFloat(n_.attrs, "beta", beta));
  const Dims &a = in_.type(0).dims, &b = in_.type(1).dims;
  int64_t m = transA ? a[1] : a[0], ka = transA ? a[0] : a[1];
  int64_t kb = transB ? b[1] : b[0], nn = transB ? b[0] : b[1];
  if (ka != kb)
    return errf("A {}{} and B {}{} have different inner dimensions ({} vs {})",
                dimsStr(a), transA ? " (transposed)" : "", dimsStr(b),
                transB ? " (transposed)" : "", ka, kb);
  if (in_.size() == 3 && in_[2]) {
    KILN_TRY(requireF32(2, "C"));
    const Dims &c = in_.type(2).dims;
    // C broadcasts one way: to [M, N], never the other way round.
    auto bc = broadcastShapes(c, {m, nn});
    bool ok = bool(bc) && *bc == Dims{m, nn} && c.size() <= 2;
    if (!bc)
      llvm::consumeError(bc.takeError());
    if (!ok)
      return errf("C has shape {}, not broadcastable to [{},{}]", dimsStr(c), m, nn);
  }
  return TensorType{DType::F32, {m, nn}};
}

llvm::Expected<TensorType> Inferrer::matMul() {
  KILN_TRY(requireF32(0, "A"));
  KILN_TRY(requireF32(1, "B"));
  Dims a = in_.type(0).dims, b = in_.type(1).dims;
  if (a.empty() || b.empty())
    return errf("operands must have rank >= 1, got {} and {}", dimsStr(a), dimsStr(b));
  // numpy: a 1-D A is a row vector, a 1-D B a column vector; the added
  // dimension is removed from the result.
  bool rowVec = a.size() == 1, colVec = b.size() == 1;
  if (rowVec)
    a.insert(a.begin(), 1);
  if (colVec)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (k1 != k2)
    return errf("inner dimensions differ: A {} and B {}", dimsStr(in_.type(0).dims),
                dimsStr(in_.type(1).dims));
  Dims batchA(a.begin(), a.end() - 2), batchB(b.begin(), b.end() - 2);
  auto batch = broadcastShapes(batchA, batchB);
  if (!batch) {
    llvm::consumeError(batch.takeError());
    return errf("batch dimensions of A {} and B {} do not broadcast",
                dimsStr(in_.type(0).dims), dimsStr(in_.type(1).dims));
  }
  Dims out = *batch;
  if (!rowVec)
    out.push_back(a[a.size() - 2]);
  if (!colVec)
    out.push_back(b.back());
  return TensorType{DType::F32, out};
}

llvm::Expected<TensorType> Inferrer::elementwise() {
  if (in_.size() < 1 || (n_.op != OpKind::Sum && in_.size() != 2))
    return errf("expects {} operands, got {}", n_.op == OpKind::Sum ? "1 or more" : "2",
                in_.size());
  DType t = in_.type(0).dtype;
  if (t != DType::F32 && t != DType::I64)
    return errf("element type {} is not supported (f32 or i64)", dtypeName(t));
  Dims out = in_.type(0).dims;
  for (size_t i = 1; i < in_.size(); ++i) {
    if (in_.type(i).dtype != t)
      return errf("operands have different element types ({} and {})", dtypeName(t),
                  dtypeName(in_.type(i).dtype));
    auto bc = broadcastShapes(out, in_.type(i).dims);
    if (!bc)
      return err(llvm::toString(bc.takeError()));
    out = *bc;
  }
  return TensorType{t, out};
}

llvm::Expected<TensorType> Inferrer::unary() {
  switch (n_.op) {
  case OpKind::Identity:
  case OpKind::Dropout:
    return in_.type(0);
  case OpKind::LeakyRelu: {
    double alpha;
    KILN_TRY(needFloat(n_.attrs, "alpha", alpha));
    break;
  }
  case OpKind::Clip: {
    double lo, hi;
    KILN_TRY(needFloat(n_.attrs, "min", lo));
    KILN_TRY(needFloat(n_.attrs, "max", hi));
    if (std::isnan(lo) || std::isnan(hi))
      return err("min and max must not be NaN");
    break;
  }
  default:
    break;
  }
  KILN_TRY(requireF32(0, "input"));
  return in_.type(0);
}

llvm::Expected<TensorType> Inferrer::softmax() {
  KILN_TRY(requireF32(0, "input"));
  int64_t axis, legacy;
  KILN_TRY(needInt(n_.attrs, "axis", axis));
  KILN_TRY(needInt(n_.attrs, "legacy", legacy));
  int64_t r = in_.type(0).rank();
  if (r < 1)
    return err("input must have rank >= 1");
  if (axis < 0 || axis >= r)
    return errf("axis {} is out of range for rank {}", axis, r);
  if (legacy != 0 && legacy != 1)
    return errf("legacy {} must be 0 or 1", legacy);
  return in_.type(0);
}

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

//===----------------------------------------------------------------------===//
// Dispatch and fusions
//===----------------------------------------------------------------------===//

llvm::Expected<TensorType> Inferrer::inferOp() {
  switch (n_.op) {
  case OpKind::Conv: return conv();
  case OpKind::MaxPool:
  case OpKind::AveragePool: return pool(n_.op, n_.attrs, in_.type(0));
  case OpKind::GlobalAveragePool:
  case OpKind::GlobalMaxPool: return globalPool();
  case OpKind::LRN: return lrn();
  case OpKind::BatchNormalization: return batchNorm();
  case OpKind::Gemm: return gemm();
  case OpKind::MatMul: return matMul();
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
  case OpKind::Sum: return elementwise();
  case OpKind::Relu:
  case OpKind::LeakyRelu:
  case OpKind::Sigmoid:
  case OpKind::Clip:
  case OpKind::Identity:
  case OpKind::Dropout: return unary();
  case OpKind::Softmax: return softmax();
  case OpKind::Flatten: return flatten();
  case OpKind::Reshape: return reshape();
  case OpKind::Transpose: return transpose();
  case OpKind::Concat: return concat();
  case OpKind::Pad: return pad();
  case OpKind::Shape: return shape();
  case OpKind::Gather: return gather();
  case OpKind::Unsqueeze: return unsqueeze();
  case OpKind::Squeeze: return squeeze();
  case OpKind::Cast: return cast();
  case OpKind::ScaleShift: return scaleShift();
  case OpKind::Reorder: return unary(); // only the layout changes
  case OpKind::MaxPoolIndices: return maxPoolIndices();
  }
  return err("unknown op");
}

llvm::Error Inferrer::applyFusion(const Fusion &f, TensorType &t) const {
  switch (f.op) {
  case OpKind::Relu:
  case OpKind::Sigmoid:
    break;
  case OpKind::LeakyRelu: {
    double alpha;
    KILN_TRY(needFloat(f.attrs, "alpha", alpha));
    break;
  }
  case OpKind::Clip: {
    double lo, hi;
    KILN_TRY(needFloat(f.attrs, "min", lo));
    KILN_TRY(needFloat(f.attrs, "max", hi));
    break;
  }
  case OpKind::Add: {
    int64_t idx;
    KILN_TRY(needInt(f.attrs, "input", idx));
    if (idx < 0 || idx >= int64_t(n_.inputs.size()) || !n_.inputs[idx])
      return errf("fused add reads operand {}, but the node has {}", idx,
                  n_.inputs.size());
    const TensorType &other = n_.inputs[idx]->type;
    if (other != t)
      return errf("fused add operand {} has type {}, expected {}", idx, other.str(),
                  t.str());
    return llvm::Error::success();
  }
  case OpKind::MaxPool:
  case OpKind::AveragePool: {
    auto pooled = pool(f.op, f.attrs, t);
    if (!pooled)
      return pooled.takeError();
    t = *pooled;
    return llvm::Error::success();
  }
  default:
    return errf("{} cannot be fused", opName(f.op));
  }
  if (t.dtype != DType::F32)
    return errf("fused {} needs an f32 result, got {}", opName(f.op), dtypeName(t.dtype));
  return llvm::Error::success();
}

llvm::Expected<TypeList> Inferrer::run() {
  // Operands appended for fused Adds are not the op's own operands.
  std::set<int64_t> extra;
  for (const Fusion &f : n_.fused)
    if (f.op == OpKind::Add && f.attrs.has("input"))
      if (auto *idx = std::get_if<int64_t>(&f.attrs.all().at("input")))
        extra.insert(*idx);
  for (size_t i = 0; i < n_.inputs.size(); ++i) {
    if (extra.count(int64_t(i)))
      continue;
    in_.values.push_back(n_.inputs[i]);
  }
  // Optional operands may be absent (null) only at the end of the list.
  while (!in_.values.empty() && !in_.values.back())
    in_.values.pop_back();
  int minIn = opMinInputs(n_.op), maxIn = opMaxInputs(n_.op);
  if (int(in_.size()) < minIn || (maxIn >= 0 && int(in_.size()) > maxIn))
    return errf("has {} operands, expected {}", in_.size(),
                maxIn < 0 ? fmt::format("at least {}", minIn)
                          : minIn == maxIn ? fmt::to_string(minIn)
                                           : fmt::format("{} to {}", minIn, maxIn));
  for (size_t i = 0; i < in_.size(); ++i)
    if (!in_[i])
      return errf("operand {} is missing", i);
  if (int(n_.outputs.size()) != opNumOutputs(n_.op))
    return errf("has {} results, expected {}", n_.outputs.size(), opNumOutputs(n_.op));

  auto t = inferOp();
  if (!t)
    return t.takeError();
  for (const Fusion &f : n_.fused)
    KILN_TRY(applyFusion(f, *t));
  if (t->rank() > limits::MaxRank)
    return errf("result has rank {}, more than {}", t->rank(), limits::MaxRank);
  if (!checkedElementCount(t->dims))
    return errf("result shape {} has too many elements", dimsStr(t->dims));
  return TypeList{*t};
}

#undef KILN_TRY

} // namespace

llvm::Expected<std::vector<TensorType>> inferResultTypes(const Node &n) {
  return Inferrer(n).run();
}

llvm::Error inferShapes(Node &n) {
  auto types = inferResultTypes(n);
  if (!types)
    return types.takeError();
  for (size_t i = 0; i < n.outputs.size(); ++i)
    n.outputs[i]->type = (*types)[i];
  return llvm::Error::success();
}

llvm::Expected<Dims> broadcastShapes(const Dims &a, const Dims &b) {
  size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else
      return inputError(fmt::format("shapes {} and {} do not broadcast", dimsStr(a),
                                    dimsStr(b)));
  }
  return out;
}

int64_t windowOutputSize(int64_t in, int64_t k, int64_t stride, int64_t padBegin,
                         int64_t padEnd, int64_t dilation, bool ceilMode) {
  if (in < 0 || k <= 0 || stride <= 0 || dilation <= 0 || padBegin < 0 || padEnd < 0)
    return -1;
  int64_t effK, padded, span;
  if (!checkedMul(dilation, k - 1, effK) || !checkedAdd(effK, 1, effK) ||
      !checkedAdd(in, padBegin, padded) || !checkedAdd(padded, padEnd, padded))
    return -1;
  span = padded - effK;
  if (span < 0)
    return -1;
  int64_t out = span / stride + 1;
  if (ceilMode && span % stride != 0) {
    ++out;
    // The last window must start inside the input or the left padding
    // (PyTorch and ONNX agree on this rule).
    int64_t lastStart;
    if (!checkedMul(out - 1, stride, lastStart) || lastStart >= in + padBegin)
      --out;
  }
  return out;
}

} // namespace kiln
