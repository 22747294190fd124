#include "state/entity_windows.h"

#include "state/key_codec.h"

namespace riskstream {

std::string EntityWindows::Key(uint32_t partition, std::string_view entity) {
  std::string key;
  key.reserve(4 + 2 + entity.size());
  AppendU32(key, partition);
  AppendLengthPrefixed(key, entity);
  return key;
}

std::string EntityWindows::WindowPrefix(std::string_view key, uint64_t store_id) {
  constexpr size_t kPartitionBytes = 4;
  std::string prefix;
  prefix.reserve(key.size() + 8 + 1);
  prefix.append(key.substr(0, kPartitionBytes));
  AppendU64(prefix, store_id);
  prefix.append(key.substr(kPartitionBytes));
  return prefix;
}

size_t EntityWindows::Bytes() const {
  size_t bytes = sizeof(*this) + key_.capacity() + windows_.capacity() * sizeof(windows_[0]);
  for (const auto& [id, window] : windows_) bytes += window->Bytes();
  return bytes;
}

void EntityWindows::Stage(RowWriter& out) const {
  for (const auto& [id, window] : windows_) window->Stage(WindowPrefix(key_, id), out);
}

void EntityWindows::Committed() {
  for (auto& [id, window] : windows_) window->Committed();
}

}  // namespace riskstream
