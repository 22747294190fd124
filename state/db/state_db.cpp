#include "state/db/state_db.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>

#include <algorithm>

#include "state/db/key_codec.h"
#include "state/db/sorted_rows.h"

namespace riskstream {
namespace {

const char* const kFamilyNames[] = {"windows", "meta", "events", "credit"};

std::string PositionKey(const char* prefix, const std::string& topic, int32_t partition) {
  std::string key = prefix;
  AppendLengthPrefixed(key, topic);
  AppendU32(key, static_cast<uint32_t>(partition));
  return key;
}

std::string OffsetKey(const std::string& topic, int32_t partition) {
  return PositionKey("offset/", topic, partition);
}

std::string ChangelogKey(const std::string& topic, int32_t partition) {
  return PositionKey("changelog/", topic, partition);
}

std::string EncodePosition(int64_t offset) {
  std::string value;
  AppendU64(value, static_cast<uint64_t>(offset));
  return value;
}

constexpr StateDb::Family kAllFamilies[] = {StateDb::Family::kWindows, StateDb::Family::kMeta,
                                            StateDb::Family::kEvents, StateDb::Family::kCredit};

Status FromRocks(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return Status::Ok();
  return Status::IoError(what + ": " + status.ToString());
}

constexpr char kFormatKey[] = "state-format";

}  // namespace

// Writes staged rows of cached objects into a batch of this database.
class StateDb::BatchWriter final : public RowWriter {
 public:
  BatchWriter(StateDb& db, rocksdb::WriteBatchBase& batch) : db_(db), batch_(batch) {}
  void Put(StateFamily family, std::string_view key, std::string_view value) override {
    batch_.Put(db_.Handle(family), rocksdb::Slice(key.data(), key.size()),
               rocksdb::Slice(value.data(), value.size()));
  }
  void Delete(StateFamily family, std::string_view key) override {
    batch_.Delete(db_.Handle(family), rocksdb::Slice(key.data(), key.size()));
  }
  void MarkPrefixWritten(StateFamily family, std::string_view prefix) override {
    db_.MarkPrefixWritten(family, prefix);
  }

 private:
  StateDb& db_;
  rocksdb::WriteBatchBase& batch_;
};

Status StateDb::CheckFormat(const std::string& path) {
  const std::string expected = std::to_string(kStateFormat);
  std::string stored;
  auto status = db_->Get(rocksdb::ReadOptions(), Handle(Family::kMeta), kFormatKey, &stored);
  if (status.ok()) {
    if (stored == expected) return Status::Ok();
    return Status::InvalidConfig("state database " + path + " has state format " + stored +
                                 ", this riskstream reads format " + expected +
                                 ": delete the directory to rebuild it (replay, or restore from "
                                 "the changelog with exactly_once)");
  }
  if (!status.IsNotFound()) return FromRocks(status, "reading the state format of " + path);
  std::unique_ptr<rocksdb::Iterator> any(
      db_->NewIterator(rocksdb::ReadOptions(), Handle(Family::kWindows)));
  any->SeekToFirst();
  if (!any->Valid()) {
    written_ = std::make_unique<PrefixFilter>();  // created empty: track what is written
  } else {
    return Status::InvalidConfig("state database " + path +
                                 " was written by an older riskstream (state format 1), this one "
                                 "reads format " +
                                 expected +
                                 ": delete the directory to rebuild it (replay, or restore from "
                                 "the changelog with exactly_once)");
  }
  return FromRocks(db_->Put(write_options_, Handle(Family::kMeta), kFormatKey, expected),
                   "recording the state format of " + path);
}

Result<std::unique_ptr<StateDb>> StateDb::Open(const std::string& path,
                                               const StateDbOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.statistics = rocksdb::CreateDBStatistics();  // tickers only: cheap
  // Bounds the log a start-up after a crash replays (the memtables alone may hold ~0.5 GB).
  db_options.max_total_wal_size = 64 << 20;

  rocksdb::BlockBasedTableOptions table;
  // Few shards: a shard smaller than one metadata block never keeps it, and every read would then
  // load and checksum it from the file again.
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes, /*num_shard_bits=*/2);
  // Index and filters in small partitions, charged to the block cache; the top levels stay pinned.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Most reads by key miss (a first-seen entity): bloom filters answer those without reading
  // data blocks, and the memtable's own filter without walking its skip list.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions family_options;
  family_options.OptimizeLevelStyleCompaction();
  // It sets 2, and with more than one memtable to merge a manual Flush() (the clean close) can
  // wait forever for a memtable no flush picks (facebook/rocksdb#13280; seen here as a hang on
  // close with small memtables).
  family_options.min_write_buffer_number_to_merge = 1;
  family_options.memtable_whole_key_filtering = true;
  family_options.memtable_prefix_bloom_size_ratio = 0.02;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Small memtables: a commit rewrites the aggregate row of every entity changed since the last
  // one, and the event index adds two rows per event; each insert walks a skip list whose depth
  // (and cache misses) grow with the memtable. A warm count/sum update (commits included) cost
  // 3.6-3.9 us with the 128 MiB default and 2.4-2.9 us with 16 MiB (operators_bench), and a
  // replay wrote its pending batch (mostly the event index) 1.4 x faster (docs/BENCHMARKS.md).
  family_options.write_buffer_size = options.memtable_bytes;
  // Commits write their rows in key order (SortedRows), and most rows replace an older version of
  // themselves. One insert hint for all keys lets the skip list go on from the row before instead
  // of descending from its top for each row (the plain insert drops its hint unless the new key
  // falls right after the last one, which an updated key never does).
  family_options.memtable_insert_with_hint_prefix_extractor.reset(
      rocksdb::NewFixedPrefixTransform(0));

  // Window keys start with an entity prefix: bloom filters on it let a walk of one entity's log
  // skip the memtables and files that hold nothing of that entity.
  rocksdb::ColumnFamilyOptions window_options = family_options;
  window_options.prefix_extractor.reset(NewEntityPrefixTransform());

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
  for (const char* name : kFamilyNames) {
    families.emplace_back(name, std::string(name) == "windows" ? window_options : family_options);
  }

  std::unique_ptr<StateDb> state(new StateDb());
  rocksdb::DB* raw = nullptr;
  auto status =
      rocksdb::DB::Open(rocksdb::DBOptions(db_options), path, families, &state->handles_, &raw);
  if (!status.ok()) return FromRocks(status, "opening state database " + path);
  state->db_.reset(raw);
  state->statistics_ = db_options.statistics;
  state->pending_ = std::make_unique<rocksdb::WriteBatchWithIndex>(rocksdb::BytewiseComparator(), 0,
                                                                   /*overwrite_key=*/true);
  state->write_options_.sync = options.sync_commits;
  state->write_options_.disableWAL = options.disable_wal;
  state->cache_ = std::make_unique<RowCache>(options.row_cache_bytes);
  if (Status s = state->CheckFormat(path); !s.ok()) return s;
  return state;
}

StateDb::~StateDb() {
  if (!db_) return;
  // A clean close leaves nothing in the write-ahead log to replay: the next start opens at once.
  db_->Flush(rocksdb::FlushOptions(), handles_);
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

rocksdb::ColumnFamilyHandle* StateDb::Handle(Family family) const {
  return handles_[static_cast<size_t>(family) + 1];
}

Result<std::optional<std::string>> StateDb::Get(Family family, const std::string& key) {
  std::string value;
  auto status =
      pending_->GetFromBatchAndDB(db_.get(), rocksdb::ReadOptions(), Handle(family), key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocks(status, "reading state");
  return std::optional<std::string>(std::move(value));
}

void StateDb::ReleaseCached(CachedRow* row, bool changed) {
  BatchWriter pending(*this, *pending_);
  cache_->Release(row, changed, pending);
}

Result<std::optional<std::string>> StateDb::GetCommitted(Family family,
                                                         const std::string& key) const {
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), Handle(family), key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocks(status, "reading committed state");
  return std::optional<std::string>(std::move(value));
}

std::unique_ptr<rocksdb::Iterator> StateDb::NewCommittedIterator(Family family) const {
  rocksdb::ReadOptions options;
  options.total_order_seek = true;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(options, Handle(family)));
}

void StateDb::RemovePendingWriter(PendingWriter* writer) {
  writers_.erase(std::remove(writers_.begin(), writers_.end(), writer), writers_.end());
}

void StateDb::StageWriters(RowWriter& out) const {
  for (const PendingWriter* writer : writers_) writer->Stage(out);
}

void StateDb::WritersWritten() {
  for (PendingWriter* writer : writers_) writer->Written();
}

size_t StateDb::WriterBytes() const {
  size_t bytes = 0;
  for (const PendingWriter* writer : writers_) bytes += writer->Bytes();
  return bytes;
}

size_t StateDb::PendingBatchBytes() const {
  return pending_->GetWriteBatch()->GetDataSize() + WriterBytes();
}

void StateDb::Put(Family family, const std::string& key, const std::string& value) {
  // A window row under its entity's prefix; any other row under its whole key.
  MarkPrefixWritten(family, family == Family::kWindows
                                ? std::string_view(key).substr(0, EntityPrefixLength(key))
                                : std::string_view(key));
  pending_->Put(Handle(family), key, value);
}

void StateDb::Delete(Family family, const std::string& key) {
  pending_->Delete(Handle(family), key);
}

std::unique_ptr<rocksdb::Iterator> StateDb::NewIterator(Family family, bool within_entity) {
  rocksdb::ReadOptions options;
  options.total_order_seek = !within_entity;
  options.prefix_same_as_start = within_entity;
  auto* base = db_->NewIterator(options, Handle(family));
  return std::unique_ptr<rocksdb::Iterator>(pending_->NewIteratorWithBase(Handle(family), base));
}

void StateDb::SetInputOffset(const std::string& topic, int32_t partition, int64_t next_offset) {
  pending_offsets_[{topic, partition}] = next_offset;
}

Result<std::optional<int64_t>> StateDb::ReadPosition(const std::string& key,
                                                     const std::string& what) {
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), Handle(Family::kMeta), key, &value);
  if (status.IsNotFound()) return std::optional<int64_t>();
  if (!status.ok()) return FromRocks(status, "reading committed " + what);
  size_t pos = 0;
  uint64_t offset;
  if (!ReadU64(value, pos, offset)) return Status::IoError("corrupt committed " + what);
  return std::optional<int64_t>(static_cast<int64_t>(offset));
}

Result<std::optional<int64_t>> StateDb::CommittedInputOffset(const std::string& topic,
                                                             int32_t partition) {
  return ReadPosition(OffsetKey(topic, partition),
                      "offset of " + topic + "/" + std::to_string(partition));
}

void StateDb::SetChangelogPosition(const std::string& topic, int32_t partition,
                                   int64_t next_offset) {
  pending_changelog_positions_[{topic, partition}] = next_offset;
}

Result<std::optional<int64_t>> StateDb::CommittedChangelogPosition(const std::string& topic,
                                                                   int32_t partition) {
  return ReadPosition(ChangelogKey(topic, partition),
                      "changelog position of " + topic + "/" + std::to_string(partition));
}

void StateDb::ForEachPending(const PendingVisitor& visit) {
  BatchWriter pending(*this, *pending_);
  cache_->StageAll(pending);
  StageWriters(pending);
  WritersWritten();  // their changes are in the pending batch now
  // Hands each row on to `visit`, as the pending index gives them.
  class Visiting final : public RowWriter {
   public:
    explicit Visiting(const PendingVisitor& visit) : visit_(visit) {}
    void Put(StateFamily family, std::string_view key, std::string_view value) override {
      visit_(family, key, value);
    }
    void Delete(StateFamily family, std::string_view key) override {
      visit_(family, key, std::nullopt);
    }

   private:
    const PendingVisitor& visit_;
  } visiting(visit);
  ReadPendingIndex(visiting);
  for (const auto& [topic_partition, offset] : pending_offsets_) {
    visit(Family::kMeta, OffsetKey(topic_partition.first, topic_partition.second),
          EncodePosition(offset));
  }
}

Status StateDb::AddPendingPositions(rocksdb::WriteBatchBase& batch) {
  for (const auto& [topic_partition, offset] : pending_offsets_) {
    auto s =
        batch.Put(Handle(Family::kMeta), OffsetKey(topic_partition.first, topic_partition.second),
                  EncodePosition(offset));
    if (!s.ok()) return FromRocks(s, "staging input offsets");
  }
  for (const auto& [topic_partition, offset] : pending_changelog_positions_) {
    auto s = batch.Put(Handle(Family::kMeta),
                       ChangelogKey(topic_partition.first, topic_partition.second),
                       EncodePosition(offset));
    if (!s.ok()) return FromRocks(s, "staging changelog position");
  }
  return Status::Ok();
}

Status StateDb::WriteRestored(const std::vector<Change>& changes) {
  if (pending_->GetWriteBatch()->Count() != 0 || !pending_offsets_.empty() ||
      cache_->dirty_objects() != 0 ||
      std::any_of(writers_.begin(), writers_.end(), [](auto* w) { return w->Bytes() != 0; })) {
    return Status::IoError("restoring state while changes are pending");
  }
  cache_->Clear();   // what it knows may predate the restored rows
  written_.reset();  // restored rows were not noted: read to know from now on
  rocksdb::WriteBatch batch;
  for (const auto& change : changes) {
    auto s = change.value ? batch.Put(Handle(change.family), change.key, *change.value)
                          : batch.Delete(Handle(change.family), change.key);
    if (!s.ok()) return FromRocks(s, "staging restored state");
  }
  if (Status s = AddPendingPositions(batch); !s.ok()) return s;
  auto status = db_->Write(write_options_, &batch);
  if (!status.ok()) return FromRocks(status, "writing restored state");
  pending_changelog_positions_.clear();
  return Status::Ok();
}

void StateDb::ReadPendingIndex(RowWriter& out) const {
  for (Family family : kAllFamilies) {
    std::unique_ptr<rocksdb::WBWIIterator> it(pending_->NewIterator(Handle(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      // The index keeps one entry per key (overwrite_key): the newest change.
      const rocksdb::WriteEntry entry = it->Entry();
      std::string_view key(entry.key.data(), entry.key.size());
      if (entry.type == rocksdb::kPutRecord) {
        out.Put(family, key, std::string_view(entry.value.data(), entry.value.size()));
      } else {
        out.Delete(family, key);
      }
    }
  }
}

rocksdb::WriteBatch StateDb::SortedPendingBatch(bool with_dirty_objects, bool with_writers) {
  // The pending batch's newest change per key, then the dirty objects' and the pending writers'
  // rows (later, so they win for a key both change), all in key order for cheap memtable inserts.
  // Staging them straight into the commit's batch skips the pending batch's index, and a failed
  // write keeps them dirty.
  SortedRows rows;
  ReadPendingIndex(rows);
  if (with_dirty_objects) cache_->StageAll(rows);
  if (with_writers) StageWriters(rows);
  rocksdb::WriteBatch batch;
  BatchWriter writer(*this, batch);
  rows.WriteTo(writer);
  return batch;
}

Status StateDb::Commit() {
  rocksdb::WriteBatch batch =
      SortedPendingBatch(/*with_dirty_objects=*/true, /*with_writers=*/true);
  if (Status s = AddPendingPositions(batch); !s.ok()) return s;
  auto status = db_->Write(write_options_, &batch);
  if (!status.ok()) return FromRocks(status, "committing state");
  pending_->Clear();
  pending_offsets_.clear();
  pending_changelog_positions_.clear();
  cache_->Committed();
  WritersWritten();
  return Status::Ok();
}

Status StateDb::FlushPendingBatch() {
  const RowCacheStats cache = cache_->stats();
  const bool with_writers = cache.bytes + WriterBytes() > cache.capacity_bytes;
  rocksdb::WriteBatch batch = SortedPendingBatch(/*with_dirty_objects=*/false, with_writers);
  if (batch.Count() > 0) {
    auto status = db_->Write(write_options_, &batch);
    if (!status.ok()) return FromRocks(status, "writing the pending batch");
  }
  pending_->Clear();
  if (with_writers) WritersWritten();
  return Status::Ok();
}

void StateDb::ReleaseCacheAtExit() {
  const size_t capacity = cache_->stats().capacity_bytes;
  static_cast<void>(cache_.release());  // deliberately unfreed
  cache_ = std::make_unique<RowCache>(capacity);
}

void StateDb::DiscardPending() {
  pending_->Clear();
  pending_offsets_.clear();
  pending_changelog_positions_.clear();
  cache_->Clear();
  for (PendingWriter* writer : writers_) writer->Dropped();
  ++discards_;
}

uint64_t StateDb::EstimateKeys(Family family) const {
  uint64_t keys = 0;
  db_->GetIntProperty(Handle(family), "rocksdb.estimate-num-keys", &keys);
  return keys;
}

double StateDb::BlockCacheHitRatio() const {
  uint64_t hits = statistics_->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  uint64_t misses = statistics_->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  return hits + misses == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(hits + misses);
}

uint64_t StateDb::SumIntProperty(const char* property) const {
  uint64_t total = 0;
  for (auto* handle : handles_) {
    uint64_t value = 0;
    db_->GetIntProperty(handle, property, &value);
    total += value;
  }
  return total;
}

uint64_t StateDb::PendingCompactionBytes() const {
  return SumIntProperty("rocksdb.estimate-pending-compaction-bytes");
}

uint64_t StateDb::LiveDataBytes() const {
  return SumIntProperty("rocksdb.estimate-live-data-size");
}

}  // namespace riskstream
