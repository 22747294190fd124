// pipeline/event_time/aligned_input.h
//
// AlignedInput puts the records a RecordSource consumes into the canonical order
// (event_order.h) before they are processed: one EventTimeAligner stream per assigned partition,
// named "topic/partition". A partition is caught up while its next offset is the end last reported
// by the broker; an empty partition that is neither caught up nor idle for `max_idle_ms` holds the
// others back. Next() only ever returns records in their partition's offset order, so the offsets
// of returned records never pass a buffered one: committing "returned + 1" is safe. Records of a
// revoked partition that were not returned are dropped (its next owner reads them from the
// committed offset). Not thread-safe: one thread calls Next(); the assignment calls happen inside
// it (from the source's rebalance callback).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "pipeline/event_time/event_order.h"
#include "pipeline/event_time/event_time_aligner.h"
#include "pipeline/runtime/record_source.h"

namespace riskstream {

class AlignedInput {
 public:
  // `source` is set later (it needs the listener that owns this); `max_idle_ms` >= 0.
  explicit AlignedInput(DurationMs max_idle_ms);

  void SetSource(RecordSource* source) { source_ = source; }

  // Partitions assigned, starting at their `offset` (INVALID: unknown yet).
  void OnAssigned(const std::vector<TopicPartitionOffset>& partitions);
  // Partitions revoked: their buffered records are dropped.
  void OnRevoked(const std::vector<TopicPartitionOffset>& partitions);
  // The source moved these partitions back to these offsets (an aborted transaction): their
  // buffered records are dropped, as the source delivers them again.
  void OnRewound(const PartitionOffsets& next_offsets);

  // The next record in canonical order; nullptr when none may leave within `timeout_ms`.
  Result<std::optional<InputRecord>> Next(int timeout_ms);

  size_t buffered() const { return aligner_.buffered(); }

 private:
  using Aligner = EventTimeAligner<InputRecord>;
  struct Partition {
    Aligner::StreamId stream;
    int64_t next_offset;  // after the last record pushed; INVALID before the first
  };

  Partition& PartitionOf(const std::string& topic, int32_t partition, int64_t start_offset);
  void Push(InputRecord record);
  void RefreshCaughtUp();

  RecordSource* source_ = nullptr;
  Aligner aligner_;
  EventOrderReader reader_;
  std::map<std::pair<std::string, int32_t>, Partition> partitions_;
};

}  // namespace riskstream
