#include "state/event_index/event_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

class EventIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = StateDb::Open(dir_.Sub("db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  bool Known(EventIndex& index, const std::string& id) {
    auto got = index.Get(id);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() && got->has_value();
  }

  TempDir dir_;
  std::unique_ptr<StateDb> db_;
};

TEST_F(EventIndexTest, EntriesExpireAfterTheRetentionAndErase) {
  EventIndex index(*db_, 100);
  index.Put("a", 1000, "pa");
  index.Put("b", 1050, "pb");
  index.Put("c", 1060, "pc");
  auto a = index.Get("a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->first, 1000);
  EXPECT_EQ((*a)->second, "pa");
  ASSERT_TRUE(index.Erase("c").ok());
  EXPECT_FALSE(Known(index, "c"));
  int64_t expired = 0;
  ASSERT_TRUE(index.Expire(1100, &expired).ok());  // deletes time <= 1000
  EXPECT_EQ(expired, 1);
  EXPECT_FALSE(Known(index, "a"));
  EXPECT_TRUE(Known(index, "b"));
}

TEST_F(EventIndexTest, ExpiryUndoneByADiscardIsDoneAgain) {
  EventIndex index(*db_, 100);
  index.Put("a", 1000, "");
  index.Put("b", 2000, "");
  ASSERT_TRUE(db_->Commit().ok());
  ASSERT_TRUE(index.Expire(1100).ok());
  EXPECT_FALSE(Known(index, "a"));
  db_->DiscardPending();  // the delete of "a" is gone: "a" is back
  EXPECT_TRUE(Known(index, "a"));
  int64_t expired = 0;
  ASSERT_TRUE(index.Expire(1100, &expired).ok());
  EXPECT_EQ(expired, 1);
  EXPECT_FALSE(Known(index, "a"));
  EXPECT_TRUE(Known(index, "b"));
}

// New entries stay in the index's own map until the pending batch is written: whatever the mix of
// puts (repeated ids, times out of order), erases, expiry, commits, writes of the pending batch,
// listings and discards, every id reads as a plain model of the index says, and so does the
// database after a reopen.
// With a cache budget, a flush keeps the new entries in memory; without one, it writes them.
TEST_F(EventIndexTest, ReadsAsAModelWhereverThePendingBatchIsWritten) {
  for (const int mode : {0, 1, 2}) {
    const bool flush_instead_of_discard = mode > 0;
    StateDbOptions options;
    if (mode == 2) options.row_cache_bytes = 0;
    SCOPED_TRACE(mode == 0   ? "with discards"
                 : mode == 1 ? "with flushes"
                             : "with flushes, no cache");
    TempDir dir;
    auto db = StateDb::Open(dir.Sub("db"), options);
    ASSERT_TRUE(db.ok());
    std::map<std::string, std::pair<TimestampMs, std::string>> model, committed;
    std::mt19937 random(7);
    TimestampMs newest = 10000;
    {
      EventIndex index(**db, 500);
      auto check = [&](int step) {
        for (int id = 0; id < 40; ++id) {
          const std::string name = "event-id-" + std::to_string(id);
          auto got = index.Get(name);
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          auto want = model.find(name);
          ASSERT_EQ(got->has_value(), want != model.end()) << name << " at step " << step;
          if (want != model.end()) {
            ASSERT_EQ(**got, want->second) << name << " at step " << step;
          }
        }
      };
      for (int step = 0; step < 3000; ++step) {
        const std::string name = "event-id-" + std::to_string(random() % 40);
        const int op = static_cast<int>(random() % 100);
        if (op < 55) {
          const TimestampMs time = newest - static_cast<TimestampMs>(random() % 300);
          newest += static_cast<TimestampMs>(random() % 120);
          const std::string payload = "p" + std::to_string(step);
          index.Put(name, time, payload);
          model[name] = {time, payload};
        } else if (op < 65) {
          ASSERT_TRUE(index.Erase(name).ok());
          model.erase(name);
        } else if (op < 85) {
          int64_t expired = 0;
          ASSERT_TRUE(index.Expire(newest, &expired).ok());
          int64_t want_expired = 0;
          for (auto it = model.begin(); it != model.end();) {
            const bool due = it->second.first <= newest - 500;
            want_expired += due;
            it = due ? model.erase(it) : std::next(it);
          }
          ASSERT_EQ(expired, want_expired) << "at step " << step;
        } else if (op < 92) {
          ASSERT_TRUE((*db)->Commit().ok());
          committed = model;
        } else if (op < 96) {
          (*db)->ForEachPending([](StateDb::Family, std::string_view, auto) {});
        } else if (flush_instead_of_discard) {
          ASSERT_TRUE((*db)->FlushPendingBatch().ok());
        } else {
          (*db)->DiscardPending();
          model = committed;
        }
        check(step);
      }
      ASSERT_TRUE((*db)->Commit().ok());
    }
    db->reset();
    db = StateDb::Open(dir.Sub("db"));
    ASSERT_TRUE(db.ok());
    EventIndex reopened(**db, 500);
    for (int id = 0; id < 40; ++id) {
      const std::string name = "event-id-" + std::to_string(id);
      auto got = reopened.Get(name);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(got->has_value(), model.contains(name)) << name;
    }
  }
}

TEST_F(EventIndexTest, NewEntriesExpireOldestFirstAsLastPut) {
  EventIndex index(*db_, 100);
  index.Put("a", 1000, "first");
  index.Put("b", 1100, "");
  index.Put("a", 1200, "again");  // replaces a@1000
  ASSERT_TRUE(index.Erase("b").ok());
  index.Put("b", 1150, "");
  index.Put("c", 1050, "");
  int64_t expired = 0;
  ASSERT_TRUE(index.Expire(1100 + 100, &expired).ok());  // due: time <= 1100
  EXPECT_EQ(expired, 1);                                 // c only
  EXPECT_FALSE(Known(index, "c"));
  auto a = index.Get("a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->second, "again");
  EXPECT_TRUE(Known(index, "b"));
  expired = 0;
  ASSERT_TRUE(index.Expire(1200 + 100, &expired).ok());
  EXPECT_EQ(expired, 2);
  EXPECT_FALSE(Known(index, "a"));
  EXPECT_FALSE(Known(index, "b"));
  EXPECT_EQ(index.Bytes(), 0u);
}

// A replay's flush leaves the new entries with the index while the cache budget has room for
// them, and writes them into the database once it has not.
TEST_F(EventIndexTest, AFlushKeepsNewEntriesWithinTheCacheBudget) {
  for (const size_t budget : {size_t{64} << 20, size_t{0}}) {
    SCOPED_TRACE("cache budget " + std::to_string(budget));
    TempDir dir;
    StateDbOptions options;
    options.row_cache_bytes = budget;
    auto db = StateDb::Open(dir.Sub("db"), options);
    ASSERT_TRUE(db.ok());
    EventIndex index(**db, 1000);
    index.Put("a", 5000, "payload");
    ASSERT_TRUE((*db)->FlushPendingBatch().ok());
    auto stored = (*db)->GetCommitted(StateDb::Family::kEvents, "Ea");
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->has_value(), budget == 0);
    EXPECT_EQ(index.Bytes() > 0, budget > 0);
    auto got = index.Get("a");
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->second, "payload");
  }
}

// The new entries count in the pending batch's size, are listed as rows with it, and keep a
// restore from writing behind them.
TEST_F(EventIndexTest, NewEntriesArePendingChanges) {
  EventIndex index(*db_, 1000);
  const size_t empty = db_->PendingBatchBytes();
  index.Put("a", 5000, "payload");
  EXPECT_GT(db_->PendingBatchBytes(), empty);
  EXPECT_FALSE(db_->WriteRestored({}).ok());
  std::map<std::string, std::string> listed;
  db_->ForEachPending([&](StateDb::Family family, std::string_view key, auto value) {
    if (family == StateDb::Family::kEvents && value) listed[std::string(key)] = *value;
  });
  EXPECT_EQ(listed.size(), 2u);  // by id and by time
  EXPECT_TRUE(listed.contains("Ea"));
  EXPECT_TRUE(Known(index, "a"));
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(db_->PendingBatchBytes(), empty);
  auto committed = db_->GetCommitted(StateDb::Family::kEvents, "Ea");
  ASSERT_TRUE(committed.ok());
  EXPECT_TRUE(committed->has_value());
}

}  // namespace
}  // namespace riskstream
