#include "state/db/state_db.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/temp_dir.h"
#include "tests/support/test_cached_row.h"

namespace riskstream {
namespace {

constexpr auto kWindows = StateDb::Family::kWindows;

class StateDbCacheTest : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    StateDbOptions options;
    options.row_cache_bytes = GetParam();
    auto db = StateDb::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  // Sets the object of `key` (row "row/<key>") to `value`, reading it first as a store would.
  void Set(const std::string& key, const std::string& value) {
    auto* row = static_cast<TestCachedRow*>(db_->FindCached(key));
    if (row == nullptr) {
      row = static_cast<TestCachedRow*>(db_->AddCached(
          std::make_unique<TestCachedRow>(key, "row/" + key, Pending("row/" + key).value_or(""))));
    }
    row->Set(value);
    db_->ReleaseCached(row, true);
  }
  // The value of `key`'s object: cached, or as the pending batch over the database reads it.
  std::optional<std::string> Value(const std::string& key) {
    if (auto* row = static_cast<TestCachedRow*>(db_->FindCached(key))) return row->value();
    return Pending("row/" + key);
  }
  std::optional<std::string> Pending(const std::string& row_key) {
    auto got = db_->Get(kWindows, row_key);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::nullopt;
  }
  std::optional<std::string> Committed(const std::string& key) {
    auto got = db_->GetCommitted(kWindows, "row/" + key);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::nullopt;
  }

  TempDir dir_;
  std::unique_ptr<StateDb> db_;
};

TEST_P(StateDbCacheTest, CachedChangesAreReadBackAndCommittedOnlyByCommit) {
  Set("head", "1");
  EXPECT_EQ(Value("head"), "1");
  EXPECT_EQ(Committed("head"), std::nullopt);
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Committed("head"), "1");
  Set("head", "2");
  EXPECT_EQ(Committed("head"), "1");
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Committed("head"), "2");
}

TEST_P(StateDbCacheTest, DiscardDropsCachedAndEvictedChanges) {
  for (int i = 0; i < 200; ++i) Set("k" + std::to_string(i), "committed");
  ASSERT_TRUE(db_->Commit().ok());
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(Value("k" + std::to_string(i)), "committed");
    Set("k" + std::to_string(i), "pending");
    Set("new" + std::to_string(i), "pending");
  }
  for (int i = 0; i < 200; i += 7) ASSERT_EQ(Value("k" + std::to_string(i)), "pending");
  db_->DiscardPending();
  EXPECT_EQ(db_->CacheStats().rows, 0u);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(Value("k" + std::to_string(i)), "committed") << i;
    ASSERT_EQ(Value("new" + std::to_string(i)), std::nullopt) << i;
  }
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  for (int i = 0; i < 200; ++i) ASSERT_EQ(Committed("k" + std::to_string(i)), "committed");
}

TEST_P(StateDbCacheTest, UncommittedCachedChangesAreLostOnReopen) {
  Set("a", "1");
  ASSERT_TRUE(db_->Commit().ok());
  Set("a", "2");
  Reopen();
  EXPECT_EQ(Value("a"), "1");
}

TEST_P(StateDbCacheTest, PendingChangesListDirtyObjectsOnce) {
  Set("a", "1");
  Set("b", "2");
  Set("a", "3");
  std::map<std::string, std::string> listed;
  int visits = 0;
  db_->ForEachPending(
      [&](StateDb::Family family, std::string_view key, std::optional<std::string_view> value) {
        if (family != kWindows) return;
        ++visits;
        listed[std::string(key)] = value ? std::string(*value) : "<deleted>";
      });
  EXPECT_EQ(visits, 2);
  EXPECT_EQ(listed["row/a"], "3");
  EXPECT_EQ(listed["row/b"], "2");
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Committed("a"), "3");
}

// Flushing the pending batch writes it alone: cached objects stay dirty and right, and the next
// commit writes them.
TEST_P(StateDbCacheTest, FlushPendingBatchKeepsCachedObjectsDirty) {
  const size_t empty = db_->PendingBatchBytes();  // a batch's header
  db_->Put(kWindows, "plain", "p");
  Set("a", "1");
  ASSERT_TRUE(db_->FlushPendingBatch().ok());
  EXPECT_EQ(db_->PendingBatchBytes(), empty);
  auto plain = db_->GetCommitted(kWindows, "plain");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "p");
  EXPECT_EQ(Value("a"), "1");
  if (GetParam() >= (1 << 20)) {
    EXPECT_EQ(Committed("a"), std::nullopt);  // still only in the cache
  }
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Committed("a"), "1");
}

TEST_P(StateDbCacheTest, ReleasingTheCacheAtExitLeavesAnEmptyCacheAndACleanClose) {
  Set("a", "1");
  ASSERT_TRUE(db_->Commit().ok());
  Set("a", "2");
  db_->ReleaseCacheAtExit();
  EXPECT_EQ(db_->CacheStats().rows, 0u);
  EXPECT_EQ(db_->CacheStats().bytes, 0u);
  EXPECT_EQ(db_->CacheStats().capacity_bytes, GetParam());
  Reopen();
  EXPECT_EQ(Committed("a"), "1");  // the uncommitted change went with the released objects
}

// A commit writes its rows in key order; for a key changed both in the pending batch (a put, then
// a delete) and by a cached object staged later, the object's change is the newest and wins.
TEST_P(StateDbCacheTest, CommitKeepsTheNewestChangeOfEachKey) {
  for (int i = 0; i < 300; ++i) Set("k" + std::to_string(i), "cached");
  for (int i = 299; i >= 0; --i) {
    db_->Put(kWindows, "plain" + std::to_string(i), "old");
    if (i % 3 == 0) db_->Delete(kWindows, "plain" + std::to_string(i));
  }
  db_->Put(kWindows, "row/k7", "pending");  // older than the cached object when it is cached
  Set("k7", "newest");
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(Committed("k" + std::to_string(i)), i == 7 ? "newest" : "cached") << i;
    auto plain = db_->GetCommitted(kWindows, "plain" + std::to_string(i));
    ASSERT_TRUE(plain.ok());
    ASSERT_EQ(*plain, i % 3 == 0 ? std::nullopt : std::optional<std::string>("old")) << i;
  }
}

TEST_P(StateDbCacheTest, StatsCountHitsAndStayWithinBudget) {
  for (int i = 0; i < 500; ++i) Set("k" + std::to_string(i), "value");
  const RowCacheStats before = db_->CacheStats();
  for (int i = 0; i < 500; ++i) ASSERT_EQ(Value("k" + std::to_string(i)), "value");
  const RowCacheStats stats = db_->CacheStats();
  EXPECT_EQ(stats.capacity_bytes, GetParam());
  EXPECT_LE(stats.bytes, GetParam());
  EXPECT_EQ(stats.hits + stats.misses - before.hits - before.misses, 500u);
  if (GetParam() >= (1 << 20)) {
    EXPECT_EQ(stats.hits - before.hits, 500u);
    EXPECT_EQ(stats.evictions, 0u);
  }
  if (GetParam() == 0) {
    EXPECT_EQ(stats.hits, 0u);
    EXPECT_EQ(stats.rows, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Budgets, StateDbCacheTest, ::testing::Values(0, 4096, 64 << 20),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           return "bytes_" + std::to_string(param.param);
                         });

// Closing flushes every memtable and returns, however many immutable memtables are waiting: with
// RocksDB's default of merging two before a flush, the close could wait forever for one that no
// flush picked (facebook/rocksdb#13280). Tiny memtables make many of them; ctest's timeout fails
// a hang.
TEST(StateDbClose, ReturnsWithManyMemtablesWaiting) {
  TempDir dir;
  StateDbOptions options;
  options.memtable_bytes = 64 << 10;
  const std::string value(300, 'v');
  for (int round = 0; round < 20; ++round) {
    auto db = StateDb::Open(dir.Sub("db"), options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (int commit = 0; commit < 40; ++commit) {
      for (int key = 0; key < 500; ++key) {
        (*db)->Put(kWindows, "k" + std::to_string(key), value + std::to_string(round));
      }
      ASSERT_TRUE((*db)->Commit().ok());
    }
  }
  auto db = StateDb::Open(dir.Sub("db"), options);
  ASSERT_TRUE(db.ok());
  auto got = (*db)->GetCommitted(kWindows, "k499");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, value + "19");
}

// In a database it created, StateDb knows what was never written, per family: a family nothing
// was noted in answers without a filter probe; a reopened database always says "read to know".
TEST(StateDbWritten, KnowsPerFamilyWhatWasNeverWritten) {
  TempDir dir;
  {
    auto db = StateDb::Open(dir.Sub("db"));
    ASSERT_TRUE(db.ok());
    for (auto family : {kWindows, StateDb::Family::kCredit, StateDb::Family::kEvents}) {
      EXPECT_FALSE((*db)->MayHaveRows(family, "acc-1"));
      EXPECT_FALSE((*db)->MayHaveRowsOf(family));
    }
    (*db)->Put(StateDb::Family::kCredit, "acc-1", "limit");
    EXPECT_TRUE((*db)->MayHaveRows(StateDb::Family::kCredit, "acc-1"));
    EXPECT_FALSE((*db)->MayHaveRows(StateDb::Family::kCredit, "acc-2"));
    EXPECT_TRUE((*db)->MayHaveRowsOf(StateDb::Family::kCredit));
    EXPECT_FALSE((*db)->MayHaveRows(kWindows, "acc-1"));
    EXPECT_FALSE((*db)->MayHaveRowsOf(kWindows));
    (*db)->MarkPrefixWritten(kWindows, "entity");
    EXPECT_TRUE((*db)->MayHaveRows(kWindows, "entity"));
    EXPECT_TRUE((*db)->MayHaveRowsOf(kWindows));
    EXPECT_FALSE((*db)->MayHaveRows(StateDb::Family::kEvents, "entity"));
    EXPECT_FALSE((*db)->MayHaveRowsOf(StateDb::Family::kEvents));
    ASSERT_TRUE((*db)->Commit().ok());
  }
  auto again = StateDb::Open(dir.Sub("db"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->MayHaveRows(StateDb::Family::kEvents, "never"));
  EXPECT_TRUE((*again)->MayHaveRowsOf(StateDb::Family::kEvents));
}

// A database in another state format is refused with what to do, never read wrongly.
TEST(StateDbFormat, RefusesAnotherFormat) {
  TempDir dir;
  {
    auto db = StateDb::Open(dir.Sub("db"));
    ASSERT_TRUE(db.ok());
    (*db)->Put(kWindows, "head", "v2");
    ASSERT_TRUE((*db)->Commit().ok());
  }
  auto again = StateDb::Open(dir.Sub("db"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();  // its own format: fine
  again->reset();
  {
    // A database of format 1 (window rows, no format record), made with RocksDB directly.
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "windows", "meta", "events", "credit"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(options), dir.Sub("old"), families, &handles, &raw)
            .ok());
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[1], "head", "v1").ok());
    for (auto* handle : handles) raw->DestroyColumnFamilyHandle(handle);
    delete raw;
  }
  auto old = StateDb::Open(dir.Sub("old"));
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.status().ToString().find("older riskstream"), std::string::npos)
      << old.status().ToString();
  EXPECT_NE(old.status().ToString().find("delete the directory"), std::string::npos);
}

}  // namespace
}  // namespace riskstream
