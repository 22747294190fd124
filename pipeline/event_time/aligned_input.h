// pipeline/event_time/aligned_input.h
//
// AlignedInput puts the records a RecordSource consumes into the canonical order
// (operators/event/event_order.h) before they are processed. Each record is parsed once, here, as
// it arrives: its EventParser result gives its place in the order and is handed on with it, so
// the topology decides it without parsing again. One EventTimeAligner stream per assigned
// partition, named "topic/partition". A partition is caught up while its next offset is the end
// last reported by the broker; an empty partition that is neither caught up nor idle for
// `max_idle_ms` holds the others back. Next() only ever returns records in their partition's offset
// order, so the offsets of returned records never pass a buffered one: committing "returned + 1" is
// safe. Records of a revoked partition that were not returned are dropped (its next owner reads
// them from the committed offset). Not thread-safe: one thread calls Next(); the assignment calls
// happen inside it (from the source's rebalance callback).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "operators/event/event_order.h"
#include "operators/event/event_parser.h"
#include "operators/event/pii_hasher.h"
#include "pipeline/event_time/event_time_aligner.h"
#include "pipeline/runtime/record_source.h"

namespace riskstream {

// A record in canonical order, with what EventParser made of it.
struct AlignedRecord {
  InputRecord record;
  std::optional<EventType> role;  // the event type of its topic, if the topic has one
  ParsedEvent parsed;
};

class AlignedInput {
 public:
  // `source` is set later (it needs the listener that owns this); `max_idle_ms` >= 0. Records are
  // parsed with `hasher`, which must outlive this, as events of their topic's role in `roles`.
  AlignedInput(DurationMs max_idle_ms, const PiiHasher& hasher,
               std::map<std::string, EventType> roles);

  void SetSource(RecordSource* source) { source_ = source; }

  // Partitions assigned, starting at their `offset` (INVALID: unknown yet).
  void OnAssigned(const std::vector<TopicPartitionOffset>& partitions);
  // Partitions revoked: their buffered records are dropped.
  void OnRevoked(const std::vector<TopicPartitionOffset>& partitions);
  // The source moved these partitions back to these offsets (an aborted transaction): their
  // buffered records are dropped, as the source delivers them again.
  void OnRewound(const PartitionOffsets& next_offsets);

  // The next record in canonical order; nullptr when none may leave within `timeout_ms`.
  Result<std::optional<AlignedRecord>> Next(int timeout_ms);

  size_t buffered() const { return aligner_.buffered(); }

 private:
  using Aligner = EventTimeAligner<AlignedRecord>;
  struct Partition {
    Aligner::StreamId stream;
    int64_t next_offset;  // after the last record pushed; INVALID before the first
  };

  Partition& PartitionOf(const std::string& topic, int32_t partition, int64_t start_offset);
  void Push(InputRecord record);
  void RefreshCaughtUp();

  RecordSource* source_ = nullptr;
  Aligner aligner_;
  EventParser parser_;
  const std::map<std::string, EventType> roles_;
  std::map<std::pair<std::string, int32_t>, Partition> partitions_;
};

}  // namespace riskstream
