#include "operators/policy/rule_set.h"

#include <gtest/gtest.h>

#include <fstream>

#include "operators/features/feature_spec.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

const std::vector<std::string> kFeatures = {"applicants_per_device", "withdrawals_1h"};

Result<std::shared_ptr<const RuleSet>> LoadRules(const std::string& yaml) {
  return RuleSet::Load(YAML::Load(yaml), "rules.yaml", kFeatures);
}

const char* kRules = R"(
version: "v7"
rules:
  - id: RING
    events: [application]
    when: applicants_per_device >= 3
    severity: high
    reason_code: DEVICE_RING
    action: decline
  - id: BIG
    events: [transaction]
    when: kind == "withdrawal" and amount > 5000
    severity: medium
    reason_code: LARGE
    action: review
  - id: WATCH
    events: [transaction]
    when: withdrawals_1h >= 2
    severity: low
    reason_code: VELOCITY
    action: alert
  - id: OFF
    enabled: false
    when: amount > 0
    reason_code: NEVER
    action: decline
)";

Event Withdrawal(double amount) {
  Event e;
  e.type = EventType::kTransaction;
  e.event_id = "t";
  e.account_id = "a";
  e.kind = TransactionKind::kWithdrawal;
  e.amount = amount;
  return e;
}

TEST(RuleSet, DecidesByStrongestFiredAction) {
  auto rules = LoadRules(kRules);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ((*rules)->version(), "v7");

  auto quiet = (*rules)->Evaluate(Withdrawal(100), {Value::Missing(), Value::Number(1)});
  EXPECT_EQ(quiet.decision, Decision::kApprove);
  EXPECT_TRUE(quiet.fired.empty());

  auto alert_only = (*rules)->Evaluate(Withdrawal(100), {Value::Missing(), Value::Number(2)});
  EXPECT_EQ(alert_only.decision, Decision::kApprove);
  ASSERT_EQ(alert_only.fired.size(), 1u);
  EXPECT_EQ(alert_only.fired[0].rule->id, "WATCH");
  EXPECT_EQ(alert_only.alert_severity, Severity::kLow);

  auto review = (*rules)->Evaluate(Withdrawal(9000), {Value::Missing(), Value::Number(2)});
  EXPECT_EQ(review.decision, Decision::kReview);
  ASSERT_EQ(review.fired.size(), 2u);
  EXPECT_EQ(review.alert_severity, Severity::kMedium);
  // A fired rule shows the values it read.
  const auto& inputs = review.fired[0].inputs;
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[0].first, "kind");
  EXPECT_EQ(inputs[1].first, "amount");
  EXPECT_EQ(inputs[1].second, Value::Number(9000));
}

TEST(RuleSet, RulesApplyOnlyToTheirEventTypes) {
  auto rules = LoadRules(kRules);
  ASSERT_TRUE(rules.ok());
  Event application;
  application.type = EventType::kApplication;
  auto ring = (*rules)->Evaluate(application, {Value::Number(3), Value::Number(9)});
  EXPECT_EQ(ring.decision, Decision::kDecline);
  ASSERT_EQ(ring.fired.size(), 1u);
  EXPECT_EQ(ring.fired[0].rule->reason_code, "DEVICE_RING");
}

TEST(RuleSet, MissingFeatureDoesNotFire) {
  auto rules = LoadRules(kRules);
  ASSERT_TRUE(rules.ok());
  Event application;
  application.type = EventType::kApplication;
  EXPECT_EQ((*rules)->Evaluate(application, {Value::Missing(), Value::Missing()}).decision,
            Decision::kApprove);
}

TEST(RuleSet, LabelsAreRecordedNotDecided) {
  auto rules = LoadRules(kRules);
  ASSERT_TRUE(rules.ok());
  Event label;
  label.type = EventType::kLabel;
  EXPECT_EQ((*rules)->Evaluate(label, {Value::Number(5), Value::Number(5)}).decision,
            Decision::kRecorded);
}

TEST(RuleSet, ErrorsNameFileRuleAndPosition) {
  auto bad_expr = LoadRules(R"(
version: 1
rules:
  - id: BROKEN
    when: amount > > 3
    reason_code: X
    action: alert
)");
  ASSERT_FALSE(bad_expr.ok());
  const std::string& message = bad_expr.status().message();
  EXPECT_NE(message.find("rules.yaml:5:11"), std::string::npos) << message;
  EXPECT_NE(message.find("rule BROKEN"), std::string::npos) << message;
  EXPECT_NE(message.find("line 1, column"), std::string::npos) << message;

  auto unknown = LoadRules(
      "version: 1\nrules:\n  - id: U\n    when: nope > 1\n"
      "    reason_code: X\n    action: alert\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("nope"), std::string::npos);

  auto action = LoadRules(
      "version: 1\nrules:\n  - id: A\n    when: amount > 1\n"
      "    reason_code: X\n    action: explode\n");
  ASSERT_FALSE(action.ok());
  EXPECT_NE(action.status().message().find("unknown action 'explode'"), std::string::npos);

  auto duplicate = LoadRules(
      "version: 1\nrules:\n  - {id: D, when: amount > 1, reason_code: X, "
      "action: alert}\n  - {id: D, when: amount > 2, reason_code: X, "
      "action: alert}\n");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("id used twice"), std::string::npos);

  EXPECT_FALSE(LoadRules("rules: []").ok());  // no version
  EXPECT_FALSE(RuleSet::LoadFile("/nonexistent/rules.yaml", kFeatures).ok());
}

TEST(RuleSet, NamedListsComeFromFilesRelativeToTheRuleFile) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "lists");
  std::ofstream(dir.Sub("lists/deny_devices.txt")) << "# known fraud devices\n\n  dev-1  \ndev-2\n";
  std::ofstream(dir.Sub("rules.yaml")) << R"(version: "l1"
lists:
  deny_devices: lists/deny_devices.txt
rules:
  - id: DENIED_DEVICE
    events: [application]
    when: device_id in deny_devices
    reason_code: DENY_LIST
    action: decline
)";
  auto rules = RuleSet::LoadFile(dir.Sub("rules.yaml"), kFeatures);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ((*rules)->lists().size(), 1u);
  EXPECT_EQ((*rules)->lists()[0], (std::pair<std::string, size_t>{"deny_devices", 2}));
  Event application;
  application.type = EventType::kApplication;
  application.device_id = "dev-1";
  EXPECT_EQ((*rules)->Evaluate(application, {}).decision, Decision::kDecline);
  application.device_id = "dev-3";
  EXPECT_EQ((*rules)->Evaluate(application, {}).decision, Decision::kApprove);
  application.device_id = "";  // missing never matches a list
  EXPECT_EQ((*rules)->Evaluate(application, {}).decision, Decision::kApprove);
}

TEST(RuleSet, ListErrorsNameTheListFileAndLine) {
  TempDir dir;
  std::ofstream(dir.Sub("bad.txt")) << "ok-1\n# fine\ntwo values\n";
  std::ofstream(dir.Sub("rules.yaml"))
      << "version: 1\nlists:\n  deny: bad.txt\nrules:\n"
         "  - {id: R, when: device_id in deny, reason_code: X, action: alert}\n";
  auto bad = RuleSet::LoadFile(dir.Sub("rules.yaml"), kFeatures);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.txt:3:"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("list deny"), std::string::npos);

  std::ofstream(dir.Sub("rules.yaml")) << "version: 1\nlists:\n  deny: absent.txt\nrules: []\n";
  auto absent = RuleSet::LoadFile(dir.Sub("rules.yaml"), kFeatures);
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.status().message().find("absent.txt"), std::string::npos);

  // A rule naming a list that does not exist fails at load, naming the rule.
  auto unknown = LoadRules(
      "version: 1\nrules:\n  - {id: U, when: ip in nowhere, reason_code: X, action: alert}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("rule U"), std::string::npos);
}

TEST(RuleSet, FiredRulesAddTheirPoints) {
  auto rules = LoadRules(R"(
version: p
rules:
  - {id: A, when: amount > 10, reason_code: X, action: alert, points: -40}
  - {id: B, when: amount > 100, reason_code: Y, action: review, points: -25}
  - {id: C, when: amount > 1000, reason_code: Z, action: alert, points: 5}
)");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ((*rules)->Evaluate(Withdrawal(5), {}).points, 0);
  EXPECT_EQ((*rules)->Evaluate(Withdrawal(50), {}).points, -40);
  EXPECT_EQ((*rules)->Evaluate(Withdrawal(500), {}).points, -65);
  EXPECT_EQ((*rules)->Evaluate(Withdrawal(5000), {}).points, -60);
}

TEST(RuleSet, SnoozedRuleSleepsUntilItsEventTime) {
  auto rules = LoadRules(R"(
version: s
rules:
  - {id: Z, when: amount > 1, reason_code: X, action: decline,
     snoozed_until: "2026-12-01T00:00:00Z"}
)");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  Event before = Withdrawal(100);
  before.event_time = *ParseRfc3339("2026-11-30T23:59:59.999Z");
  EXPECT_EQ((*rules)->Evaluate(before, {}).decision, Decision::kApprove);
  Event at = Withdrawal(100);
  at.event_time = *ParseRfc3339("2026-12-01T00:00:00Z");
  EXPECT_EQ((*rules)->Evaluate(at, {}).decision, Decision::kDecline);

  auto bad = LoadRules(
      "version: 1\nrules:\n  - id: S\n    when: amount > 1\n    reason_code: X\n"
      "    action: alert\n    snoozed_until: tomorrow\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("rule S"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("rules.yaml:7:20"), std::string::npos)
      << bad.status().message();
}

TEST(RuleSet, DefaultRuleFileLoadsAgainstDefaultFeatures) {
  auto features_doc = YAML::LoadFile(std::string(RISKSTREAM_SOURCE_DIR) + "/configs/features.yaml");
  auto features = ParseFeatureSpecs(features_doc["features"], "features.yaml", 0);
  ASSERT_TRUE(features.ok()) << features.status().ToString();
  std::vector<std::string> names;
  for (const auto& f : *features) names.push_back(f.name);
  auto rules = RuleSet::LoadFile(std::string(RISKSTREAM_SOURCE_DIR) + "/configs/rules.yaml", names);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_GE((*rules)->rules().size(), 5u);
}

}  // namespace
}  // namespace riskstream
