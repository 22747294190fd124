#include "pipeline/event_time/event_time_aligner.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace riskstream {
namespace {

using Aligner = EventTimeAligner<std::string>;

EventOrderKey Key(TimestampMs time, std::string id) { return {time, std::move(id)}; }

// Pops everything that may leave at `now`.
std::vector<std::string> Drain(Aligner& aligner, TimestampMs now) {
  std::vector<std::string> out;
  while (auto released = aligner.Pop(now)) out.push_back(released->record);
  return out;
}

TEST(EventTimeAligner, MergesStreamsByEventTime) {
  Aligner aligner(1000);
  auto a = aligner.AddStream("a", 0);
  auto b = aligner.AddStream("b", 0);
  aligner.Push(a, Key(10, "e1"), "a10");
  aligner.Push(a, Key(30, "e3"), "a30");
  aligner.Push(b, Key(20, "e2"), "b20");
  aligner.Push(b, Key(40, "e4"), "b40");
  aligner.Finish(a);
  aligner.Finish(b);
  EXPECT_EQ(Drain(aligner, 0), (std::vector<std::string>{"a10", "b20", "a30", "b40"}));
}

TEST(EventTimeAligner, EqualTimesLeaveByEventIdThenStreamName) {
  Aligner aligner(1000);
  auto a = aligner.AddStream("a", 0);
  auto b = aligner.AddStream("b", 0);
  auto c = aligner.AddStream("c", 0);
  aligner.Push(c, Key(5, "x"), "c-x");
  aligner.Push(b, Key(5, "y"), "b-y");
  aligner.Push(a, Key(5, "y"), "a-y");
  for (auto s : {a, b, c}) aligner.Finish(s);
  EXPECT_EQ(Drain(aligner, 0), (std::vector<std::string>{"c-x", "a-y", "b-y"}));
}

TEST(EventTimeAligner, StreamOrderIsKeptEvenWhenOutOfEventTime) {
  // A stream's records leave in push order (its offsets): an out-of-order record waits for the
  // ones before it in its stream.
  Aligner aligner(1000);
  auto a = aligner.AddStream("a", 0);
  auto b = aligner.AddStream("b", 0);
  aligner.Push(a, Key(50, "late-predecessor"), "a50");
  aligner.Push(a, Key(10, "out-of-order"), "a10");
  aligner.Push(b, Key(30, "b"), "b30");
  aligner.Finish(a);
  aligner.Finish(b);
  EXPECT_EQ(Drain(aligner, 0), (std::vector<std::string>{"b30", "a50", "a10"}));
}

TEST(EventTimeAligner, EmptyStreamHoldsOthersBackUntilItDelivers) {
  Aligner aligner(1000);
  auto a = aligner.AddStream("a", 0);
  auto b = aligner.AddStream("b", 0);
  aligner.Push(a, Key(20, "a"), "a20");
  EXPECT_TRUE(Drain(aligner, 999).empty());  // b may still deliver something earlier
  aligner.Push(b, Key(10, "b"), "b10");
  EXPECT_EQ(Drain(aligner, 999), (std::vector<std::string>{"b10"}));  // b is empty again
  aligner.Push(b, Key(25, "b2"), "b25");
  EXPECT_EQ(Drain(aligner, 999), (std::vector<std::string>{"a20"}));
}

TEST(EventTimeAligner, IdleStreamStopsHoldingBackAfterMaxIdle) {
  Aligner aligner(500);
  auto a = aligner.AddStream("a", 1000);
  aligner.AddStream("idle", 1000);
  aligner.Push(a, Key(20, "a"), "a20");
  EXPECT_TRUE(Drain(aligner, 1499).empty());
  EXPECT_EQ(Drain(aligner, 1500), (std::vector<std::string>{"a20"}));
}

TEST(EventTimeAligner, IdleTimeCountsFromWhenTheStreamLastEmptied) {
  Aligner aligner(500);
  auto a = aligner.AddStream("a", 0);
  auto b = aligner.AddStream("b", 0);
  aligner.Push(b, Key(1, "b"), "b1");
  aligner.Push(a, Key(2, "a"), "a2");
  aligner.Push(a, Key(3, "a3"), "a3");
  EXPECT_EQ(Drain(aligner, 10000), (std::vector<std::string>{"b1"}));  // b emptied at 10000
  EXPECT_TRUE(Drain(aligner, 10499).empty());
  EXPECT_EQ(Drain(aligner, 10500), (std::vector<std::string>{"a2", "a3"}));
}

TEST(EventTimeAligner, LatePartitionDeliveringWithinIdleTimeKeepsTheOrder) {
  // A partition whose records arrive late (a slow fetch) but within max idle still goes first.
  Aligner aligner(1000);
  auto fast = aligner.AddStream("fast", 0);
  auto slow = aligner.AddStream("slow", 0);
  for (int i = 0; i < 5; ++i) aligner.Push(fast, Key(100 + i, "f" + std::to_string(i)), "fast");
  EXPECT_TRUE(Drain(aligner, 900).empty());
  aligner.Push(slow, Key(50, "s"), "slow50");
  aligner.Finish(slow);
  aligner.Finish(fast);
  auto out = Drain(aligner, 900);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out.front(), "slow50");
}

TEST(EventTimeAligner, CaughtUpStreamHoldsNothingBackUntilItDeliversAgain) {
  Aligner aligner(1'000'000);
  auto a = aligner.AddStream("a", 0);
  auto b = aligner.AddStream("b", 0);
  aligner.SetCaughtUp(b, true);
  aligner.Push(a, Key(20, "a"), "a20");
  EXPECT_EQ(Drain(aligner, 1), (std::vector<std::string>{"a20"}));
  aligner.SetCaughtUp(a, true);
  aligner.Push(b, Key(30, "b"), "b30");  // delivering clears caught-up
  EXPECT_EQ(Drain(aligner, 2), (std::vector<std::string>{"b30"}));
  aligner.Push(a, Key(40, "a2"), "a40");
  EXPECT_TRUE(Drain(aligner, 3).empty());  // b is empty and no longer known caught up
}

TEST(EventTimeAligner, RemovedStreamDropsItsRecordsAndHoldsNothingBack) {
  Aligner aligner(1'000'000);
  auto a = aligner.AddStream("a", 0);
  auto b = aligner.AddStream("b", 0);
  aligner.Push(a, Key(20, "a"), "a20");
  aligner.Push(b, Key(10, "b"), "b10");
  aligner.Push(b, Key(11, "b2"), "b11");
  EXPECT_EQ(aligner.RemoveStream(b), 2u);
  EXPECT_EQ(aligner.buffered(), 1u);
  aligner.Finish(a);
  EXPECT_EQ(Drain(aligner, 0), (std::vector<std::string>{"a20"}));
}

TEST(EventTimeAligner, FullBufferReleasesWithoutWaitingAndCountsIt) {
  Aligner aligner(1'000'000, 2);
  auto a = aligner.AddStream("a", 0);
  aligner.AddStream("waiting", 0);
  aligner.Push(a, Key(1, "a1"), "a1");
  EXPECT_TRUE(Drain(aligner, 0).empty());
  aligner.Push(a, Key(2, "a2"), "a2");
  EXPECT_EQ(Drain(aligner, 0), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(aligner.forced_releases(), 1);
}

TEST(EventTimeAligner, ReleasedRecordsOfAStreamAreAlwaysAPrefixOfWhatItPushed) {
  // What a consumer commits ("released + 1" per partition) therefore never covers a buffered
  // record, whatever the times, ties, idling and interleaving.
  std::mt19937 random(12345);
  Aligner aligner(30);
  std::vector<Aligner::StreamId> streams;
  for (int s = 0; s < 4; ++s) streams.push_back(aligner.AddStream("s" + std::to_string(s), 0));
  std::vector<int> pushed(4, 0), released(4, 0);
  TimestampMs now = 0;
  for (int step = 0; step < 5000; ++step) {
    now += static_cast<TimestampMs>(random() % 5);
    int s = static_cast<int>(random() % 4);
    if (random() % 3 != 0) {
      // Offsets as records; event times that go back now and then, and tie often.
      aligner.Push(streams[static_cast<size_t>(s)],
                   Key(static_cast<TimestampMs>(random() % 50), "e" + std::to_string(random() % 3)),
                   std::to_string(s) + ":" + std::to_string(pushed[static_cast<size_t>(s)]++));
    }
    while (auto out = aligner.Pop(now)) {
      auto colon = out->record.find(':');
      size_t stream = std::stoul(out->record.substr(0, colon));
      int offset = std::stoi(out->record.substr(colon + 1));
      ASSERT_EQ(offset, released[stream]) << "stream " << stream << " skipped a buffered record";
      ++released[stream];
    }
  }
  for (size_t s = 0; s < 4; ++s) EXPECT_LE(released[s], pushed[s]);
}

}  // namespace
}  // namespace riskstream
