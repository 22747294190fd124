// bench/throughput_run.h
//
// ThroughputRun is what one end-to-end throughput measurement found: how many input records were
// handled, in how much wall and CPU time. The pipeline and the bare Kafka passthrough report one
// each, measured the same way. The clock starts after a warm-up: at least `min_warmup_records`
// records and a completed commit after the first record produced to each output topic (for the
// pipeline: its first decision and its first alert; failing an alert, half of the input). That
// keeps out the consumer-group join (the embedded broker stretches it to seconds) and librdkafka's
// wait for a new output topic's metadata (its first produce to a topic waits up to 1 s for its
// topic scan timer). The clock stops when the last record is handled and its outputs and offsets
// are committed.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdint>

namespace riskstream::bench {

struct ThroughputRun {
  int64_t records = 0;             // input records handled in all
  int64_t warmup_records = 0;      // of them, handled before the clock started
  double startup_seconds = 0;      // clients created until the clock started (not measured)
  double seconds = 0;              // clock start until all handled and committed
  double cpu_seconds = 0;          // process CPU time within `seconds`, embedded broker included
  int64_t rebalances = 0;          // rebalance callbacks: 2 expected (assign, revoke at close)
  int64_t output_drops = 0;        // output partitions the embedded broker already trimmed
  bool late_first_output = false;  // an output topic got its first record after the clock started

  int64_t measured_records() const { return records - warmup_records; }
  double rate() const { return seconds > 0 ? measured_records() / seconds : 0; }
  // Process CPU microseconds per measured record (all threads, the broker's included).
  double cpu_us_per_record() const {
    return measured_records() > 0 ? cpu_seconds * 1e6 / measured_records() : 0;
  }
};

using BenchClock = std::chrono::steady_clock;

// CPU time (user + system) used so far by every thread of this process.
inline double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

inline double SecondsBetween(BenchClock::time_point from, BenchClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace riskstream::bench
