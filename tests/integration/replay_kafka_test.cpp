// tests/integration/replay_kafka_test.cpp
//
// Replay against Kafka, and replay against live. On a real Apache Kafka 3.9.1 broker: a generated
// log (applications, transactions, out-of-order events) is produced to three input topics of three
// partitions each, partitioned as Kafka's default partitioner does; StreamRunner decides it live;
// the same log is replayed from its file, and from the topics; decisions, alerts and feature
// vectors must be byte-identical (processing_time apart) and in the same order. Time ranges use
// offsets-for-times on the real broker and fail clearly on the embedded mock; offset ranges work on
// the mock.
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "generator/event_generator.h"
#include "pipeline/admin/pipeline_metrics.h"
#include "pipeline/kafka/embedded_kafka.h"
#include "pipeline/kafka/kafka_connector.h"
#include "pipeline/replay/replay_outputs.h"
#include "pipeline/replay/replay_runner.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/runtime/stream_runner.h"
#include "state/db/key_codec.h"
#include "tests/support/child_process.h"
#include "tests/support/pipeline_test_config.h"
#include "tests/support/real_kafka_test_base.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr int kPartitions = 3;
const std::vector<std::string> kInputRoles = {"applications", "transactions", "labels"};
const std::vector<std::string> kOutputRoles = {"credit-events", "fraud-alerts", "riskstream-dlq",
                                               "features", "shadow-credit-events"};

// Writes a pipeline config over the repository's features, rules and scorecard, topics prefixed,
// with a rules-only shadow (its own credit state, so its decisions differ from live's).
std::string WriteConfig(const TempDir& dir, const std::string& bootstrap,
                        const std::string& prefix) {
  std::string path = dir.Sub("pipeline.yaml");
  std::ofstream(path) << "kafka:\n  bootstrap_servers: \"" << bootstrap << "\"\n"
                      << "  group_id: " << prefix << "group\n"
                      << "  consumer:\n    session.timeout.ms: \"6000\"\n"
                      << "topics:\n"
                      << "  applications: " << prefix << "applications\n"
                      << "  transactions: " << prefix << "transactions\n"
                      << "  labels: " << prefix << "labels\n"
                      << "  credit_events: " << prefix << "credit-events\n"
                      << "  fraud_alerts: " << prefix << "fraud-alerts\n"
                      << "  dead_letter: " << prefix << "riskstream-dlq\n"
                      << "  features: " << prefix << "features\n"
                      << "  shadow_decisions: " << prefix << "shadow-credit-events\n"
                      << "  partitions: " << kPartitions << "\n"
                      << "state:\n  dir: " << dir.Sub("live-state") << "\n"
                      << "alignment:\n  max_idle: 5s\n"
                      << "pii_key_env: " << kTestPiiKeyEnv << "\n"
                      << "metrics:\n  address: \"\"\nadmin:\n  address: \"\"\n"
                      << "features_file: " << RISKSTREAM_SOURCE_DIR << "/configs/features.yaml\n"
                      << "rules_file: " << RISKSTREAM_SOURCE_DIR << "/configs/rules.yaml\n"
                      << "scorecard_file: " << RISKSTREAM_SOURCE_DIR << "/configs/scorecard.yaml\n"
                      << "shadow_rules_file: " << RISKSTREAM_SOURCE_DIR << "/configs/rules.yaml\n";
  return path;
}

// Produces `events` in order, each to prefix+topic, partition by Kafka's default partitioner of its
// key, record timestamp = event time. Returns "" or the error.
std::string Produce(const std::string& bootstrap, const std::string& prefix,
                    const std::vector<GeneratedEvent>& events) {
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, error);
  conf->set("enable.idempotence", "true", error);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), error));
  if (!producer) return error;
  for (const auto& e : events) {
    std::string topic = prefix + e.topic;
    auto partition = static_cast<int32_t>(KafkaPartitionForKey(e.key, kPartitions));
    RdKafka::ErrorCode err;
    while ((err = producer->produce(topic, partition, RdKafka::Producer::RK_MSG_COPY,
                                    const_cast<char*>(e.json.data()), e.json.size(), e.key.data(),
                                    e.key.size(), e.event_time_ms, nullptr)) ==
           RdKafka::ERR__QUEUE_FULL) {
      producer->poll(10);
    }
    if (err != RdKafka::ERR_NO_ERROR) return RdKafka::err2str(err);
  }
  if (producer->flush(60000) != RdKafka::ERR_NO_ERROR) return "flush timed out";
  return "";
}

std::vector<GeneratedEvent> Generate(size_t count, double rate) {
  GeneratorOptions options;
  options.seed = 7;
  options.events_per_second_event_time = rate;
  options.out_of_order_share = 0.05;  // more disorder than usual: order must still match
  EventGenerator generator(options);
  std::vector<GeneratedEvent> events;
  for (size_t i = 0; i < count; ++i) events.push_back(generator.Next());
  return events;
}

std::string WriteLog(const TempDir& dir, size_t count, double rate) {
  GeneratorOptions options;
  options.seed = 7;
  options.events_per_second_event_time = rate;
  options.out_of_order_share = 0.05;
  EventGenerator generator(options);
  std::string path = dir.Sub("log.jsonl");
  std::ofstream out(path);
  EXPECT_TRUE(WriteJsonLines(generator, count, out, JsonLinesLayout::kWithGroundTruth).ok());
  return path;
}

// `record` without its processing_time field (always the last one), byte for byte otherwise.
std::string WithoutProcessingTime(const std::string& record) {
  auto at = record.rfind(",\"processing_time\":");
  return at == std::string::npos ? record : record.substr(0, at) + "}";
}

std::vector<std::string> Lines(const std::string& path, bool strip) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    out.push_back(strip ? WithoutProcessingTime(line) : line);
  }
  return out;
}

struct Outputs {
  std::vector<std::string> decisions, alerts, features, shadow;
};

Outputs ReplayOutputsOf(const std::string& dir) {
  auto features = Lines(dir + "/features.csv", false);
  if (!features.empty()) features.erase(features.begin());  // the header
  return {Lines(dir + "/decisions.jsonl", true), Lines(dir + "/alerts.jsonl", true), features,
          Lines(dir + "/shadow-decisions.jsonl", true)};
}

Result<ReplayTotals> Replay(const std::string& config, std::vector<std::string> inputs,
                            const std::string& out, std::vector<std::string> offsets = {},
                            std::optional<TimestampMs> from = {}) {
  ReplayOptions options;
  options.config_path = config;
  options.inputs = std::move(inputs);
  options.offsets = std::move(offsets);
  options.from = from;
  options.out_dir = out;
  options.features_csv = true;
  std::ostringstream progress;
  return RunReplay(options, progress, false);
}

class ReplayOnRealKafka : public RealKafkaTestBase {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CreateTestTopics({kInputRoles, kOutputRoles}, kPartitions));
    config_ = WriteConfig(dir_, broker_->bootstrap(), prefix_);
  }

  // Runs StreamRunner until it processed `count` records; returns its outputs in processing
  // order, taken from the records it produced.
  Outputs RunLive(size_t count) {
    Outputs live;
    auto config = LoadPipelineConfig(config_);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    auto metrics = PipelineMetrics::Create("");
    auto runner = CreateKafkaRunner(*config, broker_->bootstrap(), **metrics);
    EXPECT_TRUE(runner.ok()) << runner.status().ToString();
    if (!runner.ok()) return live;
    std::mutex mutex;
    std::atomic<size_t> processed{0};
    (*runner)->SetObserver([&](const ProcessedInput& input) {
      std::lock_guard lock(mutex);
      for (const auto& output : input.outputs) {
        if (output.stream == OutputStream::kCreditEvents) {
          live.decisions.push_back(WithoutProcessingTime(output.value));
        }
        if (output.stream == OutputStream::kFraudAlerts) {
          live.alerts.push_back(WithoutProcessingTime(output.value));
        }
        if (output.stream == OutputStream::kShadowDecisions) {
          live.shadow.push_back(WithoutProcessingTime(output.value));
        }
      }
      if (input.features != nullptr && input.event->type != EventType::kLabel) {
        std::string row = input.event->event_id;
        for (const auto& value : input.features->values) {
          row += ',';
          AppendCsvValue(value, row);
        }
        live.features.push_back(row);
      }
      processed.fetch_add(1);
    });
    Status status;
    std::thread thread([&] { status = (*runner)->Run(); });
    EXPECT_TRUE(WaitFor([&] { return processed.load() >= count; }, 180s))
        << "live processed " << processed.load() << " of " << count;
    (*runner)->RequestStop();
    thread.join();
    EXPECT_TRUE(status.ok()) << status.ToString();
    return live;
  }

  TempDir dir_;
  std::string config_;
};

void ExpectSame(const Outputs& a, const Outputs& b, const std::string& what) {
  ASSERT_EQ(a.decisions.size(), b.decisions.size()) << what;
  for (size_t i = 0; i < a.decisions.size(); ++i) {
    ASSERT_EQ(a.decisions[i], b.decisions[i]) << what << ": decision " << i;
  }
  EXPECT_EQ(a.alerts, b.alerts) << what;
  EXPECT_EQ(a.features, b.features) << what;
  EXPECT_FALSE(a.shadow.empty()) << what;
  EXPECT_EQ(a.shadow, b.shadow) << what;
}

TEST_F(ReplayOnRealKafka, ReplayOfTheLogDecidesExactlyAsLiveDid) {
  constexpr size_t kEvents = 4000;
  auto events = Generate(kEvents, 5);
  std::string log = WriteLog(dir_, kEvents, 5);
  ASSERT_EQ(Produce(broker_->bootstrap(), prefix_, events), "");

  Outputs live = RunLive(kEvents);
  // One credit event per input, plus a limit_freeze record per account the scorecard's credit
  // rules froze (so the credit state is exercised).
  size_t freezes =
      std::count_if(live.decisions.begin(), live.decisions.end(), [](const auto& line) {
        return line.find(R"("record_type":"limit_freeze")") != std::string::npos;
      });
  EXPECT_GT(freezes, 0u);
  ASSERT_EQ(live.decisions.size() - freezes, kEvents);
  EXPECT_FALSE(live.alerts.empty());

  ASSERT_TRUE(Replay(config_, {log}, dir_.Sub("file-1")).ok());
  ExpectSame(live, ReplayOutputsOf(dir_.Sub("file-1")), "live vs replay of the file");
  ASSERT_TRUE(Replay(config_, {log}, dir_.Sub("file-2")).ok());
  ExpectSame(ReplayOutputsOf(dir_.Sub("file-1")), ReplayOutputsOf(dir_.Sub("file-2")),
             "replay vs replay");
  auto kafka = Replay(config_, {"kafka://" + broker_->bootstrap()}, dir_.Sub("kafka"));
  ASSERT_TRUE(kafka.ok()) << kafka.status().ToString();
  ExpectSame(live, ReplayOutputsOf(dir_.Sub("kafka")), "live vs replay of the topics");
}

TEST_F(ReplayOnRealKafka, TimeRangeStartsEachPartitionAtOffsetsForTimes) {
  auto events = Generate(600, 5);
  ASSERT_EQ(Produce(broker_->bootstrap(), prefix_, events), "");
  TimestampMs from = events[300].event_time_ms;
  std::set<std::string> expected;
  for (const auto& e : events) {
    if (e.event_time_ms >= from) expected.insert(Json::parse(e.json)["event_id"]);
  }
  auto totals = Replay(config_, {"kafka://" + broker_->bootstrap()}, dir_.Sub("out"), {}, from);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  std::set<std::string> decided;
  for (const auto& line : Lines(dir_.Sub("out/decisions.jsonl"), false)) {
    decided.insert(Json::parse(line)["event_id"]);
  }
  EXPECT_EQ(decided, expected);
  EXPECT_LT(totals->outside_range, 50);  // offsets-for-times skipped the older records
}

TEST(ReplayOnEmbeddedKafka, OffsetRangeReadsExactlyThoseRecordsAndTimeRangeIsAClearError) {
  setenv(kTestPiiKeyEnv, kTestPiiKey, 1);
  auto kafka = EmbeddedKafka::Start();
  ASSERT_TRUE(kafka.ok()) << kafka.status().ToString();
  std::vector<std::string> topics;
  for (const auto& role : kInputRoles) topics.push_back(role);
  ASSERT_TRUE((*kafka)->CreateTopics(topics, kPartitions).ok());
  TempDir dir;
  std::string config = WriteConfig(dir, (*kafka)->bootstrap_servers(), "");
  auto events = Generate(300, 50);
  ASSERT_EQ(Produce((*kafka)->bootstrap_servers(), "", events), "");

  // The transactions of partition 1 at offsets 2, 3 and 4.
  std::vector<std::string> expected;
  for (const auto& e : events) {
    if (e.topic == "transactions" && KafkaPartitionForKey(e.key, kPartitions) == 1) {
      expected.push_back(Json::parse(e.json)["event_id"]);
    }
  }
  ASSERT_GE(expected.size(), 5u);
  expected = {expected.begin() + 2, expected.begin() + 5};
  std::string bootstrap = "kafka://" + (*kafka)->bootstrap_servers();
  auto totals = Replay(config, {bootstrap}, dir.Sub("out"), {"transactions/1=2-5"});
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  std::vector<std::string> decided;
  std::vector<int64_t> offsets;
  for (const auto& line : Lines(dir.Sub("out/decisions.jsonl"), false)) {
    auto record = Json::parse(line);
    decided.push_back(record["event_id"]);
    offsets.push_back(record["source"]["offset"]);
    EXPECT_EQ(record["source"]["partition"], 1);
  }
  EXPECT_EQ(decided, expected);
  EXPECT_EQ(offsets, (std::vector<int64_t>{2, 3, 4}));

  auto timed = Replay(config, {bootstrap}, dir.Sub("timed"), {}, events[10].event_time_ms);
  ASSERT_FALSE(timed.ok());
  EXPECT_NE(timed.status().message().find("cannot answer offsets-for-times"), std::string::npos)
      << timed.status().ToString();

  auto bad = Replay(config, {bootstrap}, dir.Sub("bad"), {"transactions/1=5-2"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("START <= END"), std::string::npos);
}

}  // namespace
}  // namespace riskstream
