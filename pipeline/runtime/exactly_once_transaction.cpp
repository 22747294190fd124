#include "pipeline/runtime/exactly_once_transaction.h"

#include <optional>

#include "state/changelog/changelog.h"

namespace riskstream {
Result<OutputTransaction::Outcome> ExactlyOnceTransaction::Commit(
    const PartitionOffsets& next_offsets) {
  if (!changelog_produced_) {
    // The pending state changes (input positions included) join the outputs in the transaction.
    for (const auto& record : PendingChangelog(state_)) {
      std::optional<std::string_view> value;
      if (record.value) value = *record.value;
      Status s = producer_.ProduceTo(changelog_topic_, changelog_partition_, record.key, value);
      if (s.ok()) continue;
      if (producer_.fatal()) return s;
      if (Status aborted = Abort(); !aborted.ok()) return aborted.WithContext(s.message());
      return Outcome::kAborted;
    }
    changelog_produced_ = true;
  }
  auto outcome = producer_.Commit(next_offsets, kCommitAttemptTimeoutMs);
  if (!outcome.ok()) {
    if (outcome.status().code() == Status::Code::kUnavailable) return outcome.status();
    return outcome.status().WithContext("commit");
  }
  changelog_produced_ = false;
  if (*outcome == TransactionalProducer::Outcome::kAborted) {
    state_.DiscardPending();
    return Outcome::kAborted;
  }
  // Kafka holds the outputs, positions and changelog; now the local copy catches up. A crash before
  // this write leaves it behind the changelog, which the next start restores.
  if (auto end = producer_.DeliveredEnd(changelog_topic_, changelog_partition_)) {
    state_.SetChangelogPosition(changelog_topic_, changelog_partition_, *end);
  }
  if (Status s = state_.Commit(); !s.ok()) {
    return s.WithContext("writing committed state (the next start restores it from " +
                         changelog_topic_ + ")");
  }
  return Outcome::kCommitted;
}

Status ExactlyOnceTransaction::Abort() {
  if (Status s = producer_.Abort(kCommitAttemptTimeoutMs); !s.ok()) return s;
  changelog_produced_ = false;
  state_.DiscardPending();
  return Status::Ok();
}

void ExactlyOnceTransaction::Discard() {
  state_.DiscardPending();
  changelog_produced_ = false;
  // A fenced or broken producer cannot abort: the next instance's producer does.
  if (!producer_.fatal()) static_cast<void>(producer_.Abort(kCommitAttemptTimeoutMs));
}

}  // namespace riskstream
