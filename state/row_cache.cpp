#include "state/row_cache.h"

#include <utility>

namespace riskstream {
namespace {

// A list node, a hash node and the two strings' headers, roughly (64-bit libstdc++).
constexpr size_t kEntryOverhead = 160;

}  // namespace

size_t RowCache::Entry::Bytes() const {
  return kEntryOverhead + key.capacity() + (row ? row->capacity() : 0);
}

RowCache::RowCache(size_t capacity_bytes, Stage stage)
    : capacity_(capacity_bytes), stage_(std::move(stage)) {}

const RowCache::Row* RowCache::Find(const std::string& key) {
  auto found = index_.find(key);
  if (found == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, found->second);
  return &found->second->row;
}

RowCache::Entry& RowCache::Upsert(const std::string& key, Row row) {
  auto found = index_.find(key);
  if (found != index_.end()) {
    Entry& entry = *found->second;
    bytes_ -= entry.Bytes();
    if (entry.unstaged) unstaged_bytes_ -= entry.Bytes();
    entry.row = std::move(row);
    lru_.splice(lru_.begin(), lru_, found->second);
    bytes_ += entry.Bytes();
    if (entry.unstaged) unstaged_bytes_ += entry.Bytes();
    return entry;
  }
  lru_.push_front(Entry{key, std::move(row)});
  Entry& entry = lru_.front();
  index_.emplace(entry.key, lru_.begin());
  bytes_ += entry.Bytes();
  return entry;
}

void RowCache::Fill(const std::string& key, Row row) {
  if (capacity_ == 0) return;
  Upsert(key, std::move(row));
  EvictOverBudget();
}

void RowCache::Write(const std::string& key, Row row) {
  if (capacity_ == 0) {
    stage_(key, row);
    return;
  }
  Entry& entry = Upsert(key, std::move(row));
  if (!entry.unstaged) {
    entry.unstaged = true;
    unstaged_bytes_ += entry.Bytes();
  }
  if (!entry.uncommitted) {
    entry.uncommitted = true;
    written_.push_back(key);
  }
  EvictOverBudget();
}

void RowCache::StageEntry(Entry& entry) {
  if (!entry.unstaged) return;
  stage_(entry.key, entry.row);
  entry.unstaged = false;
  unstaged_bytes_ -= entry.Bytes();
}

void RowCache::Remove(Lru::iterator it) {
  bytes_ -= it->Bytes();
  if (it->unstaged) unstaged_bytes_ -= it->Bytes();
  index_.erase(it->key);
  lru_.erase(it);
}

void RowCache::EvictOverBudget() {
  while (bytes_ > capacity_ && !lru_.empty()) {
    auto last = std::prev(lru_.end());
    StageEntry(*last);  // its truth moves to the pending batch; it stays in `written_`
    Remove(last);
    ++evictions_;
  }
}

void RowCache::StageAll() {
  for (const std::string& key : written_) {
    auto found = index_.find(key);
    if (found != index_.end()) StageEntry(*found->second);
  }
}

void RowCache::Committed() {
  for (const std::string& key : written_) {
    auto found = index_.find(key);
    if (found != index_.end()) found->second->uncommitted = false;
  }
  written_.clear();
}

void RowCache::Discarded() {
  // Also drops rows re-read after an eviction: they may hold values of the dropped batch.
  for (const std::string& key : written_) {
    auto found = index_.find(key);
    if (found != index_.end()) Remove(found->second);
  }
  written_.clear();
}

RowCacheStats RowCache::stats() const {
  return {hits_, misses_, evictions_, bytes_, capacity_, static_cast<uint64_t>(lru_.size())};
}

}  // namespace riskstream
