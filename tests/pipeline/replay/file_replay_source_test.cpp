#include "pipeline/replay/file_replay_source.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "state/db/key_codec.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

std::string Tx(const std::string& id, const std::string& time, const std::string& account) {
  return R"({"event_id":")" + id + R"(","type":"transaction","event_time":")" + time +
         R"(","account_id":")" + account + R"(","kind":"purchase","amount":10,"currency":"CNY"})";
}

std::string WriteFile(const TempDir& dir, const std::string& name,
                      const std::vector<std::string>& lines) {
  std::string path = dir.Sub(name);
  std::ofstream out(path);
  for (const auto& line : lines) out << line << "\n";
  return path;
}

std::string WriteGzip(const TempDir& dir, const std::string& name,
                      const std::vector<std::string>& lines) {
  std::string path = dir.Sub(name);
  gzFile file = gzopen(path.c_str(), "wb");
  for (const auto& line : lines) {
    std::string with_newline = line + "\n";
    gzwrite(file, with_newline.data(), static_cast<unsigned>(with_newline.size()));
  }
  gzclose(file);
  return path;
}

std::vector<ReplayRecord> ReadAll(const std::vector<std::string>& paths, uint32_t partitions = 3,
                                  const TopicNames& topics = {}) {
  auto source = FileReplaySource::Open(paths, topics, partitions);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  std::vector<ReplayRecord> out;
  if (!source.ok()) return out;
  while (true) {
    auto next = (*source)->Next();
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !*next) break;
    out.push_back(std::move(**next));
  }
  return out;
}

std::vector<std::string> Ids(const std::vector<ReplayRecord>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) {
    auto at = r.bytes.find("\"event_id\":\"");
    ids.push_back(at == std::string::npos
                      ? "?"
                      : r.bytes.substr(at + 12, r.bytes.find('"', at + 12) - at - 12));
  }
  return ids;
}

// An account name whose partition among 3 is `partition`.
std::string AccountIn(uint32_t partition) {
  for (int i = 0;; ++i) {
    std::string name = "ACC" + std::to_string(i);
    if (KafkaPartitionForKey(name, 3) == partition) return name;
  }
}

TEST(FileReplaySource, MergesFilesInEventTimeThenEventIdOrder) {
  TempDir dir;
  // B and C in different partitions: streams of their own, so equal times go by event id.
  const std::string B = AccountIn(1), C = AccountIn(2);
  auto a =
      WriteFile(dir, "a.jsonl",
                {Tx("e1", "2026-01-01T00:00:01Z", "A"), Tx("e4", "2026-01-01T00:00:04Z", "A")});
  auto b = WriteFile(dir, "b.jsonl",
                     {Tx("e2b", "2026-01-01T00:00:02Z", B), Tx("e2a", "2026-01-01T00:00:02Z", C),
                      Tx("e3", "2026-01-01T00:00:03Z", B)});
  EXPECT_EQ(Ids(ReadAll({a, b})), (std::vector<std::string>{"e1", "e2a", "e2b", "e3", "e4"}));
  EXPECT_EQ(Ids(ReadAll({b, a})), (std::vector<std::string>{"e1", "e2a", "e2b", "e3", "e4"}));
}

TEST(FileReplaySource, ReadsGzipAsPlain) {
  TempDir dir;
  std::vector<std::string> lines;
  for (int i = 0; i < 5000; ++i) {
    lines.push_back(Tx("e" + std::to_string(100000 + i), "2026-01-01T00:00:00Z",
                       "ACC" + std::to_string(i % 17)));
  }
  auto plain = ReadAll({WriteFile(dir, "plain.jsonl", lines)});
  auto gz = ReadAll({WriteGzip(dir, "log.gz", lines)});
  ASSERT_EQ(plain.size(), 5000u);
  EXPECT_EQ(Ids(plain), Ids(gz));
}

TEST(FileReplaySource, BadLinesComeBackWithTheirLineAndNoGoodLineIsLost) {
  TempDir dir;
  auto path = WriteFile(
      dir, "log.jsonl",
      {Tx("e1", "2026-01-01T00:00:01Z", "A"), "{not json", "",
       R"({"event_id":"no-time","type":"transaction"})", Tx("e2", "2026-01-01T00:00:02Z", "B")});
  auto records = ReadAll({path});
  ASSERT_EQ(records.size(), 4u);  // the blank line is no record
  std::vector<std::string> unordered;
  int good = 0;
  for (const auto& r : records) {
    if (!r.event_time) unordered.push_back(r.origin);
    if (r.event_time) ++good;
  }
  EXPECT_EQ(good, 2);
  EXPECT_EQ(unordered, (std::vector<std::string>{path + ":2", path + ":4"}));
}

TEST(FileReplaySource, RoutesGroundTruthLinesToTheirTopicPartitionWithOffsets) {
  TempDir dir;
  std::string event = Tx("e1", "2026-01-01T00:00:01Z", "ACC-1");
  std::string event2 = Tx("e2", "2026-01-01T00:00:02Z", "ACC-1");
  auto path = WriteFile(
      dir, "truth.jsonl",
      {R"({"topic":"transactions","key":"ACC-1","scenario":"honest","fraud":false,"event":)" +
           event + "}",
       R"({"topic":"transactions","key":"ACC-1","scenario":"honest","fraud":false,"event":)" +
           event2 + "}"});
  auto records = ReadAll({path}, 6);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].bytes, event);  // the event's own bytes, as Kafka carries them
  EXPECT_EQ(records[0].source.topic, "transactions");
  EXPECT_EQ(records[0].source.partition, static_cast<int32_t>(KafkaPartitionForKey("ACC-1", 6)));
  EXPECT_EQ(records[0].source.offset, 0);
  EXPECT_EQ(records[1].source.offset, 1);
  EXPECT_EQ(records[0].role, EventType::kTransaction);
}

TEST(FileReplaySource, RolesSharingATopicCountItsOffsetsTogether) {
  TempDir dir;
  auto path =
      WriteFile(dir, "log.jsonl",
                {Tx("t1", "2026-01-01T00:00:01Z", "A"),
                 R"({"event_id":"a1","type":"application","event_time":"2026-01-01T00:00:02Z",)"
                 R"("applicant_id":"P1"})",
                 Tx("t2", "2026-01-01T00:00:03Z", "B"),
                 R"({"event_id":"l1","type":"label","event_time":"2026-01-01T00:00:04Z",)"
                 R"("labelled_event_id":"t1","label":"fraud","account_id":"A"})"});
  TopicNames topics;
  topics.applications = "events";
  topics.transactions = "events";
  auto records = ReadAll({path}, 1, topics);
  ASSERT_EQ(records.size(), 4u);
  std::vector<std::pair<std::string, int64_t>> positions;
  for (const auto& r : records) positions.emplace_back(r.source.topic, r.source.offset);
  EXPECT_EQ(positions, (std::vector<std::pair<std::string, int64_t>>{
                           {"events", 0}, {"events", 1}, {"events", 2}, {topics.labels, 0}}));
}

TEST(FileReplaySource, OutOfOrderRecordKeepsItsPlaceInItsPartition) {
  // Same account, same partition: the late event stays behind its predecessor, as it does live.
  TempDir dir;
  auto path = WriteFile(
      dir, "log.jsonl",
      {Tx("first", "2026-01-01T00:00:05Z", "A"), Tx("late", "2026-01-01T00:00:01Z", "A")});
  EXPECT_EQ(Ids(ReadAll({path})), (std::vector<std::string>{"first", "late"}));
}

TEST(FileReplaySource, MissingFileIsAnError) {
  auto source = FileReplaySource::Open({"/nonexistent/log.jsonl"}, TopicNames{}, 3);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("/nonexistent/log.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace riskstream
