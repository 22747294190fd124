// pipeline/kafka/transactional_sink.h
//
// TransactionalSink produces riskstream's outputs, its state changelog and its consumed input
// offsets in Kafka transactions (exactly-once, KIP-447 style: one transactional producer per
// instance, offsets sent with the consumer's group metadata). A transaction begins with the first
// record after a commit or abort. Commit() either commits everything produced since, together with
// the offsets, or aborts all of it; a read_committed consumer never sees an aborted record.
// `transactional.id` fences zombies: Create() (init_transactions) aborts whatever an earlier
// producer with the same id left open, and that earlier producer fails fatally from then on.
// Not thread-safe: one task owns the sink (librdkafka may call back on its own threads).
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "pipeline/kafka/kafka_properties.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/kafka/kafka_source.h"
#include "pipeline/runtime/output_sink.h"

namespace riskstream {

class TransactionalSink final : public TransactionalProducer {
 public:
  // Connects with `transactional_id` and initialises transactions (fencing earlier producers with
  // the same id), waiting up to `timeout_ms`. `properties` win over KafkaSink's defaults.
  static Result<std::unique_ptr<TransactionalSink>> Create(const std::string& bootstrap_servers,
                                                           const KafkaProperties& properties,
                                                           const std::string& transactional_id,
                                                           int timeout_ms);
  ~TransactionalSink() override;
  TransactionalSink(const TransactionalSink&) = delete;
  TransactionalSink& operator=(const TransactionalSink&) = delete;

  // Queues a record in the current transaction (beginning one if none is open). An error means the
  // transaction cannot commit: Abort() next (or stop, when it is fatal()).
  Status Produce(const std::string& topic, std::string_view key, std::string_view value) override;
  Status ProduceTo(const std::string& topic, int32_t partition, std::string_view key,
                   std::optional<std::string_view> value) override;

  // The consumer whose group the offsets of Commit() are sent for (its group metadata fences
  // zombies of older generations, KIP-447). Must be set before the first Commit() with offsets and
  // outlive the sink.
  void SetConsumer(KafkaSource* consumer) { consumer_ = consumer; }

  // Flushes, adds `next_offsets` (per input partition, the offset of the next record) for the
  // consumer's group (SetConsumer), and commits. Outcomes: kCommitted; kAborted when the
  // transaction failed in a way aborting fixes (it has been aborted: nothing of it is visible);
  // an error with code kUnavailable when the broker did not answer in `timeout_ms` (the transaction
  // is still open: call Commit() again); any other error is fatal (fenced, or the producer is
  // unusable): stop, the next instance aborts the open transaction. With no open transaction,
  // Commit() returns kCommitted at once.
  Result<Outcome> Commit(const PartitionOffsets& next_offsets, int timeout_ms) override;

  // See KafkaSink::WarmUp.
  Status WarmUp(const std::vector<std::string>& topics, int timeout_ms);

  // Aborts the open transaction, if any (retrying a broker timeout twice). Fails when the producer
  // is unusable (fatal) or the broker did not answer.
  Status Abort(int timeout_ms) override;

  // True once librdkafka reported a fatal error: the producer is fenced or unusable.
  bool fatal() const override { return fatal_; }
  bool in_transaction() const override { return in_transaction_; }
  // The offset after the newest record delivered to `topic`/`partition` (after a Commit()).
  std::optional<int64_t> DeliveredEnd(const std::string& topic, int32_t partition) const override {
    return sink_->DeliveredEnd(topic, partition);
  }
  // Serves delivery reports without waiting.
  void Poll() override { sink_->Poll(); }
  RdKafka::Producer& producer() { return sink_->producer(); }

 private:
  TransactionalSink() = default;
  Status Begin();
  // Turns a librdkafka transaction error into a Status (taking ownership of `error`), noting
  // whether it is fatal.
  Status Check(RdKafka::Error* error, const char* what);

  std::unique_ptr<KafkaSink> sink_;
  KafkaSource* consumer_ = nullptr;
  bool in_transaction_ = false;
  bool offsets_sent_ = false;  // a retried Commit() must not send them twice
  bool fatal_ = false;
};

}  // namespace riskstream
