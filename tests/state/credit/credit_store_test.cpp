#include "state/credit/credit_store.h"

#include <gtest/gtest.h>

#include "tests/support/state_db_test_base.h"

namespace riskstream {
namespace {

class CreditStoreTest : public StateDbTestBase {
 protected:
  std::optional<CreditAccount> Get(CreditStore& store, std::string_view account) {
    auto got = store.Get(account);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::nullopt;
  }
};

TEST_F(CreditStoreTest, PendingWritesAreReadBackAndCommittedWithTheBatch) {
  CreditStore store(*db_, "live", 6);
  EXPECT_FALSE(Get(store, "acc-1"));
  CreditAccount account{12000, 3500.5, false, 1764224443125, 3000};
  store.Put("acc-1", account);
  EXPECT_EQ(Get(store, "acc-1"), account);
  auto committed = store.GetCommitted("acc-1");
  ASSERT_TRUE(committed.ok());
  EXPECT_FALSE(*committed);  // not committed yet

  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  CreditStore reopened(*db_, "live", 6);
  EXPECT_EQ(Get(reopened, "acc-1"), account);
  committed = reopened.GetCommitted("acc-1");
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(*committed, account);
}

TEST_F(CreditStoreTest, DiscardedWritesAreGone) {
  CreditStore store(*db_, "live", 6);
  store.Put("acc-1", CreditAccount{1, 0, true, 0, 0});
  db_->DiscardPending();
  EXPECT_FALSE(Get(store, "acc-1"));
}

TEST_F(CreditStoreTest, NamedStoresAndAccountsDoNotShareState) {
  CreditStore live(*db_, "live", 6);
  CreditStore shadow(*db_, "shadow", 6);
  live.Put("acc", CreditAccount{100, 0, false, 0, 0});
  shadow.Put("acc", CreditAccount{200, 0, false, 0, 0});
  live.Put("acc2", CreditAccount{300, 0, true, 0, 0});
  EXPECT_EQ(Get(live, "acc")->limit, 100);
  EXPECT_EQ(Get(shadow, "acc")->limit, 200);
  EXPECT_TRUE(Get(live, "acc2")->frozen);
  EXPECT_FALSE(Get(shadow, "acc2"));
}

// The store keeps the last account's cache key for the next call: a prefetch of one account
// between another's calls, or an id that extends the last one, reads the right account.
TEST_F(CreditStoreTest, EachCallReadsItsOwnAccountWhateverCameBefore) {
  CreditStore store(*db_, "live", 6);
  store.Put("a", CreditAccount{1, 0, false, 0, 0});
  store.Prefetch("ab");
  store.Put("ab", CreditAccount{2, 0, false, 0, 0});
  store.Prefetch("a");
  EXPECT_EQ(Get(store, "ab")->limit, 2);
  EXPECT_EQ(Get(store, "a")->limit, 1);
  store.Prefetch("abc");
  EXPECT_FALSE(Get(store, "abc"));
  EXPECT_EQ(Get(store, "a")->limit, 1);
  EXPECT_EQ(Get(store, "ab")->limit, 2);
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(store.GetCommitted("ab")->value().limit, 2);
}

TEST_F(CreditStoreTest, ChangedAccountsStayInTheCacheUntilCommitted) {
  CreditStore store(*db_, "live", 6);
  const size_t empty_batch = db_->PendingBatchBytes();  // a batch's header
  CreditAccount account{5000, 100, false, 1764224443125, 100};
  store.Put("acc-1", account);
  account.used = 250;
  store.Put("acc-1", account);
  EXPECT_EQ(db_->PendingBatchBytes(), empty_batch);  // the change is a dirty object, not a row
  EXPECT_EQ(db_->CacheStats().rows, 1u);
  EXPECT_EQ(Get(store, "acc-1"), account);

  ASSERT_TRUE(db_->Commit().ok());
  auto committed = store.GetCommitted("acc-1");
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(*committed, account);
}

TEST_F(CreditStoreTest, WithoutACacheEveryChangeGoesToThePendingBatch) {
  StateDbOptions no_cache;
  no_cache.row_cache_bytes = 0;
  Reopen(no_cache);
  CreditStore store(*db_, "live", 6);
  const size_t empty_batch = db_->PendingBatchBytes();
  CreditAccount account{5000, 0, false, 0, 0};
  store.Put("acc-1", account);
  EXPECT_GT(db_->PendingBatchBytes(), empty_batch);
  EXPECT_EQ(db_->CacheStats().rows, 0u);
  EXPECT_EQ(Get(store, "acc-1"), account);  // read back through the pending batch
  account.frozen = true;
  store.Put("acc-1", account);
  EXPECT_EQ(Get(store, "acc-1"), account);
  db_->DiscardPending();
  EXPECT_FALSE(Get(store, "acc-1"));
}

TEST_F(CreditStoreTest, AnAccountReadBackFromRocksDbIsCachedAndChangedThere) {
  CreditStore store(*db_, "live", 6);
  store.Put("acc-1", CreditAccount{700, 0, false, 0, 0});
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  CreditStore reopened(*db_, "live", 6);
  EXPECT_EQ(Get(reopened, "acc-1")->limit, 700);  // a miss, read from the database
  EXPECT_EQ(db_->CacheStats().rows, 1u);
  EXPECT_EQ(Get(reopened, "acc-1")->limit, 700);
  EXPECT_EQ(db_->CacheStats().hits, 1u);
  reopened.Put("acc-1", CreditAccount{700, 300, false, 0, 0});
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  CreditStore again(*db_, "live", 6);
  EXPECT_EQ(Get(again, "acc-1")->used, 300);
}

}  // namespace
}  // namespace riskstream
