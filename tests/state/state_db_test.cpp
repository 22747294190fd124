#include "state/state_db.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

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
  std::optional<std::string> Cached(const std::string& key) {
    auto got = db_->GetCached(kWindows, key);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::nullopt;
  }
  std::optional<std::string> Committed(const std::string& key) {
    auto got = db_->GetCommitted(kWindows, key);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::nullopt;
  }

  TempDir dir_;
  std::unique_ptr<StateDb> db_;
};

TEST_P(StateDbCacheTest, CachedWritesAreReadBackAndCommittedOnlyByCommit) {
  db_->PutCached(kWindows, "head", "1");
  EXPECT_EQ(Cached("head"), "1");
  EXPECT_EQ(Committed("head"), std::nullopt);
  EXPECT_GT(db_->PendingBytes(), 0u);
  db_->SetInputOffset("t", 0, 5);
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Committed("head"), "1");
  db_->DeleteCached(kWindows, "head");
  EXPECT_EQ(Cached("head"), std::nullopt);
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Committed("head"), std::nullopt);
}

TEST_P(StateDbCacheTest, DiscardRestoresCommittedValuesThroughTheCache) {
  // Many rows, so that a small budget evicts written rows into the batch before the discard.
  for (int i = 0; i < 200; ++i) db_->PutCached(kWindows, "k" + std::to_string(i), "committed");
  ASSERT_TRUE(db_->Commit().ok());
  const size_t nothing_pending = db_->PendingBytes();  // a batch's header
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(Cached("k" + std::to_string(i)), "committed");
    db_->PutCached(kWindows, "k" + std::to_string(i), "pending");
    db_->PutCached(kWindows, "new" + std::to_string(i), "pending");
  }
  for (int i = 0; i < 200; i += 7) ASSERT_EQ(Cached("k" + std::to_string(i)), "pending");
  db_->DiscardPending();
  EXPECT_EQ(db_->PendingBytes(), nothing_pending);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(Cached("k" + std::to_string(i)), "committed") << i;
    ASSERT_EQ(Cached("new" + std::to_string(i)), std::nullopt) << i;
  }
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  for (int i = 0; i < 200; ++i) ASSERT_EQ(Cached("k" + std::to_string(i)), "committed");
}

TEST_P(StateDbCacheTest, UncommittedCachedWritesAreLostOnReopen) {
  db_->PutCached(kWindows, "a", "1");
  ASSERT_TRUE(db_->Commit().ok());
  db_->PutCached(kWindows, "a", "2");
  Reopen();
  EXPECT_EQ(Cached("a"), "1");
}

TEST_P(StateDbCacheTest, StatsCountHitsAndStayWithinBudget) {
  for (int i = 0; i < 500; ++i) db_->PutCached(kWindows, "k" + std::to_string(i), "value");
  for (int i = 0; i < 500; ++i) Cached("k" + std::to_string(i));
  const RowCacheStats stats = db_->CacheStats();
  EXPECT_EQ(stats.capacity_bytes, GetParam());
  EXPECT_LE(stats.bytes, GetParam());
  EXPECT_EQ(stats.hits + stats.misses, 500u);
  if (GetParam() >= (1 << 20)) {
    EXPECT_EQ(stats.hits, 500u);
  }
  if (GetParam() == 0) {
    EXPECT_EQ(stats.hits, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Budgets, StateDbCacheTest, ::testing::Values(0, 4096, 64 << 20),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           return "bytes_" + std::to_string(param.param);
                         });

}  // namespace
}  // namespace riskstream
