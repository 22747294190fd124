// state/windows/cached_entity.h
//
// CachedEntity is what the row cache holds for one entity (a partition and a key's text): the
// WindowState of every window store that has state for it. Features keyed alike share it, so an
// event finds an entity's windows with one cache lookup, and they are evicted together. Each
// WindowState still has its own rows (under its own store's prefix, WindowPrefix): sharing is in
// memory only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "state/cache/keyed_allocation.h"
#include "state/cache/row_cache.h"
#include "state/windows/window_state.h"

namespace riskstream {

class CachedEntity final : public CachedRow {
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

  // The entity with cache key `key`, without windows, made by MakeKeyed (keyed_allocation.h): the
  // key's bytes follow the object, beside the windows made right after it. Most entities' windows
  // (up to kInlineWindows) are listed in the object too: finding a window costs no read elsewhere.
  static std::unique_ptr<CachedEntity> Make(std::string_view key);
  static void operator delete(void* object) { ::operator delete(object); }

  std::string_view key() const override { return KeyAfter(this, key_size_); }
  // The window of store `store_id`, nullptr when not loaded yet.
  WindowState* Find(uint64_t store_id) {
    for (auto& [id, window] : windows_) {
      if (id == store_id) return window.get();
    }
    return nullptr;
  }
  WindowState* Add(uint64_t store_id, std::unique_ptr<WindowState> window) {
    windows_.emplace_back(store_id, std::move(window));
    return windows_.back().second.get();
  }

  size_t Bytes() const override;
  void Stage(RowWriter& out) const override;
  void Committed() override;

 private:
  template <typename T, typename... Args>
  friend std::unique_ptr<T> MakeKeyed(std::string_view key, Args&&... args);
  // Features keyed by an account read three windows each in the shipped and bench configs.
  static constexpr size_t kInlineWindows = 3;
  explicit CachedEntity(uint32_t key_size) : key_size_(key_size) {}

  absl::InlinedVector<std::pair<uint64_t, std::unique_ptr<WindowState>>, kInlineWindows> windows_;
  uint32_t key_size_;
};

}  // namespace riskstream
