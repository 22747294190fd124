// pipeline/replay/replay_progress.h
//
// ReplayProgress reports how far a replay is. On a terminal it redraws one status line at most
// four times a second: a bar, the share of input read, events, events/s, the event-time position
// and the ETA (from the share of input bytes read). Elsewhere it prints nothing until Finish(),
// which prints a plain summary. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "common/time.h"
#include "state/cache/row_cache.h"

namespace riskstream {

struct ReplayTotals {
  int64_t events = 0;  // input records processed (decided or rejected)
  int64_t decisions = 0;
  int64_t alerts = 0;
  int64_t rejects = 0;
  int64_t outside_range = 0;    // skipped by --from/--to
  int64_t forced_releases = 0;  // left before every stream could show its next record
  std::optional<TimestampMs> first_event_time, last_event_time;
  double seconds = 0;
  // Where the deciding thread's time went: waiting for the input (read and parsed on another
  // thread), deciding (features, policy, output records), writing the output files, committing
  // state. The rest of `seconds` is setup and bookkeeping.
  double input_wait_seconds = 0, decide_seconds = 0, write_seconds = 0, commit_seconds = 0;
  // CPU time of the deciding thread and of the thread that read and parsed the input.
  double decide_cpu_seconds = 0, read_cpu_seconds = 0;
  // The window state's row cache at the end: how often an entity was found in memory, how many
  // were evicted, how much it held.
  RowCacheStats cache;
};

// CPU seconds the calling thread has used.
double ThreadCpuSeconds();

class ReplayProgress {
 public:
  // `terminal`: draw the live line (normally: stderr is a terminal).
  ReplayProgress(std::ostream& out, bool terminal);

  // Redraws the line if it is time to; `fraction` of the input is read.
  void Update(const ReplayTotals& totals, double fraction);
  // Clears the line and prints the summary.
  void Finish(const ReplayTotals& totals);

  double elapsed_seconds() const;

 private:
  std::ostream& out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace riskstream
