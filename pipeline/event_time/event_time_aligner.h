// pipeline/event_time/event_time_aligner.h
//
// EventTimeAligner merges several input streams (Kafka partitions of the input topics live, their
// shares of log files or offset ranges in replay) into the canonical order of event_order.h. Each
// stream is a FIFO: its records leave in the order they were pushed, so a stream's released
// records are always a prefix of what was pushed to it (a consumer may commit "everything released"
// and never cover a buffered record). Among the streams' next records, the smallest EventOrderKey
// leaves first, ties broken by stream name.
//
// The next record is released only when no stream could still deliver a smaller one: every other
// stream has a buffered record, or is finished (no more records ever), or is caught up (known to be
// at its end for now), or has been empty for at least `max_idle_ms` (Kafka Streams'
// max.task.idle.ms). A stream that is not caught up and not yet idle holds the others back; that is
// what makes a backlog (live after downtime, or replay) decide in the same order as a replay of the
// same streams. With every stream's records available, the order depends on nothing but the
// records and the split into streams. When `max_buffered` records are buffered, the next record is
// released without waiting (a memory bound; counted in forced_releases()).
//
// Kafka-free; times are passed in (no clock is read). Not thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "operators/event/event_order.h"

namespace riskstream {

template <typename Record>
class EventTimeAligner {
 public:
  using StreamId = size_t;

  struct Released {
    StreamId stream;
    EventOrderKey key;
    Record record;
  };

  // `max_idle_ms` >= 0: how long an empty stream may hold the others back. `max_buffered` > 0.
  explicit EventTimeAligner(DurationMs max_idle_ms, size_t max_buffered = 1'000'000)
      : max_idle_ms_(max_idle_ms), max_buffered_(max_buffered) {}

  // Adds a stream named `name` (the tie-break between equal keys; unique among live streams), empty
  // since `now`. It holds the others back from now on until it delivers, finishes, is caught up or
  // idles out.
  StreamId AddStream(std::string name, TimestampMs now) {
    streams_.push_back(Stream{std::move(name), {}, now, true, false, false});
    return streams_.size() - 1;
  }

  // Removes `stream` (a revoked partition): its buffered records are dropped, never released, and
  // it holds nothing back any more. Returns how many were dropped.
  size_t RemoveStream(StreamId stream) {
    Stream& s = streams_[stream];
    size_t dropped = s.queue.size();
    buffered_ -= dropped;
    s.queue.clear();
    s.active = false;
    return dropped;
  }

  // Appends `record` with order key `key` to `stream`. A stream that delivers is no longer caught
  // up until told again.
  void Push(StreamId stream, EventOrderKey key, Record record) {
    Stream& s = streams_[stream];
    s.queue.push_back(Entry{std::move(key), std::move(record)});
    s.caught_up = false;
    ++buffered_;
  }

  // `stream` is (or is no longer) known to be at its end for now: while empty it holds nothing
  // back.
  void SetCaughtUp(StreamId stream, bool caught_up) { streams_[stream].caught_up = caught_up; }
  // `stream` will deliver nothing more; it holds nothing back once empty.
  void Finish(StreamId stream) { streams_[stream].finished = true; }

  bool Empty(StreamId stream) const { return streams_[stream].queue.empty(); }
  bool Active(StreamId stream) const { return streams_[stream].active; }
  const std::string& Name(StreamId stream) const { return streams_[stream].name; }
  size_t stream_count() const { return streams_.size(); }
  size_t buffered() const { return buffered_; }
  int64_t forced_releases() const { return forced_releases_; }

  // The next record in canonical order if it may leave at `now`, else nullopt (nothing buffered,
  // or a stream that may still deliver an earlier record holds it back).
  std::optional<Released> Pop(TimestampMs now) {
    if (buffered_ == 0) return std::nullopt;
    const Stream* best = nullptr;
    StreamId best_id = 0;
    bool held_back = false;
    for (StreamId id = 0; id < streams_.size(); ++id) {
      const Stream& s = streams_[id];
      if (!s.active) continue;
      if (s.queue.empty()) {
        if (!s.finished && !s.caught_up && now - s.empty_since < max_idle_ms_) held_back = true;
        continue;
      }
      if (best == nullptr || Before(s, *best)) {
        best = &s;
        best_id = id;
      }
    }
    if (held_back) {
      if (buffered_ < max_buffered_) return std::nullopt;
      ++forced_releases_;
    }
    Stream& s = streams_[best_id];
    Released out{best_id, std::move(s.queue.front().key), std::move(s.queue.front().record)};
    s.queue.pop_front();
    --buffered_;
    if (s.queue.empty()) s.empty_since = now;
    return out;
  }

 private:
  struct Entry {
    EventOrderKey key;
    Record record;
  };
  struct Stream {
    std::string name;
    std::deque<Entry> queue;
    TimestampMs empty_since = 0;
    bool active = true;
    bool finished = false;
    bool caught_up = false;
  };

  static bool Before(const Stream& a, const Stream& b) {
    const EventOrderKey& ka = a.queue.front().key;
    const EventOrderKey& kb = b.queue.front().key;
    if (ka.event_time != kb.event_time) return ka.event_time < kb.event_time;
    if (ka.event_id != kb.event_id) return ka.event_id < kb.event_id;
    return a.name < b.name;
  }

  DurationMs max_idle_ms_;
  size_t max_buffered_;
  std::deque<Stream> streams_;  // a deque: growing never moves a stream
  size_t buffered_ = 0;
  int64_t forced_releases_ = 0;
};

}  // namespace riskstream
