// pipeline/runtime/output_sink.h
//
// Where a running instance's output records go. OutputSink is plain delivery with confirmation
// (at-least-once: KafkaSink); TransactionalProducer groups records and consumed input positions
// into transactions that become visible whole or not at all (exactly-once: TransactionalSink).
// Tests implement both in memory. Not thread-safe: one task produces through a sink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pipeline/runtime/record_source.h"

namespace riskstream {

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // Queues one record; fails only on errors retrying cannot fix.
  virtual Status Produce(const std::string& topic, std::string_view key,
                         std::string_view value) = 0;
  // Waits up to `timeout_ms` until every queued record is acknowledged. kKafkaError: a record
  // since the previous Flush was not delivered; kUnavailable: time ran out, records still queued.
  virtual Status Flush(int timeout_ms) = 0;
  // Serves delivery reports without waiting.
  virtual void Poll() = 0;
};

class TransactionalProducer {
 public:
  enum class Outcome { kCommitted, kAborted };

  virtual ~TransactionalProducer() = default;
  // Queues a record in the current transaction (beginning one if none is open). An error means the
  // transaction cannot commit: Abort() next, or stop when fatal().
  virtual Status Produce(const std::string& topic, std::string_view key,
                         std::string_view value) = 0;
  // The same to `partition`; `value` nullopt is a tombstone.
  virtual Status ProduceTo(const std::string& topic, int32_t partition, std::string_view key,
                           std::optional<std::string_view> value) = 0;
  // Commits everything produced since the last commit or abort together with `next_offsets` for
  // the consumer group, or none of it. kAborted: it was aborted (nothing visible); kUnavailable
  // error: no answer in `timeout_ms`, the transaction is still open (call again); other errors are
  // fatal. With no open transaction: kCommitted at once.
  virtual Result<Outcome> Commit(const PartitionOffsets& next_offsets, int timeout_ms) = 0;
  // Aborts the open transaction, if any.
  virtual Status Abort(int timeout_ms) = 0;
  // True once the producer is fenced or unusable: stop; the next instance aborts what is open.
  virtual bool fatal() const = 0;
  virtual bool in_transaction() const = 0;
  // The offset after the newest record delivered to `topic`/`partition` (after a commit).
  virtual std::optional<int64_t> DeliveredEnd(const std::string& topic,
                                              int32_t partition) const = 0;
  virtual void Poll() = 0;
};

}  // namespace riskstream
