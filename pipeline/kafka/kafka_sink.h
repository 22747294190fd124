// pipeline/kafka/kafka_sink.h
//
// KafkaSink produces riskstream's output records (decisions, alerts, dead letters) with an
// idempotent librdkafka producer and tracks their delivery. Produce() is asynchronous; Flush()
// waits until every record produced so far is acknowledged and reports whether any failed, so the
// caller commits its input position only after its outputs are safely in Kafka. It remembers the
// offset after the last record delivered to each partition (a changelog position). Not
// thread-safe: one task produces through a sink.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "pipeline/runtime/output_sink.h"

namespace RdKafka {
class Producer;
}

namespace riskstream {

class KafkaSink final : public OutputSink {
 public:
  // Connects to `bootstrap_servers`; `properties` are extra librdkafka settings and win over the
  // defaults (idempotence on, acks=all, lz4 compression, 5 ms linger).
  static Result<std::unique_ptr<KafkaSink>> Create(
      const std::string& bootstrap_servers, const std::map<std::string, std::string>& properties);
  ~KafkaSink() override;
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  // Queues one record. Waits (serving delivery reports) while the local queue is full; fails only
  // on errors that retrying cannot fix (unknown topic, record too large).
  Status Produce(const std::string& topic, std::string_view key, std::string_view value) override;
  // Queues one record to `partition` of `topic`; `value` nullopt sends a tombstone (no value).
  Status ProduceTo(const std::string& topic, int32_t partition, std::string_view key,
                   std::optional<std::string_view> value);

  // Waits up to `timeout_ms` for every queued record. Fails if any record since the previous Flush
  // was not delivered (kKafkaError), or the time ran out (kUnavailable: the records are still
  // queued, flushing again may succeed); the message says how many and the first error.
  Status Flush(int timeout_ms) override;

  // Fetches metadata for `topics` now, so the first record to each does not wait for librdkafka's
  // periodic topic refresh (up to a second). Fails when a topic does not exist.
  Status WarmUp(const std::vector<std::string>& topics, int timeout_ms);

  // Serves delivery reports without waiting.
  void Poll() override;

  int64_t delivered() const;
  // The offset after the newest record delivered to `topic`/`partition`, nullopt before any.
  std::optional<int64_t> DeliveredEnd(const std::string& topic, int32_t partition) const;
  // The producer, for transaction control (TransactionalSink). Owned by the sink.
  RdKafka::Producer& producer() { return *producer_; }

 private:
  struct DeliveryTracker;
  KafkaSink() = default;
  std::unique_ptr<DeliveryTracker> tracker_;
  std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace riskstream
