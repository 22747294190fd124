#include "state/cache/row_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/test_cached_row.h"

namespace riskstream {
namespace {

// Collects staged rows: the stand-in for the pending batch.
struct MapWriter final : RowWriter {
  void Put(StateFamily, std::string_view key, std::string_view value) override {
    rows[std::string(key)] = std::string(value);
  }
  void Delete(StateFamily, std::string_view key) override { rows.erase(std::string(key)); }
  std::map<std::string, std::string> rows;
};

TestCachedRow* AddRow(RowCache& cache, const std::string& key, const std::string& value) {
  return static_cast<TestCachedRow*>(
      cache.Add(std::make_unique<TestCachedRow>(key, "row/" + key, value)));
}

TEST(RowCache, ChangesStayInMemoryUntilStagedAndCommitted) {
  RowCache cache(1 << 20);
  MapWriter pending;
  EXPECT_EQ(cache.Find("k"), nullptr);
  TestCachedRow* row = AddRow(cache, "k", "v1");
  row->Set("v2");
  cache.Release(row, true, pending);
  row = static_cast<TestCachedRow*>(cache.Find("k"));
  ASSERT_NE(row, nullptr);
  row->Set("v3");
  cache.Release(row, true, pending);
  EXPECT_TRUE(pending.rows.empty());
  EXPECT_EQ(cache.dirty_objects(), 1u);
  MapWriter commit;
  cache.StageAll(commit);
  cache.StageAll(commit);  // a retried commit stages again
  EXPECT_EQ(commit.rows["row/k"], "v3");
  EXPECT_EQ(row->staged, 2);
  cache.Committed();
  EXPECT_EQ(cache.dirty_objects(), 0u);
  MapWriter after;
  cache.StageAll(after);
  EXPECT_TRUE(after.rows.empty());
  const RowCacheStats stats = cache.stats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.rows, 1u);
}

TEST(RowCache, EvictsTheOldestUnusedAndStagesDirtyOnes) {
  RowCache cache(2000);
  MapWriter pending;
  for (int i = 0; i < 100; ++i) {
    TestCachedRow* row = AddRow(cache, "k" + std::to_string(i), "clean");
    if (i % 2 == 0) row->Set("dirty" + std::to_string(i));
    cache.Release(row, i % 2 == 0, pending);
  }
  const RowCacheStats stats = cache.stats();
  EXPECT_LE(stats.bytes, 2000u);
  EXPECT_GT(stats.evictions, 0u);
  EXPECT_EQ(stats.rows + stats.evictions, 100u);
  // Only the dirty evicted objects were staged, and nothing written is lost.
  for (int i = 0; i < 100; ++i) {
    const std::string key = "k" + std::to_string(i);
    const bool cached = cache.Find(key) != nullptr;
    if (i % 2 == 1) {
      EXPECT_EQ(pending.rows.count("row/" + key), 0u) << key;
    } else {
      EXPECT_NE(cached, pending.rows.count("row/" + key) == 1) << key;
    }
  }
  // The newest stays; the oldest went first.
  EXPECT_NE(cache.Find("k99"), nullptr);
  EXPECT_EQ(cache.Find("k0"), nullptr);
}

// A prefetch (of the index or of an object) is a hint: it finds nothing, counts no lookup and
// leaves the eviction order alone.
TEST(RowCache, PrefetchChangesNothing) {
  RowCache cache(2000);
  MapWriter pending;
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i) {
    keys.push_back("k" + std::to_string(i));
    cache.Prefetch(RowCache::Hashed(keys.back()));  // before it is there
    cache.PrefetchObject(RowCache::Hashed(keys.back()));
    TestCachedRow* row = AddRow(cache, keys.back(), "v");
    cache.Release(row, false, pending);
  }
  const RowCacheStats before = cache.stats();
  ASSERT_GT(before.evictions, 0u);
  // Rows of one size, added in order: the cached ones are the newest `rows`.
  const std::string& oldest = keys[keys.size() - before.rows];
  const std::string& second = keys[keys.size() - before.rows + 1];
  for (auto key = keys.rbegin(); key != keys.rend(); ++key) {
    cache.Prefetch(RowCache::Hashed(*key));
    cache.PrefetchObject(RowCache::Hashed(*key));
  }
  const RowCacheStats after = cache.stats();
  EXPECT_EQ(after.hits, before.hits);
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.rows, before.rows);
  TestCachedRow* row = AddRow(cache, "k100", "v");
  cache.Release(row, false, pending);
  EXPECT_EQ(cache.Find(oldest), nullptr) << oldest;
  EXPECT_NE(cache.Find(second), nullptr) << second;
}

// CLOCK: a found object is not moved at once, but when it comes up for eviction it goes to the
// newest end instead (once), so it outlives objects added after it and not used since. Every
// object is dirty, so the evicted ones show in the pending rows without a lookup.
TEST(RowCache, AFoundObjectGetsASecondChanceBeforeEviction) {
  size_t row_bytes = 0;
  {
    RowCache probe(1 << 20);
    MapWriter ignored;
    probe.Release(AddRow(probe, "k0", "v"), false, ignored);
    row_bytes = probe.stats().bytes;
  }
  RowCache cache(4 * row_bytes);  // room for four
  MapWriter pending;
  auto add = [&](int i) {
    TestCachedRow* row = AddRow(cache, "k" + std::to_string(i), "v");
    row->Set("v" + std::to_string(i));
    cache.Release(row, true, pending);
  };
  auto evicted = [&] {
    std::vector<std::string> keys;
    for (const auto& [key, value] : pending.rows) keys.push_back(key);
    return keys;
  };
  for (int i = 0; i < 4; ++i) add(i);
  CachedRow* found = cache.Find("k0");  // the oldest, used again
  ASSERT_NE(found, nullptr);
  cache.Release(found, false, pending);
  add(4);
  EXPECT_EQ(evicted(), (std::vector<std::string>{"row/k1"}));
  add(5);
  add(6);
  EXPECT_EQ(evicted(), (std::vector<std::string>{"row/k1", "row/k2", "row/k3"}));
  add(7);  // k4 came before k0's second chance (strict LRU would evict k0 here)
  EXPECT_EQ(evicted(), (std::vector<std::string>{"row/k1", "row/k2", "row/k3", "row/k4"}));
  add(8);  // k0, not used since
  EXPECT_EQ(evicted(),
            (std::vector<std::string>{"row/k0", "row/k1", "row/k2", "row/k3", "row/k4"}));
  EXPECT_EQ(cache.stats().rows, 4u);
}

TEST(RowCache, ZeroBudgetStagesAndDropsAtOnce) {
  RowCache cache(0);
  MapWriter pending;
  TestCachedRow* row = AddRow(cache, "k", "v");
  row->Set("w");
  cache.Release(row, true, pending);
  EXPECT_EQ(cache.Find("k"), nullptr);
  EXPECT_EQ(pending.rows["row/k"], "w");
  EXPECT_EQ(cache.dirty_objects(), 0u);
}

TEST(RowCache, ClearForgetsEverything) {
  RowCache cache(1 << 20);
  MapWriter pending;
  TestCachedRow* row = AddRow(cache, "k", "v");
  row->Set("w");
  cache.Release(row, true, pending);
  cache.Clear();
  EXPECT_EQ(cache.Find("k"), nullptr);
  EXPECT_EQ(cache.dirty_objects(), 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
  MapWriter commit;
  cache.StageAll(commit);
  EXPECT_TRUE(commit.rows.empty());
}

}  // namespace
// A key hashed once finds what its text finds, among many objects (and their hashes' collisions
// in the index's control bytes).
TEST(RowCache, AHashedKeyFindsWhatItsTextFinds) {
  RowCache cache(1 << 30);
  MapWriter pending;
  for (int i = 0; i < 5000; i += 2) {
    TestCachedRow* row = AddRow(cache, "k" + std::to_string(i), "v" + std::to_string(i));
    cache.Release(row, false, pending);
  }
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "k" + std::to_string(i);
    const HashedKey hashed = RowCache::Hashed(key);
    ASSERT_EQ(hashed.hash, RowCache::Hash(key));
    cache.Prefetch(hashed);
    cache.PrefetchObject(hashed);
    CachedRow* found = cache.Find(hashed);
    ASSERT_EQ(found, cache.Find(key)) << key;
    if (i % 2 == 0) {
      ASSERT_NE(found, nullptr) << key;
      EXPECT_EQ(found->key(), key);
    } else {
      EXPECT_EQ(found, nullptr) << key;
    }
  }
}

}  // namespace riskstream
