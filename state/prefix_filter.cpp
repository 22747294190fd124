#include "state/prefix_filter.h"

#include <functional>

namespace riskstream {
namespace {

constexpr size_t kBits = size_t{1} << 27;  // 16 MiB

// Probe `i` of a string with hash `h` (double hashing).
size_t Probe(uint64_t h, int i) {
  const uint64_t h2 = (h >> 32) | (h << 32);
  return static_cast<size_t>((h + static_cast<uint64_t>(i) * (h2 | 1)) & (kBits - 1));
}

}  // namespace

PrefixFilter::PrefixFilter() : bits_(kBits / 64, 0) {}

void PrefixFilter::Add(std::string_view bytes) {
  const uint64_t h = std::hash<std::string_view>{}(bytes);
  for (int i = 0; i < kProbes; ++i) {
    const size_t bit = Probe(h, i);
    bits_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
}

bool PrefixFilter::MayContain(std::string_view bytes) const {
  const uint64_t h = std::hash<std::string_view>{}(bytes);
  for (int i = 0; i < kProbes; ++i) {
    const size_t bit = Probe(h, i);
    if ((bits_[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

}  // namespace riskstream
