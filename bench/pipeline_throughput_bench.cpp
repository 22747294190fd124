// bench/pipeline_throughput_bench.cpp
//
// End-to-end throughput of riskstream against its ceiling, in one process and one run: starts the
// embedded broker, produces N generated events once, then alternates (a) the pipeline (StreamRunner
// with the given config, a fresh state directory and consumer group each time) and (b) a bare
// librdkafka passthrough (bench/kafka_passthrough.h) over the same N input records, each writing to
// fresh output topics. Prints every run, the medians and the ratio pipeline/passthrough. It asserts
// no speed: numbers depend on the machine and what else runs on it. See docs/BENCHMARKS.md.
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/kafka_passthrough.h"
#include "bench/throughput_run.h"
#include "generator/event_generator.h"
#include "pipeline/admin/pipeline_metrics.h"
#include "pipeline/kafka/embedded_kafka.h"
#include "pipeline/kafka/kafka_connector.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/runtime/stream_runner.h"
#include "tests/support/temp_dir.h"

namespace riskstream::bench {
namespace {

struct BenchOptions {
  std::string config_path = RISKSTREAM_SOURCE_DIR "/configs/riskstream.yaml";
  int64_t events = 20000;
  int partitions = 6;
  int repeat = 3;
  uint64_t seed = 42;
  double event_rate = 50;  // generated events per second of event time
  DurationMs session_timeout_ms = 6000;
  int64_t min_warmup_records = -1;  // -1: the config's commit_max_events
  DurationMs run_timeout_ms = 300 * kSecondMs;
};

// What the loaded input looks like, for the report and the retention check.
struct InputSummary {
  std::map<std::string, int64_t> records_by_topic;
  int64_t bytes = 0;
  int64_t largest_partition_bytes = 0;
};

struct DeliveredBytes : public RdKafka::DeliveryReportCb {
  std::map<std::pair<std::string, int32_t>, int64_t> by_partition;
  int64_t failed = 0;
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      ++failed;
      return;
    }
    by_partition[{message.topic_name(), message.partition()}] +=
        static_cast<int64_t>(message.len() + message.key_len());
  }
};

// Creates a plain producer for loading input and querying watermarks.
Result<std::unique_ptr<RdKafka::Producer>> MakeProducer(const std::string& bootstrap,
                                                        RdKafka::DeliveryReportCb* reports) {
  auto conf = MakeKafkaConf({{"bootstrap.servers", bootstrap},
                             {"linger.ms", "20"},
                             {"compression.type", "lz4"},
                             {"client.id", "bench-loader"}},
                            {});
  if (!conf.ok()) return conf.status();
  std::string error;
  if (reports != nullptr && (*conf)->set("dr_cb", reports, error) != RdKafka::Conf::CONF_OK) {
    return Status::KafkaError("loader delivery callback: " + error);
  }
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf->get(), error));
  if (!producer) return Status::KafkaError("loader producer: " + error);
  return producer;
}

// Partitions of `topics` whose oldest records the embedded broker already dropped (low watermark
// above 0), and the total number of records they hold.
Result<std::pair<int64_t, int64_t>> TrimmedPartitionsAndRecords(
    RdKafka::Producer& client, const std::vector<std::string>& topics, int partitions) {
  int64_t trimmed = 0, records = 0;
  for (const auto& topic : topics) {
    for (int32_t p = 0; p < partitions; ++p) {
      int64_t low = 0, high = 0;
      auto err = client.query_watermark_offsets(topic, p, &low, &high, 10000);
      if (err != RdKafka::ERR_NO_ERROR) {
        return Status::KafkaError("watermarks of " + topic + "/" + std::to_string(p) + ": " +
                                  RdKafka::err2str(err));
      }
      trimmed += low > 0;
      records += high;
    }
  }
  return std::make_pair(trimmed, records);
}

// Produces `options.events` generated events to the input topics and checks the broker kept all.
Result<InputSummary> LoadInput(const BenchOptions& options, const std::string& bootstrap,
                               const std::vector<std::string>& input_topics) {
  DeliveredBytes delivered;
  auto producer = MakeProducer(bootstrap, &delivered);
  if (!producer.ok()) return producer.status();
  GeneratorOptions generator_options;
  generator_options.seed = options.seed;
  generator_options.events_per_second_event_time = options.event_rate;
  EventGenerator generator(generator_options);
  InputSummary summary;
  for (int64_t i = 0; i < options.events; ++i) {
    GeneratedEvent event = generator.Next();
    while (true) {
      auto err = (*producer)->produce(
          event.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          event.json.data(), event.json.size(), event.key.data(), event.key.size(), 0, nullptr);
      if (err == RdKafka::ERR_NO_ERROR) break;
      if (err != RdKafka::ERR__QUEUE_FULL) {
        return Status::KafkaError("loading " + event.topic + ": " + RdKafka::err2str(err));
      }
      (*producer)->poll(50);
    }
    ++summary.records_by_topic[event.topic];
  }
  if ((*producer)->flush(60000) != RdKafka::ERR_NO_ERROR || delivered.failed > 0) {
    return Status::KafkaError("loading: " + std::to_string(delivered.failed) +
                              " input records not delivered");
  }
  for (const auto& [partition, bytes] : delivered.by_partition) {
    summary.bytes += bytes;
    summary.largest_partition_bytes = std::max(summary.largest_partition_bytes, bytes);
  }
  auto kept = TrimmedPartitionsAndRecords(**producer, input_topics, options.partitions);
  if (!kept.ok()) return kept.status();
  if (kept->first > 0 || kept->second != options.events) {
    return Status::InvalidConfig("the embedded broker kept " + std::to_string(kept->second) +
                                 " of " + std::to_string(options.events) +
                                 " input records (it keeps about 5 MiB per partition): " +
                                 "use more --partitions or fewer --events");
  }
  return summary;
}

double CounterValue(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if ((family.name == name || family.name + "_total" == name) && !family.metric.empty()) {
      const auto& metric = family.metric.front();
      return family.type == prometheus::MetricType::Gauge ? metric.gauge.value
                                                          : metric.counter.value;
    }
  }
  return 0;
}

struct PipelineTally {
  std::map<std::string, int64_t> decisions;
  int64_t alerts = 0;
  int64_t dead_letters = 0;
  int64_t first_alert_record = 0;  // 1-based; 0: none
  std::map<std::string, int64_t> alerts_by_rule;
};

// One pipeline run: a fresh state directory, consumer group and output topics named after `run`.
Result<ThroughputRun> RunPipeline(const BenchOptions& options, const PipelineConfig& base,
                                  EmbeddedKafka& kafka, RdKafka::Producer& watermark_client,
                                  int run_number, PipelineTally& tally) {
  const std::string suffix = "-run" + std::to_string(run_number);
  TempDir state_dir;
  PipelineConfig config = base;
  config.state_dir = state_dir.Sub("state");
  config.group_id = "bench-pipeline" + suffix;
  config.metrics_address = "";
  config.partitions = options.partitions;
  config.topics.credit_events += suffix;
  config.topics.fraud_alerts += suffix;
  config.topics.dead_letter += suffix;
  const std::vector<std::string> outputs = {config.topics.credit_events, config.topics.fraud_alerts,
                                            config.topics.dead_letter};
  for (const auto& topic : outputs) {
    if (Status s = kafka.CreateTopic(topic, options.partitions); !s.ok()) return s;
  }
  config.consumer_properties["session.timeout.ms"] = std::to_string(options.session_timeout_ms);

  auto metrics = PipelineMetrics::Create("");
  if (!metrics.ok()) return metrics.status();
  prometheus::Registry& registry = (*metrics)->registry();
  const auto started = BenchClock::now();
  auto created = CreateKafkaRunner(config, kafka.bootstrap_servers(), **metrics);
  if (!created.ok()) return created.status();
  StreamRunner& runner = **created;

  // The runner thread starts the clock after the warm-up (see ThroughputRun) and marks the last
  // record; the watcher sees the commit after it. StreamRunner counts a commit only once outputs,
  // state and offsets are all written.
  auto commits = [&] { return CounterValue(registry, "riskstream_commits_total"); };
  ThroughputRun run;
  std::mutex mutex;
  std::condition_variable changed;
  bool all_handled = false, run_done = false, clock_running = false;
  bool alerted = false, dead_lettered = false;
  double commits_before_last = 0, commits_before_warm = 0;
  int64_t handled = 0;
  BenchClock::time_point clock_started, committed;
  double cpu_at_start = 0, committed_cpu = 0;
  runner.SetObserver([&](const ProcessedInput& input) {
    ++handled;
    const bool alert = input.decision && !input.outcome->fired.empty();
    const bool dead_letter = !input.decision;
    if (input.decision) ++tally.decisions[std::string(ToString(*input.decision))];
    tally.alerts += alert;
    if (alert) {
      for (const auto& fired : input.outcome->fired) ++tally.alerts_by_rule[fired.rule->id];
    }
    tally.dead_letters += dead_letter;
    // The first record to an output topic makes librdkafka fetch the topic's metadata; the topic
    // is warm once a commit (which waits for delivery) has followed it.
    if (handled == 1 || (alert && !alerted) || (dead_letter && !dead_lettered)) {
      if (clock_running) {
        run.late_first_output = true;
      } else {
        commits_before_warm = commits();
      }
    }
    if (alert && !alerted) tally.first_alert_record = handled;
    alerted = alerted || alert;
    dead_lettered = dead_lettered || dead_letter;
    // Alerts are rarer than decisions: wait for the first one too, or for half of the input.
    if (!clock_running && handled > options.min_warmup_records &&
        (alerted || handled > options.events / 2) && commits() > commits_before_warm) {
      clock_running = true;
      run.warmup_records = handled;
      clock_started = BenchClock::now();
      cpu_at_start = ProcessCpuSeconds();
    }
    if (handled == options.events) {
      commits_before_last = commits();
      {
        std::lock_guard lock(mutex);
        all_handled = true;
      }
      changed.notify_all();
      runner.RequestStop();
    }
  });
  std::thread watcher([&] {
    std::unique_lock lock(mutex);
    const auto deadline = started + std::chrono::milliseconds(options.run_timeout_ms);
    if (!changed.wait_until(lock, deadline, [&] { return all_handled || run_done; })) {
      runner.RequestStop();
      return;
    }
    if (run_done) return;
    lock.unlock();
    // Polls only between the last record and its commit: a few milliseconds.
    while (commits() <= commits_before_last) {
      std::unique_lock check(mutex);
      if (run_done) return;
      check.unlock();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    committed = BenchClock::now();
    committed_cpu = ProcessCpuSeconds();
  });
  Status status = runner.Run();
  {
    std::lock_guard lock(mutex);
    run_done = true;
  }
  changed.notify_all();
  watcher.join();
  if (!status.ok()) return status;
  if (handled < options.events || committed_cpu == 0) {
    return Status::Unavailable("pipeline run " + std::to_string(run_number) + ": " +
                               std::to_string(handled) + " of " + std::to_string(options.events) +
                               " records handled and committed before the timeout");
  }
  if (!clock_running) {
    return Status::InvalidConfig("pipeline: all records were warm-up; raise --events");
  }
  run.records = handled;
  run.startup_seconds = SecondsBetween(started, clock_started);
  run.seconds = SecondsBetween(clock_started, committed);
  run.cpu_seconds = committed_cpu - cpu_at_start;
  run.rebalances = static_cast<int64_t>(CounterValue(registry, "riskstream_rebalances"));
  auto kept = TrimmedPartitionsAndRecords(watermark_client, outputs, options.partitions);
  if (!kept.ok()) return kept.status();
  run.output_drops = kept->first;
  return run;
}

Result<ThroughputRun> RunPassthrough(const BenchOptions& options, const PipelineConfig& config,
                                     EmbeddedKafka& kafka, RdKafka::Producer& watermark_client,
                                     int run_number) {
  PassthroughOptions passthrough;
  passthrough.bootstrap_servers = kafka.bootstrap_servers();
  passthrough.group_id = "bench-passthrough-run" + std::to_string(run_number);
  passthrough.input_topics = {config.topics.applications, config.topics.transactions,
                              config.topics.labels};
  passthrough.output_topic = "passthrough-run" + std::to_string(run_number);
  if (Status s = kafka.CreateTopic(passthrough.output_topic, options.partitions); !s.ok()) return s;
  passthrough.records = options.events;
  passthrough.commit_interval_ms = config.commit_interval_ms;
  passthrough.commit_max_events = config.commit_max_events;
  passthrough.min_warmup_records = options.min_warmup_records;
  passthrough.consumer_properties = config.consumer_properties;
  passthrough.consumer_properties["session.timeout.ms"] =
      std::to_string(options.session_timeout_ms);
  passthrough.producer_properties = config.producer_properties;
  passthrough.timeout_ms = options.run_timeout_ms;
  auto run = RunKafkaPassthrough(passthrough);
  if (!run.ok()) return run;
  auto kept =
      TrimmedPartitionsAndRecords(watermark_client, {passthrough.output_topic}, options.partitions);
  if (!kept.ok()) return kept.status();
  run->output_drops = kept->first;
  return run;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n == 0 ? 0 : n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string FirstLineOf(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

std::string MachineLine() {
  std::string model = FirstLineOf("/proc/cpuinfo", "model name");
  if (auto colon = model.find(':'); colon != std::string::npos) model = model.substr(colon + 2);
  std::ifstream loadavg("/proc/loadavg");
  double l1 = 0, l5 = 0, l15 = 0;
  loadavg >> l1 >> l5 >> l15;
  std::ostringstream out;
  out << "nproc=" << std::thread::hardware_concurrency() << ", " << model << ", load average " << l1
      << " " << l5 << " " << l15;
  return out.str();
}

void PrintRun(int run_number, const char* mode, const ThroughputRun& run, std::string note) {
  if (run.late_first_output) {
    note +=
        " [an output topic's first record came after the warm-up: up to 1 s of metadata wait "
        "is in this run]";
  }
  if (run.output_drops > 0) {
    note += " [the broker trimmed " + std::to_string(run.output_drops) + " output partitions]";
  }
  if (run.rebalances != 2) note += " [rebalanced during the run]";
  std::printf("%-4d %-12s %8lld %8lld %8.3f %9.0f %8.1f %8.2f %5lld  %s\n", run_number, mode,
              static_cast<long long>(run.warmup_records),
              static_cast<long long>(run.measured_records()), run.seconds, run.rate(),
              run.cpu_us_per_record(), run.startup_seconds, static_cast<long long>(run.rebalances),
              note.c_str());
  std::fflush(stdout);
}

int Main(BenchOptions options) {
  spdlog::set_level(spdlog::level::warn);
  auto loaded = LoadPipelineConfig(options.config_path);
  if (!loaded.ok()) {
    std::cerr << loaded.status().ToString() << std::endl;
    return 1;
  }
  PipelineConfig config = std::move(*loaded);
  config.partitions = options.partitions;
  if (options.min_warmup_records < 0) options.min_warmup_records = config.commit_max_events;
  if (options.min_warmup_records >= options.events - 1) {
    std::cerr << "--events must exceed the warm-up of " << options.min_warmup_records
              << " records by more than 1" << std::endl;
    return 1;
  }
  if (std::getenv(config.pii_key_env.c_str()) == nullptr) {
    setenv(config.pii_key_env.c_str(), "riskstream-bench-key-not-for-production", 1);
  }

  auto kafka = EmbeddedKafka::Start();
  if (!kafka.ok()) {
    std::cerr << kafka.status().ToString() << std::endl;
    return 1;
  }
  const std::vector<std::string> inputs = {config.topics.applications, config.topics.transactions,
                                           config.topics.labels};
  for (const auto& topic : inputs) {
    if (Status s = (*kafka)->CreateTopic(topic, options.partitions); !s.ok()) {
      std::cerr << s.ToString() << std::endl;
      return 1;
    }
  }
  auto watermark_client = MakeProducer((*kafka)->bootstrap_servers(), nullptr);
  auto input = LoadInput(options, (*kafka)->bootstrap_servers(), inputs);
  if (!watermark_client.ok() || !input.ok()) {
    std::cerr << (input.ok() ? watermark_client.status() : input.status()).ToString() << std::endl;
    return 1;
  }

  std::printf("riskstream end-to-end throughput: pipeline vs bare librdkafka passthrough\n");
  std::printf("machine: %s\n", MachineLine().c_str());
  std::printf("broker:  embedded librdkafka %s mock cluster, 1 broker, in this process\n",
              RdKafka::version_str().c_str());
  std::printf("input:   N=%lld events (", static_cast<long long>(options.events));
  for (const auto& [topic, count] : input->records_by_topic) {
    std::printf("%s=%lld ", topic.c_str(), static_cast<long long>(count));
  }
  std::printf("), %.2f MB, %d partitions per topic, largest partition %.2f MiB of the mock's ~5\n",
              input->bytes / 1e6, options.partitions, input->largest_partition_bytes / 1048576.0);
  std::printf("config:  %s (%zu features), commit every %lld ms or %d events, seed %llu\n",
              options.config_path.c_str(), config.features.size(),
              static_cast<long long>(config.commit_interval_ms), config.commit_max_events,
              static_cast<unsigned long long>(options.seed));
  std::printf(
      "clock:   starts after at least %lld warm-up records and a commit after the first "
      "record to each output topic (see bench/throughput_run.h)\n\n",
      static_cast<long long>(options.min_warmup_records));
  std::printf("%-4s %-12s %8s %8s %8s %9s %8s %8s %5s  %s\n", "run", "mode", "warm-up", "measured",
              "seconds", "events/s", "cpu us/e", "start s", "rebal", "outputs");

  std::vector<double> pipeline_rates, passthrough_rates;
  for (int i = 1; i <= options.repeat; ++i) {
    PipelineTally tally;
    auto pipeline = RunPipeline(options, config, **kafka, **watermark_client, i, tally);
    if (!pipeline.ok()) {
      std::cerr << "pipeline: " << pipeline.status().ToString() << std::endl;
      return 1;
    }
    std::string note;
    for (const auto& [decision, count] : tally.decisions) {
      note += decision + "=" + std::to_string(count) + " ";
    }
    note += "alerted=" + std::to_string(tally.alerts) + " (first at record " +
            std::to_string(tally.first_alert_record) +
            ") dead_letters=" + std::to_string(tally.dead_letters);
    PrintRun(i, "pipeline", *pipeline, note);
    std::string rules = "     rules fired:";
    for (const auto& [rule, count] : tally.alerts_by_rule) {
      rules += " " + rule + "=" + std::to_string(count);
    }
    std::printf("%s\n", rules.c_str());
    pipeline_rates.push_back(pipeline->rate());

    auto passthrough = RunPassthrough(options, config, **kafka, **watermark_client, i);
    if (!passthrough.ok()) {
      std::cerr << "passthrough: " << passthrough.status().ToString() << std::endl;
      return 1;
    }
    PrintRun(i, "passthrough", *passthrough, "copied");
    passthrough_rates.push_back(passthrough->rate());
  }

  const double pipeline_median = Median(pipeline_rates);
  const double passthrough_median = Median(passthrough_rates);
  std::printf("\nmedian of %d: pipeline %.0f events/s, passthrough %.0f events/s\n", options.repeat,
              pipeline_median, passthrough_median);
  std::printf("ratio pipeline/passthrough: %.2f (medians); per run:",
              pipeline_median / passthrough_median);
  for (size_t i = 0; i < pipeline_rates.size(); ++i) {
    std::printf(" %.2f", pipeline_rates[i] / passthrough_rates[i]);
  }
  std::printf("\nmachine at the end: %s\n", MachineLine().c_str());
  return 0;
}

}  // namespace
}  // namespace riskstream::bench

int main(int argc, char** argv) {
  riskstream::bench::BenchOptions options;
  CLI::App app{"End-to-end throughput of riskstream vs a bare librdkafka passthrough"};
  app.add_option("-c,--config", options.config_path, "Pipeline config file")
      ->check(CLI::ExistingFile);
  app.add_option("-n,--events", options.events, "Generated input events")
      ->check(CLI::Range(int64_t{2}, int64_t{1} << 40));
  app.add_option("-p,--partitions", options.partitions, "Partitions of every topic")
      ->check(CLI::Range(1, 1024));
  app.add_option("-r,--repeat", options.repeat, "Runs of each mode")->check(CLI::Range(1, 100));
  app.add_option("--seed", options.seed, "Generator seed");
  app.add_option("--event-rate", options.event_rate, "Generated events per second of event time")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.min_warmup_records,
                 "Records at least before the clock starts (default: commit_max_events)")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  return riskstream::bench::Main(options);
}
