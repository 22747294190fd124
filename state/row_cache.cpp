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
  if (last_ != lru_.end() && last_->key == key) {
    ++hits_;
    return &last_->row;
  }
  auto found = index_.find(key);
  if (found == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, found->second);
  last_ = found->second;
  return &last_->row;
}

RowCache::Entry& RowCache::Upsert(std::string key, Row row) {
  Lru::iterator it = lru_.end();
  if (last_ != lru_.end() && last_->key == key) {
    it = last_;
  } else if (auto found = index_.find(key); found != index_.end()) {
    it = found->second;
  }
  if (it != lru_.end()) {
    Entry& entry = *it;
    bytes_ -= entry.Bytes();
    if (entry.unstaged) unstaged_bytes_ -= entry.Bytes();
    entry.row = std::move(row);
    if (it != lru_.begin()) lru_.splice(lru_.begin(), lru_, it);
    bytes_ += entry.Bytes();
    if (entry.unstaged) unstaged_bytes_ += entry.Bytes();
    last_ = it;
    return entry;
  }
  lru_.push_front(Entry{std::move(key), std::move(row)});
  Entry& entry = lru_.front();
  index_.emplace(entry.key, lru_.begin());
  bytes_ += entry.Bytes();
  last_ = lru_.begin();
  return entry;
}

void RowCache::Fill(std::string key, Row row) {
  if (capacity_ == 0) return;
  Upsert(std::move(key), std::move(row));
  EvictOverBudget();
}

void RowCache::Write(std::string key, Row row) {
  if (capacity_ == 0) {
    stage_(key, row);
    return;
  }
  Entry& entry = Upsert(std::move(key), std::move(row));
  if (!entry.unstaged) {
    entry.unstaged = true;
    unstaged_bytes_ += entry.Bytes();
  }
  if (entry.written_at == kClean) {
    entry.written_at = written_.size();
    written_.push_back(last_);
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
  if (it->written_at != kClean) {
    // Swap it out of `written_`, remember its key for a discard.
    written_[it->written_at] = written_.back();
    written_[it->written_at]->written_at = it->written_at;
    written_.pop_back();
    evicted_written_.push_back(it->key);
  }
  if (last_ == it) last_ = lru_.end();
  index_.erase(it->key);
  lru_.erase(it);
}

void RowCache::EvictOverBudget() {
  while (bytes_ > capacity_ && !lru_.empty()) {
    auto last = std::prev(lru_.end());
    StageEntry(*last);  // its truth moves to the pending batch
    Remove(last);
    ++evictions_;
  }
}

void RowCache::StageAll() {
  for (Lru::iterator it : written_) StageEntry(*it);
}

void RowCache::Committed() {
  for (Lru::iterator it : written_) it->written_at = kClean;
  written_.clear();
  evicted_written_.clear();
}

void RowCache::Discarded() {
  std::vector<Lru::iterator> written;
  written.swap(written_);
  for (Lru::iterator it : written) {
    it->written_at = kClean;  // already out of `written_`
    Remove(it);
  }
  // Rows re-read after an eviction may hold values of the dropped batch.
  for (const std::string& key : evicted_written_) {
    auto found = index_.find(key);
    if (found != index_.end()) Remove(found->second);
  }
  evicted_written_.clear();
}

void RowCache::Clear() {
  index_.clear();
  lru_.clear();
  last_ = lru_.end();
  written_.clear();
  evicted_written_.clear();
  bytes_ = 0;
  unstaged_bytes_ = 0;
}

RowCacheStats RowCache::stats() const {
  return {hits_, misses_, evictions_, bytes_, capacity_, static_cast<uint64_t>(lru_.size())};
}

}  // namespace riskstream
