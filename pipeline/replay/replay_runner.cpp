#include "pipeline/replay/replay_runner.h"

#include <time.h>

#include <chrono>
#include <filesystem>

#include "pipeline/replay/file_replay_source.h"
#include "pipeline/replay/kafka_replay_source.h"
#include "pipeline/replay/read_ahead_replay_source.h"
#include "pipeline/replay/replay_outputs.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/topology/processor.h"

namespace riskstream {
namespace {

Result<std::unique_ptr<ReplaySource>> OpenSource(const ReplayOptions& options,
                                                 const PipelineConfig& config) {
  bool kafka = !options.inputs.empty() && options.inputs[0].starts_with(kKafkaInputScheme);
  if (kafka) {
    if (options.inputs.size() != 1) {
      return Status::InvalidInput("a Kafka input cannot be mixed with other inputs");
    }
    KafkaRange range;
    range.bootstrap_servers = options.inputs[0].substr(kKafkaInputScheme.size());
    range.topics = {config.topics.applications, config.topics.transactions, config.topics.labels};
    range.offsets = options.offsets;
    range.from = options.from;
    range.to = options.to;
    auto source = KafkaReplaySource::Open(range, config.consumer_properties);
    if (!source.ok()) return source.status();
    return std::unique_ptr<ReplaySource>(std::move(*source));
  }
  if (!options.offsets.empty()) return Status::InvalidInput("--offsets needs a kafka:// input");
  auto source = FileReplaySource::Open(options.inputs, config.topics,
                                       static_cast<uint32_t>(config.partitions));
  if (!source.ok()) return source.status();
  return std::unique_ptr<ReplaySource>(std::move(*source));
}

// How often replay looks at the size of its pending batch, and the size at which it writes the
// batch out (its own state) or commits (a kept state directory).
constexpr int64_t kReplayCommitCheckEvents = 1000;
constexpr size_t kReplayMaxPendingBytes = 1 << 20;

// A steady clock that moves by the kernel's tick (4 ms on Debian's kernels) and reads in a few
// nanoseconds instead of about 25: the loop reads it three times per event. Charged as below, a
// phase gets a tick for each tick that ends within it, so over millions of events the phases'
// times are in proportion and their sum is the elapsed time, both to within a tick.
struct TickClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<TickClock>;
  static constexpr bool is_steady = true;
  static time_point now() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return time_point(std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec));
  }
};

// Adds the time since `since` to `seconds` and moves `since` to now.
void ChargeElapsed(TickClock::time_point& since, double& seconds) {
  auto now = TickClock::now();
  seconds += std::chrono::duration<double>(now - since).count();
  since = now;
}

// The wall clock at `at`, read as the replay's start on the wall clock plus the tick clock's time
// since (read anyway for the time accounting): the processing time of a replayed event, to a tick.
class WallClock {
 public:
  WallClock()
      : start_(TickClock::now()),
        wall_start_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()) {}
  TimestampMs AtMs(TickClock::time_point at) const {
    return wall_start_ms_ +
           std::chrono::duration_cast<std::chrono::milliseconds>(at - start_).count();
  }

 private:
  TickClock::time_point start_;
  TimestampMs wall_start_ms_;
};

}  // namespace

Result<ReplayTotals> RunReplay(const ReplayOptions& options, std::ostream& progress_out,
                               bool terminal) {
  auto config = LoadPipelineConfig(options.config_path);
  if (!config.ok()) return config.status();
  auto opened = OpenSource(options, *config);
  if (!opened.ok()) return opened.status();
  bool own_state = options.state_dir.empty();
  std::string state_dir = own_state
                              ? (std::filesystem::path(options.out_dir) / ".replay-state").string()
                              : options.state_dir;
  std::error_code ignored;
  if (own_state) std::filesystem::remove_all(state_dir, ignored);  // fresh: never a past run's
  Result<ReplayTotals> result = [&]() -> Result<ReplayTotals> {
    ProcessorOptions processor_options;
    processor_options.state_dir = state_dir;
    processor_options.cache_bytes = options.cache_bytes;
    processor_options.disable_wal = own_state;  // removed at the end: nothing to recover
    processor_options.emit_features = false;
    processor_options.policies = options.policies;  // nullptr: the config's, watching nothing
    auto processor = Processor::Build(*config, std::move(processor_options));
    if (!processor.ok()) return processor.status();
    DecisionTopology& topology = (*processor)->topology();
    StateDb& state = (*processor)->state();
    // Reading, ordering and parsing run on a second core, ahead of the decisions.
    auto source =
        std::make_unique<ReadAheadReplaySource>(std::move(*opened), &(*processor)->hasher());
    auto outputs = ReplayOutputs::Open(options.out_dir, config->features, options.features_csv,
                                       (*processor)->policies()->Get().shadow != nullptr);
    if (!outputs.ok()) return outputs.status();
    ReplayProgress progress(progress_out, terminal);
    ReplayTotals totals;
    int64_t uncommitted = 0;
    auto clock = TickClock::now();
    const WallClock wall_clock;
    double cpu_at_start = ThreadCpuSeconds();
    while (true) {
      auto next = source->NextItem();
      ChargeElapsed(clock, totals.input_wait_seconds);
      if (!next.ok()) return next.status();
      if (*next == nullptr) break;
      // The next event's fields are fetched from the reading thread's core meanwhile.
      if (const auto* ahead = source->PeekItem()) PrefetchEvent(ahead->parsed.event);
      const ReplayRecord& record = (*next)->record;
      if (record.event_time && ((options.from && *record.event_time < *options.from) ||
                                (options.to && *record.event_time >= *options.to))) {
        ++totals.outside_range;
        continue;
      }
      auto processed = topology.ProcessParsed(record.bytes, (*next)->parsed, record.source,
                                              wall_clock.AtMs(clock));
      if (!processed.ok()) return processed.status().WithContext(record.origin);
      ChargeElapsed(clock, totals.decide_seconds);
      if (Status s = (*outputs)->Write(record, *processed); !s.ok()) return s;
      ChargeElapsed(clock, totals.write_seconds);
      if (options.observer) options.observer(record, *processed);
      ++totals.events;
      if (processed->decision) {
        TimestampMs t = processed->event_time;
        if (!totals.first_event_time || t < *totals.first_event_time) totals.first_event_time = t;
        if (!totals.last_event_time || t > *totals.last_event_time) totals.last_event_time = t;
      }
      // Nothing reads a replay's own state from outside and it is thrown away after a crash, so
      // the pending batch is only written out to keep it (and its indexed reads) small; hot
      // window state stays in the row cache meanwhile. A kept state directory is committed.
      if (++uncommitted >= kReplayCommitCheckEvents) {
        uncommitted = 0;
        if (state.PendingBatchBytes() >= kReplayMaxPendingBytes) {
          Status s = own_state ? state.FlushPendingBatch() : state.Commit();
          if (!s.ok()) return s;
        }
        ChargeElapsed(clock, totals.commit_seconds);
      }
      totals.decisions = (*outputs)->decisions();
      totals.alerts = (*outputs)->alerts();
      totals.rejects = (*outputs)->rejects();
      progress.Update(totals, source->Progress());  // charged with the wait for the next input
    }
    if (!own_state) {  // a kept state directory holds everything replayed
      if (Status s = state.Commit(); !s.ok()) return s;
    }
    ChargeElapsed(clock, totals.commit_seconds);
    if (Status s = (*outputs)->Close(); !s.ok()) return s;
    ChargeElapsed(clock, totals.write_seconds);
    totals.decisions = (*outputs)->decisions();
    totals.alerts = (*outputs)->alerts();
    totals.rejects = (*outputs)->rejects();
    totals.forced_releases = source->ForcedReleases();
    totals.decide_cpu_seconds = ThreadCpuSeconds() - cpu_at_start;
    totals.read_cpu_seconds = source->reader_cpu_seconds();
    totals.cache = state.CacheStats();
    totals.seconds = progress.elapsed_seconds();
    progress.Finish(totals);
    if (options.exit_after) {  // deliberately unfreed: the exit takes the memory back at once
      (*processor)->AbandonMemoryAtExit();
    }
    return totals;
  }();
  if (own_state) std::filesystem::remove_all(state_dir, ignored);
  return result;
}

}  // namespace riskstream
