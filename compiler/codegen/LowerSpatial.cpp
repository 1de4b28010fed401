//===- LowerSpatial.cpp - Conv, pools, LRN, BatchNormalization, ScaleShift ===//
//
// Convolutions and pools on blocked layouts go to the fast kernels when their
// constraints hold (Conv.h, Pool.h); everything else, and every layout, is
// served by the generic kernels. A Conv's kernel is the one its `algo`
// attribute names (select-conv-algorithm decides; absent, as in an
// unoptimized graph: direct where it applies).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"

#include "compiler/codegen/kernels/Conv.h"
#include "compiler/codegen/kernels/Pool.h"
#include "compiler/codegen/kernels/Winograd.h"

#include <cmath>

namespace kiln::codegen {

namespace {

struct ConvGeom {
  int64_t N, C, H, W, M, OH, OW, KH, KW, SH, SW, PT, PL, DH, DW, G;
};

/// The conv's geometry; OH/OW are the unpooled output dims.
ConvGeom convGeom(const Node &n) {
  const Dims &x = n.input(0)->type.dims, &w = n.input(1)->type.dims;
  const Attrs &a = n.attrs;
  ConvGeom g{};
  g.N = x[0];
  g.C = x[1];
  g.H = x[2];
  g.W = x[3];
  g.M = w[0];
  g.KH = w[2];
  g.KW = w[3];
  g.SH = a.getInts("strides")[0];
  g.SW = a.getInts("strides")[1];
  g.PT = a.getInts("pads")[0];
  g.PL = a.getInts("pads")[1];
  int64_t pb = a.getInts("pads")[2], pr = a.getInts("pads")[3];
  g.DH = a.getInts("dilations")[0];
  g.DW = a.getInts("dilations")[1];
  g.G = a.getInt("group");
  g.OH = (g.H + g.PT + pb - g.DH * (g.KH - 1) - 1) / g.SH + 1;
  g.OW = (g.W + g.PL + pr - g.DW * (g.KW - 1) - 1) / g.SW + 1;
  return g;
}

/// The fast blocked convolution (direct, or Winograd when `winograd`), when
/// it applies; false to fall back.
llvm::Expected<bool> tryFastConv(LowerContext &cx, const Node &n, const ConvGeom &g,
                                 bool winograd) {
  int64_t L = cx.options().vectorLanes;
  const Value *x = n.input(0), *out = n.output();
  if (!cx.options().fastKernels || blockOf(out) != L ||
      (blockOf(x) != 0 && blockOf(x) != L) || !n.input(1)->isConstant() ||
      (n.input(2) && !n.input(2)->isConstant()))
    return false;
  int64_t cg = g.C / g.G, mg = g.M / g.G;
  if (g.G > 1 && (mg % L != 0 || (blockOf(x) && cg % L != 0)))
    return false;
  KilnConvParams p{};
  p.L = L;
  p.l1d_bytes = cx.options().caches.l1d;
  p.l2_bytes = cx.options().caches.l2;
  p.N = g.N, p.C = g.C, p.H = g.H, p.W = g.W, p.M = g.M, p.OH = g.OH,
  p.OW = g.OW, p.KH = g.KH, p.KW = g.KW, p.SH = g.SH, p.SW = g.SW, p.PT = g.PT,
  p.PL = g.PL, p.DH = g.DH, p.DW = g.DW, p.G = g.G;
  p.input_blocked = blockOf(x) ? 1 : 0;
  p.has_bias = 1; // packed bias is always present (zeros without B)
  BufferRef residual;
  // Fusions in the kernel's fixed order: add, activation, pool.
  int stage = 0;
  for (const Fusion &f : n.fused) {
    if (f.op == OpKind::Add && stage < 1) {
      const Value *r = n.input(size_t(f.attrs.getInt("input")));
      if (!r || r->layout != out->layout)
        return false;
      p.has_residual = 1;
      residual = cx.buffer(r);
      stage = 1;
      continue;
    }
    int64_t kind;
    double a, b;
    if (activationStep(f.op, f.attrs, kind, a, b) && stage < 2) {
      p.activation = kind;
      p.act_alpha = a;
      p.act_lo = a;
      p.act_hi = b;
      stage = 2;
      continue;
    }
    if ((f.op == OpKind::MaxPool || f.op == OpKind::AveragePool) && stage < 3) {
      const Attrs &pa = f.attrs;
      if (pa.has("dilations") &&
          (pa.getInts("dilations")[0] != 1 || pa.getInts("dilations")[1] != 1))
        return false;
      p.pool_kind = f.op == OpKind::MaxPool ? KILN_POOL_MAX : KILN_POOL_AVG;
      p.pool_kh = pa.getInts("kernel")[0];
      p.pool_kw = pa.getInts("kernel")[1];
      p.pool_sh = pa.getInts("strides")[0];
      p.pool_sw = pa.getInts("strides")[1];
      p.pool_pt = pa.getInts("pads")[0];
      p.pool_pl = pa.getInts("pads")[1];
      p.pool_pb = pa.getInts("pads")[2];
      p.pool_pr = pa.getInts("pads")[3];
      p.pool_oh = out->type.dims[2];
      p.pool_ow = out->type.dims[3];
      p.pool_count_pad = pa.getInt("count_include_pad", 0);
      if (!kiln_conv2d_can_fuse_pool(&p))
        return false;
      stage = 3;
      continue;
    }
    return false;
  }
  // Packed when written out, from the graph's data (kept alive here).
  std::shared_ptr<const ConstantData> w = n.input(1)->constant;
  std::shared_ptr<const ConstantData> bias =
      n.input(2) ? n.input(2)->constant : nullptr;
  if (winograd && !kiln_conv2d_winograd_supported(&p))
    return nodeErrorf(n, "algo=winograd, but the Winograd kernel cannot compute this conv");
  BufferRef wb =
      winograd
          ? cx.addWeight(size_t(kiln_conv2d_winograd_packed_size(&p)) * sizeof(float),
                         [p, w](char *dst) {
                           kiln_conv2d_winograd_pack_weights(
                               &p, w->f32.data(), reinterpret_cast<float *>(dst));
                         })
          : cx.addWeight(size_t(kiln_conv2d_packed_size(&p)) * sizeof(float),
                         [p, w](char *dst) {
                           kiln_conv2d_pack_weights(&p, w->f32.data(),
                                                    reinterpret_cast<float *>(dst));
                         });
  BufferRef bb = cx.addWeight(
      size_t(kiln_conv2d_packed_bias_size(&p)) * sizeof(float),
      [p, bias](char *dst) {
        kiln_conv2d_pack_bias(&p, bias ? bias->f32.data() : nullptr,
                              reinterpret_cast<float *>(dst));
      });
  Layer &l = cx.addLayer(&n, winograd ? Kernel::ConvWinograd : Kernel::ConvDirect,
                         KernelAbi::PointerArgs);
  l.setParams(p);
  l.buffers = {cx.buffer(x), wb, bb, residual, cx.buffer(out)};
  l.workItems = winograd ? kiln_conv2d_winograd_work_items(&p) : kiln_conv2d_work_items(&p);
  return true;
}

} // namespace

static llvm::Error lowerConv(LowerContext &cx, const Node &n) {
  ConvGeom g = convGeom(n);
  const std::string algo = n.attrs.has("algo") ? n.attrs.getString("algo") : "direct";
  if (algo != "generic") {
    auto fast = tryFastConv(cx, n, g, algo == "winograd");
    if (!fast)
      return fast.takeError();
    if (*fast)
      return llvm::Error::success();
  }
  KilnGenConvParams p{};
  p.N = g.N, p.C = g.C, p.H = g.H, p.W = g.W, p.M = g.M, p.OH = g.OH,
  p.OW = g.OW, p.KH = g.KH, p.KW = g.KW, p.SH = g.SH, p.SW = g.SW, p.PT = g.PT,
  p.PL = g.PL, p.DH = g.DH, p.DW = g.DW, p.G = g.G;
  p.in_block = blockOf(n.input(0));
  p.out_block = blockOf(n.output());
  p.has_bias = n.input(2) ? 1 : 0;
  p.rows = 1;
  Layer &l = cx.addLayer(&n, Kernel::GenConv);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0)),
               cx.buffer(n.input(1)),
               n.input(2) ? cx.buffer(n.input(2)) : BufferRef::null()};
  auto epi = lowerEpilogue(cx, n, l, /*allowPool=*/true);
  if (!epi)
    return epi.takeError();
  p.epi = *epi;
  l.setParams(p);
  l.workItems = kiln_gen_conv_work_items(&p);
  return llvm::Error::success();
}

/// The window of a MaxPool/AveragePool node, into either pool kernel's
/// params (the fast and the generic one name these fields alike).
template <typename PoolParams>
static void setPoolWindow(PoolParams &p, const Node &n) {
  const Dims &x = n.input(0)->type.dims, &y = n.output()->type.dims;
  const Attrs &a = n.attrs;
  const auto &k = a.getInts("kernel"), &s = a.getInts("strides"),
             &pads = a.getInts("pads");
  const bool isMax = n.op == OpKind::MaxPool;
  std::vector<int64_t> dil = {1, 1};
  if (isMax && a.has("dilations"))
    dil = a.getInts("dilations");
  p.N = x[0], p.C = x[1], p.H = x[2], p.W = x[3], p.OH = y[2], p.OW = y[3];
  p.KH = k[0], p.KW = k[1], p.SH = s[0], p.SW = s[1];
  p.PT = pads[0], p.PL = pads[1], p.PB = pads[2], p.PR = pads[3];
  p.DH = dil[0], p.DW = dil[1];
  p.kind = isMax ? KILN_POOL_MAX : KILN_POOL_AVG;
  p.count_pad = isMax ? 0 : a.getInt("count_include_pad", 0);
}

static llvm::Error lowerPool(LowerContext &cx, const Node &n) {
  if (!n.fused.empty())
    return nodeError(n, "fused operations on a pool are not supported");
  int64_t L = cx.options().vectorLanes;
  if (cx.options().fastKernels && blockOf(n.input(0)) == L &&
      blockOf(n.output()) == L) {
    KilnPoolParams p{};
    p.L = L;
    setPoolWindow(p, n);
    Layer &l = cx.addLayer(&n, Kernel::Pool, KernelAbi::PointerArgs);
    l.setParams(p);
    l.buffers = {cx.buffer(n.input(0)), cx.buffer(n.output())};
    l.workItems = kiln_pool2d_work_items(&p);
    return llvm::Error::success();
  }
  KilnGenPoolParams p{};
  setPoolWindow(p, n);
  p.in_block = blockOf(n.input(0));
  p.out_block = blockOf(n.output());
  Layer &l = cx.addLayer(&n, Kernel::GenPool);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_pool_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerGlobalPool(LowerContext &cx, const Node &n) {
  if (!n.fused.empty())
    return nodeError(n, "fused operations on a global pool are not supported");
  const Dims &x = n.input(0)->type.dims;
  if (x.size() < 3)
    return nodeError(n, "input must have spatial dimensions");
  int64_t hw = 1;
  for (size_t i = 2; i < x.size(); ++i)
    hw *= x[i];
  bool isMax = n.op == OpKind::GlobalMaxPool;
  int64_t L = cx.options().vectorLanes;
  if (cx.options().fastKernels && x.size() == 4 && blockOf(n.input(0)) == L &&
      blockOf(n.output()) == L) {
    KilnGlobalPoolParams p{};
    p.L = L;
    p.N = x[0], p.C = x[1], p.H = x[2], p.W = x[3];
    p.kind = isMax ? KILN_POOL_MAX : KILN_POOL_AVG;
    Layer &l =
        cx.addLayer(&n, Kernel::GlobalPool, KernelAbi::PointerArgs);
    l.setParams(p);
    l.buffers = {cx.buffer(n.input(0)), cx.buffer(n.output())};
    l.workItems = kiln_global_pool_work_items(&p);
    return llvm::Error::success();
  }
  KilnGenGlobalPoolParams p{};
  p.N = x[0], p.C = x[1], p.HW = hw;
  p.kind = isMax ? KILN_POOL_MAX : KILN_POOL_AVG;
  p.in_block = blockOf(n.input(0));
  p.out_block = blockOf(n.output());
  Layer &l = cx.addLayer(&n, Kernel::GenGlobalPool);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_global_pool_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerLrn(LowerContext &cx, const Node &n) {
  if (!n.fused.empty())
    return nodeError(n, "fused operations on LRN are not supported");
  const Dims &x = n.input(0)->type.dims;
  if (blockOf(n.input(0)) != blockOf(n.output()))
    return nodeError(n, "input and output layouts differ");
  KilnGenLrnParams p{};
  p.N = x[0];
  p.C = x[1];
  p.HW = 1;
  for (size_t i = 2; i < x.size(); ++i)
    p.HW *= x[i];
  p.size = n.attrs.getInt("size");
  p.alpha = n.attrs.getFloat("alpha");
  p.beta = n.attrs.getFloat("beta");
  p.bias = n.attrs.getFloat("bias");
  p.block = blockOf(n.input(0));
  Layer &l = cx.addLayer(&n, Kernel::GenLrn);
  l.setParams(p);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  l.workItems = kiln_gen_lrn_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerScaleShift(LowerContext &cx, const Node &n) {
  const Dims &x = n.input(0)->type.dims;
  if (x.size() < 2)
    return nodeError(n, "input must have a channel axis");
  if (blockOf(n.input(0)) != blockOf(n.output()))
    return nodeError(n, "input and output layouts differ");
  KilnGenScaleShiftParams p{};
  p.N = x[0];
  p.C = x[1];
  p.HW = 1;
  for (size_t i = 2; i < x.size(); ++i)
    p.HW *= x[i];
  p.block = blockOf(n.input(0));
  if (p.block > 64)
    return nodeError(n, "channel blocks above 64 are not supported");
  Layer &l = cx.addLayer(&n, Kernel::GenScaleShift);
  l.buffers = {cx.buffer(n.output()), cx.buffer(n.input(0))};
  bool constBn = n.op == OpKind::BatchNormalization &&
                 n.input(1)->isConstant() && n.input(2)->isConstant() &&
                 n.input(3)->isConstant() && n.input(4)->isConstant();
  if (constBn) {
    // Fold to scale/shift at compile time, in double.
    double eps = n.attrs.getFloat("epsilon");
    std::vector<float> scale(size_t(p.C)), shift(size_t(p.C));
    const float *s = n.input(1)->f32(), *b = n.input(2)->f32(),
                *mean = n.input(3)->f32(), *var = n.input(4)->f32();
    for (int64_t c = 0; c < p.C; ++c) {
      double a = double(s[c]) / std::sqrt(double(var[c]) + eps);
      scale[size_t(c)] = float(a);
      shift[size_t(c)] = float(double(b[c]) - double(mean[c]) * a);
    }
    l.buffers.push_back(cx.addWeight(scale));
    l.buffers.push_back(cx.addWeight(shift));
  } else {
    for (size_t i = 1; i < n.inputs.size() && i <= 4; ++i)
      l.buffers.push_back(cx.buffer(n.input(i)));
    if (n.op == OpKind::BatchNormalization) {
      p.is_bn = 1;
      p.epsilon = n.attrs.getFloat("epsilon");
    }
  }
  // Epilogue operands follow the op's own buffers (6 slots for BN).
  while (l.buffers.size() < (p.is_bn ? 6u : 4u))
    l.buffers.push_back(BufferRef::null());
  auto epi = lowerEpilogue(cx, n, l, /*allowPool=*/false);
  if (!epi)
    return epi.takeError();
  p.epi = *epi;
  l.setParams(p);
  l.workItems = kiln_gen_scale_shift_work_items(&p);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> spatialLowerings() {
  static constexpr OpLowering Table[] = {
      {OpKind::Conv, lowerConv},
      {OpKind::MaxPool, lowerPool},
      {OpKind::AveragePool, lowerPool},
      {OpKind::GlobalAveragePool, lowerGlobalPool},
      {OpKind::GlobalMaxPool, lowerGlobalPool},
      {OpKind::LRN, lowerLrn},
      {OpKind::BatchNormalization, lowerScaleShift},
      {OpKind::ScaleShift, lowerScaleShift},
  };
  return Table;
}

} // namespace kiln::codegen
