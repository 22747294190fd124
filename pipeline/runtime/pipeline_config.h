// pipeline/runtime/pipeline_config.h
//
// PipelineConfig is everything a riskstream instance needs to run, loaded from one YAML file (see
// docs/CONFIG.md and configs/riskstream.yaml). Paths inside the file are relative to the file.
// Loading validates everything up front: a config that loads can run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "operators/features/feature_spec.h"

namespace riskstream {

struct TopicNames {
  std::string applications = "applications";
  std::string transactions = "transactions";
  std::string labels = "labels";
  std::string credit_events = "credit-events";
  std::string fraud_alerts = "fraud-alerts";
  std::string dead_letter = "riskstream-dlq";
  std::string features;   // per-event feature vectors; empty: not written
  std::string changelog;  // exactly_once: compacted state changelog; default "<group_id>-changelog"
  // The shadow policy's credit events; defaults to "shadow-credit-events" when a shadow is set.
  std::string shadow_decisions;

  // Every topic riskstream reads or writes (not the exactly-once changelog).
  std::vector<std::string> All() const;
  // The topics riskstream writes its records to: credit events, alerts, dead letters, and the
  // features and shadow decisions topics when set.
  std::vector<std::string> Outputs() const;
};

// What a consumer of riskstream's outputs can rely on (docs/OPERATIONS.md).
enum class ProcessingGuarantee {
  // Kafka transactions: each input's outputs appear once to read_committed consumers, state and
  // outputs never disagree after recovery. Needs a broker with transactions.
  kExactlyOnce,
  // Idempotent producer, no transactions: after a crash outputs since the last commit are sent
  // again. For brokers without transactions, e.g. the embedded (mock) broker.
  kAtLeastOnce,
};
std::string_view ToString(ProcessingGuarantee guarantee);

struct PipelineConfig {
  // Kafka. An empty bootstrap means: start the embedded broker in this process.
  std::string bootstrap_servers;
  std::string group_id = "riskstream";
  std::map<std::string, std::string> consumer_properties;  // passed to librdkafka as they are
  std::map<std::string, std::string> producer_properties;
  // exactly_once unless the embedded broker runs (no bootstrap_servers), which has no transactions.
  ProcessingGuarantee guarantee = ProcessingGuarantee::kExactlyOnce;
  std::string transactional_id;  // exactly_once: default "<group_id>-riskstream"
  TopicNames topics;
  int partitions = 3;  // of the topics riskstream creates, and of its state

  // State and commits.
  std::string state_dir = "/tmp/riskstream-state";
  DurationMs commit_interval_ms = 100;
  int commit_max_events = 2000;
  size_t state_cache_bytes = 64 << 20;  // in-memory cache of hot state rows (StateDb's RowCache)

  // Event time.
  DurationMs allowed_lateness_ms = 10 * kMinuteMs;
  // How long an input partition with nothing buffered, not known to be at its end, holds the
  // others back from the event-time merge (see pipeline/event_time/event_time_aligner.h).
  DurationMs alignment_max_idle_ms = 200;

  // Operators.
  std::vector<FeatureSpec> features;
  std::string rules_file;                  // absolute after loading
  std::string scorecard_file;              // optional; empty: applications decided by rules alone
  std::string shadow_rules_file;           // optional shadow policy (see docs/RULES.md)
  std::string shadow_scorecard_file;       // optional, with shadow_rules_file
  DurationMs rules_watch_interval_ms = 0;  // > 0: reload the policy files when they change
  std::string pii_key_env = "RISKSTREAM_PII_KEY";

  // Serving.
  std::string metrics_address = "127.0.0.1:9464";  // empty: no metrics endpoint
  std::string admin_address = "127.0.0.1:9465";    // empty: no admin endpoint (health, state)
  std::string admin_token_env = "RISKSTREAM_ADMIN_TOKEN";  // its value, when set, is required

  std::string source_file;  // the file this was loaded from
};

// Loads and validates `path`. Errors name the file, line and column.
Result<PipelineConfig> LoadPipelineConfig(const std::string& path);

}  // namespace riskstream
