// state/windows/window_store.h
//
// WindowStore keeps one exact window aggregate per (partition, entity) for one feature, in RocksDB.
// An event at time t reads the window Bounds(t) = (lo, hi]:
//   sliding   W            (t - W, t]              an event exactly W before t is out, ties at t in
//   sliding   W delayed D  (t - D - W, t - D]      for aggregates over labels that arrive late
//   tumbling  W            [floor(t / W) * W, t]   the bucket so far
//   hopping   W every A    [e - W, t], e = the first multiple of A after t
//
// How (after Railgun): per entity, an event log ordered by (time, sequence) and one aggregate for
// the current (lo, hi]. Both bounds only move forward; when they move, log entries entering and
// leaving are added and subtracted once, and entries no out-of-order read can need any more
// (older than Bounds(newest - allowed_lateness).lo) are dropped once. A contribution may be
// inserted at any time (labels land at the time of the event they label). A read older than the
// newest read is answered by a scan of the retained log: exact when no older than
// newest - allowed_lateness, flagged inexact beyond. count_distinct keeps a counted multiset and
// min/max an ordered one, so both stay exact under expiry; a distinct cap bounds the multiset and
// flags values inexact while dropped values could be in the window.
// Where: an entity's state is a WindowState (window_state.h) held in the StateDb's write-back
// row cache while hot (with the other stores' windows of the same entity, cached_entity.h), so
// an event touches memory only; it reaches RocksDB as an aggregate row
// and chunks of log entries when committed or evicted, and is read back from them on a miss. Not
// thread-safe: owned by one task, like its StateDb (except ReadCommitted).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "common/time.h"
#include "state/db/state_db.h"
#include "state/windows/cached_entity.h"
#include "state/windows/window_state.h"

namespace riskstream {

enum class WindowKind { kSliding, kTumbling, kHopping };

struct WindowSpec {
  uint64_t store_id = 0;  // distinguishes stores sharing the column family (a fingerprint)
  WindowKind kind = WindowKind::kSliding;
  DurationMs size_ms = 0;     // > 0
  DurationMs delay_ms = 0;    // sliding only
  DurationMs advance_ms = 0;  // hopping only: 0 < advance <= size
  DurationMs allowed_lateness_ms = 0;
  bool track_distinct = false;
  int64_t max_distinct = 0;     // 0: unbounded
  bool track_extremes = false;  // min and max of contributed values

  // The window (lo, hi] an event at `t` reads.
  std::pair<TimestampMs, TimestampMs> Bounds(TimestampMs t) const;
};

// What one event adds to the window.
struct WindowContribution {
  double value = 0;       // summed; min/max
  std::string_view text;  // counted distinctly; returned by `previous_text`
};

struct WindowAggregate {
  int64_t count = 0;
  double sum = 0;
  int64_t distinct = 0;
  std::optional<double> min, max;
  // The newest contribution before the current event, within the retained log (for last(field) and
  // time_since_last); nullopt when there is none.
  std::optional<TimestampMs> previous_time;
  std::string previous_text;
  bool exact = true;  // false for reads older than newest - allowed_lateness, or a capped multiset
};

// An entity's window as last committed: the aggregate over (lo_ms, hi_ms], the window of the newest
// event time read (`as_of_ms`; nullopt when only labels were inserted, so nothing was read yet).
// `aggregate.previous_*` is the newest contribution; min/max may come from a later commit.
struct CommittedWindow {
  std::optional<TimestampMs> as_of_ms;
  TimestampMs lo_ms = 0, hi_ms = 0;
  WindowAggregate aggregate;
  int64_t retained_entries = 0;  // log entries kept for the window, pending and late reads
};

class WindowStore {
 public:
  // `db` must outlive the store. The spec must be valid (see WindowSpec).
  WindowStore(StateDb& db, WindowSpec spec);

  // Reads the window of `entity` in `partition` as of `t`, after inserting `contribution` at `t`
  // when given. With `want_previous`, also finds the newest contribution before this one.
  Result<WindowAggregate> Apply(uint32_t partition, std::string_view entity, TimestampMs t,
                                const std::optional<WindowContribution>& contribution,
                                bool want_previous = false);

  // As Apply above, for stores keyed alike applying one event with one cache lookup: the entity is
  // given by its cache key (CachedEntity::Key, hashed by RowCache::Hashed), and `windows` is the
  // entity's windows in the StateDb's cache, found or made by the first of them that needs them
  // (nullptr until then; a read of an entity with no state makes nothing). Sets `changed` (never
  // clears it) when this store's window changed. The caller ends the use after the last store with
  // `db.ReleaseCached(windows, changed)` when `windows` is set.
  Result<WindowAggregate> Apply(CachedEntity*& windows, HashedKey cache_key, TimestampMs t,
                                const std::optional<WindowContribution>& contribution,
                                bool want_previous, bool& changed);

  // Inserts `contribution` at `t` without reading (labels: `t` is the labelled event's time).
  Status Insert(uint32_t partition, std::string_view entity, TimestampMs t,
                const WindowContribution& contribution);

  // The committed window of `entity` (the pending batch is not seen); nullopt when the entity has
  // no committed state. Safe to call from any thread (it reads through StateDb::*Committed).
  Result<std::optional<CommittedWindow>> ReadCommitted(uint32_t partition,
                                                       std::string_view entity) const;

  const WindowSpec& spec() const { return spec_; }

 private:
  // The windows of the entity with cache key `key` in the cache; when not there, made if `make` or
  // if this store may have state for it in the database, else nullptr.
  CachedEntity* FindWindows(HashedKey key, bool make);
  // This store's window among `windows`, read from the database into it when not there yet;
  // nullptr when it has no state and `make` is false (nothing is made then).
  Result<WindowState*> Acquire(CachedEntity& windows, bool make);
  // The prefix of this store's rows for the entity with cache key `key` (in prefix_buffer_) when
  // the database may hold some; nullptr when it holds none. Built only when some window row was
  // ever noted: a replay's own state has none, and asks nothing per entity.
  const std::string* StoredPrefix(std::string_view key);
  // The window whose rows start with `prefix`, from its head row and its chunk rows (chunks are
  // never written without the head).
  Result<std::unique_ptr<WindowState>> ReadEntity(
      std::string_view prefix, std::string_view head_row,
      const std::function<std::unique_ptr<rocksdb::Iterator>()>& new_iterator) const;
  WindowAggregate Update(WindowState& e, TimestampMs t,
                         const std::optional<WindowContribution>& contribution, bool want_previous,
                         bool& changed);
  // The time up to which (inclusive) no read within the lateness needs the log, once `t` was read.
  TimestampMs KeepAfter(TimestampMs t) const;
  void Advance(WindowState& e, TimestampMs t);
  void AddToLog(WindowState& e, TimestampMs t, const WindowContribution& contribution);
  // Counts an entry into the multisets (its distinct value only when not left out by the cap).
  void CountIn(WindowState& e, const WindowEntry& entry) const;
  // min and max of the window from the ordered multiset, when tracked and not empty.
  void ReadExtremes(WindowState& e, WindowAggregate& out) const;
  void Enter(WindowState& e, size_t i) const;
  void Leave(WindowState& e, const WindowEntry& entry) const;
  WindowAggregate Scan(WindowState& e, TimestampMs lo, TimestampMs hi) const;

  StateDb& db_;
  WindowSpec spec_;
  std::string prefix_buffer_;  // StoredPrefix's window prefix, its memory reused
};

}  // namespace riskstream
