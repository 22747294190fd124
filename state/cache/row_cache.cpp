#include "state/cache/row_cache.h"

#include <algorithm>
#include <utility>

#include "state/cache/keyed_allocation.h"

namespace riskstream {
namespace {

constexpr uint32_t kClean = static_cast<uint32_t>(-1);
// The index slot (a view and a pointer) and its control byte, at the table's usual load.
constexpr size_t kEntryOverhead = 32;

}  // namespace

RowCache::RowCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

RowCache::~RowCache() = default;

void RowCache::Unlink(CachedRow* row) {
  (row->newer_ != nullptr ? row->newer_->older_ : newest_) = row->older_;
  (row->older_ != nullptr ? row->older_->newer_ : oldest_) = row->newer_;
  row->newer_ = row->older_ = nullptr;
}

void RowCache::LinkNewest(CachedRow* row) {
  row->older_ = newest_;
  row->newer_ = nullptr;
  if (newest_ != nullptr) newest_->newer_ = row;
  newest_ = row;
  if (oldest_ == nullptr) oldest_ = row;
}

CachedRow* RowCache::Find(HashedKey key) {
  if (last_found_ != nullptr && last_found_->key() == key.text) {  // often one object in a row
    ++hits_;
    last_found_->referenced_ = true;
    return last_found_;
  }
  auto found = index_.find(key, key.hash);
  if (found == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  CachedRow* row = found->second.get();
  row->referenced_ = true;  // moved to the newest end only if it comes up for eviction
  last_found_ = row;
  return row;
}

void RowCache::PrefetchObject(HashedKey key) const {
  auto found = index_.find(HashOnly{key.hash}, key.hash);
  if (found == index_.end()) return;
  // The lines of an object of the usual size with its key (keyed_allocation.h).
  const char* object = reinterpret_cast<const char*>(found->second.get());
  for (size_t at = 0; at < kCachedSlotBytes; at += 64) __builtin_prefetch(object + at);
  __builtin_prefetch(object + kCachedSlotBytes - 1);
}

CachedRow* RowCache::Add(std::unique_ptr<CachedRow> row) {
  CachedRow* raw = row.get();
  raw->bytes_ = raw->Bytes() + kEntryOverhead;
  bytes_ += raw->bytes_;
  index_.emplace(raw->key(), std::move(row));
  LinkNewest(raw);
  last_found_ = raw;
  return raw;
}

void RowCache::Release(CachedRow* row, bool changed, RowWriter& evict_to) {
  if (changed && row->dirty_at_ == kClean) {
    row->dirty_at_ = static_cast<uint32_t>(dirty_.size());
    dirty_.push_back(row);
  }
  bytes_ -= row->bytes_;
  row->bytes_ = row->Bytes() + kEntryOverhead;
  bytes_ += row->bytes_;
  // The oldest object goes, unless it was used since it came up last: then it gets a second
  // chance at the newest end (each object once, so the loop ends). `row` goes last of all.
  while (bytes_ > capacity_ && oldest_ != nullptr) {
    CachedRow* oldest = oldest_;
    if (oldest->referenced_ || (oldest == row && oldest->newer_ != nullptr)) {
      oldest->referenced_ = false;
      Unlink(oldest);
      LinkNewest(oldest);
      continue;
    }
    Evict(oldest, evict_to);
  }
}

void RowCache::Evict(CachedRow* row, RowWriter& evict_to) {
  if (row->dirty_at_ != kClean) {
    row->Stage(evict_to);  // its changes move to the pending batch
    dirty_[row->dirty_at_] = dirty_.back();
    dirty_[row->dirty_at_]->dirty_at_ = row->dirty_at_;
    dirty_.pop_back();
  }
  Unlink(row);
  if (row == last_found_) last_found_ = nullptr;
  bytes_ -= row->bytes_;
  ++evictions_;
  index_.erase(index_.find(row->key()));  // destroys the row
}

void RowCache::StageAll(RowWriter& out) const {
  for (const CachedRow* row : dirty_) row->Stage(out);
}

void RowCache::Committed() {
  for (CachedRow* row : dirty_) {
    row->Committed();
    row->dirty_at_ = kClean;
  }
  dirty_.clear();
}

void RowCache::Clear() {
  newest_ = oldest_ = last_found_ = nullptr;
  dirty_.clear();
  index_.clear();
  bytes_ = 0;
}

RowCacheStats RowCache::stats() const {
  return {hits_, misses_, evictions_, bytes_, capacity_, static_cast<uint64_t>(index_.size())};
}

}  // namespace riskstream
