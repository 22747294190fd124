// tests/support/decision_script.h
//
// Scripted input events and the decisions riskstream must make on them under the test pipeline
// configuration (tests/support/pipeline_test_config.h). Expected output records are written out
// field by field from the formats in operators/output/output_records.h, so integration tests
// compare whole records, not a few fields. Everything but `processing_time` (wall clock) and
// `source` (where the broker put the input, which a consumer reads back) is fixed by the inputs
// alone.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/time.h"
#include "tests/support/kafka_test_clients.h"
#include "tests/support/pipeline_test_config.h"

namespace riskstream {

using Json = nlohmann::json;

// One input record as the test produces it. `id` is the event id, or a name for a bad record.
struct ScriptedInput {
  std::string id;
  std::string role;  // input topic role
  std::string key;
  std::string value;
};

// Input events in the JSON the pipeline reads.
inline std::string Application(const std::string& id, const std::string& time,
                               const std::string& applicant, const std::string& device) {
  return R"({"event_id":")" + id + R"(","type":"application","event_time":")" + time +
         R"(","applicant_id":")" + applicant + R"(","id_number":"ID-)" + applicant +
         R"(","phone":"+86 138-0000-)" + applicant + R"(","device_id":")" + device +
         R"(","ip":"10.1.2.3","channel":"app","product":"cash_loan","requested_amount":5000,)" +
         R"("declared_income":12000})";
}

// `time` is a JSON value: a quoted RFC 3339 string or epoch millis.
inline std::string Transaction(const std::string& id, const std::string& time,
                               const std::string& account, const std::string& kind,
                               const std::string& amount) {
  return R"({"event_id":")" + id + R"(","event_time":)" + time + R"(,"account_id":")" + account +
         R"(","kind":")" + kind + R"(","amount":)" + amount +
         R"(,"currency":"CNY","merchant_id":"M-1"})";
}

inline Json AppIdentity(const std::string& applicant) { return {{"applicant_id", applicant}}; }
inline Json TxIdentity(const std::string& account, const std::string& kind, double amount) {
  return {{"account_id", account}, {"kind", kind}, {"amount", amount}};
}

// The feature vector of the test config, in declaration order; nullopt = missing (null).
inline Json TestFeatures(std::optional<double> distinct_applicants_per_device_24h,
                         std::optional<double> withdrawals_per_account_1h,
                         std::optional<double> withdrawn_amount_per_account_1h) {
  auto value = [](std::optional<double> v) { return v ? Json(*v) : Json(nullptr); };
  return {{"distinct_applicants_per_device_24h", value(distinct_applicants_per_device_24h)},
          {"withdrawals_per_account_1h", value(withdrawals_per_account_1h)},
          {"withdrawn_amount_per_account_1h", value(withdrawn_amount_per_account_1h)}};
}

// A fired rule as an alert lists it (the credit event takes its id and reason code).
inline Json DeviceRingRule(double distinct_applicants) {
  return {{"rule_id", "DEVICE_SHARED_BY_APPLICANTS"},
          {"reason_code", "DEVICE_RING"},
          {"severity", "high"},
          {"action", "decline"},
          {"points", 0},
          {"condition", "distinct_applicants_per_device_24h >= 3"},
          {"values", {{"distinct_applicants_per_device_24h", distinct_applicants}}}};
}
inline Json VelocityRule(double withdrawals) {
  return {{"rule_id", "WITHDRAWAL_VELOCITY"},
          {"reason_code", "VELOCITY"},
          {"severity", "high"},
          {"action", "decline"},
          {"points", 0},
          {"condition", "kind == \"withdrawal\" and withdrawals_per_account_1h >= 3"},
          {"values", {{"kind", "withdrawal"}, {"withdrawals_per_account_1h", withdrawals}}}};
}
inline Json LargeWithdrawalsRule(double withdrawn) {
  return {{"rule_id", "LARGE_WITHDRAWALS"},
          {"reason_code", "AMOUNT_SPIKE"},
          {"severity", "medium"},
          {"action", "review"},
          {"points", 0},
          {"condition", "kind == \"withdrawal\" and withdrawn_amount_per_account_1h > 5000"},
          {"values", {{"withdrawn_amount_per_account_1h", withdrawn}, {"kind", "withdrawal"}}}};
}

// What riskstream must write for one valid input event.
struct ExpectedDecision {
  std::string event_id;
  std::string key;                  // of the credit event and the alert
  Json credit_event;                // without source and processing_time
  std::optional<Json> fraud_alert;  // without source and processing_time
};

// `identity` holds the type-specific fields of the credit event (applicant_id, account_id, kind,
// amount, labelled_event_id, label); `fired` the rules that must fire, in rule order.
inline ExpectedDecision Expect(const std::string& event_id, const std::string& event_type,
                               const std::string& key, const Json& identity,
                               const std::string& event_time, const std::string& decision,
                               const Json& features, const std::vector<Json>& fired = {}) {
  ExpectedDecision e{event_id, key, Json::object(), std::nullopt};
  Json& c = e.credit_event;
  c["record_type"] = "decision";
  c["event_id"] = event_id;
  c["event_type"] = event_type;
  c.update(identity);
  c["decision"] = decision;
  c["limit"] = nullptr;  // the test pipeline has no scorecard: no limits
  c["reason_codes"] = Json::array();
  c["rule_ids"] = Json::array();
  for (const auto& rule : fired) {
    c["reason_codes"].push_back(rule["reason_code"]);
    c["rule_ids"].push_back(rule["rule_id"]);
  }
  c["features"] = features;
  c["late"] = false;
  c["rule_set_version"] = kTestRuleSetVersion;
  c["scorecard_version"] = nullptr;
  c["event_time"] = event_time;
  if (!fired.empty()) {
    static const std::vector<std::string> kSeverities = {"low", "medium", "high", "critical"};
    size_t severity = 0;
    for (const auto& rule : fired) {
      for (size_t i = 0; i < kSeverities.size(); ++i) {
        if (rule["severity"] == kSeverities[i] && i > severity) severity = i;
      }
    }
    e.fraud_alert = Json{{"alert_id", "alert-" + event_id},
                         {"event_id", event_id},
                         {"event_type", event_type},
                         {"entity", key},
                         {"severity", kSeverities[severity]},
                         {"decision", decision},
                         {"rules", fired},
                         {"rule_set_version", kTestRuleSetVersion},
                         {"event_time", event_time}};
  }
  return e;
}

// `record` without the fields a test cannot know in advance: processing_time always, and source
// when `keep_source` is false.
inline Json Comparable(Json record, bool keep_source = true) {
  record.erase("processing_time");
  if (!keep_source) record.erase("source");
  return record;
}

// The message `input` became in `topics` (by role), found by its exact key and bytes.
inline const ConsumedMessage* FindInput(
    const std::map<std::string, std::vector<ConsumedMessage>>& topics, const ScriptedInput& input) {
  auto it = topics.find(input.role);
  if (it == topics.end()) return nullptr;
  for (const auto& m : it->second) {
    if (m.value == input.value && m.key == input.key) return &m;
  }
  return nullptr;
}

// Checks that the output topics hold exactly one credit event per expected decision, exactly the
// expected alerts, and that each record equals the expected one, with `source` naming where the
// input really is in Kafka (found in `topics` by the input's exact bytes).
inline void ExpectDecisions(const std::map<std::string, std::vector<ConsumedMessage>>& topics,
                            const std::vector<ScriptedInput>& inputs,
                            const std::vector<ExpectedDecision>& expected) {
  std::map<std::string, Json> source_by_id;
  for (const auto& input : inputs) {
    const ConsumedMessage* found = FindInput(topics, input);
    ASSERT_NE(found, nullptr) << "input " << input.id << " is not in Kafka";
    source_by_id[input.id] = {
        {"topic", found->topic}, {"partition", found->partition}, {"offset", found->offset}};
  }
  auto check = [&](const std::string& role, bool alerts) {
    std::map<std::string, std::vector<Json>> by_id;
    std::map<std::string, std::string> key_by_id;
    auto it = topics.find(role);
    if (it != topics.end()) {
      for (const auto& m : it->second) {
        Json record = Json::parse(m.value);
        std::string id = record.at("event_id");
        ASSERT_TRUE(record.at("processing_time").is_string());
        EXPECT_TRUE(ParseTimestamp(record.at("processing_time").get<std::string>()).ok())
            << m.value;
        by_id[id].push_back(Comparable(record));
        key_by_id[id] = m.key.value_or("<null>");
      }
    }
    std::set<std::string> expected_ids;
    for (const auto& e : expected) {
      if (alerts && !e.fraud_alert) continue;
      expected_ids.insert(e.event_id);
      auto found = by_id.find(e.event_id);
      if (found == by_id.end()) {
        ADD_FAILURE() << role << ": no record for " << e.event_id;
        continue;
      }
      EXPECT_EQ(found->second.size(), 1u)
          << role << ": " << e.event_id << " written " << found->second.size() << " times";
      Json want = alerts ? *e.fraud_alert : e.credit_event;
      want["source"] = source_by_id.at(e.event_id);
      EXPECT_EQ(found->second.front(), want) << role << " record of " << e.event_id;
      EXPECT_EQ(key_by_id[e.event_id], e.key) << role << " key of " << e.event_id;
    }
    for (const auto& [id, records] : by_id) {
      EXPECT_TRUE(expected_ids.count(id))
          << role << ": unexpected record for " << id << ": " << records.front().dump();
    }
  };
  check("credit-events", false);
  check("fraud-alerts", true);
}

}  // namespace riskstream
