// state/event_index.h
//
// EventIndex remembers, for a bounded time, what later events need to know about an event by its
// id: its event time and a small payload (the fields label features key and filter on). Labels
// arrive hours to weeks after the event they name; the index lets them land in the windows of that
// event. Entries older than `retention` (in event time) are deleted explicitly. A repeated event id
// keeps the newest entry. Several indexes share the column family, each under its own pair of key
// tags. Not thread-safe: part of one task's StateDb.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "common/time.h"
#include "state/state_db.h"

namespace riskstream {

class EventIndex {
 public:
  // `db` must outlive the index. `id_tag` and `time_tag` start its keys: distinct per index.
  EventIndex(StateDb& db, DurationMs retention_ms, char id_tag = 'E', char time_tag = 'T');

  void Put(std::string_view event_id, TimestampMs event_time, std::string_view payload);
  // The indexed time and payload of `event_id`, nullopt when unknown or expired.
  Result<std::optional<std::pair<TimestampMs, std::string>>> Get(std::string_view event_id);
  // Deletes the entry of `event_id`, if any.
  Status Erase(std::string_view event_id);
  // Deletes entries with event time <= `newest_event_time - retention`. Cheap when none are due.
  // Adds the number of entries deleted to `*expired` when given.
  Status Expire(TimestampMs newest_event_time, int64_t* expired = nullptr);

 private:
  std::string IdKey(std::string_view event_id) const;
  std::string TimeKey(TimestampMs event_time, std::string_view event_id) const;

  StateDb& db_;
  DurationMs retention_ms_;
  char id_tag_, time_tag_;
  std::optional<TimestampMs> oldest_;  // unknown until first needed, and after a discard
  uint64_t discards_seen_ = 0;         // StateDb::discards() when oldest_ was last right
};

}  // namespace riskstream
