// tests/integration/pipeline_real_kafka_test.cpp
//
// The pipeline end to end on a real Apache Kafka 3.9.1 broker: kcat produces a scripted sequence of
// applications, transactions, a label and bad records; StreamRunner decides them in this process;
// a confluent_kafka consumer reads credit-events, fraud-alerts and the dead-letter topic back, and
// every record is compared field by field (all but processing_time) with what the inputs imply.
// One broker serves the suite; each test has its own topics, consumer group and state dir.
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/time.h"
#include "pipeline/admin/pipeline_metrics.h"
#include "pipeline/kafka/kafka_connector.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/kafka/transactional_sink.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/runtime/stream_runner.h"
#include "tests/support/child_process.h"
#include "tests/support/decision_script.h"
#include "tests/support/kafka_test_clients.h"
#include "tests/support/pipeline_test_config.h"
#include "tests/support/real_kafka_test_base.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using namespace std::chrono_literals;

constexpr auto kRunTimeout = 90s;
constexpr auto kReadTimeout = 60s;
const std::vector<std::string> kInputRoles = {"applications", "transactions", "labels"};
const std::vector<std::string> kOutputRoles = {"credit-events", "fraud-alerts", "riskstream-dlq"};

// What one in-process run of the pipeline did.
struct PipelineRun {
  Status status;
  std::vector<std::string> processed;  // event ids in processing order; "" for a rejected record
  bool reached = false;                // the expected number of records arrived in time
};

class PipelineOnRealKafka : public RealKafkaTestBase {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CreateTestTopics({kInputRoles, kOutputRoles}, 3));
    TestPipelineConfig c;
    c.dir = dir_.path().string();
    c.bootstrap_servers = broker_->bootstrap();
    c.group_id = prefix_ + "group";
    c.topic_prefix = prefix_;
    c.partitions = 3;
    c.state_dir = dir_.Sub("state");
    auto config = LoadPipelineConfig(WriteTestPipelineConfig(c));
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = std::move(*config);
  }

  // Produces `inputs` with kcat, one kcat run per topic, in script order within each topic.
  void Produce(const std::vector<ScriptedInput>& inputs) {
    for (const auto& role : kInputRoles) {
      KeyedMessages messages;
      for (const auto& input : inputs) {
        if (input.role == role) messages.emplace_back(input.key, input.value);
      }
      if (messages.empty()) continue;
      std::string error = clients_.KcatProduce(broker_->bootstrap(), prefix_ + role, messages);
      ASSERT_EQ(error, "");
    }
  }

  // Runs StreamRunner in this process until it has processed `inputs` records (or kRunTimeout
  // passed), calls `before_stop`, then stops it and waits for Run() to return (it commits before
  // it returns).
  PipelineRun RunUntilProcessed(const PipelineConfig& config, size_t inputs,
                                const std::function<void()>& before_stop = {}) {
    PipelineRun run;
    auto metrics = PipelineMetrics::Create("");
    if (!metrics.ok()) {
      run.status = metrics.status();
      return run;
    }
    auto runner = CreateKafkaRunner(config, broker_->bootstrap(), **metrics);
    if (!runner.ok()) {
      run.status = runner.status();
      return run;
    }
    std::mutex mutex;
    std::atomic<size_t> count{0};
    std::atomic<bool> returned{false};
    (*runner)->SetObserver([&](const ProcessedInput& input) {
      std::lock_guard lock(mutex);
      run.processed.push_back(input.event != nullptr ? input.event->event_id : "");
      count.fetch_add(1);
    });
    std::thread thread([&] {
      run.status = (*runner)->Run();
      returned.store(true);
    });
    run.reached = WaitFor([&] { return count.load() >= inputs || returned.load(); }, kRunTimeout) &&
                  count.load() >= inputs;
    if (before_stop) before_stop();
    (*runner)->RequestStop();
    thread.join();
    return run;
  }

  // Every message of the test's input and output topics, read back by confluent_kafka, by role.
  std::map<std::string, std::vector<ConsumedMessage>> ReadTopics() {
    std::vector<std::string> topics;
    for (const auto& roles : {kInputRoles, kOutputRoles}) {
      for (const auto& role : roles) topics.push_back(prefix_ + role);
    }
    std::string error;
    auto messages = clients_.PythonConsume(broker_->bootstrap(), topics, 0, kReadTimeout, &error);
    EXPECT_TRUE(messages.has_value()) << error;
    std::map<std::string, std::vector<ConsumedMessage>> by_role;
    if (!messages) return by_role;
    for (auto& m : *messages) by_role[m.topic.substr(prefix_.size())].push_back(std::move(m));
    return by_role;
  }

  TempDir dir_;
  KafkaTestClients clients_{dir_.path().string()};
  PipelineConfig config_;
};

// Three applicants on one device within minutes (the third, and the first one re-applying,
// decline as a device ring), three applications with device "unknown" (not a shared device), an
// application on the ring's device 25 hours later (the window has moved on), withdrawals on one
// account (velocity from the third on; the window's start is exclusive), a purchase between them
// (reads the account's features, does not add to them), a large withdrawal (review), a late
// withdrawal, a label, a record that is not JSON and one with a negative amount (dead letters).
// Inputs of one entity share a key, hence a partition, so their order is the script's.
TEST_F(PipelineOnRealKafka, ScriptedEventsGetExactDecisionsAlertsAndDeadLetters) {
  const std::string malformed =
      R"({"event_id":"tx-bad","type":"transaction","account_id":"ACC1","amount":)";
  const std::vector<ScriptedInput> inputs = {
      {"app-1", "applications", "D1", Application("app-1", "2026-01-10T09:00:00Z", "A1", "D1")},
      {"app-2", "applications", "D1", Application("app-2", "2026-01-10T09:02:00Z", "A2", "D1")},
      {"app-3", "applications", "D1", Application("app-3", "2026-01-10T09:04:00Z", "A3", "D1")},
      {"app-4", "applications", "D1", Application("app-4", "2026-01-10T09:05:00Z", "A1", "D1")},
      {"app-u1", "applications", "unknown",
       Application("app-u1", "2026-01-10T09:06:00Z", "U1", "unknown")},
      {"app-u2", "applications", "unknown",
       Application("app-u2", "2026-01-10T09:07:00Z", "U2", "unknown")},
      {"app-u3", "applications", "unknown",
       Application("app-u3", "2026-01-10T09:08:00Z", "U3", "unknown")},
      {"app-5", "applications", "D1", Application("app-5", "2026-01-11T10:00:00Z", "A4", "D1")},
      {"tx-1", "transactions", "ACC1",
       Transaction("tx-1", R"("2026-01-10T09:10:00Z")", "ACC1", "withdrawal", "100")},
      {"tx-2", "transactions", "ACC1",
       Transaction("tx-2", "1768036260000", "ACC1", "withdrawal", "200")},
      {"tx-negative", "transactions", "ACC1",
       Transaction("tx-negative", R"("2026-01-10T09:11:30Z")", "ACC1", "withdrawal", "-50")},
      {"tx-3", "transactions", "ACC1",
       Transaction("tx-3", R"("2026-01-10T09:12:00Z")", "ACC1", "withdrawal", "300")},
      {"tx-p", "transactions", "ACC1",
       Transaction("tx-p", R"("2026-01-10T09:12:30Z")", "ACC1", "purchase", "50")},
      {"tx-4", "transactions", "ACC1",
       Transaction("tx-4", R"("2026-01-10T09:13:00Z")", "ACC1", "withdrawal", "400")},
      {"tx-bad", "transactions", "ACC1", malformed},
      {"tx-big", "transactions", "ACC2",
       Transaction("tx-big", R"("2026-01-10T09:20:00Z")", "ACC2", "withdrawal", "6000")},
      {"tx-6", "transactions", "ACC1",
       Transaction("tx-6", R"("2026-01-10T10:10:00Z")", "ACC1", "withdrawal", "50")},
      {"tx-late", "transactions", "ACC1",
       Transaction("tx-late", R"("2026-01-10T09:50:00Z")", "ACC1", "withdrawal", "25")},
      {"label-1", "labels", "ACC1",
       R"({"event_id":"label-1","event_time":"2026-01-10T09:30:00Z","labelled_event_id":"tx-3",)"
       R"("label":"fraud","account_id":"ACC1"})"},
  };
  ASSERT_NO_FATAL_FAILURE(Produce(inputs));

  PipelineRun run = RunUntilProcessed(config_, inputs.size());
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_TRUE(run.reached) << "processed " << run.processed.size() << " of " << inputs.size();
  EXPECT_EQ(run.processed.size(), inputs.size());

  // 09:50 is more than allowed_lateness (10m) behind the partition's newest event (tx-6, 10:10):
  // still decided, flagged late, and counted with tx-1..tx-4 and itself in (08:50, 09:50]; it is
  // also older than ACC1's window head minus the lateness, so the window marks it not exact.
  ExpectedDecision late =
      Expect("tx-late", "transaction", "ACC1", TxIdentity("ACC1", "withdrawal", 25),
             "2026-01-10T09:50:00.000Z", "decline", TestFeatures({}, 5, 1025), {VelocityRule(5)});
  late.credit_event["late"] = true;
  late.credit_event["features_exact"] = false;
  const std::vector<ExpectedDecision> expected = {
      Expect("app-1", "application", "A1", AppIdentity("A1"), "2026-01-10T09:00:00.000Z", "approve",
             TestFeatures(1, {}, {})),
      Expect("app-2", "application", "A2", AppIdentity("A2"), "2026-01-10T09:02:00.000Z", "approve",
             TestFeatures(2, {}, {})),
      Expect("app-3", "application", "A3", AppIdentity("A3"), "2026-01-10T09:04:00.000Z", "decline",
             TestFeatures(3, {}, {}), {DeviceRingRule(3)}),
      // A1 again: three distinct applicants still, not four.
      Expect("app-4", "application", "A1", AppIdentity("A1"), "2026-01-10T09:05:00.000Z", "decline",
             TestFeatures(3, {}, {}), {DeviceRingRule(3)}),
      Expect("app-u1", "application", "U1", AppIdentity("U1"), "2026-01-10T09:06:00.000Z",
             "approve", TestFeatures({}, {}, {})),
      Expect("app-u2", "application", "U2", AppIdentity("U2"), "2026-01-10T09:07:00.000Z",
             "approve", TestFeatures({}, {}, {})),
      Expect("app-u3", "application", "U3", AppIdentity("U3"), "2026-01-10T09:08:00.000Z",
             "approve", TestFeatures({}, {}, {})),
      Expect("app-5", "application", "A4", AppIdentity("A4"), "2026-01-11T10:00:00.000Z", "approve",
             TestFeatures(1, {}, {})),
      Expect("tx-1", "transaction", "ACC1", TxIdentity("ACC1", "withdrawal", 100),
             "2026-01-10T09:10:00.000Z", "approve", TestFeatures({}, 1, 100)),
      Expect("tx-2", "transaction", "ACC1", TxIdentity("ACC1", "withdrawal", 200),
             "2026-01-10T09:11:00.000Z", "approve", TestFeatures({}, 2, 300)),
      Expect("tx-3", "transaction", "ACC1", TxIdentity("ACC1", "withdrawal", 300),
             "2026-01-10T09:12:00.000Z", "decline", TestFeatures({}, 3, 600), {VelocityRule(3)}),
      Expect("tx-p", "transaction", "ACC1", TxIdentity("ACC1", "purchase", 50),
             "2026-01-10T09:12:30.000Z", "approve", TestFeatures({}, 3, 600)),
      Expect("tx-4", "transaction", "ACC1", TxIdentity("ACC1", "withdrawal", 400),
             "2026-01-10T09:13:00.000Z", "decline", TestFeatures({}, 4, 1000), {VelocityRule(4)}),
      Expect("tx-big", "transaction", "ACC2", TxIdentity("ACC2", "withdrawal", 6000),
             "2026-01-10T09:20:00.000Z", "review", TestFeatures({}, 1, 6000),
             {LargeWithdrawalsRule(6000)}),
      // (09:10, 10:10]: tx-1, exactly one hour earlier, is out.
      Expect("tx-6", "transaction", "ACC1", TxIdentity("ACC1", "withdrawal", 50),
             "2026-01-10T10:10:00.000Z", "decline", TestFeatures({}, 4, 950), {VelocityRule(4)}),
      late,
      Expect("label-1", "label", "ACC1",
             {{"account_id", "ACC1"}, {"labelled_event_id", "tx-3"}, {"label", "fraud"}},
             "2026-01-10T09:30:00.000Z", "recorded", TestFeatures({}, {}, {})),
  };

  auto topics = ReadTopics();
  std::vector<ScriptedInput> valid;
  for (const auto& input : inputs) {
    if (input.id != "tx-bad" && input.id != "tx-negative") valid.push_back(input);
  }
  ExpectDecisions(topics, valid, expected);

  // Dead letters: the reason, where the input is, and its exact bytes.
  const auto& dlq = topics["riskstream-dlq"];
  ASSERT_EQ(dlq.size(), 2u);
  std::map<std::string, Json> dead_by_id;
  for (const auto& m : dlq) {
    Json record = Json::parse(m.value);
    EXPECT_TRUE(ParseTimestamp(record.at("processing_time").get<std::string>()).ok());
    EXPECT_EQ(m.key, std::optional<std::string>("ACC1")) << "dead letters keep the input's key";
    for (const auto& input : inputs) {
      const ConsumedMessage* source = FindInput(topics, input);
      if (source == nullptr || record.at("source") != Json{{"topic", source->topic},
                                                           {"partition", source->partition},
                                                           {"offset", source->offset}}) {
        continue;
      }
      EXPECT_EQ(record.at("raw_base64"), source->value_base64) << input.id;
      EXPECT_EQ(record.at("raw_bytes"), input.value.size()) << input.id;
      dead_by_id[input.id] = Comparable(record, /*keep_source=*/false);
    }
  }
  ASSERT_EQ(dead_by_id.size(), 2u) << "dead letters must name the bad inputs' positions";
  ASSERT_TRUE(dead_by_id.count("tx-negative"));
  ASSERT_TRUE(dead_by_id.count("tx-bad"));
  EXPECT_EQ(dead_by_id["tx-negative"].at("reason"), "bad_value");
  EXPECT_EQ(dead_by_id["tx-negative"].at("error"), "amount negative");
  EXPECT_EQ(dead_by_id["tx-bad"].at("reason"), "not_json");
  EXPECT_EQ(dead_by_id["tx-bad"].at("error").get<std::string>().rfind("not valid JSON: ", 0), 0u)
      << dead_by_id["tx-bad"].dump();
  for (auto& [id, record] : dead_by_id) {
    record.erase("error");
    record.erase("reason");
    record.erase("raw_base64");
    record.erase("raw_bytes");
    EXPECT_EQ(record, Json::object()) << id << " dead letter has unexpected fields";
  }
}

// A restart with the same state dir continues the windows from the stored state and resumes from
// the stored offsets: nothing is decided twice, even when a new consumer group has no offsets.
// The test broker does not auto-create topics. The topics riskstream writes are created at start
// when missing, with topics.partitions partitions (the changelog compacted, with one); a topic the
// broker refuses fails the start with its name, the reason and the command that creates it.
TEST_F(PipelineOnRealKafka, MissingOutputTopicsAreCreatedOrNamedWithTheCommand) {
  PipelineConfig config = config_;
  config.topics.credit_events = prefix_ + "created-credit-events";
  config.topics.fraud_alerts = prefix_ + "created-fraud-alerts";
  config.topics.changelog = prefix_ + "created-changelog";
  {
    auto metrics = PipelineMetrics::Create("");
    ASSERT_TRUE(metrics.ok());
    auto runner = CreateKafkaRunner(config, broker_->bootstrap(), **metrics);
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  }
  auto sink = KafkaSink::Create(broker_->bootstrap(), {});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  RdKafka::Metadata* raw = nullptr;
  ASSERT_EQ((*sink)->producer().metadata(true, nullptr, &raw, 10000), RdKafka::ERR_NO_ERROR);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::map<std::string, size_t> partitions;
  for (const auto* topic : *metadata->topics()) {
    partitions[topic->topic()] = topic->partitions()->size();
  }
  EXPECT_EQ(partitions[config.topics.credit_events], 3u);
  EXPECT_EQ(partitions[config.topics.fraud_alerts], 3u);
  EXPECT_EQ(partitions[config.topics.changelog], 1u);

  config.topics.dead_letter = "a topic name kafka refuses!";
  config.topics.shadow_decisions = prefix_ + "created-shadow";
  auto metrics = PipelineMetrics::Create("");
  ASSERT_TRUE(metrics.ok());
  auto refused = CreateKafkaRunner(config, broker_->bootstrap(), **metrics);
  ASSERT_FALSE(refused.ok());
  const std::string message = refused.status().message();
  EXPECT_NE(message.find("a topic name kafka refuses!"), std::string::npos) << message;
  EXPECT_NE(message.find("kafka-topics.sh --bootstrap-server <brokers> --create --topic "
                         "a topic name kafka refuses! --partitions 3"),
            std::string::npos)
      << message;
  // Every missing topic is named, and none was created: the refused one stops them all.
  EXPECT_NE(message.find(prefix_ + "created-shadow: not created"), std::string::npos) << message;
  raw = nullptr;
  ASSERT_EQ((*sink)->producer().metadata(true, nullptr, &raw, 10000), RdKafka::ERR_NO_ERROR);
  metadata.reset(raw);
  for (const auto* topic : *metadata->topics()) {
    EXPECT_NE(topic->topic(), prefix_ + "created-shadow");
  }
}

TEST_F(PipelineOnRealKafka, RestartContinuesWindowsFromStateAndDecidesNothingTwice) {
  const std::vector<ScriptedInput> first = {
      {"r-app-1", "applications", "D2", Application("r-app-1", "2026-01-10T09:00:00Z", "B1", "D2")},
      {"r-app-2", "applications", "D2", Application("r-app-2", "2026-01-10T09:01:00Z", "B2", "D2")},
      {"r-tx-1", "transactions", "ACC9",
       Transaction("r-tx-1", R"("2026-01-10T09:02:00Z")", "ACC9", "withdrawal", "100")},
      {"r-tx-2", "transactions", "ACC9",
       Transaction("r-tx-2", R"("2026-01-10T09:03:00Z")", "ACC9", "withdrawal", "200")},
  };
  const std::vector<ScriptedInput> second = {
      {"r-app-3", "applications", "D2", Application("r-app-3", "2026-01-10T09:04:00Z", "B3", "D2")},
      {"r-tx-3", "transactions", "ACC9",
       Transaction("r-tx-3", R"("2026-01-10T09:05:00Z")", "ACC9", "withdrawal", "300")},
  };
  const std::vector<ScriptedInput> third = {
      {"r-tx-4", "transactions", "ACC9",
       Transaction("r-tx-4", R"("2026-01-10T09:06:00Z")", "ACC9", "withdrawal", "400")},
  };
  // Inputs of one entity share a partition, so a run that re-read old inputs would meet them
  // before the new ones and the set of processed ids below would differ.
  auto ids = [](const std::vector<ScriptedInput>& inputs) {
    std::multiset<std::string> out;
    for (const auto& input : inputs) out.insert(input.id);
    return out;
  };
  auto processed = [](const PipelineRun& run) {
    return std::multiset<std::string>(run.processed.begin(), run.processed.end());
  };

  ASSERT_NO_FATAL_FAILURE(Produce(first));
  PipelineRun run1 = RunUntilProcessed(config_, first.size());
  ASSERT_TRUE(run1.status.ok()) << run1.status.ToString();
  ASSERT_TRUE(run1.reached) << "first run processed " << run1.processed.size();
  EXPECT_EQ(processed(run1), ids(first));

  ASSERT_NO_FATAL_FAILURE(Produce(second));
  PipelineRun run2 = RunUntilProcessed(config_, second.size());
  ASSERT_TRUE(run2.status.ok()) << run2.status.ToString();
  ASSERT_TRUE(run2.reached) << "second run processed " << run2.processed.size();
  EXPECT_EQ(processed(run2), ids(second)) << "the restart re-read inputs it had already decided";

  // A consumer group without committed offsets: only the offsets stored with the state count.
  ASSERT_NO_FATAL_FAILURE(Produce(third));
  PipelineConfig fresh_group = config_;
  fresh_group.group_id += "-fresh";
  PipelineRun run3 = RunUntilProcessed(fresh_group, third.size());
  ASSERT_TRUE(run3.status.ok()) << run3.status.ToString();
  ASSERT_TRUE(run3.reached) << "third run processed " << run3.processed.size();
  EXPECT_EQ(processed(run3), ids(third)) << "a new group re-read inputs the state had decided";

  std::vector<ScriptedInput> all = first;
  all.insert(all.end(), second.begin(), second.end());
  all.insert(all.end(), third.begin(), third.end());
  const std::vector<ExpectedDecision> expected = {
      Expect("r-app-1", "application", "B1", AppIdentity("B1"), "2026-01-10T09:00:00.000Z",
             "approve", TestFeatures(1, {}, {})),
      Expect("r-app-2", "application", "B2", AppIdentity("B2"), "2026-01-10T09:01:00.000Z",
             "approve", TestFeatures(2, {}, {})),
      // The two applicants of the first run are in the window after the restart.
      Expect("r-app-3", "application", "B3", AppIdentity("B3"), "2026-01-10T09:04:00.000Z",
             "decline", TestFeatures(3, {}, {}), {DeviceRingRule(3)}),
      Expect("r-tx-1", "transaction", "ACC9", TxIdentity("ACC9", "withdrawal", 100),
             "2026-01-10T09:02:00.000Z", "approve", TestFeatures({}, 1, 100)),
      Expect("r-tx-2", "transaction", "ACC9", TxIdentity("ACC9", "withdrawal", 200),
             "2026-01-10T09:03:00.000Z", "approve", TestFeatures({}, 2, 300)),
      Expect("r-tx-3", "transaction", "ACC9", TxIdentity("ACC9", "withdrawal", 300),
             "2026-01-10T09:05:00.000Z", "decline", TestFeatures({}, 3, 600), {VelocityRule(3)}),
      Expect("r-tx-4", "transaction", "ACC9", TxIdentity("ACC9", "withdrawal", 400),
             "2026-01-10T09:06:00.000Z", "decline", TestFeatures({}, 4, 1000), {VelocityRule(4)}),
  };
  auto topics = ReadTopics();
  ExpectDecisions(topics, all, expected);
  EXPECT_TRUE(topics["riskstream-dlq"].empty());
}

// Exactly-once fencing: an instance that decided records but did not commit yet is fenced by a
// newer producer with the same transactional.id (what a restarted instance does while the old one
// still runs). The old one must stop with an error, none of its outputs may become visible to a
// read_committed reader, and the next instance decides every record exactly once.
TEST_F(PipelineOnRealKafka, FencedInstanceStopsAndItsOpenTransactionNeverBecomesVisible) {
  ASSERT_EQ(config_.guarantee, ProcessingGuarantee::kExactlyOnce);
  std::vector<ScriptedInput> inputs;
  for (int i = 0; i < 20; ++i) {
    std::string id = "f-tx-" + std::to_string(i);
    std::string account = "FACC" + std::to_string(i % 4);
    inputs.push_back(
        {id, "transactions", account,
         Transaction(id, std::to_string(1768036260000 + i * 1000), account, "purchase", "10")});
  }
  ASSERT_NO_FATAL_FAILURE(Produce(inputs));

  PipelineConfig zombie = config_;
  zombie.commit_interval_ms = 3600 * 1000;  // decides everything in one open transaction
  zombie.commit_max_events = 1000000;
  Status fencing;
  PipelineRun fenced = RunUntilProcessed(zombie, inputs.size(), [&] {
    auto newer =
        TransactionalSink::Create(broker_->bootstrap(), {}, zombie.transactional_id, 30000);
    fencing = newer.status();
  });
  ASSERT_TRUE(fencing.ok()) << fencing.ToString();
  ASSERT_TRUE(fenced.reached) << "the zombie processed " << fenced.processed.size();
  EXPECT_NE(fenced.status.message().find("fatal"), std::string::npos)
      << "a fenced instance did not stop on a fatal error: " << fenced.status.ToString();
  auto topics = ReadTopics();
  EXPECT_TRUE(topics["credit-events"].empty())
      << topics["credit-events"].size() << " outputs of the aborted transaction are visible";

  PipelineRun next = RunUntilProcessed(config_, inputs.size());
  ASSERT_TRUE(next.status.ok()) << next.status.ToString();
  ASSERT_TRUE(next.reached) << "the next instance processed " << next.processed.size();
  topics = ReadTopics();
  std::multiset<std::string> decided;
  for (const auto& m : topics["credit-events"]) {
    decided.insert(nlohmann::json::parse(m.value).at("event_id").get<std::string>());
  }
  std::multiset<std::string> expected;
  for (const auto& input : inputs) expected.insert(input.id);
  EXPECT_EQ(decided, expected);
}

// An abortable transaction error: credit-events accepts no record as large as a decision, so every
// transaction's delivery fails and is aborted; the runner must rewind to the last commit and decide
// the records again (not stop, not skip them). Once the topic accepts them, each record's decision
// must be visible exactly once to a read_committed reader, none from the aborted attempts.
TEST_F(PipelineOnRealKafka, AbortedTransactionIsRewoundAndItsRecordsDecidedOnce) {
  std::string error;
  const std::string small = prefix_ + "credit-events-small";
  ASSERT_TRUE(broker_->CreateTopic(small, 3, {{"max.message.bytes", "200"}}, &error)) << error;
  PipelineConfig config = config_;
  config.topics.credit_events = small;
  std::vector<ScriptedInput> inputs;
  for (int i = 0; i < 6; ++i) {
    std::string id = "a-tx-" + std::to_string(i);
    inputs.push_back({id, "transactions", "AACC" + std::to_string(i % 3),
                      Transaction(id, std::to_string(1768036260000 + i * 1000),
                                  "AACC" + std::to_string(i % 3), "purchase", "10")});
  }
  ASSERT_NO_FATAL_FAILURE(Produce(inputs));

  std::optional<std::vector<ConsumedMessage>> decided;
  // Three times the inputs processed: at least two aborted attempts and their rewinds.
  PipelineRun run = RunUntilProcessed(config, inputs.size() * 3, [&] {
    ProcessSpec raise;
    raise.argv = {kPython, "-c",
                  "import sys\n"
                  "from confluent_kafka.admin import AdminClient, ConfigResource\n"
                  "a = AdminClient({'bootstrap.servers': sys.argv[1]})\n"
                  "r = ConfigResource('topic', sys.argv[2],"
                  " set_config={'max.message.bytes': '1048588'})\n"
                  "a.alter_configs([r])[r].result(30)\n",
                  broker_->bootstrap(), small};
    raise.output_file = dir_.Sub("alter-config.log");
    auto result = RunCommand(raise, std::chrono::seconds(60));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    // The runner keeps going: wait until its next transactions deliver every decision.
    decided =
        clients_.PythonConsume(broker_->bootstrap(), {small}, inputs.size(), kReadTimeout, &error);
  });
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_TRUE(run.reached) << "processed " << run.processed.size() << " records: no rewind";
  ASSERT_TRUE(decided.has_value()) << error;

  auto all = clients_.PythonConsume(broker_->bootstrap(), {small}, 0, kReadTimeout, &error);
  ASSERT_TRUE(all.has_value()) << error;
  std::multiset<std::string> ids;
  for (const auto& m : *all) {
    ids.insert(nlohmann::json::parse(m.value).at("event_id").get<std::string>());
  }
  std::multiset<std::string> expected;
  for (const auto& input : inputs) expected.insert(input.id);
  EXPECT_EQ(ids, expected);
}

}  // namespace
}  // namespace riskstream
