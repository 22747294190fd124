// pipeline/replay/replay_outputs.h
//
// ReplayOutputs writes what a replay decided into its output directory: decisions.jsonl (one credit
// event per decided input, plus limit_freeze events, as live writes to credit-events),
// shadow-decisions.jsonl when there is a shadow policy (as live writes to the shadow_decisions
// topic), alerts.jsonl (as fraud-alerts),
// optionally features.csv (one row per application or transaction: event_id, then one column per
// feature in declaration order; missing values are empty, text is quoted when it holds a comma,
// a quote or a line break) and rejects.jsonl (one
// line per input that could not be decided: where it came from, the reason code and the error).
// Records are written in processing order, each file by a thread of its own. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "operators/features/feature_spec.h"
#include "pipeline/replay/async_file_writer.h"
#include "pipeline/replay/replay_source.h"
#include "pipeline/topology/decision_topology.h"

namespace riskstream {

class ReplayOutputs {
 public:
  // Creates `dir` if needed and opens the files in it (replacing earlier ones); with
  // `shadow_decisions`, also shadow-decisions.jsonl.
  static Result<std::unique_ptr<ReplayOutputs>> Open(const std::string& dir,
                                                     const std::vector<FeatureSpec>& features,
                                                     bool features_csv, bool shadow_decisions);

  // Writes what processing `record` gave.
  Status Write(const ReplayRecord& record, const ProcessedInput& processed);
  // Writes a reject for `record` that was not processed (it could not be read).
  Status Reject(const ReplayRecord& record, std::string_view reason, std::string_view error);
  // Flushes and closes the files; IoError if any write failed.
  Status Close();

  int64_t decisions() const { return decisions_; }
  int64_t alerts() const { return alerts_; }
  int64_t rejects() const { return rejects_; }
  int64_t shadow_decisions() const { return shadow_decisions_; }

 private:
  ReplayOutputs() = default;

  // Writes `record` and a line break to `file`.
  static Status WriteLine(AsyncFileWriter& file, std::string_view record);

  std::string dir_;
  // Written on threads of their own (AsyncFileWriter); null when not written.
  std::unique_ptr<AsyncFileWriter> decisions_file_, shadow_file_, alerts_file_, features_file_,
      rejects_file_;
  int64_t decisions_ = 0, shadow_decisions_ = 0, alerts_ = 0, rejects_ = 0;
  std::string row_;
};

// One CSV field for a feature value: numbers in shortest round-trip form, text as above, missing
// empty.
void AppendCsvValue(const Value& value, std::string& out);

}  // namespace riskstream
