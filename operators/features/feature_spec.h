// operators/features/feature_spec.h
//
// FeatureSpec is one windowed feature as declared in config (docs/CONFIG.md):
//   function(argument) over window by key [where filter], for the event types that contribute.
// Every event that carries the key reads the feature (that key's window as of the event's time);
// only events of the listed types that pass the filter contribute. Label events contribute at the
// time of the event they label, keyed and filtered by that event's fields (and their own `label`).
// A spec's fingerprint covers everything but its name, so state survives a rename and a changed
// definition starts from fresh state instead of misreading old state.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "operators/event/event_fields.h"
#include "state/windows/window_store.h"

namespace riskstream {

enum class FeatureFunction {
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kCountDistinct,
  kLast,           // the argument of the previous contributing event in the window
  kTimeSinceLast,  // seconds since the previous contributing event in the window; with an
                   // argument, only events carrying that field contribute
  kRatio,          // numerator feature / denominator feature
};

// `field == value` or `field != value`; a missing field never passes.
struct FieldFilter {
  EventField field;
  bool equals = true;
  std::string value;

  bool Passes(const Event& event) const;
};

struct FeatureSpec {
  std::string name;
  std::vector<EventField> key;    // the entity: one field or several (all must be present)
  std::vector<EventType> events;  // contributing event types
  std::optional<FieldFilter> filter;
  FeatureFunction function = FeatureFunction::kCount;
  std::optional<EventField> argument;                 // summed / min / max / distinct / last field
  size_t ratio_numerator = 0, ratio_denominator = 0;  // feature indexes, for kRatio
  WindowKind window_kind = WindowKind::kSliding;
  DurationMs window_ms = 0;
  DurationMs delay_ms = 0;
  DurationMs advance_ms = 0;
  DurationMs allowed_lateness_ms = 0;
  int64_t max_distinct = 100000;

  bool Contributes(EventType type) const;
  // The window store configuration for this feature (not for kRatio).
  WindowSpec ToWindowSpec() const;
  // A stable hash of everything that defines the feature's state (not its name).
  uint64_t Fingerprint() const;
  // The declaration in the config syntax: "count_distinct(applicant_id) over 24h by device_id".
  std::string Describe() const;
};

// Parses the `features:` sequence of a YAML document. `source` (a file name) prefixes errors, which
// also give the line and column: "configs/features.yaml:12:7: feature 'x': unknown function 'f'".
// Names must be unique; windows positive; `default_lateness_ms` applies when a feature gives none.
// A ratio names two features declared before it.
Result<std::vector<FeatureSpec>> ParseFeatureSpecs(const YAML::Node& features,
                                                   const std::string& source,
                                                   DurationMs default_lateness_ms);

}  // namespace riskstream
