#include "state/windows/window_store.h"

#include <gtest/gtest.h>
#include <rocksdb/statistics.h>

#include <map>
#include <random>
#include <set>

#include "state/db/key_codec.h"
#include "tests/support/state_db_test_base.h"

namespace riskstream {
namespace {

class WindowStoreTest : public StateDbTestBase {
 protected:
  WindowAggregate Add(WindowStore& store, std::string_view entity, TimestampMs t, double value = 1,
                      std::string_view distinct = "") {
    auto result = store.Apply(0, entity, t, WindowContribution{value, distinct});
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : WindowAggregate{};
  }
  WindowAggregate Read(WindowStore& store, std::string_view entity, TimestampMs t) {
    auto result = store.Apply(0, entity, t, std::nullopt);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : WindowAggregate{};
  }
};

WindowSpec Spec(DurationMs size, DurationMs lateness = 0, bool distinct = false) {
  WindowSpec spec;
  spec.store_id = 42;
  spec.size_ms = size;
  spec.allowed_lateness_ms = lateness;
  spec.track_distinct = distinct;
  return spec;
}

TEST(WindowStateTest, UpperBoundIsPastEveryEntryAtOrBeforeTheTime) {
  WindowState e;
  EXPECT_EQ(e.UpperBound(5), e.end());  // empty
  for (TimestampMs t : {10, 20, 20, 30, 40, 40}) e.Insert(t, 0, 1, "");
  e.PopFront();  // the log starts at its second entry: begin() is 1
  EXPECT_EQ(e.UpperBound(5), e.begin());
  EXPECT_EQ(e.UpperBound(19), e.begin());
  EXPECT_EQ(e.UpperBound(20), 3u);  // ties at the front: past both
  EXPECT_EQ(e.UpperBound(25), 3u);
  EXPECT_EQ(e.UpperBound(30), 4u);
  EXPECT_EQ(e.UpperBound(39), 4u);
  EXPECT_EQ(e.UpperBound(40), e.end());  // ties at the back: past both
  EXPECT_EQ(e.UpperBound(99), e.end());
}

TEST_F(WindowStoreTest, EventExactlyAtWindowStartIsExcluded) {
  WindowStore store(*db_, Spec(1000));
  Add(store, "k", 1000);
  EXPECT_EQ(Add(store, "k", 1999).count, 2);  // 1000 is inside (999, 1999]
  EXPECT_EQ(Add(store, "k", 2000).count, 2);  // 1000 is at t - W: out
}

TEST_F(WindowStoreTest, EventAtCurrentTimeAndTiesAreIncluded) {
  WindowStore store(*db_, Spec(1000));
  EXPECT_EQ(Add(store, "k", 5000).count, 1);  // the current event counts
  EXPECT_EQ(Add(store, "k", 5000).count, 2);  // equal timestamps all count
  EXPECT_EQ(Add(store, "k", 5000).count, 3);
  EXPECT_EQ(Read(store, "k", 5999).count, 3);
  EXPECT_EQ(Read(store, "k", 6000).count, 0);
}

// Most events read features of keys that never contributed (a purchase reads its device's
// application features): such a read answers an empty window and keeps nothing in memory.
TEST_F(WindowStoreTest, ReadingAnEntityWithoutStateMakesNothing) {
  WindowStore store(*db_, Spec(1000));
  WindowStore other(*db_, [] {
    WindowSpec spec = Spec(1000);
    spec.store_id = 43;
    return spec;
  }());
  EXPECT_EQ(Read(store, "unseen", 100).count, 0);
  EXPECT_EQ(db_->CacheStats().rows, 0u);
  Add(store, "seen", 100);
  EXPECT_EQ(db_->CacheStats().rows, 1u);
  const size_t bytes = db_->CacheStats().bytes;
  EXPECT_EQ(Read(other, "seen", 200).count, 0);  // the entity is cached, this store has nothing
  EXPECT_EQ(db_->CacheStats().bytes, bytes);
  EXPECT_EQ(Read(store, "seen", 200).count, 1);
}

TEST_F(WindowStoreTest, KeysAndPartitionsAreIndependent) {
  WindowStore store(*db_, Spec(1000));
  Add(store, "a", 100);
  Add(store, "a", 200);
  EXPECT_EQ(Add(store, "b", 300).count, 1);
  auto other_partition = store.Apply(1, "a", 300, WindowContribution{});
  ASSERT_TRUE(other_partition.ok());
  EXPECT_EQ(other_partition->count, 1);
  WindowSpec other = Spec(1000);
  other.store_id = 7;
  WindowStore other_store(*db_, other);
  EXPECT_EQ(Read(other_store, "a", 300).count, 0);
}

TEST_F(WindowStoreTest, SumAndDistinctExpireExactly) {
  WindowStore store(*db_, Spec(1000, 0, true));
  Add(store, "k", 0, 10, "x");
  Add(store, "k", 500, 20, "y");
  auto both = Add(store, "k", 900, 30, "x");
  EXPECT_EQ(both.count, 3);
  EXPECT_DOUBLE_EQ(both.sum, 60);
  EXPECT_EQ(both.distinct, 2);
  auto later = Read(store, "k", 1000);  // the event at 0 leaves
  EXPECT_EQ(later.count, 2);
  EXPECT_DOUBLE_EQ(later.sum, 50);
  EXPECT_EQ(later.distinct, 2);        // "x" is still there once
  auto last = Read(store, "k", 1500);  // the event at 500 ("y") leaves
  EXPECT_EQ(last.distinct, 1);
  EXPECT_DOUBLE_EQ(last.sum, 30);
}

TEST_F(WindowStoreTest, OutOfOrderWithinLatenessIsExact) {
  WindowStore store(*db_, Spec(1000, 5000));
  Add(store, "k", 10000);
  Add(store, "k", 10500);
  auto late = Add(store, "k", 9200);  // window (8200, 9200]: only itself
  EXPECT_TRUE(late.exact);
  EXPECT_EQ(late.count, 1);
  auto head = Read(store, "k", 10500);  // (9500, 10500]: 10000, 10500; 9200 is out
  EXPECT_EQ(head.count, 2);
  auto mid = Add(store, "k", 10100);  // (9100, 10100]: 9200, 10000, itself
  EXPECT_EQ(mid.count, 3);
}

TEST_F(WindowStoreTest, TooLateEventIsFlaggedInexact) {
  WindowStore store(*db_, Spec(1000, 100));
  Add(store, "k", 10000);
  auto late = Add(store, "k", 5000);
  EXPECT_FALSE(late.exact);
}

TEST_F(WindowStoreTest, SurvivesCommitAndReopen) {
  {
    WindowStore store(*db_, Spec(kHourMs, 0, true));
    Add(store, "dev", 1000, 1, "a");
    Add(store, "dev", 2000, 1, "b");
    db_->SetInputOffset("applications", 0, 17);
    ASSERT_TRUE(db_->Commit().ok());
    Add(store, "dev", 3000, 1, "c");  // never committed
  }
  Reopen();
  auto offset = db_->CommittedInputOffset("applications", 0);
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset->value_or(-1), 17);
  WindowStore store(*db_, Spec(kHourMs, 0, true));
  auto result = Add(store, "dev", 4000, 1, "a");
  EXPECT_EQ(result.count, 3);
  EXPECT_EQ(result.distinct, 2);
}

TEST_F(WindowStoreTest, ExpiredLogEntriesAreDeleted) {
  WindowStore store(*db_, Spec(1000, 0));
  for (int i = 0; i < 100; ++i) Add(store, "k", i * 10);
  Read(store, "k", 1'000'000);
  ASSERT_TRUE(db_->Commit().ok());
  int entries = 0;
  auto it = db_->NewIterator(StateDb::Family::kWindows);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++entries;
  EXPECT_EQ(entries, 1);  // only the entity's head row remains
}

// Rows of the windows family as committed.
int CommittedRows(StateDb& db) {
  int rows = 0;
  auto it = db.NewCommittedIterator(StateDb::Family::kWindows);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++rows;
  return rows;
}

// While an entity is cached, in-order events read and write no RocksDB row: they touch memory,
// and its rows are written once per commit.
TEST_F(WindowStoreTest, CachedEntityTouchesNoRocksDbBetweenCommits) {
  WindowStore store(*db_, Spec(1000, 100, true));
  Add(store, "k", 0, 1, "0");
  auto ticker = [&](rocksdb::Tickers which) {
    return db_->db().GetDBOptions().statistics->getTickerCount(which);
  };
  const uint64_t seeks = ticker(rocksdb::NUMBER_DB_SEEK);
  const uint64_t gets = ticker(rocksdb::NUMBER_KEYS_READ);
  for (int i = 1; i < 2000; ++i) {
    auto got = Add(store, "k", i * 10, 1, std::to_string(i % 5));
    ASSERT_EQ(got.count, std::min(i + 1, 100)) << i;
    ASSERT_EQ(got.distinct, std::min(i + 1, 5)) << i;
  }
  EXPECT_EQ(ticker(rocksdb::NUMBER_DB_SEEK), seeks);
  EXPECT_EQ(ticker(rocksdb::NUMBER_KEYS_READ), gets);
  EXPECT_EQ(CommittedRows(*db_), 0);
  ASSERT_TRUE(db_->Commit().ok());
  // Retained: (19990 - 100 - 1000, 19990], 110 entries: the head and the chunks they span.
  EXPECT_LE(CommittedRows(*db_), 1 + 110 / static_cast<int>(WindowState::kChunkEntries) + 2);
  auto committed = store.ReadCommitted(0, "k");
  ASSERT_TRUE(committed.ok() && committed->has_value());
  EXPECT_EQ((*committed)->retained_entries, 110);
  EXPECT_EQ((*committed)->aggregate.count, 100);
  EXPECT_EQ((*committed)->aggregate.distinct, 5);
}

// In a database it created, the store knows a first-seen entity has no rows and reads none; after a
// reopen it reads to know, and finds what was committed.
TEST_F(WindowStoreTest, FirstSeenEntityInANewDatabaseReadsNothing) {
  auto keys_read = [&] {
    return db_->db().GetDBOptions().statistics->getTickerCount(rocksdb::NUMBER_KEYS_READ);
  };
  {
    WindowStore store(*db_, Spec(1000));
    const uint64_t before = keys_read();
    for (int i = 0; i < 100; ++i) EXPECT_EQ(Add(store, "new" + std::to_string(i), 10).count, 1);
    EXPECT_EQ(keys_read(), before);
    ASSERT_TRUE(db_->Commit().ok());
  }
  Reopen();
  WindowStore store(*db_, Spec(1000));
  const uint64_t before = keys_read();
  EXPECT_EQ(Add(store, "new7", 20).count, 2);
  EXPECT_EQ(Add(store, "other", 20).count, 1);
  EXPECT_GT(keys_read(), before);
}

// A long window's log is stored in chunks, read back whole after a restart, with the distinct
// multiset rebuilt; entries inserted into old chunks (labels) split them and survive too.
TEST_F(WindowStoreTest, ChunkedLogSurvivesReopenWithInsertsIntoOldChunks) {
  WindowSpec spec = Spec(kHourMs, 0, true);
  spec.track_extremes = true;
  {
    WindowStore store(*db_, spec);
    for (int i = 0; i < 1000; ++i) Add(store, "k", 1000 + i * 10, i, "v" + std::to_string(i % 7));
    ASSERT_TRUE(db_->Commit().ok());
    EXPECT_LE(CommittedRows(*db_), 1 + 1000 / static_cast<int>(WindowState::kChunkEntries) + 1);
    // 300 labels at the time of one early event: its chunk grows and splits.
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(store.Insert(0, "k", 1500, WindowContribution{-1.0, "late"}).ok());
    }
    ASSERT_TRUE(db_->Commit().ok());
  }
  Reopen();
  WindowStore store(*db_, spec);
  auto got = Read(store, "k", 1000 + 999 * 10);
  EXPECT_EQ(got.count, 1300);
  EXPECT_DOUBLE_EQ(got.sum, 999.0 * 1000 / 2 - 300);
  EXPECT_EQ(got.distinct, 8);
  EXPECT_EQ(got.min, -1.0);
  EXPECT_EQ(got.max, 999.0);
  // An hour later everything up to 1500 has left, labels included.
  auto later = Read(store, "k", 1500 + kHourMs);
  EXPECT_EQ(later.count, 1000 - 51);
  EXPECT_EQ(later.distinct, 7);
  EXPECT_EQ(later.min, 51.0);
}

// With a lateness longer than the window, the log keeps what late reads need, and no more.
TEST_F(WindowStoreTest, RetainedLogIsBoundedByTheLateness) {
  WindowStore store(*db_, Spec(100, 1000));
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(Add(store, "k", i * 10).count, std::min(i + 1, 10)) << i;
  }
  ASSERT_TRUE(db_->Commit().ok());
  auto committed = store.ReadCommitted(0, "k");
  ASSERT_TRUE(committed.ok() && committed->has_value());
  // Kept: entries after Bounds(4990 - 1000).lo = 3890, i.e. 3900 .. 4990.
  EXPECT_EQ((*committed)->retained_entries, 110);
  EXPECT_LE(CommittedRows(*db_), 1 + 110 / static_cast<int>(WindowState::kChunkEntries) + 2);
}

// A corrupt row is an error naming the store, never a wrong aggregate.
TEST_F(WindowStoreTest, CorruptRowsAreErrorsWithTheStore) {
  {
    WindowStore store(*db_, Spec(kHourMs));
    for (int i = 0; i < 100; ++i)
      Add(store, "long", 1000 + i);  // older chunks in rows of their own
    ASSERT_TRUE(db_->Commit().ok());
  }
  std::string head_key;
  AppendU32(head_key, 0);
  AppendU64(head_key, 42);
  AppendLengthPrefixed(head_key, "bad");
  head_key.push_back(WindowState::kHeadTag);
  db_->Put(StateDb::Family::kWindows, head_key, "garbage");
  std::string chunk_key;
  auto it = db_->NewIterator(StateDb::Family::kWindows);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    const size_t prefix = EntityPrefixLength(key);
    if (prefix > 0 && key.size() > prefix && key[prefix] == WindowState::kChunkTag) {
      chunk_key.assign(key);
      break;
    }
  }
  it.reset();
  ASSERT_FALSE(chunk_key.empty());
  db_->Put(StateDb::Family::kWindows, chunk_key, "x");
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  WindowStore store(*db_, Spec(kHourMs));
  auto head = store.Apply(0, "bad", 5000, WindowContribution{1, ""});
  ASSERT_FALSE(head.ok());
  EXPECT_NE(head.status().ToString().find("corrupt window head in store 42"), std::string::npos)
      << head.status().ToString();
  auto chunk = store.Apply(0, "long", 5000, WindowContribution{1, ""});
  ASSERT_FALSE(chunk.ok());
  EXPECT_NE(chunk.status().ToString().find("corrupt window log chunk in store 42"),
            std::string::npos)
      << chunk.status().ToString();
  auto committed = store.ReadCommitted(0, "bad");
  EXPECT_FALSE(committed.ok());
  // Other entities are unaffected.
  EXPECT_EQ(Add(store, "good", 5000).count, 1);
}

// Brute force: keeps every event and answers from scratch.
struct Oracle {
  struct Entry {
    TimestampMs t;
    double value;
    std::string distinct;
  };
  std::map<std::string, std::vector<Entry>> events;
  WindowAggregate Query(const std::string& key, TimestampMs t, DurationMs size) const {
    WindowAggregate out;
    std::set<std::string> distinct;
    auto it = events.find(key);
    if (it == events.end()) return out;
    for (const auto& e : it->second) {
      if (e.t > t - size && e.t <= t) {
        ++out.count;
        out.sum += e.value;
        distinct.insert(e.distinct);
      }
    }
    out.distinct = static_cast<int64_t>(distinct.size());
    return out;
  }
};

TEST_F(WindowStoreTest, MatchesBruteForceOnRandomSequences) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 20; ++round) {
    const DurationMs size = 50 + static_cast<DurationMs>(random() % 500);
    const DurationMs lateness = static_cast<DurationMs>(random() % 200);
    WindowSpec spec = Spec(size, lateness, true);
    spec.store_id = static_cast<uint64_t>(round);
    WindowStore store(*db_, spec);
    Oracle oracle;
    std::map<std::string, TimestampMs> heads;
    TimestampMs clock = 1000;
    for (int i = 0; i < 400; ++i) {
      std::string key = "k" + std::to_string(random() % 4);
      clock += static_cast<TimestampMs>(random() % 40);  // zero steps make ties
      TimestampMs t = clock;
      if (random() % 5 == 0) t -= static_cast<TimestampMs>(random() % (lateness + 1));  // late
      // Events on window edges: exactly W after an earlier one.
      if (random() % 7 == 0 && !oracle.events[key].empty()) {
        t = std::max(t, oracle.events[key].back().t + size);
      }
      double value = static_cast<double>(random() % 1000) / 10;
      std::string distinct = "v" + std::to_string(random() % 6);
      bool contribute = random() % 4 != 0;
      if (contribute) oracle.events[key].push_back({t, value, distinct});
      auto got = contribute ? store.Apply(0, key, t, WindowContribution{value, distinct})
                            : store.Apply(0, key, t, std::nullopt);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      TimestampMs& head = heads[key];
      bool within_lateness = t >= head - lateness;
      head = std::max(head, t);
      if (!within_lateness) continue;  // beyond lateness only a best effort is promised
      auto want = oracle.Query(key, t, size);
      ASSERT_TRUE(got->exact) << "round " << round << " event " << i;
      ASSERT_EQ(got->count, want.count) << "round " << round << " event " << i << " t=" << t;
      ASSERT_NEAR(got->sum, want.sum, 1e-6) << "round " << round << " event " << i;
      ASSERT_EQ(got->distinct, want.distinct) << "round " << round << " event " << i;
      if (i % 50 == 0) {
        ASSERT_TRUE(db_->Commit().ok());
      }
    }
  }
}

}  // namespace
}  // namespace riskstream
