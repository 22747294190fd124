// tests/integration/embedded_kafka_interop_test.cpp
//
// `riskstream embedded-kafka` as outside clients see it: started as its own process, it serves
// kcat and confluent_kafka over TCP on 127.0.0.1, `riskstream run` (another process) decides events
// kcat produced to it and Python reads the decisions back, and SIGTERM stops it cleanly. Each test
// has its own embedded broker, stopped by PID in TearDown.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/runtime/pipeline_config.h"
#include "tests/support/child_process.h"
#include "tests/support/decision_script.h"
#include "tests/support/kafka_test_clients.h"
#include "tests/support/pipeline_test_config.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using namespace std::chrono_literals;
using ::testing::MatchesRegex;
using ::testing::UnorderedElementsAre;

const std::string kShippedConfig = std::string(RISKSTREAM_SOURCE_DIR) + "/configs/riskstream.yaml";

// True when something accepts TCP connections on 127.0.0.1:`port`.
bool Listening(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

class EmbeddedKafkaInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    auto shipped = LoadPipelineConfig(kShippedConfig);
    ASSERT_TRUE(shipped.ok()) << shipped.status().ToString();
    shipped_ = std::move(*shipped);

    const std::string bootstrap_file = dir_.Sub("bootstrap");
    ProcessSpec spec;
    spec.argv = {RISKSTREAM_BINARY, "embedded-kafka",   "--config",
                 kShippedConfig,    "--bootstrap-file", bootstrap_file};
    spec.output_file = dir_.Sub("embedded-kafka.log");
    std::string error;
    broker_ = ChildProcess::Start(spec, &error);
    ASSERT_NE(broker_, nullptr) << error;
    // The file appears by rename once the broker listens and its topics exist.
    ASSERT_TRUE(WaitFor(
        [&] { return std::filesystem::exists(bootstrap_file) || !broker_->Running(); }, 30s))
        << "no bootstrap file after 30 s:\n"
        << broker_->Output();
    ASSERT_TRUE(broker_->Running()) << "embedded-kafka exited:\n" << broker_->Output();
    std::string contents = ReadWholeFile(bootstrap_file);
    bootstrap_ = contents.substr(0, contents.find('\n'));
    ASSERT_THAT(bootstrap_, MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
    port_ = std::stoi(bootstrap_.substr(bootstrap_.find(':') + 1));
  }

  void TearDown() override {
    if (broker_ == nullptr) return;
    EXPECT_EQ(broker_->Stop(), 0) << "embedded-kafka did not exit cleanly on SIGTERM:\n"
                                  << broker_->Output();
  }

  TempDir dir_;
  KafkaTestClients clients_{dir_.path().string()};
  PipelineConfig shipped_;
  std::unique_ptr<ChildProcess> broker_;
  std::string bootstrap_;
  int port_ = 0;
};

TEST_F(EmbeddedKafkaInterop, KcatAndPythonProduceAndConsumeOverTcp) {
  // Metadata as kcat sees it: one broker on the advertised address, the config's topics.
  ProcessSpec metadata;
  metadata.argv = {kKcat, "-L", "-J", "-b", bootstrap_};
  metadata.output_file = dir_.Sub("metadata.json");
  CommandResult listed = RunCommand(metadata, 30s);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  Json md = Json::parse(listed.output.substr(listed.output.find('{')));
  ASSERT_EQ(md.at("brokers").size(), 1u) << md.dump();
  EXPECT_EQ(md.at("brokers")[0].at("name"), bootstrap_);
  std::map<std::string, size_t> partitions;
  for (const auto& topic : md.at("topics"))
    partitions[topic.at("topic")] = topic.at("partitions").size();
  const auto& t = shipped_.topics;
  for (const auto& name :
       {t.applications, t.transactions, t.labels, t.credit_events, t.fraud_alerts, t.dead_letter}) {
    EXPECT_EQ(partitions[name], static_cast<size_t>(shipped_.partitions)) << name;
  }

  // kcat produces, confluent_kafka consumes.
  ASSERT_EQ(clients_.KcatProduce(bootstrap_, t.labels, {{"k1", "v1"}, {"k2", "v2"}, {"k3", "v3"}}),
            "");
  std::string error;
  auto consumed = clients_.PythonConsume(bootstrap_, {t.labels}, 3, 60s, &error);
  ASSERT_TRUE(consumed.has_value()) << error;
  std::vector<std::string> seen;
  for (const auto& m : *consumed) seen.push_back(m.key.value_or("<null>") + "=" + m.value);
  EXPECT_THAT(seen, UnorderedElementsAre("k1=v1", "k2=v2", "k3=v3"));

  // confluent_kafka produces, kcat consumes.
  ASSERT_EQ(clients_.PythonProduce(bootstrap_, t.dead_letter,
                                   {{"a", "from python 1"}, {"b", "from python 2"}}),
            "");
  auto read = clients_.KcatConsume(bootstrap_, t.dead_letter, &error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_THAT(*read, UnorderedElementsAre("a=from python 1", "b=from python 2"));
}

// A second riskstream process runs the pipeline on the embedded broker: kcat produces the events,
// Python reads the decisions, alert and dead letter back, and SIGTERM stops the pipeline cleanly.
TEST_F(EmbeddedKafkaInterop, RiskstreamRunDecidesEventsProducedByKcat) {
  // The test config keeps the default topic names, which the embedded broker created.
  const TopicNames defaults;
  ASSERT_EQ(shipped_.topics.applications, defaults.applications);
  ASSERT_EQ(shipped_.topics.credit_events, defaults.credit_events);
  ASSERT_EQ(shipped_.topics.fraud_alerts, defaults.fraud_alerts);
  ASSERT_EQ(shipped_.topics.dead_letter, defaults.dead_letter);

  TestPipelineConfig c;
  c.dir = dir_.path().string();
  c.bootstrap_servers = bootstrap_;
  c.group_id = "riskstream-interop";
  c.partitions = shipped_.partitions;
  c.state_dir = dir_.Sub("state");
  c.guarantee = "at_least_once";  // the embedded (mock) broker has no transactions
  ProcessSpec spec;
  spec.argv = {RISKSTREAM_BINARY, "run", "--config", WriteTestPipelineConfig(c)};
  spec.output_file = dir_.Sub("run.log");
  spec.env[kTestPiiKeyEnv] = kTestPiiKey;
  std::string error;
  auto pipeline = ChildProcess::Start(spec, &error);
  ASSERT_NE(pipeline, nullptr) << error;
  // Joined the group and got the input partitions (or failed).
  ASSERT_TRUE(WaitFor(
      [&] {
        return pipeline->Output().find("assigned") != std::string::npos || !pipeline->Running();
      },
      60s))
      << pipeline->Output();
  ASSERT_TRUE(pipeline->Running()) << "riskstream run exited:\n" << pipeline->Output();

  const std::string malformed = R"({"event_id":"e-bad","type":"application",)";
  const std::vector<ScriptedInput> inputs = {
      {"e-1", "applications", "D9", Application("e-1", "2026-02-01T08:00:00Z", "C1", "D9")},
      {"e-2", "applications", "D9", Application("e-2", "2026-02-01T08:01:00Z", "C2", "D9")},
      {"e-3", "applications", "D9", Application("e-3", "2026-02-01T08:02:00Z", "C3", "D9")},
      {"e-bad", "applications", "D9", malformed},
  };
  KeyedMessages messages;
  for (const auto& input : inputs) messages.emplace_back(input.key, input.value);
  ASSERT_EQ(clients_.KcatProduce(bootstrap_, defaults.applications, messages), "");

  // 4 inputs + 3 credit events + 1 alert + 1 dead letter.
  auto consumed = clients_.PythonConsume(
      bootstrap_,
      {defaults.applications, defaults.credit_events, defaults.fraud_alerts, defaults.dead_letter},
      9, 60s, &error);
  ASSERT_TRUE(consumed.has_value()) << error << "\nriskstream run:\n" << pipeline->Output();
  std::map<std::string, std::vector<ConsumedMessage>> topics;
  for (auto& m : *consumed) topics[m.topic].push_back(std::move(m));

  std::vector<ScriptedInput> valid(inputs.begin(), inputs.end() - 1);
  ExpectDecisions(topics, valid,
                  {Expect("e-1", "application", "C1", AppIdentity("C1"), "2026-02-01T08:00:00.000Z",
                          "approve", TestFeatures(1, {}, {})),
                   Expect("e-2", "application", "C2", AppIdentity("C2"), "2026-02-01T08:01:00.000Z",
                          "approve", TestFeatures(2, {}, {})),
                   Expect("e-3", "application", "C3", AppIdentity("C3"), "2026-02-01T08:02:00.000Z",
                          "decline", TestFeatures(3, {}, {}), {DeviceRingRule(3)})});
  const auto& dead = topics[defaults.dead_letter];
  ASSERT_EQ(dead.size(), 1u);
  Json record = Json::parse(dead[0].value);
  const ConsumedMessage* bad = FindInput(topics, inputs.back());
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(record.at("reason"), "not_json");
  EXPECT_EQ(record.at("source"),
            (Json{{"topic", bad->topic}, {"partition", bad->partition}, {"offset", bad->offset}}));
  EXPECT_EQ(record.at("raw_base64"), bad->value_base64);
  EXPECT_EQ(record.at("raw_bytes"), malformed.size());

  EXPECT_EQ(pipeline->Stop(), 0) << pipeline->Output();
  EXPECT_THAT(pipeline->Output(), ::testing::HasSubstr("stopped after 4 records"));
}

TEST_F(EmbeddedKafkaInterop, SigtermStopsTheBrokerAndClosesItsPort) {
  ASSERT_TRUE(Listening(port_));
  broker_->Signal(SIGTERM);
  auto code = broker_->WaitForExit(10s);
  ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM";
  EXPECT_EQ(*code, 0) << broker_->Output();
  EXPECT_FALSE(Listening(port_));
  broker_.reset();
}

}  // namespace
}  // namespace riskstream
