// bench/replay_bench.cpp
//
// Replay throughput: generates a labelled event log once (gzip JSON lines, kept for later runs),
// replays it from the file through the full topology (RunReplay, as `riskstream replay`), and
// prints events/s, the time a 10M-event day would take at that rate, the CPU time used, and where
// the deciding thread's time went, then the machine's own speed (machine_reference.h). Asserts
// nothing. The default config is the target shape, 12 features
// (configs/bench/replay-12.yaml); configs/bench/replay-1.yaml (one feature) is the ceiling of
// everything but the window state; configs/riskstream.yaml is the shipped library.
//
//   build/bench/replay_bench --events 10000000            # the peak day
//   build/bench/replay_bench --events 100000 --config configs/riskstream.yaml
#include <sys/resource.h>
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "bench/machine_reference.h"
#include "common/allocator/bulk_heap.h"
#include "common/byte_size.h"
#include "generator/event_generator.h"
#include "pipeline/replay/replay_runner.h"

namespace {

using namespace riskstream;

// Writes `events` generated events (ground-truth layout) to `path`, gzip-compressed.
bool WriteLog(const std::string& path, int64_t events, uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  EventGenerator generator(options);
  gzFile file = gzopen(path.c_str(), "wb1");
  if (file == nullptr) return false;
  constexpr int64_t kBatch = 10000;
  for (int64_t done = 0; done < events; done += kBatch) {
    std::ostringstream chunk;
    size_t count = static_cast<size_t>(std::min(kBatch, events - done));
    if (!WriteJsonLines(generator, count, chunk, JsonLinesLayout::kWithGroundTruth).ok()) {
      return false;
    }
    std::string text = chunk.str();
    if (gzwrite(file, text.data(), static_cast<unsigned>(text.size())) == 0) return false;
  }
  return gzclose(file) == Z_OK;
}

// What the whole process (every thread) used so far: CPU seconds, and page faults (a first touch
// of each new page of memory is one).
struct Usage {
  double user = 0, system = 0;
  int64_t faults = 0;
};
Usage ProcessUsage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_minflt + usage.ru_majflt};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"riskstream replay throughput"};
  int64_t events = 10'000'000;
  uint64_t seed = 42;
  std::string log, config = std::string(RISKSTREAM_SOURCE_DIR) + "/configs/bench/replay-12.yaml";
  bool features_csv = false;
  app.add_option("-n,--events", events, "Events in the log")->check(CLI::PositiveNumber);
  app.add_option("--log", log, "Log file (made if missing); default /tmp/riskstream-replay-N.gz");
  app.add_option("-c,--config", config,
                 "Pipeline config (features and rules); default: the 12-feature bench config");
  app.add_option("--seed", seed, "Generator seed");
  app.add_flag("--features-csv", features_csv, "Also write features.csv");
  std::string cache_size;
  app.add_option("--cache", cache_size, "Window state cache (e.g. 12GiB); default: the config's")
      ->check(CLI::Validator([](std::string& text) { return ByteSizeError(text); }, "SIZE"));
  CLI11_PARSE(app, argc, argv);
  if (log.empty()) log = "/tmp/riskstream-replay-" + std::to_string(events) + ".jsonl.gz";
  setenv("RISKSTREAM_PII_KEY", "replay-bench-pii-key-0123456789", 0);

  if (!std::filesystem::exists(log)) {
    auto started = std::chrono::steady_clock::now();
    if (!WriteLog(log, events, seed)) {
      std::cerr << "cannot write " << log << "\n";
      return 1;
    }
    std::cerr << "generated " << events << " events into " << log << " in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s\n";
  }
  std::string out = (std::filesystem::temp_directory_path() / "riskstream-replay-bench").string();
  ReplayOptions options;
  options.config_path = config;
  options.inputs = {log};
  options.out_dir = out;
  options.features_csv = features_csv;
  if (!cache_size.empty()) options.cache_bytes = ParseByteSize(cache_size);
  double load_before[1] = {0};
  getloadavg(load_before, 1);
  options.exit_after = true;  // as the command line
  const bool huge_pages = UseBulkHeap();
  const Usage before = ProcessUsage();
  const double stolen_before = bench::StolenCpuSeconds();
  const auto started = std::chrono::steady_clock::now();
  auto totals = RunReplay(options, std::cerr, false);
  const double call_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const Usage after = ProcessUsage();
  const double stolen = bench::StolenCpuSeconds() - stolen_before;
  double load_after[1] = {0};
  getloadavg(load_after, 1);
  std::error_code ignored;
  std::filesystem::remove_all(out, ignored);
  if (!totals.ok()) {
    std::cerr << totals.status().ToString() << "\n";
    return 1;
  }
  const ReplayTotals& t = *totals;
  double rate = static_cast<double>(t.events) / t.seconds;
  std::cout << "replay: " << t.events << " events in " << t.seconds
            << " s = " << static_cast<int64_t>(rate) << " events/s; a 10M-event day would take "
            << static_cast<int64_t>(1e7 / rate) << " s (target 60 s)\n";
  std::cout << "whole call (config, opening and closing state and outputs): " << call_seconds
            << " s\n";
  auto share = [&](double seconds) {
    std::ostringstream text;
    text.precision(1);
    text << std::fixed << seconds << " s (" << 100 * seconds / t.seconds << " %)";
    return text.str();
  };
  std::cout << "deciding thread: waiting for input " << share(t.input_wait_seconds) << ", deciding "
            << share(t.decide_seconds) << ", writing outputs " << share(t.write_seconds)
            << ", committing state " << share(t.commit_seconds) << "\n";
  double per_event_us = 1e6 / static_cast<double>(t.events);
  std::cout.precision(1);
  std::cout << std::fixed << "CPU per event: deciding thread "
            << t.decide_cpu_seconds * per_event_us << " us, reading thread "
            << t.read_cpu_seconds * per_event_us
            << " us (the larger bounds the rate with two free cores: "
            << static_cast<int64_t>(static_cast<double>(t.events) /
                                    std::max(t.decide_cpu_seconds, t.read_cpu_seconds))
            << " events/s)\n";
  const RowCacheStats& cache = t.cache;
  std::cout << "state cache: " << cache.rows << " objects (entities, accounts) in "
            << (cache.bytes >> 20) << " MiB of " << (cache.capacity_bytes >> 20) << " MiB, "
            << 100.0 * static_cast<double>(cache.hits) /
                   static_cast<double>(std::max<uint64_t>(1, cache.hits + cache.misses))
            << " % of lookups hit, " << cache.evictions << " evicted\n";
  std::cout.precision(2);
  const double user = after.user - before.user, system = after.system - before.system;
  std::cout << "CPU: user " << user << " s, system " << system << " s (all threads; "
            << (user + system) / t.seconds << " cores busy); load average " << load_before[0]
            << " at start, " << load_after[0] << " at end; " << stolen
            << " s stolen by the hypervisor (both cores)\n";
  std::cout << "memory: " << after.faults - before.faults << " page faults, huge pages "
            << (huge_pages ? "asked for" : "not available (no tcmalloc)") << "\n";
  // Measured after the replay: memory it frees and takes again at once is written faster, and
  // the replay's figure should not gain from that.
  std::cout << bench::Describe(bench::MeasureMachine()) << "\n";
  return 0;
}
