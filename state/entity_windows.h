// state/entity_windows.h
//
// EntityWindows is what the row cache holds for one entity (a partition and a key's text): the
// WindowEntity of every window store that has state for it. Features keyed alike share it, so an
// event finds an entity's windows with one cache lookup, and they are evicted together. Each
// WindowEntity still has its own rows (under its own store's prefix, WindowPrefix): sharing is in
// memory only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/row_cache.h"
#include "state/window_entity.h"

namespace riskstream {

class EntityWindows final : public CachedRow {
 public:
  // The cache key of an entity: kCacheTag | partition(u32) | length-prefixed key text.
  static constexpr char kCacheTag = 'W';
  static std::string Key(uint32_t partition, std::string_view entity);
  // As Key, into `out` (its memory reused).
  static void Key(uint32_t partition, std::string_view entity, std::string& out);
  // The prefix of the rows of store `store_id`'s window of the entity with cache key `key`:
  // partition(u32) | store id(u64) | length-prefixed key text.
  static std::string WindowPrefix(std::string_view key, uint64_t store_id);
  explicit EntityWindows(std::string key) : key_(std::move(key)) {}

  std::string_view key() const override { return key_; }
  // The window of store `store_id`, nullptr when not loaded yet.
  WindowEntity* Find(uint64_t store_id) {
    for (auto& [id, window] : windows_) {
      if (id == store_id) return window.get();
    }
    return nullptr;
  }
  WindowEntity* Add(uint64_t store_id, std::unique_ptr<WindowEntity> window) {
    windows_.emplace_back(store_id, std::move(window));
    return windows_.back().second.get();
  }

  size_t Bytes() const override;
  void Stage(RowWriter& out) const override;
  void Committed() override;

 private:
  std::string key_;
  std::vector<std::pair<uint64_t, std::unique_ptr<WindowEntity>>> windows_;
};

}  // namespace riskstream
