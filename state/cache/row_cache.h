// state/cache/row_cache.h
//
// RowCache keeps the in-memory form of hot state within a byte budget, evicting the least recently
// used, approximately (CLOCK, second chance): a lookup only marks its object as used, and an
// object marked since it last came up for eviction moves to the newest end instead of going. So a
// hit writes nothing outside the object it finds (relinking it into a list would write two
// other, usually cold, objects). What it holds are CachedRows: objects that stand for some RocksDB
// rows (a window entity's aggregate and log chunks) and know how to write their changes as rows. It
// is write-back: a changed object is staged (its rows written into a batch) only when its owner
// commits or lists the pending changes, or when it is evicted, so an object changed by many events
// between two commits reaches RocksDB once, as a few rows. Invariants, with the owner's (StateDb's)
// help:
//   - an object equals what its rows read through the pending batch over the database would give
//     once every dirty object is staged;
//   - a dirty object stays dirty until Committed(), so staging may run again (a failed commit);
//   - Clear() after a discard forgets every object, so none holds a dropped change.
// A budget of 0 keeps nothing between uses: an object is staged and dropped when released. Not
// thread-safe: owned by one StateDb. Lookups among millions of objects miss the CPU cache twice
// (the index, then the object): a caller with several keys at hand prefetches the index for all
// (Prefetch), then their objects (PrefetchObject), so that the misses overlap, and hashes each key
// once for all three calls (HashedKey).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "state/db/state_family.h"

namespace riskstream {

struct RowCacheStats {
  uint64_t hits = 0, misses = 0;  // Find() calls, since the cache was made
  uint64_t evictions = 0;
  uint64_t bytes = 0;  // estimated memory held by the cached objects
  uint64_t capacity_bytes = 0;
  uint64_t rows = 0;  // cached objects
};

// A cache key and its hash (RowCache::Hash(text)).
struct HashedKey {
  std::string_view text;
  size_t hash;
};

// Where staged rows go: the pending batch, or the batch of a commit.
class RowWriter {
 public:
  virtual ~RowWriter() = default;
  virtual void Put(StateFamily family, std::string_view key, std::string_view value) = 0;
  virtual void Delete(StateFamily family, std::string_view key) = 0;
  // Rows of `family` under `prefix` are staged for the first time (before them): a writer into
  // the database records it (StateDb::MarkPrefixWritten); one that writes nowhere may ignore it.
  virtual void MarkPrefixWritten(StateFamily family, std::string_view prefix) {
    static_cast<void>(family);
    static_cast<void>(prefix);
  }
};

// An object held by a RowCache. Subclasses keep track of their own changes.
class CachedRow {
 public:
  virtual ~CachedRow() = default;
  // Its key in the cache: fixed for its lifetime, unique among the cache's objects. The first
  // byte names the kind of object (a tag per subclass), so objects of two kinds never share a key.
  virtual std::string_view key() const = 0;
  // Memory held, roughly (read when the object is released).
  virtual size_t Bytes() const = 0;
  // Writes the rows changed since the last Committed() into `out`. May run more than once.
  virtual void Stage(RowWriter& out) const = 0;
  // The staged rows were committed: they are no longer changes.
  virtual void Committed() = 0;

 private:
  friend class RowCache;
  CachedRow* newer_ = nullptr;  // the eviction list, newest (added or given a second chance) first
  CachedRow* older_ = nullptr;
  size_t bytes_ = 0;
  uint32_t dirty_at_ = static_cast<uint32_t>(-1);  // its place in the dirty list, when dirty
  bool referenced_ = false;                        // found since it last came up for eviction
};

class RowCache {
 public:
  explicit RowCache(size_t capacity_bytes);
  ~RowCache();
  RowCache(const RowCache&) = delete;
  RowCache& operator=(const RowCache&) = delete;

  static size_t Hash(std::string_view key) { return KeyHash{}(key); }
  static HashedKey Hashed(std::string_view key) { return {key, Hash(key)}; }

  // The object cached under `key` (a miss: nullptr), marked as used. Valid until the next Release()
  // or Clear().
  CachedRow* Find(std::string_view key) { return Find(Hashed(key)); }
  CachedRow* Find(HashedKey key);
  // Starts fetching the index's memory where `key` would be into the CPU cache, so that a Find()
  // or PrefetchObject() soon after waits less.
  void Prefetch(HashedKey key) const { index_.prefetch(key); }
  // Starts fetching the object cached under `key`, if any, into the CPU cache. Reads the index
  // only (waiting for it, unless prefetched): it tells objects apart by the key's hash, so a
  // rare collision fetches another object.
  void PrefetchObject(HashedKey key) const;
  // Caches `row` (just read from the database, or new), whose key must not be cached yet;
  // evicts nothing. Returns it, valid as a Find() result.
  CachedRow* Add(std::unique_ptr<CachedRow> row);
  // Ends a use of `row` (from Find or Add): `changed` marks it dirty. Then evicts the least
  // recently used objects while over budget (`row` last), staging dirty ones into `evict_to`.
  void Release(CachedRow* row, bool changed, RowWriter& evict_to);

  // Stages every dirty object into `out`; they stay dirty until Committed().
  void StageAll(RowWriter& out) const;
  // Everything staged was committed: every dirty object is clean.
  void Committed();
  // Forgets every object (their changes were dropped, or the database changed behind them).
  void Clear();

  size_t dirty_objects() const { return dirty_.size(); }
  RowCacheStats stats() const;

 private:
  void Unlink(CachedRow* row);
  void LinkNewest(CachedRow* row);
  void Evict(CachedRow* row, RowWriter& evict_to);

  size_t capacity_;
  // Any object whose key has the hash: PrefetchObject's lookup, which reads no object.
  struct HashOnly {
    size_t hash;
  };
  // Hashes a key's text, or takes the hash given with it (heterogeneous lookup).
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
    size_t operator()(const HashedKey& key) const { return key.hash; }
    size_t operator()(const HashOnly& key) const { return key.hash; }
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
    bool operator()(const HashedKey& a, std::string_view b) const { return a.text == b; }
    bool operator()(std::string_view a, const HashedKey& b) const { return a == b.text; }
    // The table compared the hash's top bits (its control byte) already.
    bool operator()(const HashOnly&, std::string_view) const { return true; }
    bool operator()(std::string_view, const HashOnly&) const { return true; }
  };

  // Views of key(), in an open-addressing table: a lookup among millions of objects costs about
  // one cache miss for the slot before the object itself.
  absl::flat_hash_map<std::string_view, std::unique_ptr<CachedRow>, KeyHash, KeyEq> index_;
  CachedRow* newest_ = nullptr;
  CachedRow* oldest_ = nullptr;
  CachedRow* last_found_ = nullptr;  // found or added last
  std::vector<CachedRow*> dirty_;
  uint64_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

}  // namespace riskstream
