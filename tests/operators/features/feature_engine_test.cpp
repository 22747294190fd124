#include "operators/features/feature_engine.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

std::vector<FeatureSpec> Specs(const std::string& yaml) {
  auto specs = ParseFeatureSpecs(YAML::Load(yaml)["features"], "features.yaml", 0);
  EXPECT_TRUE(specs.ok()) << specs.status().ToString();
  return specs.ok() ? *specs : std::vector<FeatureSpec>{};
}

const char* kFeatures = R"(
features:
  - name: applicants_per_device
    key: device_id
    events: [application]
    function: count_distinct(applicant_id)
    window: 1h
  - name: withdrawals_1h
    key: account_id
    events: [transaction]
    where: kind == withdrawal
    function: count
    window: 1h
  - name: withdrawn_1h
    key: account_id
    events: [transaction]
    where: kind == withdrawal
    function: sum(amount)
    window: 1h
)";

Event Application(const std::string& applicant, const std::string& device, TimestampMs t) {
  Event e;
  e.type = EventType::kApplication;
  e.event_id = "app-" + applicant + std::to_string(t);
  e.applicant_id = applicant;
  e.device_id = device;
  e.event_time = t;
  return e;
}

Event Transaction(TransactionKind kind, double amount, TimestampMs t) {
  Event e;
  e.type = EventType::kTransaction;
  e.event_id = "txn" + std::to_string(t);
  e.account_id = "acc";
  e.kind = kind;
  e.amount = amount;
  e.event_time = t;
  return e;
}

class FeatureEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = StateDb::Open(dir_.Sub("db"));
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    engine_ = std::make_unique<FeatureEngine>(*db_, Specs(kFeatures), 6);
  }
  std::vector<Value> Eval(const Event& e) {
    auto result = engine_->Evaluate(e);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->values : std::vector<Value>(3);
  }
  TempDir dir_;
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<FeatureEngine> engine_;
};

TEST_F(FeatureEngineTest, CountsDistinctApplicantsPerDevice) {
  EXPECT_EQ(Eval(Application("a", "dev", 1000))[0], Value::Number(1.0));
  EXPECT_EQ(Eval(Application("a", "dev", 2000))[0], Value::Number(1.0));  // same applicant again
  EXPECT_EQ(Eval(Application("b", "dev", 3000))[0], Value::Number(2.0));
  EXPECT_EQ(Eval(Application("c", "other", 3000))[0], Value::Number(1.0));
  EXPECT_EQ(Eval(Application("d", "dev", 1000 + kHourMs))[0],
            Value::Number(3));  // a's first left, a's second not
}

TEST_F(FeatureEngineTest, MissingKeyGivesMissingFeatureNotASharedBucket) {
  EXPECT_TRUE(Eval(Application("a", "", 1000))[0].is_missing());
  EXPECT_TRUE(Eval(Application("b", "", 2000))[0].is_missing());
  EXPECT_EQ(Eval(Application("c", "dev", 3000))[0], Value::Number(1.0));
}

TEST_F(FeatureEngineTest, FilterDecidesContributionButEveryEventReads) {
  Eval(Transaction(TransactionKind::kWithdrawal, 100, 1000));
  Eval(Transaction(TransactionKind::kWithdrawal, 250, 2000));
  auto purchase = Eval(Transaction(TransactionKind::kPurchase, 9999, 3000));
  EXPECT_EQ(purchase[1], Value::Number(2.0));  // reads the withdrawal count without adding to it
  EXPECT_EQ(purchase[2], Value::Number(350.0));
  EXPECT_TRUE(purchase[0].is_missing());  // no device on this event
  auto third = Eval(Transaction(TransactionKind::kWithdrawal, 50, 4000));
  EXPECT_EQ(third[1], Value::Number(3.0));
  EXPECT_EQ(third[2], Value::Number(400.0));
}

TEST_F(FeatureEngineTest, LabelsReadNoFeatures) {
  Event label;
  label.type = EventType::kLabel;
  label.account_id = "acc";
  for (const auto& value : Eval(label)) EXPECT_TRUE(value.is_missing());
}

TEST(FeatureEngineLabels, LabelBeforeItsEventWaitsAndExpiresAfterTheRetention) {
  TempDir dir;
  auto db = StateDb::Open(dir.Sub("db"));
  ASSERT_TRUE(db.ok());
  FeatureEngine engine(**db, Specs(R"(
features:
  - {name: fraud, key: merchant_id, events: [label], where: label == fraud, function: count,
     window: 1h}
)"),
                       1, /*label_retention_ms=*/kHourMs);
  auto label = [](const std::string& of, TimestampMs t) {
    Event e;
    e.type = EventType::kLabel;
    e.event_id = "label-" + of;
    e.labelled_event_id = of;
    e.label = LabelKind::kFraud;
    e.event_time = t;
    return e;
  };
  auto purchase = [](const std::string& id, TimestampMs t) {
    Event e = Transaction(TransactionKind::kPurchase, 10, t);
    e.event_id = id;
    e.merchant_id = "m";
    return e;
  };
  auto kept = engine.Evaluate(label("p1", 1000));
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->label_pending);
  // The event reads its features before its own label lands, as if the label came second.
  auto first = engine.Evaluate(purchase("p1", 2000));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->values[0], Value::Number(0));
  EXPECT_EQ(first->pending_labels_applied, 1);
  auto next = engine.Evaluate(purchase("p2", 3000));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->values[0], Value::Number(1));
  EXPECT_EQ(next->pending_labels_applied, 0);
  // A label whose event never comes is dropped once the retention has passed, and counted.
  ASSERT_TRUE(engine.Evaluate(label("never", 4000))->label_pending);
  auto late = engine.Evaluate(purchase("p3", 4000 + kHourMs));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->pending_labels_expired, 1);
  auto after = engine.Evaluate(purchase("never", 5000 + kHourMs));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->pending_labels_applied, 0);
}

TEST(FeatureSpec, FingerprintIgnoresNameButNotDefinition) {
  auto a = Specs("features:\n  - {name: x, key: ip, function: count, window: 1h}\n");
  auto b = Specs("features:\n  - {name: y, key: ip, function: count, window: 1h}\n");
  auto c = Specs("features:\n  - {name: x, key: ip, function: count, window: 2h}\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].Fingerprint(), b[0].Fingerprint());
  EXPECT_NE(a[0].Fingerprint(), c[0].Fingerprint());
  EXPECT_EQ(a[0].Describe(), "count() over 1h by ip");
}

TEST(FeatureSpec, ErrorsNameTheFeatureAndPosition) {
  auto parse = [](const std::string& yaml) {
    return ParseFeatureSpecs(YAML::Load(yaml)["features"], "f.yaml", 0);
  };
  auto unknown = parse("features:\n  - {name: x, key: ip, function: median(amount), window: 1h}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("f.yaml:2:5"), std::string::npos)
      << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("unknown function 'median'"), std::string::npos);
  EXPECT_FALSE(parse("features:\n  - {name: x, key: nope, function: count, window: 1h}\n").ok());
  EXPECT_FALSE(parse("features:\n  - {name: x, key: ip, function: count, window: 0s}\n").ok());
  EXPECT_FALSE(parse("features:\n  - {name: x, key: ip, function: sum, window: 1h}\n").ok());
  EXPECT_FALSE(parse("features:\n  - {name: x, key: ip, function: count, window: 1h, "
                     "where: kind ~ withdrawal}\n")
                   .ok());
  auto twice = parse(
      "features:\n  - {name: x, key: ip, function: count, window: 1h}\n"
      "  - {name: x, key: ip, function: count, window: 2h}\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("declared twice"), std::string::npos);
}

}  // namespace
}  // namespace riskstream
