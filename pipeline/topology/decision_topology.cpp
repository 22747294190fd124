#include "pipeline/topology/decision_topology.h"

namespace riskstream {

DecisionTopology::DecisionTopology(StateDb& db, const PiiHasher& hasher,
                                   std::vector<FeatureSpec> features,
                                   std::shared_ptr<const RuleSet> rules, uint32_t state_partitions,
                                   DurationMs allowed_lateness_ms, bool emit_features)
    : DecisionTopology(db, hasher, std::move(features),
                       std::make_shared<ActivePolicies>(
                           std::make_shared<const Policy>(std::move(rules), nullptr)),
                       state_partitions, allowed_lateness_ms, emit_features) {}

DecisionTopology::DecisionTopology(StateDb& db, const PiiHasher& hasher,
                                   std::vector<FeatureSpec> features,
                                   std::shared_ptr<ActivePolicies> policies,
                                   uint32_t state_partitions, DurationMs allowed_lateness_ms,
                                   bool emit_features)
    : parser_(hasher),
      engine_(db, std::move(features), state_partitions),
      policies_(std::move(policies)),
      policy_(policies_->Get()),
      credit_(db, "live", state_partitions),
      shadow_credit_(db, "shadow", state_partitions),
      allowed_lateness_ms_(allowed_lateness_ms),
      emit_features_(emit_features) {}

void DecisionTopology::SetRules(std::shared_ptr<const RuleSet> rules) {
  policies_->Set(std::make_shared<const Policy>(std::move(rules), nullptr), nullptr);
  policy_ = policies_->Get();
}

Result<ProcessedInput> DecisionTopology::Process(std::string_view bytes,
                                                 std::optional<EventType> role,
                                                 const SourcePosition& source,
                                                 TimestampMs processing_time) {
  auto error = parser_.Parse(bytes, role, event_);
  return ProcessEvent(event_, bytes, error, source, processing_time);
}

Result<ProcessedInput> DecisionTopology::ProcessParsed(std::string_view bytes,
                                                       const ParsedEvent& parsed,
                                                       const SourcePosition& source,
                                                       TimestampMs processing_time) {
  return ProcessEvent(parsed.event, bytes, parsed.error, source, processing_time);
}

Result<ProcessedInput> DecisionTopology::ProcessEvent(const Event& event, std::string_view bytes,
                                                      const std::optional<ParseError>& error,
                                                      const SourcePosition& source,
                                                      TimestampMs processing_time) {
  ProcessedInput result;
  if (error) {
    result.rejection = error->code;
    result.outputs.push_back(
        {OutputStream::kDeadLetter, "", FormatDeadLetter(*error, source, bytes, processing_time)});
    return result;
  }
  result.type = event.type;
  result.event = &event;
  result.event_time = event.event_time;
  if (policies_->generation() != policy_.generation) policy_ = policies_->Get();

  auto [it, first] = watermarks_.try_emplace({source.topic, source.partition}, event.event_time);
  if (!first && event.event_time > it->second) it->second = event.event_time;
  result.late = event.event_time < it->second - allowed_lateness_ms_;

  // The account's credit state is read after the features: its place in the cache is fetched
  // meanwhile.
  if (!event.account_id.empty()) credit_.Prefetch(event.account_id);
  if (Status s = engine_.Evaluate(event, features_); !s.ok()) return s;
  result.label_pending = features_.label_pending;
  result.pending_labels_applied = features_.pending_labels_applied;
  result.pending_labels_expired = features_.pending_labels_expired;
  result.features = &features_;
  if (Status s = Decide(*policy_.live, credit_, event, features_, source, result.late,
                        processing_time, OutputStream::kCreditEvents, decision_, result);
      !s.ok()) {
    return s;
  }
  result.decision = decision_.decision;
  result.outcome = &decision_.rules;
  result.policy = &decision_;

  const Policy& live = *policy_.live;
  DecisionInputs inputs{event,
                        engine_.specs(),
                        features_,
                        decision_.rules,
                        live.rules().version(),
                        source,
                        result.late,
                        processing_time,
                        &decision_,
                        live.scorecard() ? &live.scorecard()->version() : nullptr};
  if (auto alert = FormatFraudAlert(inputs)) {
    result.outputs.push_back(
        {OutputStream::kFraudAlerts, std::string(OutputKey(event)), std::move(*alert)});
  }
  if (emit_features_ && event.type != EventType::kLabel) {
    result.outputs.push_back(
        {OutputStream::kFeatures, std::string(OutputKey(event)), FormatFeatureVector(inputs)});
  }
  if (policy_.shadow) {
    if (Status s =
            Decide(*policy_.shadow, shadow_credit_, event, features_, source, result.late,
                   processing_time, OutputStream::kShadowDecisions, shadow_decision_, result);
        !s.ok()) {
      return s;
    }
    result.shadow_policy = &shadow_decision_;
  }
  return result;
}

Status DecisionTopology::Decide(const Policy& policy, CreditStore& credit, const Event& event,
                                const FeatureVector& features, const SourcePosition& source,
                                bool late, TimestampMs processing_time, OutputStream stream,
                                PolicyDecision& decision, ProcessedInput& out) {
  std::optional<CreditAccount> account;
  if (!event.account_id.empty()) {
    auto stored = credit.Get(event.account_id);
    if (!stored.ok()) return stored.status();
    account = std::move(*stored);
  }
  decision = policy.Decide(event, features.values, account);
  if (decision.account_changed && decision.account) credit.Put(event.account_id, *decision.account);
  DecisionInputs inputs{event,
                        engine_.specs(),
                        features,
                        decision.rules,
                        policy.rules().version(),
                        source,
                        late,
                        processing_time,
                        &decision,
                        policy.scorecard() ? &policy.scorecard()->version() : nullptr};
  out.outputs.push_back({stream, std::string(OutputKey(event)), FormatCreditEvent(inputs)});
  if (auto freeze = FormatLimitFreeze(inputs)) {
    out.outputs.push_back({stream, event.account_id, std::move(*freeze)});
  }
  return Status::Ok();
}

}  // namespace riskstream
