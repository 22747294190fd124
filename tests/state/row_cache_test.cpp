#include "state/row_cache.h"

#include <gtest/gtest.h>

#include <map>

namespace riskstream {
namespace {

// A RowCache whose staged rows land in `staged`, the stand-in for the pending batch.
struct CacheUnderTest {
  explicit CacheUnderTest(size_t budget)
      : cache(budget, [this](const std::string& key, const RowCache::Row& row) {
          staged[key] = row;
          ++stage_calls;
        }) {}
  std::map<std::string, RowCache::Row> staged;
  int stage_calls = 0;
  RowCache cache;
};

TEST(RowCache, WriteIsReadBackWithoutStaging) {
  CacheUnderTest t(1 << 20);
  EXPECT_EQ(t.cache.Find("k"), nullptr);
  t.cache.Write("k", "v1");
  t.cache.Write("k", "v2");
  ASSERT_NE(t.cache.Find("k"), nullptr);
  EXPECT_EQ(*t.cache.Find("k"), RowCache::Row("v2"));
  EXPECT_EQ(t.stage_calls, 0);
  EXPECT_GT(t.cache.unstaged_bytes(), 0u);
  t.cache.StageAll();
  EXPECT_EQ(t.stage_calls, 1);  // two writes, one staged row
  EXPECT_EQ(t.staged["k"], RowCache::Row("v2"));
  EXPECT_EQ(t.cache.unstaged_bytes(), 0u);
  const RowCacheStats stats = t.cache.stats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 2u);
}

TEST(RowCache, EvictionStagesUnstagedRowsAndKeepsTheBudget) {
  const size_t budget = 2000;
  CacheUnderTest t(budget);
  for (int i = 0; i < 100; ++i) t.cache.Write("key" + std::to_string(i), std::string(40, 'x'));
  const RowCacheStats stats = t.cache.stats();
  EXPECT_LE(stats.bytes, budget);
  EXPECT_GT(stats.evictions, 0u);
  EXPECT_EQ(stats.rows + stats.evictions, 100u);
  // Every evicted row was staged first: nothing written is lost.
  EXPECT_EQ(t.staged.size(), stats.evictions);
  t.cache.StageAll();
  EXPECT_EQ(t.staged.size(), 100u);
}

TEST(RowCache, LeastRecentlyUsedIsEvictedFirst) {
  CacheUnderTest t(1200);
  t.cache.Fill("a", "1");
  t.cache.Fill("b", "2");
  t.cache.Fill("c", "3");
  ASSERT_NE(t.cache.Find("a"), nullptr);  // a is now newer than b
  for (int i = 0; i < 4; ++i) t.cache.Fill("n" + std::to_string(i), "x");
  EXPECT_NE(t.cache.Find("a"), nullptr);
  EXPECT_EQ(t.cache.Find("b"), nullptr);
}

TEST(RowCache, DiscardDropsEveryRowWrittenSinceCommitEvenAfterEvictionAndRefill) {
  CacheUnderTest t(1 << 20);
  t.cache.Fill("committed", "c");
  t.cache.Write("w", "1");
  t.cache.StageAll();
  t.cache.Committed();
  t.cache.Write("w", "2");  // uncommitted again
  t.cache.Write("absent", std::nullopt);
  t.cache.Discarded();
  EXPECT_EQ(t.cache.Find("w"), nullptr);
  EXPECT_EQ(t.cache.Find("absent"), nullptr);
  ASSERT_NE(t.cache.Find("committed"), nullptr);

  // A small cache: the written row is evicted (staged), then re-read from the "batch" and filled
  // as if clean. Discard must still drop it, since the batch it came from is gone.
  CacheUnderTest small(600);
  small.cache.Write("w", "uncommitted");
  for (int i = 0; i < 10; ++i) small.cache.Fill("f" + std::to_string(i), "x");
  ASSERT_EQ(small.cache.Find("w"), nullptr);
  ASSERT_EQ(small.staged["w"], RowCache::Row("uncommitted"));
  small.cache.Fill("w", "uncommitted");
  small.cache.Discarded();
  EXPECT_EQ(small.cache.Find("w"), nullptr);
}

TEST(RowCache, CommittedRowsSurviveDiscard) {
  CacheUnderTest t(1 << 20);
  t.cache.Write("k", "1");
  t.cache.StageAll();
  t.cache.Committed();
  t.cache.Discarded();
  ASSERT_NE(t.cache.Find("k"), nullptr);
  EXPECT_EQ(*t.cache.Find("k"), RowCache::Row("1"));
}

TEST(RowCache, ZeroBudgetCachesNothingAndStagesEveryWrite) {
  CacheUnderTest t(0);
  t.cache.Write("k", "1");
  t.cache.Fill("f", "2");
  EXPECT_EQ(t.staged["k"], RowCache::Row("1"));
  EXPECT_EQ(t.cache.Find("k"), nullptr);
  EXPECT_EQ(t.cache.Find("f"), nullptr);
  EXPECT_EQ(t.cache.stats().bytes, 0u);
}

}  // namespace
}  // namespace riskstream
