// state/row_cache.h
//
// RowCache keeps recently used rows of a StateDb in memory, within a byte budget, evicting the
// least recently used. It is write-back: a write stays in the cache ("unstaged") until the owner
// stages it into its pending batch (at commit, or when the row is evicted), so a row written by
// many events between two commits reaches RocksDB once. Invariants, with the owner's help:
//   - a cached row equals what the pending batch over the database would read once every unstaged
//     row is staged;
//   - every row written since the last commit is remembered as uncommitted; Discarded() drops them
//     all, so after a discard the cache holds committed values only.
// The cache is knowledge, never truth: dropping any clean row, or the whole cache, loses nothing.
// A budget of 0 disables it (every Find misses, every Write goes straight to `stage`). Not
// thread-safe: owned by one StateDb.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace riskstream {

struct RowCacheStats {
  uint64_t hits = 0, misses = 0;  // Find() calls, since the cache was made
  uint64_t evictions = 0;
  uint64_t bytes = 0;  // estimated memory held (rows, keys and bookkeeping)
  uint64_t capacity_bytes = 0;
  uint64_t rows = 0;
};

class RowCache {
 public:
  using Row = std::optional<std::string>;  // nullopt: known to be absent
  // Called to put an unstaged row into the pending batch (nullopt: delete the key).
  using Stage = std::function<void(const std::string& key, const Row& row)>;

  RowCache(size_t capacity_bytes, Stage stage);
  RowCache(const RowCache&) = delete;
  RowCache& operator=(const RowCache&) = delete;

  // The cached row of `key` (a miss: nullptr) and marks it recently used. The pointer is valid
  // until the next call that is not const.
  const Row* Find(const std::string& key);
  // Caches `row` as just read through the pending batch over the database.
  void Fill(std::string key, Row row);
  // Caches a write of `row`: unstaged and uncommitted until staged and committed.
  void Write(std::string key, Row row);

  // Stages every unstaged row (the owner is about to write its batch).
  void StageAll();
  // The batch with every staged row was written: nothing is uncommitted any more.
  void Committed();
  // The pending batch was dropped: forgets every row written since the last commit.
  void Discarded();
  // Forgets every row; requires nothing unstaged (the database was changed behind the cache).
  void Clear();

  // Bytes of rows written but not staged yet (they add to the pending batch at commit).
  uint64_t unstaged_bytes() const { return unstaged_bytes_; }
  RowCacheStats stats() const;

 private:
  static constexpr size_t kClean = static_cast<size_t>(-1);
  struct Entry {
    std::string key;
    Row row;
    bool unstaged = false;
    size_t written_at = kClean;  // its place in `written_` while uncommitted
    size_t Bytes() const;
  };
  using Lru = std::list<Entry>;  // most recently used first

  Entry& Upsert(std::string key, Row row);
  void StageEntry(Entry& entry);
  // Removes the entry; an uncommitted one leaves its key in `evicted_written_`.
  void Remove(Lru::iterator it);
  void EvictOverBudget();

  size_t capacity_;
  Stage stage_;
  Lru lru_;
  std::unordered_map<std::string_view, Lru::iterator> index_;  // views into lru_'s keys
  Lru::iterator last_ = lru_.end();  // the entry found or written last (often written next)
  // Entries written since the last commit, and keys of such entries evicted since: a later read
  // may cache the value again from the batch, so a discard must drop those keys too.
  std::vector<Lru::iterator> written_;
  std::vector<std::string> evicted_written_;
  uint64_t bytes_ = 0, unstaged_bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

}  // namespace riskstream
