//===- compare-npy.cpp - kiln-compare: is an output ONNX Runtime's? -------===//
//
//   kiln-compare [--argmax-axis A] [--quantized STEP|auto] REFERENCE.npy CANDIDATE.npy
//
// Passes (exit 0) when the shapes are equal, nothing is NaN, and
//
//   max |candidate - reference|  <=  Tolerance * max |reference|
//
// and, for [N, K] outputs (class scores), every row's top-1 class is the
// same. With --argmax-axis A, the argmax along axis A must be the same at
// every position of the other axes (A = 1 on [N, C, H, W] segmentation
// scores: the same class for every pixel). Prints both figures and the top-1
// classes (or the count of positions whose argmax differs). Exit 1 on a
// mismatch, 2 on a usage error or when a file cannot be read.
//
// With --quantized, the output is a quantized model's (a DequantizeLinear's
// result, whose values are (q - zero_point) * STEP) and the bar is int8's,
// stated here once (issue 14): |candidate - reference| <= 1 STEP on at least
// 99% of the elements, never more than 2 STEPs, and the same top-1. `auto`
// takes STEP as the smallest gap between distinct reference values (the
// output's scale when any two adjacent levels occur; printed).
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Npy.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <string>
#include <vector>

using namespace kiln::zoo;

namespace {
/// The end-to-end tolerance, relative to the output's largest magnitude: the
/// one place it is stated. float32 carries ~7 digits (eps 1.2e-7); a
/// dot product of K terms in a different order differs by ~sqrt(K) eps
/// relative to its terms, i.e. ~2e-5 for VGG's fc6 (K = 25088), and errors of
/// ~20 such layers add up in quadrature. 1e-4 of the largest output covers
/// that with headroom while catching any real bug (a wrong pad, a missing
/// bias, a BN folded with the wrong epsilon, all at 1e-3 and above).
constexpr double Tolerance = 1e-4;

/// The int8 bar (--quantized): steps of the output's scale.
constexpr double QuantWithinSteps = 1, QuantWithinFraction = 0.99, QuantMaxSteps = 2;
/// Slack for float rounding of (q - zp) * scale on either side: a step
/// measured as 1.0000001 steps is one step.
constexpr double QuantStepSlack = 1e-3;

/// The smallest positive gap between distinct values, 0 when all are equal.
double smallestGap(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  double gap = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    double d = double(v[i]) - double(v[i - 1]);
    if (d > 0 && (gap == 0 || d < gap))
      gap = d;
  }
  return gap;
}

int64_t argmax(const float *row, int64_t k) {
  int64_t best = 0;
  for (int64_t i = 1; i < k; ++i)
    if (row[i] > row[best])
      best = i;
  return best;
}

std::string shapeStr(const std::vector<int64_t> &shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

/// Compares the argmax along `axis` at every position of the other axes;
/// prints the first few positions that differ. Returns whether all agree.
bool sameArgmaxAlong(const NpyArray &ref, const NpyArray &got, size_t axis) {
  int64_t outer = 1, inner = 1, k = ref.shape[axis];
  for (size_t d = 0; d < axis; ++d)
    outer *= ref.shape[d];
  for (size_t d = axis + 1; d < ref.shape.size(); ++d)
    inner *= ref.shape[d];
  auto at = [&](const NpyArray &a, int64_t o, int64_t c, int64_t i) {
    return a.data[size_t((o * k + c) * inner + i)];
  };
  int64_t differ = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t a = 0, b = 0;
      for (int64_t c = 1; c < k; ++c) {
        if (at(ref, o, c, i) > at(ref, o, a, i))
          a = c;
        if (at(got, o, c, i) > at(got, o, b, i))
          b = c;
      }
      if (a == b)
        continue;
      if (++differ <= 5)
        fmt::print("  position {} (outer {}, inner {}): argmax reference {} ({:.6g}), candidate "
                   "{} ({:.6g})  MISMATCH\n",
                   o * inner + i, o, i, a, at(ref, o, a, i), b, at(got, o, b, i));
    }
  fmt::print("  argmax along axis {} ({} classes): {} of {} positions differ\n", axis, k, differ,
             outer * inner);
  return differ == 0;
}
} // namespace

int main(int argc, char **argv) {
  long argmaxAxis = -1;
  double step = -1; // --quantized: 0 means auto
  std::vector<const char *> files;
  bool usage = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quantized" && i + 1 < argc) {
      std::string v = argv[++i];
      char *end;
      step = v == "auto" ? 0 : std::strtod(v.c_str(), &end);
      usage |= v != "auto" && (v.empty() || *end != 0 || !(step > 0));
      continue;
    }
    if (a == "--argmax-axis" && i + 1 < argc) {
      char *end;
      argmaxAxis = std::strtol(argv[++i], &end, 10);
      usage |= *argv[i] == 0 || *end != 0 || argmaxAxis < 0;
    } else if (!a.empty() && a[0] == '-') {
      usage = true;
    } else {
      files.push_back(argv[i]);
    }
  }
  if (usage || files.size() != 2) {
    fmt::print(stderr,
               "usage: kiln-compare [--argmax-axis A] [--quantized STEP|auto] REFERENCE.npy "
               "CANDIDATE.npy\n"
               "passes when max|diff| <= {:g} * max|reference| and top-1 agrees (with\n"
               "--argmax-axis A: the argmax along axis A agrees everywhere; with --quantized:\n"
               "|diff| <= {:g} step on {:g}% of the elements, never > {:g} steps)\n",
               Tolerance, QuantWithinSteps, QuantWithinFraction * 100, QuantMaxSteps);
    return 2;
  }
  llvm::Expected<NpyArray> ref = readNpy(files[0]);
  llvm::Expected<NpyArray> got = readNpy(files[1]);
  if (!ref || !got) {
    if (!ref)
      fmt::print(stderr, "error: kiln-compare: {}\n", llvm::toString(ref.takeError()));
    else
      llvm::consumeError(ref.takeError());
    if (!got)
      fmt::print(stderr, "error: kiln-compare: {}\n", llvm::toString(got.takeError()));
    else
      llvm::consumeError(got.takeError());
    return 2;
  }
  if (ref->shape != got->shape) {
    fmt::print("FAIL: shapes differ: reference {} candidate {}\n", shapeStr(ref->shape),
               shapeStr(got->shape));
    return 1;
  }

  double maxDiff = 0, maxRef = 0;
  int64_t worst = 0, nans = 0;
  for (size_t i = 0; i < ref->data.size(); ++i) {
    double r = ref->data[i], g = got->data[i];
    if (std::isnan(g) || std::isnan(r)) {
      ++nans;
      continue;
    }
    maxRef = std::max(maxRef, std::fabs(r));
    if (std::fabs(g - r) > maxDiff) {
      maxDiff = std::fabs(g - r);
      worst = int64_t(i);
    }
  }
  bool ok;
  if (step >= 0) {
    if (step == 0)
      step = smallestGap(ref->data);
    if (!(step > 0)) {
      fmt::print("FAIL: --quantized auto: the reference output has a single value\n");
      return 1;
    }
    int64_t within = 0;
    for (size_t i = 0; i < ref->data.size(); ++i)
      within += std::fabs(double(got->data[i]) - double(ref->data[i])) <=
                step * (QuantWithinSteps + QuantStepSlack);
    double fraction = ref->data.empty() ? 1 : double(within) / double(ref->data.size());
    double maxSteps = maxDiff / step;
    ok = nans == 0 && fraction >= QuantWithinFraction &&
         maxSteps <= QuantMaxSteps + QuantStepSlack;
    fmt::print("{} {}: step {:.6g}, max {:.3g} steps (at {}), {:.2f}% within {:g} step "
               "(bar: {:g}%, max {:g})",
               shapeStr(ref->shape), ref->data.size(), step, maxSteps, worst, fraction * 100,
               QuantWithinSteps, QuantWithinFraction * 100, QuantMaxSteps);
  } else {
    double bound = Tolerance * maxRef;
    ok = nans == 0 && maxDiff <= bound;
    fmt::print("{} {}: max|diff| {:.3g} (at {}), max|ref| {:.6g}, ratio {:.3g} (tolerance {:g})",
               shapeStr(ref->shape), ref->data.size(), maxDiff, worst, maxRef,
               maxRef > 0 ? maxDiff / maxRef : maxDiff, Tolerance);
  }
  if (nans)
    fmt::print(", {} NaN", nans);
  fmt::print("\n");

  if (argmaxAxis >= 0) {
    if (size_t(argmaxAxis) >= ref->shape.size()) {
      fmt::print("FAIL: --argmax-axis {} but the output has rank {}\n", argmaxAxis,
                 ref->shape.size());
      return 1;
    }
    ok = sameArgmaxAlong(*ref, *got, size_t(argmaxAxis)) && ok;
  } else if (ref->shape.size() == 2 && ref->shape[1] > 1) {
    int64_t k = ref->shape[1];
    for (int64_t row = 0; row < ref->shape[0]; ++row) {
      int64_t a = argmax(ref->data.data() + row * k, k);
      int64_t b = argmax(got->data.data() + row * k, k);
      fmt::print("  row {}: top-1 reference {} ({:.6g}), candidate {} ({:.6g}){}\n", row, a,
                 ref->data[row * k + a], b, got->data[row * k + b], a == b ? "" : "  MISMATCH");
      ok = ok && a == b;
    }
  }
  fmt::print("{}\n", ok ? "OK" : "FAIL");
  return ok ? 0 : 1;
}
