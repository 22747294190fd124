// pipeline/runtime/record_source.h
//
// RecordSource is where a running instance's input records come from: the partitions of the input
// topics assigned to it as a member of a consumer group. KafkaSource is the implementation on a
// broker; tests run the runtime on an in-memory one. Records of one partition arrive in offset
// order. Positions are "next offsets": the offset of the next record to read. Nothing is committed
// automatically: the runtime commits positions only once the outputs of the records before them are
// durable. Not thread-safe: one thread polls; listener calls happen inside Poll().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace riskstream {

// Per (topic, partition): the offset of the next record to read.
using PartitionOffsets = std::map<std::pair<std::string, int32_t>, int64_t>;

// Kafka's special offsets, as librdkafka numbers them.
inline constexpr int64_t kOffsetBeginning = -2;
inline constexpr int64_t kOffsetInvalid = -1001;  // not known: the group's committed offset

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = kOffsetInvalid;
};

// One input record as the runtime sees it.
struct InputRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;  // nullopt: the record has no key
  std::string value;
  std::optional<TimestampMs> timestamp;  // the record's create or log-append time, if it has one
};

class AssignmentListener {
 public:
  virtual ~AssignmentListener() = default;
  // Partitions are about to be assigned; set `offset` on those that should start elsewhere.
  virtual void OnAssigning(std::vector<TopicPartitionOffset>& partitions) = 0;
  // Partitions are about to be taken away: commit what was consumed from them now.
  virtual void OnRevoking(const std::vector<TopicPartitionOffset>& partitions) = 0;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // The next record, nullopt when none arrived within `timeout_ms`. Errors the source recovers
  // from by itself (a broker going away) are not returned; fatal ones are.
  virtual Result<std::optional<InputRecord>> Poll(int timeout_ms) = 0;
  // Records the group's progress (at-least-once; exactly-once sends offsets in its transaction).
  virtual Status Commit(const PartitionOffsets& next_offsets) = 0;
  // Moves each listed (assigned) partition back to its offset after an aborted batch: records
  // fetched beyond it are dropped and delivered again.
  virtual Status Rewind(const PartitionOffsets& next_offsets) = 0;
  // Leaves the group (revoking partitions through the listener).
  virtual void Close() = 0;

  virtual int64_t rebalances() const = 0;
  // True while no broker is reachable, until CheckBrokers() reaches one. Safe from any thread.
  virtual bool brokers_down() const = 0;
  virtual Status CheckBrokers(int timeout_ms) = 0;
  // Records between `next_offset` and the partition's end as last known; nullopt when not known.
  virtual std::optional<int64_t> Lag(const std::string& topic, int32_t partition,
                                     int64_t next_offset) = 0;
};

}  // namespace riskstream
