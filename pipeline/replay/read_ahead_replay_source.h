// pipeline/replay/read_ahead_replay_source.h
//
// ReadAheadReplaySource runs another ReplaySource on a thread of its own, so that reading
// (decompressing, splitting lines, the event-time merge) and parsing the events (EventParser,
// PII hashing) use a second core while the caller decides. It delivers exactly the inner
// source's records, in its order; when it is given a PiiHasher, NextItem() also gives what
// parsing each record's bytes with its role gave, as DecisionTopology's own parser would. The
// thread reads at most `max_buffered` records ahead. An error of the inner source is returned
// after every record read before it, unchanged (with its file:line or topic/partition context),
// and nothing is read after it. Progress() and ForcedReleases() are those of the inner source as
// of the last batch read. Records travel in batches that go back to the reader once used, so
// their buffers are reused by the thread that allocated them. Next()/NextItem() are for one
// consumer thread; the destructor stops and joins the reader.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "operators/event/event_parser.h"
#include "operators/event/pii_hasher.h"
#include "pipeline/replay/replay_progress.h"
#include "pipeline/replay/replay_source.h"

namespace riskstream {

class ReadAheadReplaySource : public ReplaySource {
 public:
  struct Item {
    ReplayRecord record;
    ParsedEvent parsed;  // with a hasher: what EventParser made of record.bytes and record.role
  };

  // Starts reading `inner` at once. `hasher` (may be null: no parsing ahead) must outlive this.
  // `batch_records` > 0 records go to the consumer at a time; `max_buffered` >= batch_records.
  ReadAheadReplaySource(std::unique_ptr<ReplaySource> inner, const PiiHasher* hasher,
                        size_t batch_records = 256, size_t max_buffered = 8192);
  ~ReadAheadReplaySource() override;
  ReadAheadReplaySource(const ReadAheadReplaySource&) = delete;
  ReadAheadReplaySource& operator=(const ReadAheadReplaySource&) = delete;

  // The next record and its parse; nullptr once the input is exhausted. The item is the caller's
  // (to read or change) until the next call.
  Result<Item*> NextItem();
  // The item NextItem() returns next when it is already at hand (nullptr when it is not), for a
  // look ahead; valid until the next NextItem().
  const Item* PeekItem() const {
    return position_ < current_.size ? &current_.items[position_] : nullptr;
  }
  Result<std::optional<ReplayRecord>> Next() override;
  double Progress() const override { return progress_.load(std::memory_order_relaxed); }
  int64_t ForcedReleases() const override { return forced_.load(std::memory_order_relaxed); }
  // CPU seconds the reader thread used so far (as of its last batch).
  double reader_cpu_seconds() const { return reader_cpu_.load(std::memory_order_relaxed); }

 private:
  // Records read, and how the input ended after them (`end`), if it did. `items` may hold more
  // than `size` entries: used ones kept for their buffers.
  struct Batch {
    std::vector<Item> items;
    size_t size = 0;
    std::optional<Status> end;  // Ok: the input is exhausted; else the inner source's error
  };

  void Read();  // the reader thread

  std::unique_ptr<ReplaySource> inner_;
  const PiiHasher* hasher_;
  size_t batch_records_, max_batches_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;   // guarded by mutex_
  std::vector<Batch> spare_;  // used batches back from the consumer; guarded by mutex_
  bool stop_ = false;         // guarded by mutex_

  Batch current_;  // the consumer's batch
  size_t position_ = 0;
  std::atomic<double> progress_{0};
  std::atomic<int64_t> forced_{0};
  std::atomic<double> reader_cpu_{0};
  std::thread reader_;  // last: starts after every member above exists
};

}  // namespace riskstream
