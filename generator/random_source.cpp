#include "generator/random_source.h"

#include <cassert>
#include <cmath>
#include <numbers>

namespace riskstream {

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double RandomSource::Uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double RandomSource::Uniform(double lo, double hi) {
  return hi <= lo ? lo : lo + (hi - lo) * Uniform01();
}

int64_t RandomSource::UniformInt(int64_t lo, int64_t hi) {
  assert(lo <= hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0) return static_cast<int64_t>(engine_());  // the whole 64-bit range
  // Reject the top partial copy of [0, span) so every value is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t draw = engine_();
  while (draw >= limit) draw = engine_();
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + draw % span);
}

bool RandomSource::Bernoulli(double p) { return Uniform01() < p; }

double RandomSource::Normal(double mean, double stddev) {
  const double u1 = 1.0 - Uniform01();  // (0, 1]: log is finite
  const double u2 = Uniform01();
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double RandomSource::LogNormal(double median, double sigma) {
  return median * std::exp(Normal(0.0, sigma));
}

double RandomSource::LogUniform(double lo, double hi) {
  assert(lo > 0 && lo <= hi);
  return lo * std::exp(Uniform01() * std::log(hi / lo));
}

double RandomSource::Exponential(double mean) { return -mean * std::log(1.0 - Uniform01()); }

size_t RandomSource::PickWeighted(std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  assert(!weights.empty() && total > 0);
  double point = Uniform01() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (point < weights[i]) return i;
    point -= weights[i];
  }
  return weights.size() - 1;  // rounding left `point` a hair above the last weight
}

}  // namespace riskstream
