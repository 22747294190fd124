#include "state/event_index.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace riskstream
