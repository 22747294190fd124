// pipeline/kafka/kafka_source.h
//
// KafkaSource consumes riskstream's input topics as a member of a consumer group. Offsets are never
// committed automatically: the runtime commits them (and records them with its state) only after
// the outputs of the consumed records are delivered. When partitions are assigned, the listener may
// set each partition's start offset (from the state database) before consumption starts; when they
// are revoked, the listener gets a chance to commit first. It reads with
// isolation.level=read_committed, so records of aborted transactions are never seen. Not
// thread-safe: one thread polls; listener calls happen inside Poll().
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "pipeline/kafka/kafka_properties.h"
#include "pipeline/runtime/record_source.h"

namespace riskstream {

class KafkaSource final : public RecordSource {
 public:
  // Joins `group_id` and subscribes to `topics`. `listener` must outlive the source.
  static Result<std::unique_ptr<KafkaSource>> Create(const std::string& bootstrap_servers,
                                                     const std::string& group_id,
                                                     const KafkaProperties& properties,
                                                     const std::vector<std::string>& topics,
                                                     AssignmentListener& listener);
  ~KafkaSource() override;
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  // See RecordSource. Errors librdkafka recovers from by itself are logged.
  Result<std::optional<InputRecord>> Poll(int timeout_ms) override;
  // Commits `next_offsets` (the offset of the next record to read) for the group.
  Status Commit(const PartitionOffsets& next_offsets) override;

  // The consumer's group metadata, for sending offsets in a transaction (exactly-once).
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> GroupMetadata();

  // Moves consumption of each listed (assigned) partition back to its offset, after an aborted
  // transaction; records fetched beyond it are dropped and read again.
  Status Rewind(const PartitionOffsets& next_offsets) override;

  // Leaves the group (revoking partitions through the listener).
  void Close() override;

  int64_t rebalances() const override;

  // True from librdkafka reporting every broker down until CheckBrokers() reaches one again.
  // Safe from any thread.
  bool brokers_down() const override;
  // Asks the cluster for metadata (up to `timeout_ms`); on an answer clears brokers_down().
  Status CheckBrokers(int timeout_ms) override;

  // Records behind the partition's end as last reported by fetches (no broker round trip), for a
  // consumer whose next offset is `next_offset`; nullopt before the first fetch.
  std::optional<int64_t> Lag(const std::string& topic, int32_t partition,
                             int64_t next_offset) override;

 private:
  struct Rebalancer;
  struct Events;  // librdkafka's logs to spdlog, and the brokers-down flag
  KafkaSource() = default;
  std::unique_ptr<Rebalancer> rebalancer_;
  std::unique_ptr<Events> events_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool closed_ = false;
};

}  // namespace riskstream
