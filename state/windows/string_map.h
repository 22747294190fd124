// state/windows/string_map.h
//
// StringMap<V> is an open-addressing hash map (abseil's flat_hash_map) keyed by std::string that
// finds, and inserts, by std::string_view without copying the key first. Abseil's own transparent
// string hash takes absl::string_view, which Debian's abseil build keeps apart from
// std::string_view; this hash takes std::string_view.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace riskstream {

struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return absl::Hash<std::string_view>{}(text); }
};

template <typename Value>
using StringMap = absl::flat_hash_map<std::string, Value, StringViewHash, std::equal_to<>>;

}  // namespace riskstream
