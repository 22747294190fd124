// pipeline/runtime/at_least_once_transaction.h
//
// AtLeastOnceTransaction is the at-least-once commit protocol (see output_transaction.h): a commit
// waits until every output is delivered, then writes the state with the consumed positions in one
// RocksDB batch, then records the positions with the consumer group (which only lets other tools
// see progress: the state's positions win on the next assignment). Nothing can be aborted: a
// failure stops the instance, and the next run resumes from the last commit, deciding the
// uncommitted records again.
#pragma once

#include "pipeline/runtime/output_sink.h"
#include "pipeline/runtime/output_transaction.h"
#include "pipeline/runtime/record_source.h"
#include "state/db/state_db.h"

namespace riskstream {

class AtLeastOnceTransaction final : public OutputTransaction {
 public:
  // All three must outlive the transaction.
  AtLeastOnceTransaction(OutputSink& sink, StateDb& state, RecordSource& source)
      : sink_(sink), state_(state), source_(source) {}

  Status Produce(const std::string& topic, std::string_view key, std::string_view value) override {
    return sink_.Produce(topic, key, value);
  }
  Result<Outcome> Commit(const PartitionOffsets& next_offsets) override;
  bool CanAbort() const override { return false; }
  Status Abort() override;
  void Discard() override { state_.DiscardPending(); }
  void Poll() override { sink_.Poll(); }

 private:
  OutputSink& sink_;
  StateDb& state_;
  RecordSource& source_;
};

}  // namespace riskstream
