//===- Resize.cpp - Resize's attributes and the spec's sampling formulas -===//
//
// The formulas are ONNX Resize-18's, with the reference implementation's
// edge handling: source coordinates are clamped to the input (its edge
// padding), and exclude_outside zeroes the cubic taps outside the input and
// renormalizes the rest.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/Resize.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace kiln {

namespace {

template <typename T> const T *findAttr(const Attrs &a, const char *name) {
  auto it = a.all().find(name);
  return it == a.all().end() ? nullptr : std::get_if<T>(&it->second);
}

llvm::Error fail(const std::string &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

} // namespace

llvm::Expected<ResizeAttrs> resizeAttrs(const Attrs &a, size_t rank) {
  ResizeAttrs r;
  const auto *sizes = findAttr<std::vector<int64_t>>(a, "sizes");
  const auto *scales = findAttr<std::vector<double>>(a, "scales");
  const auto *roi = findAttr<std::vector<double>>(a, "roi");
  const auto *mode = findAttr<std::string>(a, "mode");
  const auto *coord = findAttr<std::string>(a, "coordinate_transformation_mode");
  const auto *nearest = findAttr<std::string>(a, "nearest_mode");
  const auto *cubicA = findAttr<double>(a, "cubic_coeff_a");
  const auto *exclude = findAttr<int64_t>(a, "exclude_outside");
  const auto *extrapolation = findAttr<double>(a, "extrapolation_value");
  if (!sizes || !scales || !roi || !mode || !coord || !nearest || !cubicA || !exclude ||
      !extrapolation)
    return fail("missing or mistyped attribute (sizes scales roi mode "
                "coordinate_transformation_mode nearest_mode cubic_coeff_a "
                "exclude_outside extrapolation_value)");
  if (sizes->size() != rank || scales->size() != rank || roi->size() != 2 * rank)
    return fail(fmt::format("sizes, scales and roi have {}, {} and {} values, expected {}, "
                            "{} and {} for rank {}",
                            sizes->size(), scales->size(), roi->size(), rank, rank,
                            2 * rank, rank));
  for (size_t d = 0; d < rank; ++d) {
    if ((*sizes)[d] <= 0)
      return fail(fmt::format("output size {} of axis {} is not positive", (*sizes)[d], d));
    if (!((*scales)[d] > 0) || !std::isfinite((*scales)[d]))
      return fail(fmt::format("scale {} of axis {} is not positive", (*scales)[d], d));
    if (!std::isfinite((*roi)[d]) || !std::isfinite((*roi)[rank + d]))
      return fail(fmt::format("roi of axis {} is not finite", d));
  }
  r.sizes = *sizes;
  r.scales = *scales;
  r.roi = *roi;
  if (*mode == "nearest")
    r.mode = ResizeMode::Nearest;
  else if (*mode == "linear")
    r.mode = ResizeMode::Linear;
  else if (*mode == "cubic")
    r.mode = ResizeMode::Cubic;
  else
    return fail(fmt::format("mode '{}' is not nearest, linear or cubic", *mode));
  if (*coord == "half_pixel")
    r.coord = ResizeCoord::HalfPixel;
  else if (*coord == "pytorch_half_pixel")
    r.coord = ResizeCoord::PytorchHalfPixel;
  else if (*coord == "align_corners")
    r.coord = ResizeCoord::AlignCorners;
  else if (*coord == "asymmetric")
    r.coord = ResizeCoord::Asymmetric;
  else if (*coord == "tf_half_pixel_for_nearest")
    r.coord = ResizeCoord::TfHalfPixelForNearest;
  else if (*coord == "tf_crop_and_resize")
    r.coord = ResizeCoord::TfCropAndResize;
  else
    return fail(fmt::format("coordinate_transformation_mode '{}' is not supported", *coord));
  if (*nearest == "round_prefer_floor")
    r.nearest = ResizeNearest::RoundPreferFloor;
  else if (*nearest == "round_prefer_ceil")
    r.nearest = ResizeNearest::RoundPreferCeil;
  else if (*nearest == "floor")
    r.nearest = ResizeNearest::Floor;
  else if (*nearest == "ceil")
    r.nearest = ResizeNearest::Ceil;
  else
    return fail(fmt::format("nearest_mode '{}' is not supported", *nearest));
  r.cubicA = *cubicA;
  r.excludeOutside = *exclude != 0;
  r.extrapolation = *extrapolation;
  return r;
}

ResizeTaps resizeTaps(const ResizeAttrs &r, size_t axis, int64_t inLen, int64_t x) {
  const double scale = r.scales[axis];
  const double len = double(inLen);
  // The spec's length_resized is input * scale, not floored: align_corners
  // and pytorch_half_pixel read it (x 0.6 of 4 is 2.4 long, 2 elements).
  // Given sizes it is the size (scale = size / input, up to rounding).
  double outLen = len * scale;
  if (std::fabs(outLen - double(r.sizes[axis])) < 1e-6)
    outLen = double(r.sizes[axis]);
  const double xr = double(x);
  // The coordinate transformation: output coordinate -> input coordinate.
  double xo = 0.0;
  switch (r.coord) {
  case ResizeCoord::HalfPixel:
    xo = (xr + 0.5) / scale - 0.5;
    break;
  case ResizeCoord::PytorchHalfPixel:
    xo = outLen > 1 ? (xr + 0.5) / scale - 0.5 : 0.0;
    break;
  case ResizeCoord::AlignCorners:
    xo = outLen == 1 ? 0.0 : xr * (len - 1) / (outLen - 1);
    break;
  case ResizeCoord::Asymmetric:
    xo = xr / scale;
    break;
  case ResizeCoord::TfHalfPixelForNearest:
    xo = (xr + 0.5) / scale;
    break;
  case ResizeCoord::TfCropAndResize: {
    const double start = r.roi[axis], end = r.roi[r.sizes.size() + axis];
    const double n = double(r.sizes[axis]); // the floored length here
    xo = n > 1 ? start * (len - 1) + xr * (end - start) * (len - 1) / (n - 1)
                    : 0.5 * (start + end) * (len - 1);
    break;
  }
  }
  ResizeTaps t;
  if (r.coord == ResizeCoord::TfCropAndResize && (xo < 0 || xo > len - 1)) {
    t.outside = true;
    return t;
  }
  auto clamp = [&](double i) { return int64_t(std::min(std::max(i, 0.0), len - 1)); };
  const double lo = std::floor(xo), ratio = xo - lo;
  switch (r.mode) {
  case ResizeMode::Nearest: {
    double i = lo;
    switch (r.nearest) {
    case ResizeNearest::RoundPreferFloor:
      i = ratio <= 0.5 ? lo : lo + 1;
      break;
    case ResizeNearest::RoundPreferCeil:
      i = ratio < 0.5 ? lo : lo + 1;
      break;
    case ResizeNearest::Floor:
      break;
    case ResizeNearest::Ceil:
      i = std::ceil(xo);
      break;
    }
    t.n = 1;
    t.index[0] = clamp(i);
    t.weight[0] = 1.0;
    return t;
  }
  case ResizeMode::Linear:
    t.n = 2;
    t.index[0] = clamp(lo);
    t.index[1] = clamp(lo + 1);
    t.weight[0] = 1.0 - ratio;
    t.weight[1] = ratio;
    return t;
  case ResizeMode::Cubic: {
    const double A = r.cubicA, s = ratio;
    const double d0 = s + 1, d2 = 1 - s, d3 = 2 - s;
    t.n = 4;
    t.weight[0] = ((A * d0 - 5 * A) * d0 + 8 * A) * d0 - 4 * A;
    t.weight[1] = ((A + 2) * s - (A + 3)) * s * s + 1;
    t.weight[2] = ((A + 2) * d2 - (A + 3)) * d2 * d2 + 1;
    t.weight[3] = ((A * d3 - 5 * A) * d3 + 8 * A) * d3 - 4 * A;
    double sum = 0.0;
    for (int k = 0; k < 4; ++k) {
      const double i = lo - 1 + k;
      if (r.excludeOutside && (i < 0 || i > len - 1))
        t.weight[k] = 0.0;
      sum += t.weight[k];
      t.index[k] = clamp(i);
    }
    if (r.excludeOutside && sum != 0.0)
      for (double &w : t.weight)
        w /= sum;
    return t;
  }
  }
  return t;
}

} // namespace kiln
