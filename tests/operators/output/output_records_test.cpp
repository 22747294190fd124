#include "operators/output/output_records.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

FeatureSpec Spec(std::string name) {
  FeatureSpec spec;
  spec.name = std::move(name);
  return spec;
}

struct Fixture {
  Event event;
  std::vector<FeatureSpec> specs;
  FeatureVector features;
  RuleOutcome outcome;
  std::string version = "r1";
  SourcePosition source{"transactions", 2, 41};

  DecisionInputs Inputs(const PolicyDecision* policy = nullptr) const {
    return DecisionInputs{event,  specs, features, outcome, version,
                          source, false, 1000,     policy,  nullptr};
  }
};

Fixture Transaction() {
  Fixture f;
  f.event.type = EventType::kTransaction;
  f.event.event_id = "evt_1";
  f.event.event_time = 1795760443125;
  f.event.account_id = "acc_\xe4\xb8\xad";  // UTF-8 passes through
  f.event.kind = TransactionKind::kWithdrawal;
  f.event.amount = 900;
  f.specs = {Spec("count_1h"), Spec("last_ip")};
  f.features.values = {Value::Number(2), Value::String("10.0.0.1")};
  return f;
}

TEST(OutputRecords, CreditEventKeepsItsFieldOrderAndNumberFormat) {
  Fixture f = Transaction();
  EXPECT_EQ(FormatCreditEvent(f.Inputs()),
            "{\"record_type\":\"decision\",\"event_id\":\"evt_1\",\"event_type\":\"transaction\","
            "\"account_id\":\"acc_\xe4\xb8\xad\",\"kind\":\"withdrawal\",\"amount\":900.0,"
            "\"decision\":\"approve\",\"reason_codes\":[],\"rule_ids\":[],"
            "\"features\":{\"count_1h\":2.0,\"last_ip\":\"10.0.0.1\"},\"late\":false,"
            "\"rule_set_version\":\"r1\",\"scorecard_version\":null,"
            "\"event_time\":\"2026-11-27T06:20:43.125Z\","
            "\"source\":{\"topic\":\"transactions\",\"partition\":2,\"offset\":41},"
            "\"processing_time\":\"1970-01-01T00:00:01.000Z\"}");
}

TEST(OutputRecords, ScorePointsNamedLikeRulesKeepTheFirstPlaceAndTheLastPoints) {
  Fixture f = Transaction();
  f.event.type = EventType::kApplication;
  f.event.applicant_id = "app_1";
  Characteristic rules_named, income;
  rules_named.name = "rules";
  income.name = "income";
  PolicyDecision policy;
  policy.rules.points = -30;
  policy.score = ScoreResult{570, Decision::kReview, {}};
  policy.score->parts = {{&rules_named, Value::Number(1), 5}, {&income, Value::Missing(), -40}};
  std::string record = FormatCreditEvent(f.Inputs(&policy));
  Json expected = Json::object();  // as a document built member by member prints it
  expected["rules"] = 5;
  expected["income"] = -40;
  expected["rules"] = -30;
  EXPECT_NE(record.find("\"score\":570,\"score_points\":" + expected.dump() + ",\"limit\":null"),
            std::string::npos)
      << record;
}

TEST(OutputRecords, FeatureVectorFeatureNamedLikeAFixedFieldTakesItsPlace) {
  Fixture f = Transaction();
  f.specs = {Spec("a"), Spec("event_type"), Spec("features_exact"), Spec("b")};
  f.features.values = {Value::Number(1), Value::String("x"), Value::Number(7), Value::Bool(true)};
  f.features.exact = false;
  Json expected;
  expected["event_id"] = "evt_1";
  expected["event_time"] = "2026-11-27T06:20:43.125Z";
  expected["event_type"] = "transaction";
  expected["a"] = 1.0;
  expected["event_type"] = "x";
  expected["features_exact"] = 7.0;
  expected["b"] = true;
  expected["features_exact"] = false;
  EXPECT_EQ(FormatFeatureVector(f.Inputs()), expected.dump());
}

TEST(OutputRecords, DeadLetterKeepsTheRawBytes) {
  ParseError error{ParseError::Code::kNotJson, "not valid JSON: \"x\""};
  EXPECT_EQ(FormatDeadLetter(error, {"labels", 0, 7}, std::string("{\x01\xff", 3), 0),
            "{\"reason\":\"not_json\",\"error\":\"not valid JSON: \\\"x\\\"\","
            "\"source\":{\"topic\":\"labels\",\"partition\":0,\"offset\":7},"
            "\"raw_base64\":\"ewH/\",\"raw_bytes\":3,"
            "\"processing_time\":\"1970-01-01T00:00:00.000Z\"}");
}

}  // namespace
}  // namespace riskstream
