//===- compare-npy.cpp - kiln-compare: is an output ONNX Runtime's? -------===//
//
//   kiln-compare REFERENCE.npy CANDIDATE.npy
//
// Passes (exit 0) when the shapes are equal, nothing is NaN, and
//
//   max |candidate - reference|  <=  Tolerance * max |reference|
//
// and, for [N, K] outputs (class scores), every row's top-1 class is the
// same. Prints both figures and the top-1 classes. Exit 1 on a mismatch, 2
// when a file cannot be read.
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Npy.h"

#include <cmath>
#include <fmt/format.h>

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
} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    fmt::print(stderr,
               "usage: kiln-compare REFERENCE.npy CANDIDATE.npy\n"
               "passes when max|diff| <= {:g} * max|reference| and top-1 agrees\n",
               Tolerance);
    return 2;
  }
  llvm::Expected<NpyArray> ref = readNpy(argv[1]);
  llvm::Expected<NpyArray> got = readNpy(argv[2]);
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
  double bound = Tolerance * maxRef;
  bool ok = nans == 0 && maxDiff <= bound;
  fmt::print("{} {}: max|diff| {:.3g} (at {}), max|ref| {:.6g}, ratio {:.3g} (tolerance {:g})",
             shapeStr(ref->shape), ref->data.size(), maxDiff, worst, maxRef,
             maxRef > 0 ? maxDiff / maxRef : maxDiff, Tolerance);
  if (nans)
    fmt::print(", {} NaN", nans);
  fmt::print("\n");

  if (ref->shape.size() == 2 && ref->shape[1] > 1) {
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
