// tests/support/pipeline_test_config.h
//
// A small, fixed pipeline configuration for integration tests, written as real YAML files into a
// test's temp dir and loaded through LoadPipelineConfig like any operator's config. The features
// and rules are the test's own (not configs/), so expected decisions stay exact when the shipped
// thresholds change:
//   distinct_applicants_per_device_24h  count_distinct(applicant_id) over 24h by device_id
//   withdrawals_per_account_1h          count() over 1h by account_id where kind == withdrawal
//   withdrawn_amount_per_account_1h     sum(amount) over 1h by account_id where kind == withdrawal
//   DEVICE_SHARED_BY_APPLICANTS  distinct_applicants_per_device_24h >= 3        high, decline
//   WITHDRAWAL_VELOCITY          withdrawal and withdrawals_per_account_1h >= 3   high, decline
//   LARGE_WITHDRAWALS            withdrawal and withdrawn_amount_per_account_1h > 5000
//                                                                              medium, review
#pragma once

#include <fstream>
#include <string>

namespace riskstream {

inline constexpr char kTestRuleSetVersion[] = "integration-1";
inline constexpr char kTestPiiKeyEnv[] = "RISKSTREAM_IT_PII_KEY";
inline constexpr char kTestPiiKey[] = "integration-test-pii-key-0123456789";

struct TestPipelineConfig {
  std::string dir;  // where the files go
  std::string bootstrap_servers;
  std::string group_id = "riskstream-it";
  std::string topic_prefix;  // "" keeps the default topic names
  int partitions = 3;
  std::string state_dir;
  std::string guarantee;  // processing_guarantee; "" keeps the default (exactly_once with brokers)
};

// Writes features.yaml, rules.yaml and pipeline.yaml into `c.dir`; returns pipeline.yaml's path.
inline std::string WriteTestPipelineConfig(const TestPipelineConfig& c) {
  std::ofstream(c.dir + "/features.yaml") << R"(features:
  - name: distinct_applicants_per_device_24h
    key: device_id
    events: [application]
    function: count_distinct(applicant_id)
    window: 24h
  - name: withdrawals_per_account_1h
    key: account_id
    events: [transaction]
    where: kind == withdrawal
    function: count
    window: 1h
  - name: withdrawn_amount_per_account_1h
    key: account_id
    events: [transaction]
    where: kind == withdrawal
    function: sum(amount)
    window: 1h
)";
  std::ofstream(c.dir + "/rules.yaml") << "version: \"" << kTestRuleSetVersion << "\"\n"
                                       << R"(rules:
  - id: DEVICE_SHARED_BY_APPLICANTS
    events: [application]
    when: distinct_applicants_per_device_24h >= 3
    severity: high
    reason_code: DEVICE_RING
    action: decline
  - id: WITHDRAWAL_VELOCITY
    events: [transaction]
    when: kind == "withdrawal" and withdrawals_per_account_1h >= 3
    severity: high
    reason_code: VELOCITY
    action: decline
  - id: LARGE_WITHDRAWALS
    events: [transaction]
    when: kind == "withdrawal" and withdrawn_amount_per_account_1h > 5000
    severity: medium
    reason_code: AMOUNT_SPIKE
    action: review
)";
  const std::string& p = c.topic_prefix;
  std::string path = c.dir + "/pipeline.yaml";
  std::ofstream(path) << "kafka:\n"
                      << "  bootstrap_servers: \"" << c.bootstrap_servers << "\"\n"
                      << "  group_id: " << c.group_id << "\n"
                      << "  consumer:\n"
                      << "    session.timeout.ms: \"6000\"\n"
                      << "topics:\n"
                      << "  applications: " << p << "applications\n"
                      << "  transactions: " << p << "transactions\n"
                      << "  labels: " << p << "labels\n"
                      << "  credit_events: " << p << "credit-events\n"
                      << "  fraud_alerts: " << p << "fraud-alerts\n"
                      << "  dead_letter: " << p << "riskstream-dlq\n"
                      << "  partitions: " << c.partitions << "\n"
                      << "state:\n"
                      << "  dir: " << c.state_dir << "\n"
                      << "  commit_interval: 100ms\n"
                      << "  commit_max_events: 2000\n"
                      << (c.guarantee.empty() ? "" : "processing_guarantee: " + c.guarantee + "\n")
                      << "allowed_lateness: 10m\n"
                      << "pii_key_env: " << kTestPiiKeyEnv << "\n"
                      << "metrics:\n"
                      << "  address: \"\"\n"
                      << "admin:\n"
                      << "  address: \"\"\n"
                      << "features_file: features.yaml\n"
                      << "rules_file: rules.yaml\n";
  return path;
}

}  // namespace riskstream
