// pipeline/replay/replay_runner.h
//
// RunReplay is `riskstream replay`: it runs historical input (JSON-lines logs, or a Kafka range)
// through the same DecisionTopology as the live pipeline, in the canonical order, into a state
// directory of its own, decides with the same policies (rules, scorecard, credit state, shadow),
// and writes decisions, shadow decisions, alerts, feature vectors and rejects to files (see
// ReplayOutputs). The same input gives byte-identical outputs on every replay, and the outputs a
// live run over the same streams gave, `processing_time` apart (docs/REPLAY.md). A bad input never
// stops a replay: it is rejected with its position and reason.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "pipeline/replay/replay_progress.h"
#include "pipeline/replay/replay_source.h"
#include "pipeline/topology/active_policies.h"
#include "pipeline/topology/decision_topology.h"

namespace riskstream {

// A Kafka input: "kafka://BOOTSTRAP" reads the config's three input topics.
inline constexpr std::string_view kKafkaInputScheme = "kafka://";

struct ReplayOptions {
  std::string config_path;
  std::vector<std::string> inputs;   // log files, or one kafka://BOOTSTRAP
  std::vector<std::string> offsets;  // Kafka only: "TOPIC/PARTITION=START-END" (END exclusive)
  std::optional<TimestampMs> from;   // events with event time >= from
  std::optional<TimestampMs> to;     // events with event time < to
  std::string out_dir;
  std::string state_dir;  // empty: a fresh directory in out_dir, removed afterwards
  bool features_csv = false;
  // Row cache budget for the window state; nullopt: the config's state.cache_bytes. A replay is
  // fastest when the day's entities fit (docs/REPLAY.md).
  std::optional<size_t> cache_bytes;
  // The policies to decide with; null: the config's live and shadow policies, loaded as live loads
  // them (PolicyReloader::ForConfig; no file watcher: a replay decides with one version).
  std::shared_ptr<ActivePolicies> policies;
  // Called for every processed record after its outputs are written (the backtest's hook).
  std::function<void(const ReplayRecord&, const ProcessedInput&)> observer;
  // The process exits soon after the replay (the command line): the in-memory state is left to
  // the exit instead of being freed object by object, which takes seconds for millions of
  // entities (as compilers leave their syntax trees). The state database is still closed.
  bool exit_after = false;
};

// Runs the replay; progress goes to `progress_out` (a live line when `terminal`). Fails on an
// unusable config or input, an unwritable output, or a state read/write failure.
Result<ReplayTotals> RunReplay(const ReplayOptions& options, std::ostream& progress_out,
                               bool terminal);

}  // namespace riskstream
