// pipeline/replay/replay_source.h
//
// ReplaySource is where a replay's input records come from (log files, a Kafka range), delivered
// in the canonical order of operators/event/event_order.h. A record carries the source position the
// live pipeline would have given it (topic and partition of its stream), so per-partition
// event-time watermarks, and with them the `late` flags, come out as they do live.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "operators/event/event.h"
#include "operators/output/output_records.h"

namespace riskstream {

struct ReplayRecord {
  std::string bytes;              // the event JSON, as the live pipeline receives it
  std::optional<EventType> role;  // the event type of its topic, when known
  SourcePosition source;          // the topic/partition/offset it has (or would have) in Kafka
  std::string origin;             // where to find it: "file:line" or "topic/partition@offset"
  std::optional<TimestampMs> event_time;  // from its order key; nullopt when unreadable
  std::optional<bool> fraud;              // ground truth, when the log carries it
};

class ReplaySource {
 public:
  virtual ~ReplaySource() = default;
  // The next record in canonical order; nullopt once every input is exhausted. Fails only when an
  // input cannot be read at all (a file, the broker).
  virtual Result<std::optional<ReplayRecord>> Next() = 0;
  // How much of the input was read, in [0, 1], for progress and ETA.
  virtual double Progress() const = 0;
  // Records released before every input could show its next one (read-ahead or idle limits).
  virtual int64_t ForcedReleases() const = 0;
};

}  // namespace riskstream
