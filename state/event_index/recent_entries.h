// state/event_index/recent_entries.h
//
// RecentEntries holds an EventIndex's entries added since its rows were last written, in memory:
// the newest entry of each event id, found by id, and every entry in the order it expires (event
// time, oldest first). Each entry is one allocation (id and payload inline), owned by the
// time-ordered heap; the id table keeps each id's hash beside its entry, so growing it reads no
// entry. An entry replaced or erased stays in the heap (and counts in bytes()) until its time
// comes up, when it is dropped unreported. Put() enters ids into the id table in batches of
// kIndexBatch: a table of millions of ids misses the CPU cache on every insert, and a batch's
// slots are fetched together before any is written, so those misses overlap. Every other call
// enters the pending ids first, so what it sees is as if each Put() had entered its id at once.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "common/time.h"

namespace riskstream {

class RecentEntries {
 public:
  struct Found {
    TimestampMs time;
    std::string_view payload;  // valid until the next change
  };

  // Adds the entry of `id`, replacing the one it had.
  void Put(std::string_view id, TimestampMs time, std::string_view payload);
  std::optional<Found> Find(std::string_view id) const;
  void Erase(std::string_view id);
  // Removes the entries with time <= `cutoff`, oldest first, and calls `expired` with the id of
  // each one that was its id's entry (not replaced or erased since). Returns how many it called.
  int64_t ExpireThrough(TimestampMs cutoff, const std::function<void(std::string_view)>& expired);
  // The time of the oldest entry held (the maximum when none is).
  TimestampMs Oldest() const;
  // Calls `visit(id, time, payload)` for the entry of each id, in no particular order.
  void ForEach(
      const std::function<void(std::string_view, TimestampMs, std::string_view)>& visit) const;
  void Clear();

  bool empty() const { return ids_.empty() && unindexed_.empty(); }
  size_t size() const {
    IndexPending();
    return ids_.size();
  }
  // Memory held, roughly: every entry in the heap, and the tables' slots.
  size_t bytes() const { return bytes_; }

 private:
  class Entry;
  struct FreeEntry {
    void operator()(Entry* entry) const;
  };
  using OwnedEntry = std::unique_ptr<Entry, FreeEntry>;
  struct Slot {
    size_t hash;
    const Entry* entry;
  };
  struct IdRef {
    size_t hash;
    std::string_view id;
  };
  struct SlotHash {
    using is_transparent = void;
    size_t operator()(const Slot& slot) const { return slot.hash; }
    size_t operator()(const IdRef& ref) const { return ref.hash; }
  };
  struct SlotEq {
    using is_transparent = void;
    bool operator()(const Slot& a, const Slot& b) const;
    bool operator()(const Slot& a, const IdRef& b) const;
    bool operator()(const IdRef& a, const Slot& b) const { return (*this)(b, a); }
  };
  struct ExpiresLater {
    bool operator()(const OwnedEntry& a, const OwnedEntry& b) const;
  };
  static IdRef Ref(std::string_view id);
  // Enters the ids of unindexed_ into ids_, in the order they were put.
  void IndexPending() const;

  static constexpr size_t kIndexBatch = 64;
  // The id table and the entries put but not yet in it (owned by by_time_): entering them is
  // deferred work that changes no answer, hence mutable.
  mutable absl::flat_hash_set<Slot, SlotHash, SlotEq> ids_;
  mutable std::vector<const Entry*> unindexed_;
  std::vector<OwnedEntry> by_time_;  // a heap: the earliest time on top
  size_t bytes_ = 0;
};

}  // namespace riskstream
