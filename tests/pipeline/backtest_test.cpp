#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "pipeline/backtest_runner.h"
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

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Four withdrawals in an hour (the 3rd and 4th fraud, the 4th labelled legit later), one
// application. The champion's velocity rule needs 3 withdrawals; the challenger's needs 2.
TEST(Backtest, JudgesBothRuleSetsOnOnePassAndWritesJsonAndHtml) {
  setenv(kTestPiiKeyEnv, kTestPiiKey, 1);
  TempDir dir;
  TestPipelineConfig c;
  c.dir = dir.path().string();
  c.state_dir = dir.Sub("unused-state");
  std::string config = WriteTestPipelineConfig(c);
  std::string rules = Slurp(c.dir + "/rules.yaml");
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

  BacktestOptions options;
  options.replay.config_path = config;
  options.replay.inputs = {dir.Sub("log.jsonl")};
  options.replay.out_dir = dir.Sub("out");
  options.challenger_path = dir.Sub("challenger.yaml");
  std::ostringstream progress;
  auto totals = RunBacktest(options, progress, false);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();

  auto report = nlohmann::json::parse(Slurp(dir.Sub("out/backtest.json")));
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

  std::string html = Slurp(dir.Sub("out/backtest.html"));
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("challenger"), std::string::npos);
  EXPECT_EQ(html.find("http"), html.find("http://www.w3.org/2000/svg"));  // nothing fetched
}

}  // namespace
}  // namespace riskstream
