// pipeline/app/evaluation.h
//
// `riskstream eval`: runs the generator's labelled scenarios through the same DecisionTopology the
// pipeline runs (features, live policy, credit state; no Kafka), in stream order, with the event
// time as processing time, and scores the policy against the generator's ground truth. An event is
// *flagged* when a rule fired on it (it has a fraud alert) or it froze its account; labels are
// processed (they feed features and freezes) but not scored. Deterministic: the same config, seed
// and count give the same table. Optionally writes every output record to JSON-lines files.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "common/status.h"

namespace riskstream {

struct EvaluationOptions {
  std::string config_path;
  int64_t events = 50000;  // generated events, labels included
  uint64_t seed = 42;
  // Generated events per second of event time. The generator's population is fixed, so a denser
  // event time makes each honest customer act more often than real customers do.
  double event_time_rate = 2;
  int malformed_every = 0;  // every Nth record is truncated (0: none), to exercise dead letters
  // When set, the records go to <dir>/credit-events.jsonl, fraud-alerts.jsonl, dead-letter.jsonl,
  // features.jsonl and shadow-credit-events.jsonl (one JSON object per line).
  std::string records_dir;
};

struct ScenarioScore {
  int64_t events = 0;         // decided events (labels excluded)
  int64_t fraud = 0;          // of them, fraud by ground truth
  int64_t flagged = 0;        // flagged by the policy
  int64_t flagged_fraud = 0;  // flagged and fraud

  double Precision() const { return flagged ? static_cast<double>(flagged_fraud) / flagged : 0; }
  double Recall() const { return fraud ? static_cast<double>(flagged_fraud) / fraud : 0; }
};

struct EvaluationResult {
  std::string policy_version;
  std::map<std::string, ScenarioScore> by_scenario;
  ScenarioScore overall;
  std::map<std::string, ScenarioScore> by_rule;  // flagged = fired; rule ids and freeze reasons
  std::map<std::string, int64_t> decisions;      // by decision, labels excluded
  int64_t dead_letters = 0;
  int64_t limits_granted = 0;
  double limit_total = 0;
};

Result<EvaluationResult> RunEvaluation(const EvaluationOptions& options);

// The table: one row per scenario, then overall, then per rule.
void PrintEvaluation(const EvaluationResult& result, std::ostream& out);

}  // namespace riskstream
