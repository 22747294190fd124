// pipeline/runtime/exactly_once_transaction.h
//
// ExactlyOnceTransaction is the exactly-once commit protocol (see output_transaction.h): the
// outputs, the state's pending changes as changelog records (input positions included, see
// state/changelog/changelog.h) and the consumed positions go into one transaction of a
// TransactionalProducer. Only once it committed is the state batch written to RocksDB, with the
// changelog position it reached; a crash before that leaves the local state behind the changelog,
// and the next start restores it. An aborted transaction drops the pending state too, so state and
// outputs always cover the same input.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/runtime/output_sink.h"
#include "pipeline/runtime/output_transaction.h"
#include "state/db/state_db.h"

namespace riskstream {

class ExactlyOnceTransaction final : public OutputTransaction {
 public:
  // `producer` and `state` must outlive the transaction; the changelog is `changelog_partition`
  // of `changelog_topic`.
  ExactlyOnceTransaction(TransactionalProducer& producer, StateDb& state,
                         std::string changelog_topic, int32_t changelog_partition)
      : producer_(producer),
        state_(state),
        changelog_topic_(std::move(changelog_topic)),
        changelog_partition_(changelog_partition) {}

  Status Produce(const std::string& topic, std::string_view key, std::string_view value) override {
    return producer_.Produce(topic, key, value);
  }
  Result<Outcome> Commit(const PartitionOffsets& next_offsets) override;
  bool CanAbort() const override { return !producer_.fatal(); }
  Status Abort() override;
  void Discard() override;
  void Poll() override { producer_.Poll(); }

 private:
  TransactionalProducer& producer_;
  StateDb& state_;
  const std::string changelog_topic_;
  const int32_t changelog_partition_;
  bool changelog_produced_ = false;  // the open transaction holds the pending changes
};

}  // namespace riskstream
