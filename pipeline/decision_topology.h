// pipeline/decision_topology.h
//
// DecisionTopology is riskstream's processing graph for one input record, independent of where the
// record came from (Kafka live, a Kafka range or a file in replay): parse and validate → window
// features (state) → rules → output records. Every input yields exactly one credit event or one
// dead letter, plus an alert when a rule fired. Event time only: the processing time is passed in,
// never read here. The per-partition watermark (max event time seen) marks late events.
// Not thread-safe: one topology per task.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "operators/event_parser.h"
#include "operators/feature_engine.h"
#include "operators/output_records.h"
#include "operators/pii_hasher.h"
#include "operators/rule_set.h"
#include "state/state_db.h"

namespace riskstream {

enum class OutputStream { kCreditEvents, kFraudAlerts, kDeadLetter, kFeatures };

struct OutputRecord {
  OutputStream stream;
  std::string key;
  std::string value;
};

// What processing one input produced, with what metrics need to know about it.
struct ProcessedInput {
  std::vector<OutputRecord> outputs;
  std::optional<EventType> type;  // nullopt: rejected
  std::optional<ParseError::Code> rejection;
  std::optional<Decision> decision;
  const Event* event = nullptr;             // valid until the next Process call
  const RuleOutcome* outcome = nullptr;     // valid until the next Process call
  const FeatureVector* features = nullptr;  // valid until the next Process call
  bool late = false;
  TimestampMs event_time = 0;
  // Labels (see FeatureVector): this label was kept for its event; kept labels applied, expired.
  bool label_pending = false;
  int pending_labels_applied = 0, pending_labels_expired = 0;
};

class DecisionTopology {
 public:
  // `db` and `hasher` must outlive the topology; `rules` is shared with whoever may swap it.
  DecisionTopology(StateDb& db, const PiiHasher& hasher, std::vector<FeatureSpec> features,
                   std::shared_ptr<const RuleSet> rules, uint32_t state_partitions,
                   DurationMs allowed_lateness_ms, bool emit_features = false);

  // Processes one input record. `role` is the event type of the topic or file it came from, if
  // known. Fails only when state cannot be read or written; the caller must then discard the
  // StateDb's pending batch and resume from the last commit.
  Result<ProcessedInput> Process(std::string_view bytes, std::optional<EventType> role,
                                 const SourcePosition& source, TimestampMs processing_time);

  // Installs another rule set for the events that follow.
  void SetRules(std::shared_ptr<const RuleSet> rules) { rules_ = std::move(rules); }
  const RuleSet& rules() const { return *rules_; }
  const std::vector<FeatureSpec>& features() const { return engine_.specs(); }
  // The feature engine; only its const committed reads may be used from other threads.
  const FeatureEngine& engine() const { return engine_; }

 private:
  EventParser parser_;
  FeatureEngine engine_;
  std::shared_ptr<const RuleSet> rules_;
  DurationMs allowed_lateness_ms_;
  bool emit_features_;
  std::map<std::pair<std::string, int32_t>, TimestampMs> watermarks_;
  Event event_;
  RuleOutcome outcome_;
  FeatureVector features_;
};

}  // namespace riskstream
