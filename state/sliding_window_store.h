// state/sliding_window_store.h
//
// SlidingWindowStore keeps one exact sliding-window aggregate per (partition, entity) for one
// feature, in RocksDB. For an event at time t the window is (t - size, t]: an event exactly `size`
// before t is out, one at t is in, ties in time are all in.
//
// How (after Railgun): per entity, an event log ordered by (time, sequence) and one aggregate row
// covering the log entries in (head - size, head], where head is the latest event time seen for the
// entity. When head moves forward, entries that leave the window are subtracted once; entries older
// than head - size - allowed_lateness are deleted once. Nothing scans the window on the in-order
// path, and no per-event data is held in memory. An event older than head (out of order) is
// answered by a scan of the retained log, exact as long as it is no older than head -
// allowed_lateness; older ones get the best answer the retained log allows and `exact` is false.
// Not thread-safe: owned by one task, like its StateDb.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "state/state_db.h"

namespace riskstream {

struct SlidingWindowSpec {
  uint64_t store_id = 0;   // distinguishes stores sharing the column family (a fingerprint)
  DurationMs size_ms = 0;  // > 0
  DurationMs allowed_lateness_ms = 0;
  bool track_distinct = false;  // keep a counted multiset of contributed values
};

// What one contribution adds to the window.
struct WindowContribution {
  double value = 0;               // summed
  std::string_view distinct_key;  // counted when the spec tracks distinct values
};

struct WindowAggregate {
  int64_t count = 0;
  double sum = 0;
  int64_t distinct = 0;
  bool exact = true;  // false only for events older than head - allowed_lateness
};

class SlidingWindowStore {
 public:
  // `db` must outlive the store. `spec.size_ms` must be positive.
  SlidingWindowStore(StateDb& db, SlidingWindowSpec spec);

  // Returns the aggregate over (t - size, t] for `entity` in `partition`, after adding
  // `contribution` at t when given. The entity's head moves to t when t is newer.
  Result<WindowAggregate> Apply(uint32_t partition, std::string_view entity, TimestampMs t,
                                const std::optional<WindowContribution>& contribution);

  const SlidingWindowSpec& spec() const { return spec_; }

 private:
  struct Head;
  std::string EntityPrefix(uint32_t partition, std::string_view entity) const;
  Status Expire(const std::string& prefix, Head& head, TimestampMs new_head);
  Result<WindowAggregate> Scan(const std::string& prefix, TimestampMs t);
  template <typename Visit>
  Status ForEachLogEntry(const std::string& prefix, TimestampMs from_exclusive,
                         TimestampMs to_inclusive, Visit&& visit);
  Status AddDistinct(const std::string& prefix, std::string_view key, int64_t delta,
                     int64_t& distinct);

  StateDb& db_;
  SlidingWindowSpec spec_;
  std::string key_buffer_;
};

}  // namespace riskstream
