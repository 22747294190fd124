// state/db/prefix_filter.h
//
// PrefixFilter is a fixed-size Bloom filter over byte strings: Add() a string, and MayContain()
// answers false only for strings never added (true may be a false positive, ~2 % at 10M strings).
// Blocked: the probes of one string share a cache line, so a lookup costs one memory access.
// StateDb uses it to know, in a database it created, that rows under a prefix (an entity's window,
// an account) have never been written, so a first-seen one costs no RocksDB read.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace riskstream {

class PrefixFilter {
 public:
  PrefixFilter();
  // `salt` keeps strings of different kinds apart (the same bytes with another salt are another
  // string).
  void Add(std::string_view bytes, uint64_t salt = 0);
  bool MayContain(std::string_view bytes, uint64_t salt = 0) const;

 private:
  static constexpr int kProbes = 3;
  std::vector<uint64_t> bits_;
};

}  // namespace riskstream
