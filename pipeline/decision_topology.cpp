#include "pipeline/decision_topology.h"

namespace riskstream {

DecisionTopology::DecisionTopology(StateDb& db, const PiiHasher& hasher,
                                   std::vector<FeatureSpec> features,
                                   std::shared_ptr<const RuleSet> rules, uint32_t state_partitions,
                                   DurationMs allowed_lateness_ms, bool emit_features)
    : parser_(hasher),
      engine_(db, std::move(features), state_partitions),
      rules_(std::move(rules)),
      allowed_lateness_ms_(allowed_lateness_ms),
      emit_features_(emit_features) {}

Result<ProcessedInput> DecisionTopology::Process(std::string_view bytes,
                                                 std::optional<EventType> role,
                                                 const SourcePosition& source,
                                                 TimestampMs processing_time) {
  ProcessedInput result;
  if (auto error = parser_.Parse(bytes, role, event_)) {
    result.rejection = error->code;
    result.outputs.push_back(
        {OutputStream::kDeadLetter, "", FormatDeadLetter(*error, source, bytes, processing_time)});
    return result;
  }
  result.type = event_.type;
  result.event = &event_;
  result.event_time = event_.event_time;

  auto [it, first] = watermarks_.try_emplace({source.topic, source.partition}, event_.event_time);
  if (!first && event_.event_time > it->second) it->second = event_.event_time;
  result.late = event_.event_time < it->second - allowed_lateness_ms_;

  auto features = engine_.Evaluate(event_);
  if (!features.ok()) return features.status();
  features_ = std::move(*features);
  result.label_pending = features_.label_pending;
  result.pending_labels_applied = features_.pending_labels_applied;
  result.pending_labels_expired = features_.pending_labels_expired;
  outcome_ = rules_->Evaluate(event_, features_.values);
  result.decision = outcome_.decision;
  result.outcome = &outcome_;
  result.features = &features_;

  DecisionInputs inputs{event_, engine_.specs(), features_,      outcome_, rules_->version(),
                        source, result.late,     processing_time};
  std::string key(OutputKey(event_));
  result.outputs.push_back({OutputStream::kCreditEvents, key, FormatCreditEvent(inputs)});
  if (auto alert = FormatFraudAlert(inputs)) {
    result.outputs.push_back({OutputStream::kFraudAlerts, key, std::move(*alert)});
  }
  if (emit_features_ && event_.type != EventType::kLabel) {
    result.outputs.push_back({OutputStream::kFeatures, key, FormatFeatureVector(inputs)});
  }
  return result;
}

}  // namespace riskstream
