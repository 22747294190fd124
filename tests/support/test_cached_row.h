// tests/support/test_cached_row.h
//
// TestCachedRow is the simplest CachedRow: one row of the windows family, its value held in
// memory. Set() changes it; Stage() writes it while changed; `staged` counts Stage() calls.
#pragma once

#include <string>
#include <utility>

#include "state/cache/row_cache.h"

namespace riskstream {

class TestCachedRow final : public CachedRow {
 public:
  TestCachedRow(std::string key, std::string row_key, std::string value)
      : key_(std::move(key)), row_key_(std::move(row_key)), value_(std::move(value)) {}

  std::string_view key() const override { return key_; }
  const std::string& value() const { return value_; }
  void Set(std::string value) {
    value_ = std::move(value);
    changed_ = true;
  }

  size_t Bytes() const override {
    return sizeof(*this) + key_.capacity() + row_key_.capacity() + value_.capacity();
  }
  void Stage(RowWriter& out) const override {
    ++staged;
    if (changed_) out.Put(StateFamily::kWindows, row_key_, value_);
  }
  void Committed() override { changed_ = false; }

  mutable int staged = 0;

 private:
  std::string key_, row_key_, value_;
  bool changed_ = false;
};

}  // namespace riskstream
