// state/db/state_db.h
//
// StateDb is riskstream's one RocksDB database per instance. Stores live in column families; every
// change goes into a pending write batch that reads see immediately (read-your-writes), and
// Commit() writes that batch together with the input offsets it consumed in one atomic RocksDB
// write. So after any crash the state on disk and the recorded input position always agree. For
// exactly-once processing the pending changes can be listed (ForEachPending) to be copied into a
// changelog, the changelog position reached is committed with them, and a restore writes changelog
// records straight to the database (WriteRestored) before any store reads it.
// Hot state is kept in memory as objects in a bounded write-back RowCache (the *Cached calls, see
// row_cache.h): their rows reach the batch at Commit(), ForEachPending() or when evicted, and
// DiscardPending() forgets them all, so the cache never changes what is committed. Stores may also
// keep their own new changes (PendingWriter, pending_writer.h), written and dropped the same way.
// A commit writes its rows in key order (cheap memtable inserts). The database
// records its state format: Open() refuses a database written in another format. Not
// thread-safe: one task owns a StateDb at a time; only the *Committed reads may come from others.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "state/cache/row_cache.h"
#include "state/db/pending_writer.h"
#include "state/db/prefix_filter.h"
#include "state/db/state_family.h"

namespace riskstream {

struct StateDbOptions {
  size_t block_cache_bytes = 64 << 20;
  bool sync_commits = false;          // WAL is always on; sync adds an fsync per commit
  size_t row_cache_bytes = 64 << 20;  // RowCache budget; 0 keeps nothing between uses
  // No write-ahead log: a crash loses every commit not flushed yet. For throwaway state only (a
  // replay's, which starts over after a crash).
  bool disable_wal = false;
  // Memtable size of every column family (see state_db.cpp for why it is small).
  size_t memtable_bytes = 16 << 20;
};

class StateDb {
 public:
  using Family = StateFamily;
  // The format of the rows this build writes (see Open).
  static constexpr int kStateFormat = 2;

  // Opens or creates the database in directory `path` with every column family riskstream uses.
  static Result<std::unique_ptr<StateDb>> Open(const std::string& path,
                                               const StateDbOptions& options = {});
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // Reads `key` as the pending batch over the database sees it. NotFound is not an error: the
  // result is then std::nullopt.
  Result<std::optional<std::string>> Get(Family family, const std::string& key);
  void Put(Family family, const std::string& key, const std::string& value);
  void Delete(Family family, const std::string& key);
  // An iterator over the pending batch merged with the database. Valid until the next Commit().
  // With `within_entity` (windows family only), it sees only keys with the entity prefix of the
  // key it was positioned at (key_codec.h), and bloom filters skip the files without it.
  std::unique_ptr<rocksdb::Iterator> NewIterator(Family family, bool within_entity = false);

  // The write-back cache of hot objects (row_cache.h). Keys are shared by every user of the
  // cache (window entities use their entity prefix, which starts with a partition and a store
  // id). An object's rows must be read and written through it only while it is cached.
  // FindCached/AddCached/PrefetchCached/PrefetchCachedObject as RowCache::Find/Add/Prefetch/
  // PrefetchObject; ReleaseCached ends a use (the object may be evicted then: its pointer is
  // invalid after the call).
  CachedRow* FindCached(std::string_view key) { return cache_->Find(key); }
  CachedRow* FindCached(HashedKey key) { return cache_->Find(key); }
  void PrefetchCached(HashedKey key) const { cache_->Prefetch(key); }
  void PrefetchCachedObject(HashedKey key) const { cache_->PrefetchObject(key); }
  CachedRow* AddCached(std::unique_ptr<CachedRow> row) { return cache_->Add(std::move(row)); }
  void ReleaseCached(CachedRow* row, bool changed);
  // What was written, known in a database this StateDb created (until a restore):
  // MarkPrefixWritten() records that rows of `family` starting with `prefix` may be written from
  // now on, and MayHaveRows() is false only when no such prefix was ever noted. True means "read to
  // know". Put() notes what it writes: a window row by its entity prefix (key_codec.h), any other
  // row by its whole key. A store that stages rows itself (a cached object, a PendingWriter) notes
  // a prefix before its first row under it reaches a batch (RowWriter::MarkPrefixWritten when
  // staging).
  void MarkPrefixWritten(Family family, std::string_view prefix) {
    if (!written_) return;
    written_->Add(prefix, static_cast<uint64_t>(family) + 1);
    noted_families_ |= FamilyBit(family);
  }
  bool MayHaveRows(Family family, std::string_view prefix) const {
    return MayHaveRowsOf(family) &&
           (!written_ || written_->MayContain(prefix, static_cast<uint64_t>(family) + 1));
  }
  // False only when no row of `family` was ever noted (then MayHaveRows is false for every
  // prefix): a store may skip building a prefix to ask about (a replay writes no window rows).
  bool MayHaveRowsOf(Family family) const {
    return !written_ || (noted_families_ & FamilyBit(family)) != 0;
  }

  // Stores that keep some pending changes themselves (pending_writer.h) register while they live;
  // their changes are written and listed with the pending batch, and dropped with it.
  void AddPendingWriter(PendingWriter* writer) { writers_.push_back(writer); }
  void RemovePendingWriter(PendingWriter* writer);

  // Committed data only, without the pending batch: safe to call from any thread while the owning
  // task works (the admin endpoint reads state this way). GetCommitted: nullopt when absent.
  Result<std::optional<std::string>> GetCommitted(Family family, const std::string& key) const;
  std::unique_ptr<rocksdb::Iterator> NewCommittedIterator(Family family) const;

  // Records that input `topic`/`partition` has been consumed up to (excluding) `next_offset`. Takes
  // effect with the next Commit().
  void SetInputOffset(const std::string& topic, int32_t partition, int64_t next_offset);
  // The committed next offset of `topic`/`partition`, or nullopt when none was ever committed.
  Result<std::optional<int64_t>> CommittedInputOffset(const std::string& topic, int32_t partition);

  // Records that the changelog `topic`/`partition` holds this state up to (excluding)
  // `next_offset`. Takes effect with the next Commit() (or WriteRestored()).
  void SetChangelogPosition(const std::string& topic, int32_t partition, int64_t next_offset);
  // The committed changelog position, or nullopt when this database never recorded one.
  Result<std::optional<int64_t>> CommittedChangelogPosition(const std::string& topic,
                                                            int32_t partition);

  // Stages every dirty cached object, then calls `visit` once per key the pending batch changes,
  // with its newest pending value (nullopt: deleted), followed by the pending input offsets as the
  // kMeta rows Commit() will write. Input order within a family is key order. The changelog
  // position is not listed.
  using PendingVisitor = std::function<void(Family family, std::string_view key,
                                            std::optional<std::string_view> value)>;
  void ForEachPending(const PendingVisitor& visit);

  // One change read back from a changelog: `value` nullopt deletes `key`.
  struct Change {
    Family family;
    std::string key;
    std::optional<std::string> value;
  };
  // Writes `changes` and the changelog position in one RocksDB write, bypassing (and requiring) an
  // empty pending batch. For restore only: nothing may have read the stores being restored.
  Status WriteRestored(const std::vector<Change>& changes);

  // Atomically writes the pending batch (with every dirty cached object) and offsets. On error
  // nothing was written and the pending batch is kept, so the caller can retry or discard.
  Status Commit();
  // Writes the pending batch alone, keeping the cached objects dirty, so reads stay right but the
  // database alone is not a consistent state (nor are offsets written). For state that is thrown
  // away after a crash (a replay's), to keep the pending batch small without writing hot objects
  // again and again; Commit() afterwards writes everything as usual. The pending writers' changes
  // stay with them too while they and the cached objects fit the cache budget, and are written
  // with the batch once they do not.
  Status FlushPendingBatch();
  // Drops every pending change and every cached object (the input will be re-read from the
  // committed offsets).
  void DiscardPending();
  // How many times DiscardPending() ran: a reader that keeps hints about the state (EventIndex)
  // drops them when this changes.
  uint64_t discards() const { return discards_; }
  // Bytes of the pending batch and the pending writers' changes (cached objects not counted: they
  // are bounded by the cache).
  size_t PendingBatchBytes() const;

  // Approximate number of live keys and live data bytes of a column family (RocksDB estimates).
  uint64_t EstimateKeys(Family family) const;
  uint64_t LiveDataBytes() const;
  uint64_t PendingCompactionBytes() const;
  // Share of block-cache lookups that hit, since the database was opened; 0 before any lookup.
  double BlockCacheHitRatio() const;
  RowCacheStats CacheStats() const { return cache_->stats(); }
  // For a process about to exit: the cached objects (dirty ones included, unwritten) are left to
  // the exit, unfreed, since freeing millions of them one by one takes seconds. The cache is
  // empty afterwards.
  void ReleaseCacheAtExit();
  rocksdb::DB& db() { return *db_; }

 private:
  StateDb() = default;
  rocksdb::ColumnFamilyHandle* Handle(Family family) const;
  class BatchWriter;
  // Checks the database's state format (or records it in a new one).
  Status CheckFormat(const std::string& path);
  // A RocksDB integer property summed over every column family.
  uint64_t SumIntProperty(const char* property) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // [default, windows, meta, events, credit]
  std::unique_ptr<rocksdb::WriteBatchWithIndex> pending_;
  std::map<std::pair<std::string, int32_t>, int64_t> pending_offsets_;
  std::map<std::pair<std::string, int32_t>, int64_t> pending_changelog_positions_;
  // Writes the pending batch's newest change per key into `out`, family by family in key order.
  void ReadPendingIndex(RowWriter& out) const;
  // The pending batch and the pending writers' rows (with the dirty objects' rows when asked) as
  // one batch in key order.
  rocksdb::WriteBatch SortedPendingBatch(bool with_dirty_objects, bool with_writers);
  // Adds the pending offsets and changelog positions to `batch` as kMeta rows.
  Status AddPendingPositions(rocksdb::WriteBatchBase& batch);
  Result<std::optional<int64_t>> ReadPosition(const std::string& key, const std::string& what);
  rocksdb::WriteOptions write_options_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<RowCache> cache_;
  // Prefixes noted (MarkPrefixWritten), when the database was created empty, and the families with
  // any.
  std::unique_ptr<PrefixFilter> written_;
  uint32_t noted_families_ = 0;
  static uint32_t FamilyBit(Family family) { return uint32_t{1} << static_cast<uint32_t>(family); }
  std::vector<PendingWriter*> writers_;
  // Stages every pending writer's changes into `out`.
  void StageWriters(RowWriter& out) const;
  // Memory held by the pending writers' changes.
  size_t WriterBytes() const;
  // Every pending writer's changes were written.
  void WritersWritten();
  uint64_t discards_ = 0;
};

}  // namespace riskstream
