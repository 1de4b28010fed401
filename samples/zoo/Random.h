//===- Random.h - The zoo's deterministic random numbers --------*- C++ -*-===//
//
// splitmix64 for bits, Box-Muller for normals. Written out here rather than
// taken from <random> so a model's bytes depend on the seed, not on the
// standard library's distribution code (libm's log/sin/cos remain). Every initializer draws from
// its own stream, seeded from the model seed and the initializer's name, so a tensor's values do
// not depend on the order tensors are generated in.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SAMPLES_ZOO_RANDOM_H
#define KILN_SAMPLES_ZOO_RANDOM_H

#include <cmath>
#include <cstdint>
#include <string_view>

namespace kiln::zoo {

/// splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, full period.
class Rng {
public:
  explicit Rng(uint64_t state) : state_(state) {}

  /// Stream `stream` of `seed`, as kiln's random inputs define it
  /// (compiler/driver/TensorIO.h): input i of `kiln run --random-input S` is
  /// forStream(S, i).uniformSigned() in C order.
  static Rng forStream(uint64_t seed, uint64_t stream) {
    return Rng(seed ^ (stream + 1) * 0x9e3779b97f4a7c15ull);
  }

  /// Derives an independent stream for `name` from `seed` (FNV-1a of the name).
  static Rng forName(uint64_t seed, std::string_view name) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (char c : name)
      h = (h ^ uint8_t(c)) * 0x100000001b3ull;
    Rng mix(seed ^ h);
    return Rng(mix.next());
  }

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  /// Uniform in [-1, 1) with 24 random bits (k / 2^23 - 1, exact in float):
  /// the values of kiln's random inputs.
  float uniformSigned() { return float(int64_t(next() >> 40)) * 0x1p-23f - 1.0f; }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1p-53; }

  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  /// Standard normal (Box-Muller; the second value of each pair is kept).
  double normal() {
    if (haveSpare_) {
      haveSpare_ = false;
      return spare_;
    }
    double u1 = 1.0 - uniform(); // (0, 1]: log(u1) is finite
    double u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    haveSpare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }

private:
  uint64_t state_;
  double spare_ = 0;
  bool haveSpare_ = false;
};

} // namespace kiln::zoo

#endif // KILN_SAMPLES_ZOO_RANDOM_H
