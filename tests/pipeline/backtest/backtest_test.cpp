#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "pipeline/backtest/backtest_runner.h"
#include "tests/support/decision_script.h"
#include "tests/support/pipeline_test_config.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

std::string Truth(const std::string& event, bool fraud) {
  return R"({"topic":"transactions","key":"ACC1","scenario":"s","fraud":)" +
         std::string(fraud ? "true" : "false") + R"(,"event":{"type":"transaction",)" +
         event.substr(1) + "}";
}

size_t Lines(const std::string& path) {
  std::ifstream in(path);
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The test pipeline config in `dir` (the PII key set); returns its path.
std::string WriteConfig(const TempDir& dir) {
  setenv(kTestPiiKeyEnv, kTestPiiKey, 1);
  TestPipelineConfig c;
  c.dir = dir.path().string();
  c.state_dir = dir.Sub("unused-state");
  return WriteTestPipelineConfig(c);
}

// Backtests `config` against dir/challenger.yaml over dir/log.jsonl into dir/out; the parsed
// backtest.json, or null after a failure is reported.
nlohmann::json RunOn(const TempDir& dir, const std::string& config) {
  BacktestOptions options;
  options.replay.config_path = config;
  options.replay.inputs = {dir.Sub("log.jsonl")};
  options.replay.out_dir = dir.Sub("out");
  options.challenger_path = dir.Sub("challenger.yaml");
  std::ostringstream progress;
  auto totals = RunBacktest(options, progress, false);
  EXPECT_TRUE(totals.ok()) << totals.status().ToString();
  if (!totals.ok()) return nullptr;
  return nlohmann::json::parse(Slurp(dir.Sub("out/backtest.json")));
}

// Four withdrawals in an hour (the 3rd and 4th fraud, the 4th labelled legit later), one
// application. The champion's velocity rule needs 3 withdrawals; the challenger's needs 2.
TEST(Backtest, JudgesBothRuleSetsOnOnePassAndWritesJsonAndHtml) {
  TempDir dir;
  std::string config = WriteConfig(dir);
  std::string rules = Slurp(dir.Sub("rules.yaml"));
  rules.replace(rules.find("withdrawals_per_account_1h >= 3"), 31,
                "withdrawals_per_account_1h >= 2");
  rules.replace(rules.find(kTestRuleSetVersion), std::string(kTestRuleSetVersion).size(),
                "challenger");
  std::ofstream(dir.Sub("challenger.yaml")) << rules;

  std::ofstream log(dir.Sub("log.jsonl"));
  log << Truth(Transaction("tx-1", "\"2026-01-10T09:10:00Z\"", "ACC1", "withdrawal", "100"), false)
      << "\n"
      << Truth(Transaction("tx-2", "\"2026-01-10T09:11:00Z\"", "ACC1", "withdrawal", "100"), false)
      << "\n"
      << Truth(Transaction("tx-3", "\"2026-01-10T09:12:00Z\"", "ACC1", "withdrawal", "100"), true)
      << "\n"
      << Truth(Transaction("tx-4", "\"2026-01-10T09:13:00Z\"", "ACC1", "withdrawal", "100"), true)
      << "\n"
      << R"({"event_id":"lab-1","type":"label","event_time":"2026-01-11T00:00:00Z",)"
      << R"("labelled_event_id":"tx-4","label":"legit","account_id":"ACC1"})"
      << "\n";
  log.close();

  nlohmann::json report = RunOn(dir, config);
  ASSERT_FALSE(report.is_null());
  EXPECT_EQ(report["events"], 4);
  EXPECT_EQ(report["labelled_events"], 4);
  EXPECT_EQ(report["fraud_events"], 1);          // tx-3; the label made tx-4 legit
  EXPECT_EQ(report["decisions"]["changed"], 1);  // tx-2: approve -> decline
  EXPECT_EQ(report["decisions"]["examples"][0]["event_id"], "tx-2");
  EXPECT_EQ(report["decisions"]["examples"][0]["to"], "decline");
  auto velocity = [&](const char* side) {
    for (const auto& rule : report["rules"][side]) {
      if (rule["rule_id"] == "WITHDRAWAL_VELOCITY") return rule;
    }
    return nlohmann::json();
  };
  EXPECT_EQ(velocity("champion")["hits"], 2);    // tx-3, tx-4
  EXPECT_EQ(velocity("challenger")["hits"], 3);  // tx-2 too
  EXPECT_DOUBLE_EQ(velocity("champion")["precision"], 0.5);
  EXPECT_DOUBLE_EQ(velocity("challenger")["recall"], 1.0);
  EXPECT_DOUBLE_EQ(report["overall"]["challenger"]["precision"], 1.0 / 3);
  EXPECT_FALSE(report["precision_recall_curve"]["champion"].empty());
  // No scorecard on either side: the severity fallback, and the report says so.
  EXPECT_NE(report["score"]["challenger"].get<std::string>().find("severity"), std::string::npos);
  EXPECT_EQ(report["score_distribution"]["champion"]["counts"][4], 2);  // high: 4
  EXPECT_EQ(report["precision_recall_curve"]["champion"][0]["flagged_when"], "score >= 4");
  // The challenger is the topology's shadow: its credit events are written beside the champion's.
  EXPECT_EQ(Lines(dir.Sub("out/shadow-decisions.jsonl")), Lines(dir.Sub("out/decisions.jsonl")));

  std::string html = Slurp(dir.Sub("out/backtest.html"));
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("challenger"), std::string::npos);
  EXPECT_EQ(html.find("http"), html.find("http://www.w3.org/2000/svg"));  // nothing fetched
}

// A scorecard over the test features: one applicant on the device +20, more -40, from 600.
std::string Card(const std::string& version, int approve_at) {
  return "version: \"" + version + "\"\n" + R"(score:
  base: 600
  characteristics:
    - name: applicants_on_device
      value: distinct_applicants_per_device_24h
      missing: 0
      bands:
        - {below: 2, points: 20}
        - {points: -40}
decision:
  approve_at: )" +
         std::to_string(approve_at) +
         R"(
  review_at: 540
limit:
  bands:
    - {min_score: 600, income_multiple: 2, max: 30000}
  cap: 100000
  round_down_to: 500
  min_limit: 1000
)";
}

// Three applications on one device (scores 620, 560, 560 + the device rule's decline; the third is
// fraud). The champion approves at 600, the challenger (a pipeline config with its own scorecard)
// at 621: only the first application changes, approve -> review, and loses its limit.
TEST(Backtest, ComparesScorecardPoliciesOnTheirScoresAndLimits) {
  TempDir dir;
  std::string config = WriteConfig(dir);
  std::string pipeline = Slurp(config);
  std::ofstream(dir.Sub("card.yaml")) << Card("card-1", 600);
  std::ofstream(dir.Sub("strict.yaml")) << Card("strict-1", 621);
  std::ofstream(config) << pipeline << "scorecard_file: " << dir.Sub("card.yaml") << "\n";
  std::ofstream(dir.Sub("challenger.yaml"))
      << pipeline << "scorecard_file: " << dir.Sub("strict.yaml") << "\n";

  std::ofstream log(dir.Sub("log.jsonl"));
  for (int i = 1; i <= 3; ++i) {
    std::string n = std::to_string(i);
    log << R"({"topic":"applications","key":"A)" << n << R"(","scenario":"s","fraud":)"
        << (i == 3 ? "true" : "false") << R"(,"event":)"
        << Application("app-" + n, "2026-01-10T09:1" + n + ":00Z", "A" + n, "D1") << "}\n";
  }
  log.close();

  nlohmann::json report = RunOn(dir, config);
  ASSERT_FALSE(report.is_null());
  EXPECT_EQ(report["champion_version"], std::string(kTestRuleSetVersion) + "+card-1");
  EXPECT_EQ(report["challenger_version"], std::string(kTestRuleSetVersion) + "+strict-1");
  EXPECT_NE(report["score"]["champion"].get<std::string>().find("scorecard card-1"),
            std::string::npos);
  EXPECT_EQ(report["decisions"]["changed"], 1);
  EXPECT_EQ(report["decisions"]["examples"][0]["event_id"], "app-1");
  EXPECT_EQ(report["decisions"]["examples"][0]["from"], "approve");
  EXPECT_EQ(report["decisions"]["examples"][0]["to"], "review");
  EXPECT_EQ(report["decisions"]["examples"][0]["champion_score"], 620);
  EXPECT_EQ(report["credit"]["champion"]["limits_granted"], 1);
  EXPECT_DOUBLE_EQ(report["credit"]["champion"]["limit_total"], 24000);  // 12000 x 2
  EXPECT_EQ(report["credit"]["challenger"]["limits_granted"], 0);
  auto scores = report["score_distribution"]["champion"];
  EXPECT_EQ(scores["from"], 560);
  EXPECT_EQ(scores["counts"][0], 2);
  EXPECT_EQ(scores["counts"].back(), 1);
  // Lower is riskier: the first point flags the lowest bucket, app-2 and app-3.
  auto first = report["precision_recall_curve"]["champion"][0];
  EXPECT_EQ(first["flagged_when"], "score < 562");
  EXPECT_DOUBLE_EQ(first["precision"], 0.5);
  EXPECT_DOUBLE_EQ(first["recall"], 1.0);
  EXPECT_NE(Slurp(dir.Sub("out/backtest.html")).find("limits granted"), std::string::npos);
}

}  // namespace
}  // namespace riskstream
