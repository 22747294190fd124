// generator/random_source.h
//
// RandomSource is the event generator's only source of randomness. It wraps std::mt19937_64, whose
// output sequence the C++ standard fixes, with our own uniform/normal/... helpers, because the
// std:: distributions may give different numbers under different standard libraries. Same seed and
// same calls give the same numbers everywhere. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace riskstream {

// SplitMix64's finalizer: a bijection on 64-bit values that scatters nearby inputs. Used to derive
// independent seeds from one seed and unique, unordered-looking ids from counters.
uint64_t Mix64(uint64_t x);

class RandomSource {
 public:
  explicit RandomSource(uint64_t seed) : engine_(seed) {}

  // The next raw 64 bits.
  uint64_t NextU64() { return engine_(); }

  // Uniform in [0, 1), 53 bits of precision.
  double Uniform01();

  // Uniform in [lo, hi); lo when hi <= lo.
  double Uniform(double lo, double hi);

  // Uniform integer in [lo, hi], both included, without modulo bias. Requires lo <= hi.
  int64_t UniformInt(int64_t lo, int64_t hi);

  // True with probability p (p <= 0: never, p >= 1: always). Always draws exactly one number.
  bool Bernoulli(double p);

  // Normal (Box-Muller, one value per call).
  double Normal(double mean, double stddev);

  // Log-normal with the given median and log-space standard deviation.
  double LogNormal(double median, double sigma);

  // Log-uniform in [lo, hi): as many draws in [1h, 10h) as in [10h, 100h). Requires 0 < lo <= hi.
  double LogUniform(double lo, double hi);

  // Exponential with the given mean (> 0).
  double Exponential(double mean);

  // Index in [0, weights.size()) chosen with probability proportional to its weight. Requires a
  // non-empty span with a positive total.
  size_t PickWeighted(std::span<const double> weights);

  // A uniformly chosen element of a non-empty span.
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[static_cast<size_t>(UniformInt(0, static_cast<int64_t>(items.size()) - 1))];
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace riskstream
