#include "pipeline/replay/read_ahead_replay_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "operators/event/event_parser.h"

namespace riskstream {
namespace {

// Delivers `count` records ("r0", "r1", ...; count < 0: without end), then the end or `error`.
// Counts what it was asked for, from whichever thread asks.
class ScriptedSource : public ReplaySource {
 public:
  ScriptedSource(int64_t count, std::optional<Status> error = std::nullopt,
                 std::vector<std::string> bytes = {})
      : count_(count), error_(std::move(error)), bytes_(std::move(bytes)) {}

  Result<std::optional<ReplayRecord>> Next() override {
    int64_t n = calls_.fetch_add(1);
    if (count_ >= 0 && n >= count_) {
      if (error_) return *error_;
      return std::optional<ReplayRecord>();
    }
    ReplayRecord record;
    record.bytes = n < static_cast<int64_t>(bytes_.size()) ? bytes_[n] : "r" + std::to_string(n);
    record.origin = "log:" + std::to_string(n + 1);
    if (bytes_.empty()) record.role = EventType::kTransaction;
    delivered_.fetch_add(1);
    return std::optional<ReplayRecord>(std::move(record));
  }
  double Progress() const override {
    return count_ > 0 ? static_cast<double>(delivered_.load()) / static_cast<double>(count_) : 0;
  }
  int64_t ForcedReleases() const override { return delivered_.load() / 10; }

  const std::atomic<int64_t>& calls() const { return calls_; }
  const std::atomic<int64_t>& delivered() const { return delivered_; }

 private:
  int64_t count_;
  std::optional<Status> error_;
  std::vector<std::string> bytes_;
  std::atomic<int64_t> calls_{0}, delivered_{0};
};

TEST(ReadAheadReplaySource, DeliversEveryRecordInOrderThenTheEnd) {
  auto inner = std::make_unique<ScriptedSource>(1001);
  ReadAheadReplaySource source(std::move(inner), nullptr, 16, 64);
  for (int i = 0; i < 1001; ++i) {
    auto next = source.Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    ASSERT_TRUE(next->has_value()) << "ended early at " << i;
    EXPECT_EQ((*next)->bytes, "r" + std::to_string(i));
    EXPECT_EQ((*next)->origin, "log:" + std::to_string(i + 1));
  }
  for (int again = 0; again < 2; ++again) {
    auto end = source.Next();
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(end->has_value());
  }
  EXPECT_DOUBLE_EQ(source.Progress(), 1.0);
  EXPECT_EQ(source.ForcedReleases(), 100);
}

// A look ahead shows the item that comes next within the batch at hand, and nothing past it.
TEST(ReadAheadReplaySource, PeekShowsTheNextItemOfTheBatchAtHand) {
  ReadAheadReplaySource source(std::make_unique<ScriptedSource>(40), nullptr, 16, 64);
  EXPECT_EQ(source.PeekItem(), nullptr);  // no batch at hand yet
  int peeked = 0;
  for (int i = 0; i < 40; ++i) {
    auto item = source.NextItem();
    ASSERT_TRUE(item.ok() && *item != nullptr) << i;
    EXPECT_EQ((*item)->record.bytes, "r" + std::to_string(i));
    const ReadAheadReplaySource::Item* ahead = source.PeekItem();
    if (i % 16 == 15 || i == 39) {  // the last of its batch
      EXPECT_EQ(ahead, nullptr) << i;
      continue;
    }
    ASSERT_NE(ahead, nullptr) << i;
    EXPECT_EQ(ahead->record.bytes, "r" + std::to_string(i + 1));
    ++peeked;
  }
  EXPECT_EQ(peeked, 40 - 3);
  auto end = source.NextItem();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, nullptr);
}

TEST(ReadAheadReplaySource, EmptyInputEndsAtOnce) {
  ReadAheadReplaySource source(std::make_unique<ScriptedSource>(0), nullptr);
  auto end = source.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(ReadAheadReplaySource, ErrorComesAfterTheRecordsBeforeItWithItsContext) {
  auto inner = std::make_unique<ScriptedSource>(
      37, Status::IoError("day1.jsonl.gz: after line 37: invalid compressed data"));
  ScriptedSource* scripted = inner.get();
  ReadAheadReplaySource source(std::move(inner), nullptr, 8, 16);
  for (int i = 0; i < 37; ++i) {
    auto next = source.Next();
    ASSERT_TRUE(next.ok()) << "record " << i << ": " << next.status().ToString();
    ASSERT_TRUE(next->has_value());
    EXPECT_EQ((*next)->bytes, "r" + std::to_string(i));
  }
  for (int again = 0; again < 2; ++again) {
    auto failed = source.Next();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), Status::Code::kIoError);
    EXPECT_EQ(failed.status().message(), "day1.jsonl.gz: after line 37: invalid compressed data");
  }
  EXPECT_EQ(scripted->calls().load(), 38);  // nothing is read after the error
}

TEST(ReadAheadReplaySource, ReadsNoFurtherAheadThanItsBound) {
  constexpr size_t kBatch = 4, kBuffered = 8;
  auto inner = std::make_unique<ScriptedSource>(-1);
  ScriptedSource* scripted = inner.get();
  ReadAheadReplaySource source(std::move(inner), nullptr, kBatch, kBuffered);
  for (int64_t consumed = 0; consumed < 200; ++consumed) {
    // Queued batches, the batch being filled and the consumer's batch.
    EXPECT_LE(scripted->delivered().load() - consumed,
              static_cast<int64_t>(kBuffered + 2 * kBatch));
    auto next = source.Next();
    ASSERT_TRUE(next.ok() && next->has_value());
  }
  // Destroying the source stops a reader that waits for room.
}

TEST(ReadAheadReplaySource, ParsesAheadAsTheTopologysParserWould) {
  PiiHasher hasher("read-ahead-test-key-0123456789");
  std::vector<std::string> bytes = {
      R"({"event_id":"a1","type":"application","event_time":"2026-01-10T09:00:00Z",)"
      R"("applicant_id":"A1","phone":"138-0000-0000","id_number":"110101199001011234"})",
      "not json",
      R"({"event_id":"t1","type":"transaction","event_time":1,"account_id":"ACC1",)"
      R"("kind":"purchase","amount":-5})",
      R"({"event_id":"t2","event_time":2,"account_id":"ACC1","kind":"withdrawal","amount":5})"};
  ReadAheadReplaySource source(std::make_unique<ScriptedSource>(4, std::nullopt, bytes), &hasher);
  EventParser reference(hasher);
  for (const auto& expected_bytes : bytes) {
    auto next = source.NextItem();
    ASSERT_TRUE(next.ok() && *next != nullptr);
    const ReplayRecord& record = (*next)->record;
    const ParsedEvent& item = (*next)->parsed;
    ASSERT_EQ(record.bytes, expected_bytes);
    Event expected;
    auto error = reference.Parse(record.bytes, record.role, expected);
    ASSERT_EQ(item.error.has_value(), error.has_value()) << record.bytes;
    if (error) {
      EXPECT_EQ(item.error->code, error->code);
      EXPECT_EQ(item.error->message, error->message);
      continue;
    }
    const Event& parsed = item.event;
    EXPECT_EQ(parsed.event_id, expected.event_id);
    EXPECT_EQ(parsed.type, expected.type);
    EXPECT_EQ(parsed.event_time, expected.event_time);
    EXPECT_EQ(parsed.account_id, expected.account_id);
    EXPECT_EQ(parsed.phone_hash, expected.phone_hash);
    EXPECT_EQ(parsed.id_number_hash, expected.id_number_hash);
    EXPECT_EQ(parsed.amount, expected.amount);
  }
  auto end = source.NextItem();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, nullptr);
}

TEST(ReadAheadReplaySource, ReusedBatchesCarryNoEarlierRecord) {
  // Batches come back to the reader for their buffers: what was in them must not leak into later
  // records, and a parse error of an earlier use must not stick to a good record.
  std::vector<std::string> bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(i % 3 == 1 ? "broken " + std::to_string(i)
                               : R"({"event_id":"e)" + std::to_string(i) +
                                     R"(","type":"transaction","event_time":)" + std::to_string(i) +
                                     R"(,"account_id":"A","kind":"purchase","amount":1})");
  }
  PiiHasher hasher("read-ahead-test-key-0123456789");
  ReadAheadReplaySource source(std::make_unique<ScriptedSource>(300, std::nullopt, bytes), &hasher,
                               4, 8);
  for (int i = 0; i < 300; ++i) {
    auto next = source.NextItem();
    ASSERT_TRUE(next.ok() && *next != nullptr);
    ReadAheadReplaySource::Item& item = **next;
    ASSERT_EQ(item.record.bytes, bytes[i]);
    ASSERT_EQ(item.parsed.error.has_value(), i % 3 == 1) << i;
    if (i % 3 != 1) {
      EXPECT_EQ(item.parsed.event.event_id, "e" + std::to_string(i));
    }
    item.parsed.event = Event{};  // as the topology's swap leaves it: some earlier event
    item.parsed.event.event_id = "stale";
  }
}

}  // namespace
}  // namespace riskstream
