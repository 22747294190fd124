// StreamRunner's commit protocols without a broker: the real runner, topology and transactions
// run on tests/support/in_memory_kafka.h, which can abort a commit, leave it unanswered, fail a
// produce or take partitions away. Every run is compared with a clean run of the same input: the
// committed outputs must be the same records (processing times aside), each input decided once.
// The real-broker tests (tests/integration, tests/kafka) check the same guarantees against Kafka.
#include "pipeline/runtime/stream_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "generator/event_generator.h"
#include "state/db/key_codec.h"
#include "tests/support/in_memory_kafka.h"
#include "tests/support/pipeline_test_config.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using in_memory::InMemoryBroker;
using in_memory::InMemoryConnector;

constexpr int kPartitions = 3;
constexpr int kEvents = 600;
constexpr int kMalformedEvery = 97;

// The committed records of `topic`, processing times removed, sorted: what a read_committed
// consumer saw, as a multiset.
std::vector<std::string> Committed(const InMemoryBroker& broker, const std::string& topic) {
  static const std::regex kProcessingTime(R"re("processing_time":("[^"]*"|-?[0-9]+),?)re");
  std::vector<std::string> out;
  for (const auto& record : broker.ReadCommitted(topic)) {
    out.push_back(std::regex_replace(record.value.value_or("<tombstone>"), kProcessingTime, ""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string EventIdOf(const std::string& json) {
  static const std::regex kEventId(R"re("event_id":"([^"]*)")re");
  std::smatch match;
  return std::regex_search(json, match, kEventId) ? match[1].str() : "";
}

// What one run left behind.
struct Outputs {
  std::vector<std::string> credit_events, fraud_alerts, dead_letters;
  bool operator==(const Outputs&) const = default;
};

class StreamRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv(kTestPiiKeyEnv, kTestPiiKey, 1); }

  // A config for `guarantee`, committing every 40 events so that a run has many commits.
  PipelineConfig Config(const std::string& guarantee, const std::string& state_name) {
    TestPipelineConfig c;
    c.dir = dir_.path().string();
    c.bootstrap_servers = "in-memory:9092";  // never dialled: the connector is in memory
    c.partitions = kPartitions;
    c.state_dir = dir_.Sub(state_name);
    c.guarantee = guarantee;
    std::string path = WriteTestPipelineConfig(c);
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    std::ofstream(path) << std::regex_replace(text.str(), std::regex("commit_max_events: 2000"),
                                              "commit_max_events: 40");
    auto config = LoadPipelineConfig(path);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return *config;
  }

  // A broker with the config's topics holding the generator's events [from, to) on the input
  // topics, partitioned as Kafka's default partitioner would, every 97th record truncated.
  static void Produce(InMemoryBroker& broker, const PipelineConfig& config, int from, int to) {
    for (const auto& topic : config.topics.All()) {
      if (!broker.HasTopic(topic)) broker.CreateTopic(topic, kPartitions);
    }
    GeneratorOptions options;
    options.seed = 7;
    EventGenerator generator(options);
    for (int i = 0; i < to; ++i) {
      GeneratedEvent event = generator.Next();
      if (i < from) continue;
      std::string value = event.json;
      if (i % kMalformedEvery == kMalformedEvery - 1) value.resize(value.size() / 2);
      const std::string& topic = event.topic == "applications"   ? config.topics.applications
                                 : event.topic == "transactions" ? config.topics.transactions
                                                                 : config.topics.labels;
      auto partition =
          static_cast<int32_t>(KafkaPartitionForKey(event.key, static_cast<uint32_t>(kPartitions)));
      broker.Append(topic, partition, {event.key, value, event.event_time_ms});
    }
  }

  struct Run {
    Status status;
    int64_t restored = 0;
    int64_t processed = 0;
  };

  // Runs a runner over `broker` until it has processed every input record, then stops it (which
  // commits). `during(processed, connector)` runs after each processed record.
  static Run RunUntilCaughtUp(InMemoryBroker& broker, const PipelineConfig& config,
                              bool exactly_once,
                              const std::function<void(int64_t, InMemoryConnector&)>& during = {}) {
    Run run;
    auto metrics = PipelineMetrics::Create("");
    if (!metrics.ok()) return {metrics.status()};
    auto connector =
        std::make_unique<InMemoryConnector>(broker, exactly_once, config.topics.changelog);
    InMemoryConnector& connected = *connector;
    auto runner = StreamRunner::Create(config, std::move(connector), **metrics);
    if (!runner.ok()) return {runner.status()};
    run.restored = connected.restored_records();
    StreamRunner& stream = **runner;
    int64_t processed = 0;
    stream.SetObserver([&](const ProcessedInput&) {
      ++processed;
      if (during) during(processed, connected);
    });
    broker.on_drained = [&stream] { stream.RequestStop(); };
    run.status = stream.Run();
    broker.on_drained = {};
    run.processed = stream.processed();
    return run;
  }

  static Outputs OutputsOf(const InMemoryBroker& broker, const PipelineConfig& config) {
    return {Committed(broker, config.topics.credit_events),
            Committed(broker, config.topics.fraud_alerts),
            Committed(broker, config.topics.dead_letter)};
  }

  // Every input partition's group position is at its end.
  static void ExpectAllCommitted(InMemoryBroker& broker, const PipelineConfig& config) {
    for (const auto& topic :
         {config.topics.applications, config.topics.transactions, config.topics.labels}) {
      for (int32_t p = 0; p < kPartitions; ++p) {
        auto end = static_cast<int64_t>(broker.Log(topic, p).size());
        if (end == 0) continue;
        EXPECT_EQ(broker.group_offsets()[std::make_pair(topic, p)], end) << topic << "/" << p;
      }
    }
  }

  // The outputs of a run without faults.
  Outputs Clean(const std::string& guarantee) {
    PipelineConfig config = Config(guarantee, "clean-" + guarantee);
    InMemoryBroker broker;
    Produce(broker, config, 0, kEvents);
    Run run = RunUntilCaughtUp(broker, config, guarantee == "exactly_once");
    EXPECT_TRUE(run.status.ok()) << run.status.ToString();
    return OutputsOf(broker, config);
  }

  // A run over the standard input with the faults `inject` asks the broker for.
  struct FaultyRun {
    InMemoryBroker broker;
    Run run;
    Outputs outputs;
  };
  std::unique_ptr<FaultyRun> RunWithFaults(
      const std::string& guarantee, const std::function<void(InMemoryBroker&)>& inject,
      const std::function<void(int64_t, InMemoryConnector&)>& during = {}) {
    PipelineConfig config = Config(guarantee, "state-" + guarantee);
    auto faulty = std::make_unique<FaultyRun>();
    Produce(faulty->broker, config, 0, kEvents);
    inject(faulty->broker);
    faulty->run = RunUntilCaughtUp(faulty->broker, config, guarantee == "exactly_once", during);
    faulty->outputs = OutputsOf(faulty->broker, config);
    ExpectAllCommitted(faulty->broker, config);
    return faulty;
  }

  TempDir dir_;
};

TEST_F(StreamRunnerTest, DecidesEachInputOnceAndCommitsItsPosition) {
  for (std::string guarantee : {"at_least_once", "exactly_once"}) {
    SCOPED_TRACE(guarantee);
    PipelineConfig config = Config(guarantee, "state-" + guarantee);
    InMemoryBroker broker;
    Produce(broker, config, 0, kEvents);
    Run run = RunUntilCaughtUp(broker, config, guarantee == "exactly_once");
    ASSERT_TRUE(run.status.ok()) << run.status.ToString();
    EXPECT_EQ(run.processed, kEvents);
    Outputs out = OutputsOf(broker, config);
    const int malformed = kEvents / kMalformedEvery;
    EXPECT_EQ(out.dead_letters.size(), static_cast<size_t>(malformed));
    // One credit event per good input (plus freezes), never two for one event.
    std::map<std::string, int> decisions;
    for (const auto& record : out.credit_events) {
      if (record.find("\"record_type\":\"limit_freeze\"") == std::string::npos) {
        ++decisions[EventIdOf(record)];
      }
    }
    EXPECT_EQ(decisions.size(), static_cast<size_t>(kEvents - malformed));
    for (const auto& [id, count] : decisions) EXPECT_EQ(count, 1) << id;
    ExpectAllCommitted(broker, config);
    if (guarantee == "exactly_once") {
      EXPECT_FALSE(broker.ReadCommitted(config.topics.changelog).empty());
    }
  }
}

TEST_F(StreamRunnerTest, AnAbortedTransactionIsRedoneWithTheSameOutputs) {
  const Outputs clean = Clean("exactly_once");
  auto faulty = RunWithFaults("exactly_once", [](InMemoryBroker& b) { b.abort_next_commits = 3; });
  ASSERT_TRUE(faulty->run.status.ok()) << faulty->run.status.ToString();
  EXPECT_EQ(faulty->broker.abort_next_commits, 0);
  EXPECT_GT(faulty->run.processed, kEvents);  // the aborted batches were decided again
  EXPECT_EQ(faulty->outputs, clean);
}

TEST_F(StreamRunnerTest, AFailedProduceAbortsTheBatchAndRewinds) {
  const Outputs clean = Clean("exactly_once");
  auto faulty = RunWithFaults("exactly_once", [](InMemoryBroker& b) { b.fail_produce_at = 150; });
  ASSERT_TRUE(faulty->run.status.ok()) << faulty->run.status.ToString();
  EXPECT_GT(faulty->broker.produces(), 150);
  EXPECT_GT(faulty->run.processed, kEvents);
  EXPECT_EQ(faulty->outputs, clean);
}

TEST_F(StreamRunnerTest, AnUnansweredCommitIsRetriedAndNothingIsLost) {
  for (std::string guarantee : {"at_least_once", "exactly_once"}) {
    SCOPED_TRACE(guarantee);
    const Outputs clean = Clean(guarantee);
    auto faulty =
        RunWithFaults(guarantee, [](InMemoryBroker& b) { b.unavailable_next_commits = 2; });
    ASSERT_TRUE(faulty->run.status.ok()) << faulty->run.status.ToString();
    EXPECT_EQ(faulty->broker.unavailable_next_commits, 0);
    EXPECT_EQ(faulty->run.processed, kEvents);  // retried, not redone
    EXPECT_EQ(faulty->outputs, clean);
  }
}

TEST_F(StreamRunnerTest, ARevokedPartitionIsCommittedAndResumedWithoutDuplicates) {
  for (std::string guarantee : {"at_least_once", "exactly_once"}) {
    SCOPED_TRACE(guarantee);
    const Outputs clean = Clean(guarantee);
    int rebalances = 0;
    auto faulty = RunWithFaults(
        guarantee, [](InMemoryBroker&) {},
        [&](int64_t processed, InMemoryConnector& connector) {
          if (processed % 170 != 0) return;
          ++rebalances;
          connector.source()->Reassign(
              {{"transactions", 0}, {"transactions", 1}, {"applications", 2}});
        });
    ASSERT_TRUE(faulty->run.status.ok()) << faulty->run.status.ToString();
    EXPECT_EQ(rebalances, 3);
    // Buffered records of a revoked partition are read again from the committed position, and
    // only those: each input is decided once.
    EXPECT_EQ(faulty->run.processed, kEvents);
    EXPECT_EQ(faulty->outputs, clean);
  }
}

TEST_F(StreamRunnerTest, ALostStateIsRestoredFromTheChangelog) {
  // Two runs over the same input, one after the other: the second instance either keeps the
  // first one's state directory or starts without it and restores it from the changelog.
  Outputs kept;
  Outputs restored;
  for (bool lose_state : {false, true}) {
    SCOPED_TRACE(lose_state ? "state lost" : "state kept");
    PipelineConfig config = Config("exactly_once", lose_state ? "lost" : "kept");
    InMemoryBroker broker;
    Produce(broker, config, 0, kEvents / 2);
    Run first = RunUntilCaughtUp(broker, config, /*exactly_once=*/true);
    ASSERT_TRUE(first.status.ok()) << first.status.ToString();
    if (lose_state) std::filesystem::remove_all(config.state_dir);
    Produce(broker, config, kEvents / 2, kEvents);
    Run second = RunUntilCaughtUp(broker, config, /*exactly_once=*/true);
    ASSERT_TRUE(second.status.ok()) << second.status.ToString();
    EXPECT_EQ(second.processed, kEvents - kEvents / 2);  // resumed where the first one committed
    if (lose_state) {
      EXPECT_GT(second.restored, 0);
      restored = OutputsOf(broker, config);
    } else {
      EXPECT_EQ(second.restored, 0);  // current: nothing to read
      kept = OutputsOf(broker, config);
    }
  }
  EXPECT_EQ(restored, kept);
  EXPECT_FALSE(kept.credit_events.empty());
}

}  // namespace
}  // namespace riskstream
