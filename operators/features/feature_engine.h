// operators/features/feature_engine.h
//
// FeatureEngine computes every configured feature for one event, exactly, as of the event's time,
// and stages the event's contributions in state. Values come back in the order of the specs. A
// feature whose key is missing in the event is missing (never a shared "unknown" bucket).
// Label events read no features; they land in the windows of the event they label, at that event's
// time, found through an EventIndex of recent events (kept for `label_retention`). A label whose
// event has not arrived yet is kept (in state, for `label_retention` of event time) and lands when
// the event arrives, after the event has read its features: the windows are then exactly as if the
// label had come after its event. State is
// partitioned by the Kafka partition of the feature's key, so an entity's state is wherever a topic
// keyed by that entity would put it.
// Not thread-safe: one engine per task, over that task's StateDb (committed reads excepted).
#pragma once

#include <optional>
#include <vector>

#include "common/status.h"
#include "operators/event/event.h"
#include "operators/features/feature_spec.h"
#include "operators/policy/expr/value.h"
#include "state/db/state_db.h"
#include "state/event_index/event_index.h"
#include "state/windows/window_store.h"

namespace riskstream {

struct FeatureVector {
  std::vector<Value> values;  // one per spec; numbers, or strings for last() of a text field
  bool exact = true;          // false when a late read or a capped distinct set was involved
  // Labels: this label's event was unknown, so it is kept until the event arrives (or the label
  // retention passes; an event older than the retention looks unknown too).
  bool label_pending = false;
  int pending_labels_applied = 0;  // kept labels that this event's arrival applied
  int pending_labels_expired = 0;  // kept labels dropped (retention) while processing this event
};

// A feature's value for one entity as last committed, and the window it was read from.
struct CommittedFeature {
  Value value;                            // missing when undefined (avg of nothing, ...)
  std::optional<CommittedWindow> window;  // none for ratios and keys without committed state
};

class FeatureEngine {
 public:
  // `db` must outlive the engine. `state_partitions` > 0.
  FeatureEngine(StateDb& db, std::vector<FeatureSpec> specs, uint32_t state_partitions,
                DurationMs label_retention_ms = 90 * kDayMs);

  // Evaluates all features for `event` and stages its contributions in the StateDb's pending batch.
  // On error (a RocksDB failure) the caller must discard the pending batch.
  Result<FeatureVector> Evaluate(const Event& event);
  // The same into `out`, whose memory is reused (every field is overwritten).
  Status Evaluate(const Event& event, FeatureVector& out);

  // Feature `feature_name` of entity `key_text` from committed state only (never the pending
  // batch), computed as Evaluate computes it, as of the newest event time read for that entity:
  // count, sum, avg, min, max, count_distinct; last is the newest contribution in the window;
  // time_since_last needs a reading event and is missing; a ratio divides its two parts, read with
  // the same key. Composite keys join their parts with '\x1f', in key order. NotFound: unknown
  // feature, or no committed state for the key; InvalidInput: wrong number of key parts. Safe to
  // call from any thread while the owning task runs Evaluate.
  Result<CommittedFeature> ReadCommitted(const std::string& feature_name,
                                         const std::string& key_text) const;
  // ReadCommitted(...).value.
  Result<Value> CommittedValue(const std::string& feature_name, const std::string& key_text) const;

  const std::vector<FeatureSpec>& specs() const { return specs_; }

 private:
  // The entity key of `spec` in `event`; false when a key field is missing.
  bool EntityKey(const FeatureSpec& spec, const Event& event, std::string& out) const;
  std::optional<WindowContribution> Contribution(const FeatureSpec& spec, const Event& event,
                                                 std::string& text) const;
  Status ApplyLabel(const Event& label, FeatureVector& out);
  // Inserts the label contributions of `labelled` (an event with its label set) at `time`.
  Status AddLabelContributions(const Event& labelled, TimestampMs time, const std::string& context);
  // Applies the labels kept for `event` (which just read its features) and expires old ones.
  Status ApplyPendingLabels(const Event& event, FeatureVector& out);
  void IndexForLabels(const Event& event);
  Result<std::optional<CommittedWindow>> ReadCommittedWindow(size_t feature,
                                                             const std::string& key_text) const;

  StateDb& db_;
  std::vector<FeatureSpec> specs_;
  std::vector<std::optional<WindowStore>> stores_;  // none for ratios
  // Spec indexes of features keyed alike (in spec order), one group per key; ratios are in none.
  std::vector<std::vector<size_t>> groups_;
  std::vector<EventField> label_fields_;  // what label features need from an event
  uint32_t state_partitions_;
  // One event's entity key per group (groups_ order), reused across events: the keys are found,
  // and their cache slots then objects fetched, before the first group is applied.
  struct GroupKey {
    bool present = false;
    std::string text;       // the entity key
    std::string cache_key;  // CachedEntity::Key of it in its state partition
    size_t cache_hash = 0;  // RowCache::Hash(cache_key)
    HashedKey hashed() const { return {cache_key, cache_hash}; }
  };
  std::vector<GroupKey> group_keys_;
  EventIndex index_;
  EventIndex pending_labels_;  // labelled event id -> the kinds of the labels that came first
  // Per-event texts built into reused memory: a contribution's text, an event's label payload.
  std::string contribution_text_;
  std::string payload_;
};

}  // namespace riskstream
