// bench/replay_bench.cpp
//
// Replay throughput: generates a labelled event log once (gzip JSON lines, kept for later runs),
// replays it from the file through the full topology with the config's features and rules, and
// prints events/s and the time a 10M-event day would take at that rate. Asserts nothing.
//
//   build/bench/replay_bench --events 10000000            # the peak day
//   build/bench/replay_bench --events 200000 --log /tmp/replay-200k.jsonl.gz
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "pipeline/replay_runner.h"
#include "tools/event_generator.h"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"riskstream replay throughput"};
  int64_t events = 10'000'000;
  uint64_t seed = 42;
  std::string log, config = std::string(RISKSTREAM_SOURCE_DIR) + "/configs/riskstream.yaml";
  app.add_option("-n,--events", events, "Events in the log")->check(CLI::PositiveNumber);
  app.add_option("--log", log, "Log file (made if missing); default /tmp/riskstream-replay-N.gz");
  app.add_option("-c,--config", config, "Pipeline config (features and rules)");
  app.add_option("--seed", seed, "Generator seed");
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
  auto totals = RunReplay(options, std::cerr, false);
  std::error_code ignored;
  std::filesystem::remove_all(out, ignored);
  if (!totals.ok()) {
    std::cerr << totals.status().ToString() << "\n";
    return 1;
  }
  double rate = static_cast<double>(totals->events) / totals->seconds;
  std::cout << "replay: " << totals->events << " events in " << totals->seconds
            << " s = " << static_cast<int64_t>(rate) << " events/s; a 10M-event day would take "
            << static_cast<int64_t>(1e7 / rate) << " s (target 60 s)\n";
  return 0;
}
