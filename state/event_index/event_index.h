// state/event_index/event_index.h
//
// EventIndex remembers, for a bounded time, what later events need to know about an event by its
// id: its event time and a small payload (the fields label features key and filter on). Labels
// arrive hours to weeks after the event they name; the index lets them land in the windows of that
// event. Entries older than `retention` (in event time) are deleted explicitly. A repeated event id
// keeps the newest entry. Several indexes share the column family, each under its own pair of key
// tags. Entries added since the pending batch was last written stay in memory of the index
// (RecentEntries; it is a PendingWriter): adding one costs no write into RocksDB's indexed
// batch, and StateDb writes them as rows with the batch (a replay's StateDb keeps them in memory
// while they fit its cache budget, StateDb::FlushPendingBatch); they expire from memory oldest
// first. In a database created empty, an index that never held an entry answers without reading.
// Not thread-safe: part of one task's StateDb, which it must not outlive.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "common/time.h"
#include "state/db/pending_writer.h"
#include "state/db/state_db.h"
#include "state/event_index/recent_entries.h"

namespace riskstream {

class EventIndex final : public PendingWriter {
 public:
  // `db` must outlive the index. `id_tag` and `time_tag` start its keys: distinct per index.
  EventIndex(StateDb& db, DurationMs retention_ms, char id_tag = 'E', char time_tag = 'T');
  ~EventIndex() override;
  EventIndex(const EventIndex&) = delete;
  EventIndex& operator=(const EventIndex&) = delete;

  void Put(std::string_view event_id, TimestampMs event_time, std::string_view payload);
  // The indexed time and payload of `event_id`, nullopt when unknown or expired.
  Result<std::optional<std::pair<TimestampMs, std::string>>> Get(std::string_view event_id);
  // Deletes the entry of `event_id`, if any.
  Status Erase(std::string_view event_id);
  // Deletes entries with event time <= `newest_event_time - retention`. Cheap when none are due.
  // Adds the number of entries deleted to `*expired` when given.
  Status Expire(TimestampMs newest_event_time, int64_t* expired = nullptr);

  // PendingWriter: the entries added since the batch was last written.
  void Stage(RowWriter& out) const override;
  void Written() override;
  void Dropped() override;
  size_t Bytes() const override { return fresh_.bytes(); }

 private:
  struct Entry {
    TimestampMs time;
    std::string payload;
  };
  std::string IdKey(std::string_view event_id) const;
  // The prefix of every id row of this index (noted as written whenever entries are staged).
  std::string_view IdTag() const { return std::string_view(&id_tag_, 1); }
  std::string TimeKey(TimestampMs event_time, std::string_view event_id) const;
  // The stored entry of `event_id` (through the pending batch), ignoring fresh ones.
  Result<std::optional<Entry>> GetStored(std::string_view event_id);
  // Deletes `event_id`'s stored id row (and its time row) when `entry` is its stored entry.
  void DeleteStored(std::string_view event_id, const Entry& entry);
  // Drops fresh entries at or before `cutoff`, oldest first; returns how many.
  int64_t ExpireFresh(TimestampMs cutoff);

  StateDb& db_;
  DurationMs retention_ms_;
  char id_tag_, time_tag_;
  std::optional<TimestampMs> oldest_;  // unknown until first needed, and after a discard
  uint64_t discards_seen_ = 0;         // StateDb::discards() when oldest_ was last right
  RecentEntries fresh_;                // newer than any stored entry of their ids
};

}  // namespace riskstream
