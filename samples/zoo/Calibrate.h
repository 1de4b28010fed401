//===- Calibrate.h - Running one image through a model being built -*- C++ -*-===//
//
// A trained network's BatchNormalization statistics are those of the data
// that reaches it. The zoo reproduces that: while a model with BN is built,
// a calibration batch goes through every layer as it is added, and each BN
// gets the mean and variance its input actually has (then perturbed). One
// image at 224x224; more at small sizes, so the last stage still has ~49
// positions per channel to average. With
// statistics that do not match the data, a BN does not normalize and the
// activations grow at every residual block (by ~2^50 over ResNet-152).
//
// Plain loops, float accumulation, FP contraction off: the numbers, hence
// the model's bytes, do not depend on the vector width the compiler picks.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SAMPLES_ZOO_CALIBRATE_H
#define KILN_SAMPLES_ZOO_CALIBRATE_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln::zoo {

struct Window;

/// The activations of a batch: [n, c, h, w], row-major.
struct Activations {
  int64_t n = 0, c = 0, h = 0, w = 0;
  std::vector<float> data;

  static Activations zeros(int64_t n, int64_t c, int64_t h, int64_t w) {
    return {n, c, h, w, std::vector<float>(size_t(n * c * h * w))};
  }
  float *plane(int64_t image, int64_t channel) {
    return data.data() + (image * c + channel) * h * w;
  }
  const float *plane(int64_t image, int64_t channel) const {
    return data.data() + (image * c + channel) * h * w;
  }
};

/// Grouped 2-D convolution; `weight` is [outChannels, c/group, kH, kW],
/// `bias` may be null. The output size is `outH` x `outW`.
Activations conv2d(const Activations &x, const float *weight, const float *bias,
                   int64_t outChannels, const Window &win, int64_t group, int64_t outH,
                   int64_t outW);

/// Max-pooling (padding never wins).
Activations maxPool2d(const Activations &x, const Window &win, int64_t outH, int64_t outW);

/// Average-pooling; padding is not counted (ONNX's count_include_pad=0).
Activations avgPool2d(const Activations &x, const Window &win, int64_t outH, int64_t outW);

void reluInPlace(Activations &x);
void addInPlace(Activations &x, const Activations &y);
/// y = gamma * (x - mean) / sqrt(var + epsilon) + beta, per channel.
void batchNormInPlace(Activations &x, const float *gamma, const float *beta, const float *mean,
                      const float *var, double epsilon);

/// Per-channel mean and (population) variance over the batch and positions.
void channelMoments(const Activations &x, std::vector<double> &mean, std::vector<double> &var);

} // namespace kiln::zoo

#endif // KILN_SAMPLES_ZOO_CALIBRATE_H
