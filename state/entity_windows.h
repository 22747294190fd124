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

#include "absl/container/inlined_vector.h"
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
  // As WindowPrefix, into `out` (its memory reused).
  static void WindowPrefix(std::string_view key, uint64_t store_id, std::string& out);

  // The entity with cache key `key`, without windows. The key's bytes follow the object in its own
  // allocation, so a cache lookup compares the key where it reads the object next, and most
  // entities' windows (up to kInlineWindows) are listed in the object too: finding a window
  // costs no read elsewhere.
  // The allocation is at least a window's size: the allocator then hands out the entity and the
  // windows made right after it (all of a new entity's, usually) from one run of equal slots, side
  // by side, so that reading them touches one memory page instead of two.
  static std::unique_ptr<EntityWindows> Make(std::string_view key);
  static void operator delete(void* object) { ::operator delete(object); }

  std::string_view key() const override {
    return {reinterpret_cast<const char*>(this + 1), key_size_};
  }
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
  static size_t AllocationBytes(size_t key_size);
  // Features keyed by an account read three windows each in the shipped and bench configs.
  static constexpr size_t kInlineWindows = 3;
  explicit EntityWindows(uint32_t key_size) : key_size_(key_size) {}

  absl::InlinedVector<std::pair<uint64_t, std::unique_ptr<WindowEntity>>, kInlineWindows> windows_;
  uint32_t key_size_;
};

}  // namespace riskstream
