// bench/operators_bench.cpp
//
// Micro benchmarks of the per-record operators, without Kafka: EventParser::Parse on generated
// events, WindowStore::Apply (sliding windows) on a temporary RocksDB with a warm key set,
// RuleSet::Evaluate with configs/rules.yaml, and FeatureEngine::Evaluate with configs/features.yaml
// on generated traffic (where most of the pipeline's time per event goes). They print times; none
// asserts one. The window benchmarks run the same traffic through a 1-minute and a 30-day window:
// the store's cost per event should not grow with the window's length (expiry is incremental, reads
// never scan the window).
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "generator/event_generator.h"
#include "operators/event/event_parser.h"
#include "operators/event/pii_hasher.h"
#include "operators/features/feature_engine.h"
#include "operators/features/feature_spec.h"
#include "operators/policy/expr/value.h"
#include "operators/policy/rule_set.h"
#include "state/db/state_db.h"
#include "state/windows/window_store.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

// StreamRunner's default commit_max_events: the state benchmarks commit as often.
constexpr int kCommitEvery = 2000;

// Skips the benchmark with `status`'s message when it is an error. Returns status.ok().
bool Check(benchmark::State& state, const Status& status) {
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
  return status.ok();
}

const PiiHasher& BenchHasher() {
  static const PiiHasher hasher("riskstream-bench-key-not-for-production");
  return hasher;
}

// The first generated event on `topic` that passes `accept` (the generator's default options).
template <typename Accept>
GeneratedEvent FirstGenerated(const std::string& topic, Accept accept) {
  EventGenerator generator(GeneratorOptions{});
  for (int i = 0; i < 100000; ++i) {
    GeneratedEvent event = generator.Next();
    if (event.topic == topic && accept(event)) return event;
  }
  throw std::runtime_error("the generator produced no matching event on " + topic);
}

GeneratedEvent GeneratedApplication() {
  return FirstGenerated("applications", [](const GeneratedEvent&) { return true; });
}

GeneratedEvent GeneratedWithdrawal() {
  return FirstGenerated("transactions", [](const GeneratedEvent& e) {
    return e.json.find("\"kind\":\"withdrawal\"") != std::string::npos;
  });
}

Event Parsed(const GeneratedEvent& generated) {
  EventParser parser(BenchHasher());
  Event event;
  if (auto error = parser.Parse(generated.json, std::nullopt, event)) {
    throw std::runtime_error("generated event rejected: " + error->message);
  }
  return event;
}

void ParseEvent(benchmark::State& state, const GeneratedEvent& generated) {
  EventParser parser(BenchHasher());
  Event event;
  for (auto _ : state) {
    auto error = parser.Parse(generated.json, std::nullopt, event);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(event);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(generated.json.size()));
  state.counters["json_bytes"] = static_cast<double>(generated.json.size());
}

void BM_ParseApplication(benchmark::State& state) { ParseEvent(state, GeneratedApplication()); }
void BM_ParseTransaction(benchmark::State& state) { ParseEvent(state, GeneratedWithdrawal()); }
BENCHMARK(BM_ParseApplication);
BENCHMARK(BM_ParseTransaction);

// What one window store computes, by the functions it serves: count, sum and avg read the
// aggregate row only; min/max keep an ordered multiset; count_distinct a counted one; last and
// time_since_last look up the previous contribution.
enum class StoreFunction : int64_t { kCountSum = 0, kMinMax = 1, kCountDistinct = 2, kLast = 3 };

WindowSpec SpecFor(StoreFunction function, DurationMs window_ms) {
  WindowSpec spec;
  spec.store_id = 1;
  spec.kind = WindowKind::kSliding;
  spec.size_ms = window_ms;
  spec.allowed_lateness_ms = 10 * kMinuteMs;
  spec.track_distinct = function == StoreFunction::kCountDistinct;
  spec.track_extremes = function == StoreFunction::kMinMax;
  return spec;
}

// Share of the row-cache lookups between two snapshots that hit.
double HitRatio(const RowCacheStats& before, const RowCacheStats& after) {
  const double lookups =
      static_cast<double>(after.hits + after.misses - before.hits - before.misses);
  return lookups == 0 ? 0 : static_cast<double>(after.hits - before.hits) / lookups;
}

StateDbOptions WithCache(int64_t cache_mib) {
  StateDbOptions options;
  options.row_cache_bytes = static_cast<size_t>(cache_mib) << 20;
  return options;
}

// Apply on 1,000 warm keys in event-time order, the way FeatureEngine calls it: the keys take
// turns, each contributing once every `key_every_s`, after 100 events per key of warm-up history.
// The state is committed every 2,000 events, as StreamRunner does by default; the commits are part
// of the measured time. `window_entries` is the mean count the window returned: how much each read
// aggregates without scanning. Args: window length (s), seconds between events of one key, the
// function (StoreFunction), the row cache in MiB (0: off).
void BM_WindowApply(benchmark::State& state) {
  constexpr int kKeys = 1000;
  constexpr int kWarmEventsPerKey = 100;
  const DurationMs window_ms = state.range(0) * kSecondMs;
  const DurationMs step_ms = state.range(1) * kSecondMs / kKeys;
  const auto function = static_cast<StoreFunction>(state.range(2));

  TempDir dir;
  auto db = StateDb::Open(dir.Sub("state"), WithCache(state.range(3)));
  if (!Check(state, db.status())) return;
  WindowStore store(**db, SpecFor(function, window_ms));
  const bool want_previous = function == StoreFunction::kLast;
  std::vector<std::string> keys, values;
  for (int k = 0; k < kKeys; ++k) keys.push_back("device-" + std::to_string(100000 + k));
  for (int v = 0; v < 5; ++v) values.push_back("applicant-" + std::to_string(v));

  TimestampMs t = 1795737600000;
  int64_t n = 0;
  double entries = 0;
  auto apply = [&]() -> bool {
    t += step_ms;
    const WindowContribution contribution{static_cast<double>(n % 97),
                                          values[(n / kKeys) % values.size()]};
    auto result = store.Apply(0, keys[n % kKeys], t, contribution, want_previous);
    if (!Check(state, result.status())) return false;
    entries += static_cast<double>(result->count);
    return ++n % kCommitEvery != 0 || Check(state, (*db)->Commit());
  };
  for (int i = 0; i < kKeys * kWarmEventsPerKey; ++i) {
    if (!apply()) return;
  }
  entries = 0;
  const RowCacheStats before = (*db)->CacheStats();
  for (auto _ : state) {
    if (!apply()) return;
  }
  const RowCacheStats after = (*db)->CacheStats();
  state.SetItemsProcessed(state.iterations());
  state.counters["window_entries"] = entries / static_cast<double>(state.iterations());
  state.counters["cache_hit"] = HitRatio(before, after);
}
// 1 min and 30 d under the same traffic (each key every 20 s): the 1-minute window expires an entry
// with nearly every event, the 30-day one holds every entry so far and expires none yet. Then 30 d
// with each key once a day, long enough that it too expires an entry with every event. Each for
// count/sum with the row cache off and on; then every function against the window length, cache on.
constexpr int64_t kMinuteS = 60, kHourS = 3600, kDayS = 24 * 3600;
BENCHMARK(BM_WindowApply)
    ->ArgNames({"window_s", "key_every_s", "function", "cache_mib"})
    ->Args({kMinuteS, 20, 0, 0})
    ->Args({kMinuteS, 20, 0, 64})
    ->Args({30 * kDayS, 20, 0, 0})
    ->Args({30 * kDayS, 20, 0, 64})
    ->Args({30 * kDayS, kDayS, 0, 0})
    ->Args({30 * kDayS, kDayS, 0, 64})
    ->Unit(benchmark::kMicrosecond);

// Every function against the window length, each key every 1/60 of the window (so every window
// holds about 60 entries and expires one with each event), row cache on.
void WindowLengths(benchmark::internal::Benchmark* b) {
  for (int64_t function = 0; function <= 3; ++function) {
    for (int64_t window_s : {kMinuteS, kHourS, kDayS, 30 * kDayS}) {
      b->Args({window_s, window_s / 60, function, 64});
    }
  }
}
BENCHMARK(BM_WindowApply)->Apply(WindowLengths)->Unit(benchmark::kMicrosecond);

// Resident memory of this process in MiB (whole process: RocksDB memtables and its 64 MiB block
// cache included).
double ResidentMiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// Per-update cost and resident memory against the number of live keys: every key holds one
// aggregate row and its window's entries in RocksDB; the row cache (default 64 MiB) keeps the hot
// ones. Arg: keys. Each key gets one warm event, then updates go round robin over the keys (count
// over 1 h, one event per key per minute). 10M keys run only when RISKSTREAM_BENCH_10M_KEYS=1
// (registered in main; about 1.5 GB of state to write first).
void BM_WindowKeyCount(benchmark::State& state) {
  const int64_t keys = state.range(0);
  TempDir dir;
  auto db = StateDb::Open(dir.Sub("state"));
  if (!Check(state, db.status())) return;
  WindowSpec spec;
  spec.store_id = 2;
  spec.size_ms = kHourMs;
  WindowStore store(**db, spec);
  const DurationMs step_ms = std::max<DurationMs>(1, kMinuteMs / keys);
  TimestampMs t = 1795737600000;
  int64_t n = 0;
  std::string key;
  auto apply = [&]() -> bool {
    t += step_ms;
    key = "account-" + std::to_string(n % keys);
    auto result = store.Apply(0, key, t, WindowContribution{1.0, {}});
    if (!Check(state, result.status())) return false;
    return ++n % kCommitEvery != 0 || Check(state, (*db)->Commit());
  };
  for (int64_t i = 0; i < keys; ++i) {
    if (!apply()) return;
  }
  const RowCacheStats before = (*db)->CacheStats();
  for (auto _ : state) {
    if (!apply()) return;
  }
  const RowCacheStats after = (*db)->CacheStats();
  state.SetItemsProcessed(state.iterations());
  state.counters["rss_mib"] = ResidentMiB();
  state.counters["cache_mib"] = static_cast<double>(after.bytes) / (1 << 20);
  state.counters["cache_hit"] = HitRatio(before, after);
}
BENCHMARK(BM_WindowKeyCount)
    ->ArgName("keys")
    ->Arg(1000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Iterations(200000)
    ->Unit(benchmark::kMicrosecond);

const std::string& ConfigDir() {
  static const std::string dir = RISKSTREAM_SOURCE_DIR "/configs";
  return dir;
}

struct ConfiguredRules {
  std::shared_ptr<const RuleSet> rules;
  size_t feature_count = 0;
};

ConfiguredRules LoadConfiguredRules() {
  const std::string features_file = ConfigDir() + "/features.yaml";
  auto specs =
      ParseFeatureSpecs(YAML::LoadFile(features_file)["features"], features_file, 10 * kMinuteMs);
  if (!specs.ok()) throw std::runtime_error(specs.status().ToString());
  std::vector<std::string> names;
  for (const auto& spec : *specs) names.push_back(spec.name);
  auto rules = RuleSet::LoadFile(ConfigDir() + "/rules.yaml", names);
  if (!rules.ok()) throw std::runtime_error(rules.status().ToString());
  return {*rules, names.size()};
}

// Evaluates configs/rules.yaml on one event with every feature set to the argument: 1 (below the
// thresholds) or 10 (above them; the rules that fire record their inputs). `fired` counts the rules
// that fired; rules on event fields alone may fire either way.
void EvaluateRules(benchmark::State& state, const Event& event) {
  auto [rules, feature_count] = LoadConfiguredRules();
  std::vector<Value> features(feature_count, Value::Number(static_cast<double>(state.range(0))));
  size_t fired = 0;
  for (auto _ : state) {
    RuleOutcome outcome = rules->Evaluate(event, features);
    fired = outcome.fired.size();
    benchmark::DoNotOptimize(outcome);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = static_cast<double>(rules->rules().size());
  state.counters["fired"] = static_cast<double>(fired);
}

void BM_RulesApplication(benchmark::State& state) {
  EvaluateRules(state, Parsed(GeneratedApplication()));
}
void BM_RulesWithdrawal(benchmark::State& state) {
  EvaluateRules(state, Parsed(GeneratedWithdrawal()));
}
BENCHMARK(BM_RulesApplication)->ArgName("features_at")->Arg(1)->Arg(10);
BENCHMARK(BM_RulesWithdrawal)->ArgName("features_at")->Arg(1)->Arg(10);

// Every feature of configs/features.yaml for one generated event, in stream order, on a temporary
// RocksDB warmed with the stream's first 5,000 events; committed every 2,000 events like
// StreamRunner (commits included). One iteration is one event. Arg: the row cache in MiB (0: off).
void BM_FeatureEngineEvaluate(benchmark::State& state) {
  constexpr int kWarmEvents = 5000;
  const std::string features_file = ConfigDir() + "/features.yaml";
  auto specs =
      ParseFeatureSpecs(YAML::LoadFile(features_file)["features"], features_file, 10 * kMinuteMs);
  if (!Check(state, specs.status())) return;
  std::vector<Event> events;
  {
    EventGenerator generator(GeneratorOptions{});
    EventParser parser(BenchHasher());
    const int64_t wanted = kWarmEvents + state.max_iterations;
    while (static_cast<int64_t>(events.size()) < wanted) {
      GeneratedEvent generated = generator.Next();
      Event event;
      if (!parser.Parse(generated.json, std::nullopt, event)) events.push_back(std::move(event));
    }
  }
  TempDir dir;
  auto db = StateDb::Open(dir.Sub("state"), WithCache(state.range(0)));
  if (!Check(state, db.status())) return;
  FeatureEngine engine(**db, *specs, 6);
  size_t next = 0;
  auto evaluate = [&]() -> bool {
    auto features = engine.Evaluate(events[next]);
    if (!Check(state, features.status())) return false;
    benchmark::DoNotOptimize(*features);
    return ++next % kCommitEvery != 0 || Check(state, (*db)->Commit());
  };
  while (next < kWarmEvents) {
    if (!evaluate()) return;
  }
  const RowCacheStats before = (*db)->CacheStats();
  for (auto _ : state) {
    if (!evaluate()) return;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["features"] = static_cast<double>(specs->size());
  state.counters["cache_hit"] = HitRatio(before, (*db)->CacheStats());
}
BENCHMARK(BM_FeatureEngineEvaluate)
    ->ArgName("cache_mib")
    ->Arg(0)
    ->Arg(64)
    ->Iterations(10000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace riskstream

int main(int argc, char** argv) {
  if (const char* ten_million = std::getenv("RISKSTREAM_BENCH_10M_KEYS");
      ten_million != nullptr && std::string(ten_million) == "1") {
    benchmark::RegisterBenchmark("BM_WindowKeyCount", riskstream::BM_WindowKeyCount)
        ->ArgName("keys")
        ->Arg(10'000'000)
        ->Iterations(200000)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
