#include "state/event_index/recent_entries.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace riskstream {
namespace {

std::vector<std::string> ExpireThrough(RecentEntries& entries, TimestampMs cutoff) {
  std::vector<std::string> ids;
  const int64_t count =
      entries.ExpireThrough(cutoff, [&](std::string_view id) { ids.emplace_back(id); });
  EXPECT_EQ(count, static_cast<int64_t>(ids.size()));
  return ids;
}

TEST(RecentEntriesTest, FindsTheNewestEntryOfAnIdAndExpiresInTimeOrder) {
  RecentEntries entries;
  EXPECT_EQ(entries.Oldest(), std::numeric_limits<TimestampMs>::max());
  entries.Put("b", 300, "b@300");
  entries.Put("a", 100, "a@100");
  entries.Put("c", 200, std::string(1000, 'x'));  // a payload longer than any inline buffer
  entries.Put("", 250, "");                       // an empty id and payload are entries too
  EXPECT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries.Oldest(), 100);
  auto c = entries.Find("c");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->time, 200);
  EXPECT_EQ(c->payload, std::string(1000, 'x'));
  ASSERT_TRUE(entries.Find("").has_value());
  EXPECT_FALSE(entries.Find("d").has_value());

  EXPECT_EQ(ExpireThrough(entries, 99), std::vector<std::string>{});
  EXPECT_EQ(ExpireThrough(entries, 250), (std::vector<std::string>{"a", "c", ""}));
  EXPECT_FALSE(entries.Find("a").has_value());
  EXPECT_EQ(entries.Oldest(), 300);
  EXPECT_EQ(ExpireThrough(entries, 300), std::vector<std::string>{"b"});
  EXPECT_TRUE(entries.empty());
  EXPECT_EQ(entries.bytes(), 0u);
}

// A replaced or erased entry keeps its memory until its time comes, and is then dropped without
// being reported: only an id's entry expires.
TEST(RecentEntriesTest, ReplacedAndErasedEntriesExpireUnreported) {
  RecentEntries entries;
  entries.Put("a", 100, "old");
  entries.Put("b", 150, "");
  const size_t two = entries.bytes();
  entries.Put("a", 400, "new");  // later than before
  entries.Put("b", 120, "");     // earlier than before
  entries.Erase("b");
  entries.Erase("never");
  EXPECT_EQ(entries.size(), 1u);
  EXPECT_GT(entries.bytes(), two);
  EXPECT_EQ(entries.Find("a")->payload, "new");
  EXPECT_FALSE(entries.Find("b").has_value());
  EXPECT_EQ(ExpireThrough(entries, 399), std::vector<std::string>{});
  EXPECT_EQ(entries.size(), 1u);
  EXPECT_LT(entries.bytes(), two);  // only a@400 is left
  EXPECT_EQ(ExpireThrough(entries, 400), std::vector<std::string>{"a"});
  EXPECT_EQ(entries.bytes(), 0u);
}

TEST(RecentEntriesTest, ForEachVisitsEachIdsEntryAndClearForgetsAll) {
  RecentEntries entries;
  entries.Put("a", 1, "1");
  entries.Put("b", 2, "2");
  entries.Put("a", 3, "3");
  std::map<std::string, std::pair<TimestampMs, std::string>> seen;
  entries.ForEach([&](std::string_view id, TimestampMs time, std::string_view payload) {
    EXPECT_TRUE(seen.emplace(id, std::make_pair(time, std::string(payload))).second) << id;
  });
  EXPECT_EQ(seen, (std::map<std::string, std::pair<TimestampMs, std::string>>{{"a", {3, "3"}},
                                                                              {"b", {2, "2"}}}));
  entries.Clear();
  EXPECT_TRUE(entries.empty());
  EXPECT_EQ(entries.bytes(), 0u);
  EXPECT_EQ(entries.Oldest(), std::numeric_limits<TimestampMs>::max());
  EXPECT_FALSE(entries.Find("a").has_value());
}

// Puts enter the id table in batches: within one batch and across batches, an id's last put wins,
// and a call of any kind in the middle of a batch answers as if every put were in.
TEST(RecentEntriesTest, PutsNotYetInTheIdTableAreSeenByEveryCall) {
  RecentEntries entries;
  for (int i = 0; i < 100; ++i) {
    entries.Put("evt_" + std::to_string(i % 7), i, "p" + std::to_string(i));
  }
  // i % 7 == 3: last put at i = 94, in the middle of a batch.
  ASSERT_TRUE(entries.Find("evt_3").has_value());
  EXPECT_EQ(entries.Find("evt_3")->payload, "p94");
  EXPECT_EQ(entries.Find("evt_3")->time, 94);
  entries.Put("evt_3", 100, "p100");
  entries.Erase("evt_3");
  EXPECT_FALSE(entries.Find("evt_3").has_value());
  entries.Put("evt_9", 101, "p101");
  entries.Put("evt_9", 102, "p102");
  std::map<std::string, std::string> seen;
  entries.ForEach([&](std::string_view id, TimestampMs, std::string_view payload) {
    EXPECT_TRUE(seen.emplace(id, payload).second) << id;
  });
  EXPECT_EQ(seen, (std::map<std::string, std::string>{{"evt_0", "p98"},
                                                      {"evt_1", "p99"},
                                                      {"evt_2", "p93"},
                                                      {"evt_4", "p95"},
                                                      {"evt_5", "p96"},
                                                      {"evt_6", "p97"},
                                                      {"evt_9", "p102"}}));
  entries.Put("evt_10", 103, "p103");  // pending when the rest expire
  EXPECT_EQ(ExpireThrough(entries, 102).size(), 7u);
  EXPECT_EQ(entries.size(), 1u);
  entries.Put("evt_11", 104, "");
  EXPECT_FALSE(entries.empty());
  entries.Clear();
  EXPECT_TRUE(entries.empty());
  EXPECT_FALSE(entries.Find("evt_11").has_value());
}

// Against a map over many random puts, erases and expiries, with ids that repeat: checked after
// every step (one id found, the size), and with checks only every 32nd step, so that puts pile up
// unindexed between them (then everything is compared).
TEST(RecentEntriesTest, MatchesAModel) {
  for (const int check_every : {1, 32}) {
    SCOPED_TRACE("checked every " + std::to_string(check_every) + " steps");
    std::mt19937_64 random(7);
    RecentEntries entries;
    std::map<std::string, std::pair<TimestampMs, std::string>> model;
    TimestampMs cutoff = 0;
    for (int step = 0; step < 20000; ++step) {
      const std::string id = "evt_" + std::to_string(random() % 500);
      switch (random() % 8) {
        case 0:
          entries.Erase(id);
          model.erase(id);
          break;
        case 1: {
          cutoff += static_cast<TimestampMs>(random() % 20);
          std::vector<std::string> expected;
          for (auto it = model.begin(); it != model.end();) {
            if (it->second.first <= cutoff) {
              expected.push_back(it->first);
              it = model.erase(it);
            } else {
              ++it;
            }
          }
          auto expired = ExpireThrough(entries, cutoff);
          std::sort(expired.begin(), expired.end());
          ASSERT_EQ(expired, expected) << "step " << step;
          break;
        }
        default: {
          const TimestampMs time = cutoff + 1 + static_cast<TimestampMs>(random() % 200);
          const std::string payload = std::to_string(step);
          entries.Put(id, time, payload);
          model[id] = {time, payload};
        }
      }
      if (check_every == 1) {
        ASSERT_EQ(entries.size(), model.size());
        auto found = entries.Find(id);
        auto it = model.find(id);
        ASSERT_EQ(found.has_value(), it != model.end()) << id;
        if (found) {
          EXPECT_EQ(found->time, it->second.first);
          EXPECT_EQ(found->payload, it->second.second);
        }
      } else if (step % check_every == 0) {
        std::map<std::string, std::pair<TimestampMs, std::string>> held;
        entries.ForEach([&](std::string_view held_id, TimestampMs time, std::string_view payload) {
          held.emplace(held_id, std::make_pair(time, std::string(payload)));
        });
        ASSERT_EQ(held, model) << "step " << step;
        ASSERT_EQ(entries.size(), model.size());
      }
    }
  }
}

}  // namespace
}  // namespace riskstream
