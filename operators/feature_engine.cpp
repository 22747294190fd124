#include "operators/feature_engine.h"

#include <algorithm>

#include "state/key_codec.h"

namespace riskstream {

FeatureEngine::FeatureEngine(StateDb& db, std::vector<FeatureSpec> specs, uint32_t state_partitions)
    : specs_(std::move(specs)), state_partitions_(state_partitions) {
  stores_.reserve(specs_.size());
  for (const auto& spec : specs_) {
    SlidingWindowSpec window;
    window.store_id = spec.Fingerprint();
    window.size_ms = spec.window_ms;
    window.allowed_lateness_ms = spec.allowed_lateness_ms;
    window.track_distinct = spec.function == FeatureFunction::kCountDistinct;
    stores_.emplace_back(db, window);
  }
}

Result<FeatureVector> FeatureEngine::Evaluate(const Event& event) {
  FeatureVector out;
  out.values.assign(specs_.size(), std::nullopt);
  if (event.type == EventType::kLabel) return out;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const FeatureSpec& spec = specs_[i];
    FieldValue key = ReadField(event, spec.key);
    if (key.missing()) continue;
    if (key.kind == FieldValue::Kind::kNumber) {
      scratch_ = std::to_string(key.number);
      key.text = scratch_;
    }
    std::optional<WindowContribution> contribution;
    bool contributes =
        std::find(spec.events.begin(), spec.events.end(), event.type) != spec.events.end() &&
        (!spec.filter || spec.filter->Passes(event));
    if (contributes && spec.argument) {
      FieldValue argument = ReadField(event, *spec.argument);
      if (argument.missing()) contributes = false;  // nothing to sum or count distinctly
      if (contributes) {
        WindowContribution c;
        if (argument.kind == FieldValue::Kind::kNumber) {
          c.value = argument.number;
          distinct_scratch_ = std::to_string(argument.number);
          c.distinct_key = distinct_scratch_;
        } else {
          c.distinct_key = argument.text;
        }
        contribution = c;
      }
    } else if (contributes) {
      contribution = WindowContribution{};
    }
    std::string entity(key.text);
    uint32_t partition = KafkaPartitionForKey(entity, state_partitions_);
    auto aggregate = stores_[i].Apply(partition, entity, event.event_time, contribution);
    if (!aggregate.ok()) {
      return aggregate.status().WithContext("feature " + spec.name + ", event " + event.event_id);
    }
    out.exact = out.exact && aggregate->exact;
    switch (spec.function) {
      case FeatureFunction::kCount:
        out.values[i] = static_cast<double>(aggregate->count);
        break;
      case FeatureFunction::kSum:
        out.values[i] = aggregate->sum;
        break;
      case FeatureFunction::kCountDistinct:
        out.values[i] = static_cast<double>(aggregate->distinct);
        break;
    }
  }
  return out;
}

}  // namespace riskstream
