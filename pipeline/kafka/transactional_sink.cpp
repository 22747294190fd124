#include "pipeline/kafka/transactional_sink.h"

#include <vector>

namespace riskstream {

Result<std::unique_ptr<TransactionalSink>> TransactionalSink::Create(
    const std::string& bootstrap_servers, const KafkaProperties& properties,
    const std::string& transactional_id, int timeout_ms) {
  KafkaProperties merged = properties;
  merged["transactional.id"] = transactional_id;
  auto sink = KafkaSink::Create(bootstrap_servers, merged);
  if (!sink.ok()) return sink.status();
  std::unique_ptr<TransactionalSink> txn(new TransactionalSink());
  txn->sink_ = std::move(*sink);
  if (Status s = txn->Check(txn->producer().init_transactions(timeout_ms), "initialising");
      !s.ok()) {
    return s.WithContext("transactional.id " + transactional_id);
  }
  return txn;
}

TransactionalSink::~TransactionalSink() {
  // An open transaction is left to the broker (transaction.timeout.ms) or the next instance's
  // init_transactions; aborting here could block on an absent broker.
}

Status TransactionalSink::Check(RdKafka::Error* error, const char* what) {
  if (error == nullptr) return Status::Ok();
  std::unique_ptr<RdKafka::Error> owned(error);
  std::string message = std::string(what) + " transaction: " + owned->str();
  if (owned->is_fatal()) {
    fatal_ = true;
    return Status::KafkaError("fatal: " + message);
  }
  if (owned->txn_requires_abort()) return Status::KafkaError("abortable: " + message);
  if (owned->is_retriable()) return Status::Unavailable(message);
  return Status::KafkaError(message);
}

Status TransactionalSink::WarmUp(const std::vector<std::string>& topics, int timeout_ms) {
  return sink_->WarmUp(topics, timeout_ms);
}

Status TransactionalSink::Begin() {
  if (in_transaction_) return Status::Ok();
  if (Status s = Check(producer().begin_transaction(), "beginning"); !s.ok()) return s;
  in_transaction_ = true;
  return Status::Ok();
}

Status TransactionalSink::Produce(const std::string& topic, std::string_view key,
                                  std::string_view value) {
  return ProduceTo(topic, RdKafka::Topic::PARTITION_UA, key, value);
}

Status TransactionalSink::ProduceTo(const std::string& topic, int32_t partition,
                                    std::string_view key, std::optional<std::string_view> value) {
  if (Status s = Begin(); !s.ok()) return s;
  Status s = sink_->ProduceTo(topic, partition, key, value);
  if (!s.ok()) {
    std::string reason;
    if (producer().fatal_error(reason) != RdKafka::ERR_NO_ERROR) {
      fatal_ = true;
      return Status::KafkaError("fatal: " + reason).WithContext(s.message());
    }
  }
  return s;
}

Result<TransactionalSink::Outcome> TransactionalSink::Commit(const PartitionOffsets& next_offsets,
                                                             int timeout_ms) {
  if (!in_transaction_) return Outcome::kCommitted;
  Status status = sink_->Flush(timeout_ms);
  if (status.code() == Status::Code::kUnavailable) return status;
  if (status.ok() && !offsets_sent_ && !next_offsets.empty()) {
    if (consumer_ == nullptr) {
      return Status::KafkaError("transactional offsets without a consumer (SetConsumer)");
    }
    auto group = consumer_->GroupMetadata();
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [tp, offset] : next_offsets) {
      offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, offset));
    }
    status = Check(producer().send_offsets_to_transaction(offsets, group.get(), timeout_ms),
                   "sending offsets to");
    RdKafka::TopicPartition::destroy(offsets);
    offsets_sent_ = status.ok();
  }
  if (status.ok()) status = Check(producer().commit_transaction(timeout_ms), "committing");
  if (status.ok()) {
    in_transaction_ = false;
    offsets_sent_ = false;
    return Outcome::kCommitted;
  }
  if (fatal_ || status.code() == Status::Code::kUnavailable) return status;
  // Undelivered records or an abortable error: nothing of this transaction may become visible.
  if (Status s = Abort(timeout_ms); !s.ok()) return s.WithContext(status.message());
  return Outcome::kAborted;
}

Status TransactionalSink::Abort(int timeout_ms) {
  if (!in_transaction_) return Status::Ok();
  for (int attempt = 1;; ++attempt) {
    Status s = Check(producer().abort_transaction(timeout_ms), "aborting");
    // Retriable: the broker is away. The transaction times out on the broker in any case.
    if (s.code() == Status::Code::kUnavailable && attempt < 3) continue;
    if (!s.ok()) return s;
    in_transaction_ = false;
    offsets_sent_ = false;
    sink_->Flush(0);  // resets the delivery failures of the aborted records
    return Status::Ok();
  }
}

}  // namespace riskstream
