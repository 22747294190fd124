#include "state/event_index/recent_entries.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "absl/hash/hash.h"

namespace riskstream {

// The header, then the id's and the payload's bytes.
class RecentEntries::Entry {
 public:
  static OwnedEntry Make(size_t hash, TimestampMs time, std::string_view id,
                         std::string_view payload) {
    void* memory = ::operator new(sizeof(Entry) + id.size() + payload.size());
    auto* entry = new (memory) Entry(hash, time, id.size(), payload.size());
    std::memcpy(entry->Chars(), id.data(), id.size());
    std::memcpy(entry->Chars() + id.size(), payload.data(), payload.size());
    return OwnedEntry(entry);
  }
  size_t hash() const { return hash_; }
  TimestampMs time() const { return time_; }
  std::string_view id() const { return {Chars(), id_size_}; }
  std::string_view payload() const { return {Chars() + id_size_, payload_size_}; }
  // With its places in the heap and the id table.
  size_t bytes() const { return sizeof(Entry) + id_size_ + payload_size_ + kPlaceBytes; }

 private:
  static constexpr size_t kPlaceBytes = 48;
  Entry(size_t hash, TimestampMs time, size_t id_size, size_t payload_size)
      : hash_(hash),
        time_(time),
        id_size_(static_cast<uint32_t>(id_size)),
        payload_size_(static_cast<uint32_t>(payload_size)) {}
  char* Chars() { return reinterpret_cast<char*>(this + 1); }
  const char* Chars() const { return reinterpret_cast<const char*>(this + 1); }

  size_t hash_;
  TimestampMs time_;
  uint32_t id_size_, payload_size_;
};

void RecentEntries::FreeEntry::operator()(Entry* entry) const {
  entry->~Entry();
  ::operator delete(static_cast<void*>(entry));
}

bool RecentEntries::SlotEq::operator()(const Slot& a, const Slot& b) const {
  return a.entry == b.entry;
}

bool RecentEntries::SlotEq::operator()(const Slot& a, const IdRef& b) const {
  return a.hash == b.hash && a.entry->id() == b.id;
}

bool RecentEntries::ExpiresLater::operator()(const OwnedEntry& a, const OwnedEntry& b) const {
  return a->time() > b->time();
}

RecentEntries::IdRef RecentEntries::Ref(std::string_view id) {
  return IdRef{absl::Hash<std::string_view>{}(id), id};
}

void RecentEntries::Put(std::string_view id, TimestampMs time, std::string_view payload) {
  const IdRef ref = Ref(id);
  OwnedEntry entry = Entry::Make(ref.hash, time, id, payload);
  unindexed_.push_back(entry.get());
  bytes_ += entry->bytes();
  by_time_.push_back(std::move(entry));
  std::push_heap(by_time_.begin(), by_time_.end(), ExpiresLater());
  if (unindexed_.size() == kIndexBatch) IndexPending();
}

void RecentEntries::IndexPending() const {
  if (unindexed_.empty()) return;
  for (const Entry* entry : unindexed_) ids_.prefetch(IdRef{entry->hash(), entry->id()});
  for (const Entry* entry : unindexed_) {
    const IdRef ref{entry->hash(), entry->id()};
    if (auto it = ids_.find(ref); it != ids_.end()) ids_.erase(it);  // its entry stays in the heap
    ids_.insert(Slot{ref.hash, entry});
  }
  unindexed_.clear();
}

std::optional<RecentEntries::Found> RecentEntries::Find(std::string_view id) const {
  IndexPending();
  auto it = ids_.find(Ref(id));
  if (it == ids_.end()) return std::nullopt;
  return Found{it->entry->time(), it->entry->payload()};
}

void RecentEntries::Erase(std::string_view id) {
  IndexPending();
  if (auto it = ids_.find(Ref(id)); it != ids_.end()) ids_.erase(it);
}

int64_t RecentEntries::ExpireThrough(TimestampMs cutoff,
                                     const std::function<void(std::string_view)>& expired) {
  IndexPending();
  int64_t count = 0;
  while (!by_time_.empty() && by_time_.front()->time() <= cutoff) {
    std::pop_heap(by_time_.begin(), by_time_.end(), ExpiresLater());
    OwnedEntry entry = std::move(by_time_.back());
    by_time_.pop_back();
    bytes_ -= entry->bytes();
    auto it = ids_.find(Slot{entry->hash(), entry.get()});
    if (it == ids_.end()) continue;  // replaced or erased since
    ids_.erase(it);
    expired(entry->id());
    ++count;
  }
  return count;
}

TimestampMs RecentEntries::Oldest() const {
  return by_time_.empty() ? std::numeric_limits<TimestampMs>::max() : by_time_.front()->time();
}

void RecentEntries::ForEach(
    const std::function<void(std::string_view, TimestampMs, std::string_view)>& visit) const {
  IndexPending();
  for (const Slot& slot : ids_) visit(slot.entry->id(), slot.entry->time(), slot.entry->payload());
}

void RecentEntries::Clear() {
  unindexed_.clear();
  ids_.clear();
  by_time_.clear();
  bytes_ = 0;
}

}  // namespace riskstream
