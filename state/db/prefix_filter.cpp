#include "state/db/prefix_filter.h"

#include <functional>

namespace riskstream {
namespace {

constexpr size_t kBits = size_t{1} << 27;  // 16 MiB
constexpr size_t kBlockWords = 8;          // every probe of a string in one 64-byte cache line
constexpr size_t kBlocks = kBits / 64 / kBlockWords;

// The first word of the block of a string with hash `h`, and the bit of probe `i` within it.
size_t Block(uint64_t h) { return static_cast<size_t>((h >> 32) % kBlocks) * kBlockWords; }
size_t ProbeBit(uint64_t h, int i) { return static_cast<size_t>((h >> (9 * i)) & 511); }

uint64_t Hash(std::string_view bytes, uint64_t salt) {
  return std::hash<std::string_view>{}(bytes) ^ (salt * 0x9e3779b97f4a7c15ULL);
}

}  // namespace

PrefixFilter::PrefixFilter() : bits_(kBits / 64, 0) {}

void PrefixFilter::Add(std::string_view bytes, uint64_t salt) {
  const uint64_t h = Hash(bytes, salt);
  uint64_t* block = &bits_[Block(h)];
  for (int i = 0; i < kProbes; ++i) {
    const size_t bit = ProbeBit(h, i);
    block[bit / 64] |= uint64_t{1} << (bit % 64);
  }
}

bool PrefixFilter::MayContain(std::string_view bytes, uint64_t salt) const {
  const uint64_t h = Hash(bytes, salt);
  const uint64_t* block = &bits_[Block(h)];
  for (int i = 0; i < kProbes; ++i) {
    const size_t bit = ProbeBit(h, i);
    if ((block[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

}  // namespace riskstream
