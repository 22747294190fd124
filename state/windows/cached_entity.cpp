#include "state/windows/cached_entity.h"

#include <cstring>
#include <new>

#include "state/db/key_codec.h"

namespace riskstream {

std::string CachedEntity::Key(uint32_t partition, std::string_view entity) {
  std::string key;
  Key(partition, entity, key);
  return key;
}

void CachedEntity::Key(uint32_t partition, std::string_view entity, std::string& out) {
  out.assign(1, kCacheTag);
  AppendU32(out, partition);
  AppendLengthPrefixed(out, entity);
}

std::string CachedEntity::WindowPrefix(std::string_view key, uint64_t store_id) {
  std::string prefix;
  WindowPrefix(key, store_id, prefix);
  return prefix;
}

void CachedEntity::WindowPrefix(std::string_view key, uint64_t store_id, std::string& out) {
  constexpr size_t kPartitionEnd = 1 + 4;  // after the tag
  out.reserve(key.size() + 8 + 1);
  out.assign(key.substr(1, kPartitionEnd - 1));
  AppendU64(out, store_id);
  out.append(key.substr(kPartitionEnd));
}

std::unique_ptr<CachedEntity> CachedEntity::Make(std::string_view key) {
  return MakeKeyed<CachedEntity>(key);
}

size_t CachedEntity::Bytes() const {
  size_t bytes = KeyedAllocationBytes(sizeof(*this), key_size_);
  if (windows_.capacity() > kInlineWindows) bytes += windows_.capacity() * sizeof(windows_[0]);
  for (const auto& [id, window] : windows_) bytes += window->Bytes();
  return bytes;
}

void CachedEntity::Stage(RowWriter& out) const {
  for (const auto& [id, window] : windows_) window->Stage(WindowPrefix(key(), id), out);
}

void CachedEntity::Committed() {
  for (auto& [id, window] : windows_) window->Committed();
}

}  // namespace riskstream
