// state/prefix_filter.h
//
// PrefixFilter is a fixed-size Bloom filter over byte strings: Add() a string, and MayContain()
// answers false only for strings never added (true may be a false positive, ~2 % at 10M strings).
// Blocked: the probes of one string share a cache line, so a lookup costs one memory access.
// StateDb uses it to know, in a database it created, that an entity has never been written, so a
// first-seen entity costs no RocksDB read.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace riskstream {

class PrefixFilter {
 public:
  PrefixFilter();
  void Add(std::string_view bytes);
  bool MayContain(std::string_view bytes) const;

 private:
  static constexpr int kProbes = 3;
  std::vector<uint64_t> bits_;
};

}  // namespace riskstream
