#include "pipeline/runtime/at_least_once_transaction.h"

#include <spdlog/spdlog.h>

namespace riskstream {

Result<OutputTransaction::Outcome> AtLeastOnceTransaction::Commit(
    const PartitionOffsets& next_offsets) {
  Status status = sink_.Flush(kCommitAttemptTimeoutMs);
  if (status.code() == Status::Code::kUnavailable) return status;
  if (status.ok()) status = state_.Commit();
  if (!status.ok()) return status.WithContext("commit");
  if (Status s = source_.Commit(next_offsets); !s.ok()) {
    spdlog::warn("{} (state already records the position; continuing)", s.message());
  }
  return Outcome::kCommitted;
}

Status AtLeastOnceTransaction::Abort() {
  state_.DiscardPending();  // what was already produced stays produced
  return Status::Ok();
}

}  // namespace riskstream
