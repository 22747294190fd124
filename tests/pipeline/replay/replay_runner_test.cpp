#include "pipeline/replay/replay_runner.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "generator/event_generator.h"
#include "tests/support/decision_script.h"
#include "tests/support/pipeline_test_config.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string WithType(std::string json, const char* type) {
  return "{\"type\":\"" + std::string(type) + "\"," + json.substr(1);
}

std::string Withdrawal(const std::string& id, const std::string& time, const std::string& amount) {
  return WithType(Transaction(id, "\"" + time + "\"", "ACC1", "withdrawal", amount), "transaction");
}

// Decisions without processing_time, as strings: what must be identical between runs.
std::vector<std::string> Comparable(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& line : Lines(path)) {
    out.push_back(riskstream::Comparable(Json::parse(line)).dump());
  }
  return out;
}

class Replay : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv(kTestPiiKeyEnv, kTestPiiKey, 1);
    TestPipelineConfig c;
    c.dir = dir_.path().string();
    c.state_dir = dir_.Sub("live-state");
    config_ = WriteTestPipelineConfig(c);
    log_ = dir_.Sub("log.jsonl");
    std::ofstream out(log_);
    out << Withdrawal("tx-1", "2026-01-10T09:10:00Z", "100") << "\n"
        << Withdrawal("tx-2", "2026-01-10T09:11:00Z", "200") << "\n"
        << "this is not json\n"
        << Withdrawal("tx-neg", "2026-01-10T09:11:30Z", "-5") << "\n"
        << Withdrawal("tx-3", "2026-01-10T09:12:00Z", "300") << "\n"
        << WithType(Application("app-1", "2026-01-10T09:13:00Z", "A1", "D1"), "application")
        << "\n";
  }

  Result<ReplayTotals> Run(const std::string& out, std::optional<TimestampMs> from = {},
                           std::optional<TimestampMs> to = {},
                           std::optional<size_t> cache_bytes = {}) {
    ReplayOptions options;
    options.cache_bytes = cache_bytes;
    options.config_path = config_;
    options.inputs = {log_};
    options.out_dir = out;
    options.from = from;
    options.to = to;
    options.features_csv = true;
    options.state_dir = state_dir_;
    options.exit_after = exit_after_;
    std::ostringstream progress;
    auto totals = RunReplay(options, progress, false);
    summary_ = progress.str();
    return totals;
  }

  TempDir dir_;
  std::string config_, log_, summary_, state_dir_;
  bool exit_after_ = false;
};

TEST_F(Replay, DecidesEveryGoodLineAndRejectsBadOnesWithLineAndReason) {
  auto totals = Run(dir_.Sub("out"));
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  EXPECT_EQ(totals->decisions, 4);
  EXPECT_EQ(totals->rejects, 2);
  auto decisions = Lines(dir_.Sub("out/decisions.jsonl"));
  ASSERT_EQ(decisions.size(), 4u);
  auto third = Json::parse(decisions[2]);
  EXPECT_EQ(third["event_id"], "tx-3");
  EXPECT_EQ(third["decision"], "decline");  // the third withdrawal within the hour: velocity
  auto rejects = Lines(dir_.Sub("out/rejects.jsonl"));
  ASSERT_EQ(rejects.size(), 2u);
  auto not_json = Json::parse(rejects[0]);
  EXPECT_EQ(not_json["origin"], log_ + ":3");
  EXPECT_EQ(not_json["reason"], "not_json");
  auto negative = Json::parse(rejects[1]);
  EXPECT_EQ(negative["origin"], log_ + ":4");
  EXPECT_EQ(negative["reason"], "bad_value");
  EXPECT_EQ(Lines(dir_.Sub("out/alerts.jsonl")).size(), 1u);
  EXPECT_NE(summary_.find("replayed 6 events"), std::string::npos) << summary_;
}

TEST_F(Replay, WritesFeaturesCsvWithEventIdFirst) {
  ASSERT_TRUE(Run(dir_.Sub("out")).ok());
  auto rows = Lines(dir_.Sub("out/features.csv"));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0],
            "event_id,distinct_applicants_per_device_24h,withdrawals_per_account_1h,"
            "withdrawn_amount_per_account_1h");
  EXPECT_EQ(rows[1], "tx-1,,1,100");
  EXPECT_EQ(rows[3], "tx-3,,3,600");
  EXPECT_EQ(rows[4], "app-1,1,,");
}

TEST_F(Replay, FromAndToSelectEventsByEventTime) {
  auto from = ParseTimestamp("2026-01-10T09:11:00Z");
  auto to = ParseTimestamp("2026-01-10T09:13:00Z");
  auto totals = Run(dir_.Sub("out"), *from, *to);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  EXPECT_EQ(totals->outside_range, 2);  // tx-1 before, app-1 at the exclusive end
  std::vector<std::string> ids;
  for (const auto& line : Lines(dir_.Sub("out/decisions.jsonl"))) {
    ids.push_back(Json::parse(line)["event_id"]);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"tx-2", "tx-3"}));
}

// The second one leaves its memory to the process's exit, as the command line does.
TEST_F(Replay, TwoReplaysWriteIdenticalOutputsApartFromProcessingTime) {
  ASSERT_TRUE(Run(dir_.Sub("one")).ok());
  exit_after_ = true;
  ASSERT_TRUE(Run(dir_.Sub("two")).ok());
  EXPECT_EQ(Comparable(dir_.Sub("one/decisions.jsonl")),
            Comparable(dir_.Sub("two/decisions.jsonl")));
  EXPECT_EQ(Comparable(dir_.Sub("one/alerts.jsonl")), Comparable(dir_.Sub("two/alerts.jsonl")));
  EXPECT_EQ(Lines(dir_.Sub("one/features.csv")), Lines(dir_.Sub("two/features.csv")));
}

TEST_F(Replay, StartsFromFreshStateEveryRun) {
  ASSERT_TRUE(Run(dir_.Sub("out")).ok());
  ASSERT_TRUE(Run(dir_.Sub("out")).ok());  // same out dir: its state is not reused
  auto first = Json::parse(Lines(dir_.Sub("out/decisions.jsonl"))[0]);
  EXPECT_EQ(first["features"]["withdrawals_per_account_1h"], 1.0);
}

TEST_F(Replay, GivenStateDirKeepsStateBetweenRuns) {
  state_dir_ = dir_.Sub("kept-state");
  ASSERT_TRUE(Run(dir_.Sub("out")).ok());
  ASSERT_TRUE(Run(dir_.Sub("out")).ok());
  auto first = Json::parse(Lines(dir_.Sub("out/decisions.jsonl"))[0]);
  EXPECT_EQ(first["features"]["withdrawals_per_account_1h"], 2.0);  // tx-1 of the first run too
}

TEST_F(Replay, BenchConfigsDecideWithTwelveAndOneFeature) {
  // configs/bench/: the benchmark's 12-feature config and the one-feature ceiling load, decide
  // every line of the log with their own policies and write one column per feature.
  setenv("RISKSTREAM_PII_KEY", kTestPiiKey, 0);  // the shipped configs' pii_key_env
  for (auto [name, columns] : {std::pair{"replay-12.yaml", 13}, std::pair{"replay-1.yaml", 2}}) {
    config_ = std::string(RISKSTREAM_SOURCE_DIR) + "/configs/bench/" + name;
    std::string out = dir_.Sub(std::string("out-") + name);
    auto totals = Run(out);
    ASSERT_TRUE(totals.ok()) << name << ": " << totals.status().ToString();
    EXPECT_EQ(totals->decisions, 4) << name;
    EXPECT_EQ(totals->rejects, 2) << name;
    auto header = Lines(out + "/features.csv").at(0);
    EXPECT_EQ(std::count(header.begin(), header.end(), ',') + 1, columns) << header;
  }
}

// The cache budget changes speed, never results: with no cache (every entity read back from
// RocksDB), a tiny one (evicting all the time) and a large one, a generated log with labels gets
// the same decisions, alerts and features, and the cache ends within its budget.
TEST_F(Replay, CacheBudgetChangesNoResult) {
  setenv("RISKSTREAM_PII_KEY", kTestPiiKey, 0);
  config_ = std::string(RISKSTREAM_SOURCE_DIR) + "/configs/bench/replay-12.yaml";
  GeneratorOptions generator_options;
  generator_options.seed = 11;
  EventGenerator generator(generator_options);
  {
    std::ofstream out(log_);
    ASSERT_TRUE(WriteJsonLines(generator, 4000, out, JsonLinesLayout::kWithGroundTruth).ok());
  }
  const std::vector<std::pair<std::string, size_t>> budgets = {
      {"none", 0}, {"tiny", 64 << 10}, {"large", size_t{256} << 20}};
  for (const auto& [name, bytes] : budgets) {
    auto totals = Run(dir_.Sub(name), {}, {}, bytes);
    ASSERT_TRUE(totals.ok()) << name << ": " << totals.status().ToString();
    EXPECT_GT(totals->decisions, 3900) << name;
    EXPECT_LE(totals->cache.bytes, bytes) << name;
    EXPECT_EQ(totals->cache.capacity_bytes, bytes) << name;
    if (name == "tiny") {
      EXPECT_GT(totals->cache.evictions, 1000u);
    } else if (name == "large") {
      EXPECT_EQ(totals->cache.evictions, 0u);
    }
  }
  EXPECT_GT(Lines(dir_.Sub("none/alerts.jsonl")).size(), 0u);
  for (const char* file : {"decisions.jsonl", "alerts.jsonl"}) {
    EXPECT_EQ(Comparable(dir_.Sub(std::string("none/") + file)),
              Comparable(dir_.Sub(std::string("large/") + file)))
        << file;
    EXPECT_EQ(Comparable(dir_.Sub(std::string("tiny/") + file)),
              Comparable(dir_.Sub(std::string("large/") + file)))
        << file;
  }
  EXPECT_EQ(Lines(dir_.Sub("none/features.csv")), Lines(dir_.Sub("large/features.csv")));
  EXPECT_EQ(Lines(dir_.Sub("tiny/features.csv")), Lines(dir_.Sub("large/features.csv")));
}

TEST_F(Replay, TruncatedInputStopsTheReplayWithTheFileAndLine) {
  // A gzip log cut off in the middle: the read-ahead thread meets the error, and the replay
  // returns it with the file and line.
  std::string compressed_log = dir_.Sub("cut.jsonl.gz");
  gzFile file = gzopen(compressed_log.c_str(), "wb");
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += Withdrawal("tx-" + std::to_string(i), "2026-01-10T09:10:00Z", "1") + "\n";
  }
  gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
  gzclose(file);
  std::string bytes;
  {
    std::ifstream in(compressed_log, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(compressed_log, std::ios::binary | std::ios::trunc)
      << bytes.substr(0, bytes.size() / 2);
  log_ = compressed_log;
  auto totals = Run(dir_.Sub("out"));
  ASSERT_FALSE(totals.ok());
  EXPECT_NE(totals.status().message().find(compressed_log + ": after line "), std::string::npos)
      << totals.status().ToString();
}

// An output that cannot be written (a full disk: decisions.jsonl is /dev/full) fails the replay
// with the file and the system's reason, instead of finishing with missing decisions.
TEST_F(Replay, AnUnwritableOutputFailsTheReplayWithTheFileAndReason) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += Withdrawal("tx-" + std::to_string(i), "2026-01-10T09:10:00Z", "1") + "\n";
  }
  std::ofstream(log_, std::ios::trunc) << text;
  const std::string out = dir_.Sub("full");
  std::filesystem::create_directories(out);
  std::filesystem::create_symlink("/dev/full", out + "/decisions.jsonl");
  auto totals = Run(out);
  ASSERT_FALSE(totals.ok());
  EXPECT_NE(totals.status().message().find(out + "/decisions.jsonl"), std::string::npos)
      << totals.status().ToString();
  EXPECT_NE(totals.status().message().find("No space left"), std::string::npos)
      << totals.status().ToString();
}

}  // namespace
}  // namespace riskstream
