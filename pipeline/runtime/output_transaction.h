// pipeline/runtime/output_transaction.h
//
// OutputTransaction is a running instance's commit protocol: how the outputs of the records
// processed since the last commit, the state they changed and the input positions after them
// become durable together. The runner only produces, commits and (after a failure) aborts; the
// processing guarantee is which implementation it was given:
//   AtLeastOnceTransaction: outputs are flushed first, then state and positions go into one
//     RocksDB batch, then the group commit; a crash in between re-decides at most one batch.
//   ExactlyOnceTransaction: outputs, the state's changelog and the positions go into one Kafka
//     transaction; the local state is written after it committed (a restart restores it).
// Invariant for both: no input position is durable before the outputs of the records before it,
// and the state never counts an input the durable position does not cover.
// Not thread-safe: the processing thread owns it.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "pipeline/runtime/record_source.h"

namespace riskstream {

// How long one commit attempt waits for the broker; an unanswered commit is retried.
inline constexpr int kCommitAttemptTimeoutMs = 5000;

class OutputTransaction {
 public:
  // What Commit() did.
  enum class Outcome {
    kCommitted,  // durable
    kAborted,    // dropped whole (exactly-once): rewind the input to the last commit and redo
  };

  virtual ~OutputTransaction() = default;

  // Queues one output record of the current batch.
  virtual Status Produce(const std::string& topic, std::string_view key,
                         std::string_view value) = 0;
  // Makes the batch durable with `next_offsets` (per input partition consumed since the last
  // commit). An error with code kUnavailable: the broker did not answer, nothing was lost and the
  // batch is still open: call again. Other errors are fatal for the instance.
  virtual Result<Outcome> Commit(const PartitionOffsets& next_offsets) = 0;
  // Whether a batch can be dropped after a failure without its outputs ever being visible.
  virtual bool CanAbort() const = 0;
  // Drops the open batch: its outputs (when CanAbort()) and the state's pending changes. Fails when
  // the output side is unusable.
  virtual Status Abort() = 0;
  // Ends a failed run: drops pending state and aborts what can be aborted, ignoring errors (the
  // next instance cleans up what this one could not).
  virtual void Discard() = 0;
  // Serves delivery reports without waiting.
  virtual void Poll() = 0;
};

}  // namespace riskstream
