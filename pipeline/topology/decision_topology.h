// pipeline/topology/decision_topology.h
//
// DecisionTopology is riskstream's processing graph for one input record, independent of where the
// record came from (Kafka live, a Kafka range or a file in replay): parse and validate → window
// features (state) → policy (rules, scorecard, the account's credit state) → output records. Every
// input yields exactly one credit event or one dead letter, plus a `limit_freeze` credit event when
// it froze its account, plus an alert when a rule fired; with a shadow policy, also the shadow's
// credit events (decided on the same features with its own credit state, never enforced). Event
// time only: the processing time is passed in, never read here. The per-partition watermark (max
// event time seen) marks late events.
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
#include "operators/event/event_parser.h"
#include "operators/event/pii_hasher.h"
#include "operators/features/feature_engine.h"
#include "operators/output/output_records.h"
#include "operators/policy/policy.h"
#include "operators/policy/rule_set.h"
#include "pipeline/topology/active_policies.h"
#include "state/credit/credit_store.h"
#include "state/db/state_db.h"

namespace riskstream {

enum class OutputStream { kCreditEvents, kFraudAlerts, kDeadLetter, kFeatures, kShadowDecisions };

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
  const Event* event = nullptr;                   // valid until the next Process call
  const RuleOutcome* outcome = nullptr;           // valid until the next Process call
  const PolicyDecision* policy = nullptr;         // valid until the next Process call
  const PolicyDecision* shadow_policy = nullptr;  // with a shadow policy; as `policy`
  const FeatureVector* features = nullptr;        // valid until the next Process call
  bool late = false;
  TimestampMs event_time = 0;
  // Labels (see FeatureVector): this label was kept for its event; kept labels applied, expired.
  bool label_pending = false;
  int pending_labels_applied = 0, pending_labels_expired = 0;
};

class DecisionTopology {
 public:
  // `db` and `hasher` must outlive the topology. Decides with `rules` alone (no scorecard).
  DecisionTopology(StateDb& db, const PiiHasher& hasher, std::vector<FeatureSpec> features,
                   std::shared_ptr<const RuleSet> rules, uint32_t state_partitions,
                   DurationMs allowed_lateness_ms, bool emit_features = false);
  // Decides with whatever `policies` holds when each event arrives (see ActivePolicies).
  DecisionTopology(StateDb& db, const PiiHasher& hasher, std::vector<FeatureSpec> features,
                   std::shared_ptr<ActivePolicies> policies, uint32_t state_partitions,
                   DurationMs allowed_lateness_ms, bool emit_features = false);

  // Processes one input record. `role` is the event type of the topic or file it came from, if
  // known. Fails only when state cannot be read or written; the caller must then discard the
  // StateDb's pending batch and resume from the last commit.
  Result<ProcessedInput> Process(std::string_view bytes, std::optional<EventType> role,
                                 const SourcePosition& source, TimestampMs processing_time);
  // The same for a record another EventParser over the same PiiHasher already parsed: `parsed` is
  // what it made of `bytes` (and the record's role). The result refers to `parsed.event` instead
  // of a copy: keep it unchanged until the result is used.
  Result<ProcessedInput> ProcessParsed(std::string_view bytes, const ParsedEvent& parsed,
                                       const SourcePosition& source, TimestampMs processing_time);

  // Installs another rule set (no scorecard, no shadow) for the events that follow.
  void SetRules(std::shared_ptr<const RuleSet> rules);
  // The live rule set and policy the last event was (or the next will be) decided with.
  const RuleSet& rules() const { return policy_.live->rules(); }
  const Policy& policy() const { return *policy_.live; }
  std::shared_ptr<ActivePolicies> policies() const { return policies_; }
  const std::vector<FeatureSpec>& features() const { return engine_.specs(); }
  // The feature engine; only its const committed reads may be used from other threads.
  const FeatureEngine& engine() const { return engine_; }

 private:
  // Process() once `event` is parsed, or `error` says why there is none.
  Result<ProcessedInput> ProcessEvent(const Event& event, std::string_view bytes,
                                      const std::optional<ParseError>& error,
                                      const SourcePosition& source, TimestampMs processing_time);
  // Decides with `policy` and `credit`, appends the credit event (and freeze record) to `out` as
  // `stream`. Fails only when credit state cannot be read.
  Status Decide(const Policy& policy, CreditStore& credit, const Event& event,
                const FeatureVector& features, const SourcePosition& source, bool late,
                TimestampMs processing_time, OutputStream stream, PolicyDecision& decision,
                ProcessedInput& out);

  EventParser parser_;
  FeatureEngine engine_;
  std::shared_ptr<ActivePolicies> policies_;
  ActivePolicies::Snapshot policy_;
  CreditStore credit_;
  CreditStore shadow_credit_;
  DurationMs allowed_lateness_ms_;
  bool emit_features_;
  std::map<std::pair<std::string, int32_t>, TimestampMs> watermarks_;
  Event event_;  // what Process() parses into
  PolicyDecision decision_;
  PolicyDecision shadow_decision_;
  FeatureVector features_;
};

}  // namespace riskstream
