// operators/policy/expr/expression_context.h
//
// ExpressionContext is what rule expressions may name: variables (event fields and features such as
// `amount`, `kind`, `geo.lat`, `txn_count.1h`), each bound to a slot index of the values an
// evaluation reads, and named string lists (deny and allow lists) tested with `x in list_name`.
// Names are resolved once, when an expression is compiled; compiled expressions keep no reference
// to the context, only shared ownership of the lists they use. Variables and lists have separate
// names. Not thread-safe while being filled; safe to share read-only afterwards.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/status.h"

namespace riskstream {

// Hashes std::string and std::string_view alike, so a StringList is searched without a copy.
struct StringListHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
};

// A named list's members. Membership is exact, byte for byte.
using StringList = std::unordered_set<std::string, StringListHash, std::equal_to<>>;

class ExpressionContext {
 public:
  // Binds variable `name` to slot `slot`; several names may share a slot. Fails (kInvalidConfig)
  // when `name` is not an identifier (a letter or '_', then letters, digits, '_' and '.'), is a
  // keyword (and or not in is missing true false), is already a variable, or `slot` is negative.
  Status AddVariable(std::string name, int slot);

  // Makes `items` usable as `x in name`. Fails like AddVariable for a bad or repeated list name.
  // The shared form lets many contexts and compiled expressions hold one copy of a large list;
  // expressions compiled before a list is replaced keep the version they were compiled with.
  Status AddList(std::string name, StringList items);
  Status AddList(std::string name, std::shared_ptr<const StringList> items);

  // The slot bound to `name`, or nullopt.
  std::optional<int> FindVariable(std::string_view name) const;

  // The list called `name`, or null.
  std::shared_ptr<const StringList> FindList(std::string_view name) const;

 private:
  std::map<std::string, int, std::less<>> variables_;
  std::map<std::string, std::shared_ptr<const StringList>, std::less<>> lists_;
};

}  // namespace riskstream
