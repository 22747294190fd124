// operators/feature_engine.h
//
// FeatureEngine computes every configured feature for one event, exactly, as of the event's time,
// and records the event's contribution in state. Values come back in the order of the specs. A
// feature whose key is missing in the event is missing (never a shared "unknown" bucket); label
// events read no features. State is partitioned by the Kafka partition of the feature's key, so an
// entity's state is wherever a topic keyed by that entity would put it.
// Not thread-safe: one engine per task, over that task's StateDb.
#pragma once

#include <optional>
#include <vector>

#include "common/status.h"
#include "operators/event.h"
#include "operators/feature_spec.h"
#include "state/sliding_window_store.h"
#include "state/state_db.h"

namespace riskstream {

struct FeatureVector {
  std::vector<std::optional<double>> values;  // one per spec, nullopt = missing
  bool exact = true;  // false when a late event could not be answered exactly
};

class FeatureEngine {
 public:
  // `db` must outlive the engine. `state_partitions` > 0.
  FeatureEngine(StateDb& db, std::vector<FeatureSpec> specs, uint32_t state_partitions);

  // Evaluates all features for `event` and stages its contributions in the StateDb's pending batch.
  // On error (a RocksDB failure) the caller must discard the pending batch.
  Result<FeatureVector> Evaluate(const Event& event);

  const std::vector<FeatureSpec>& specs() const { return specs_; }

 private:
  std::vector<FeatureSpec> specs_;
  std::vector<SlidingWindowStore> stores_;
  uint32_t state_partitions_;
  std::string scratch_;
  std::string distinct_scratch_;
};

}  // namespace riskstream
