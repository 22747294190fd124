// riskstream: real-time fraud detection and credit decisions on Kafka.
//
//   riskstream demo            embedded Kafka + generator + pipeline, decisions and alerts shown
//   riskstream run             the pipeline against the brokers in the config (embedded if none)
//   riskstream generate        labelled event streams to a JSON-lines file or to Kafka topics
//   riskstream embedded-kafka  an embedded broker for other clients, until stopped
//   riskstream eval            precision and recall of the policy on the generator's scenarios
//   riskstream replay          historical logs or a Kafka range through the same topology, to files
//   riskstream backtest        the same replay decided by the config's policy and a challenger's
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/allocator/bulk_heap.h"
#include "common/byte_size.h"
#include "generator/event_generator.h"
#include "pipeline/admin/admin_endpoints.h"
#include "pipeline/admin/pipeline_metrics.h"
#include "pipeline/app/demo.h"
#include "pipeline/app/evaluation.h"
#include "pipeline/app/instance.h"
#include "pipeline/backtest/backtest_runner.h"
#include "pipeline/kafka/embedded_kafka.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/replay/replay_runner.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/runtime/stream_runner.h"

namespace {

using namespace riskstream;

std::atomic<bool> g_stop{false};
std::atomic<Instance*> g_instance{nullptr};

void OnSignal(int) {
  g_stop.store(true);
  if (Instance* instance = g_instance.load()) instance->RequestStop();
}

void InstallSignalHandlers() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

int Fail(const Status& status) {
  std::cerr << "riskstream: " << status.ToString() << std::endl;
  return 1;
}

int Run(const std::string& config_path) {
  // From here on SIGTERM/SIGINT stop gracefully, also while the state is being restored.
  InstallSignalHandlers();
  auto config = LoadPipelineConfig(config_path);
  if (!config.ok()) return Fail(config.status());
  auto instance = Instance::Start(*config);
  if (!instance.ok()) return Fail(instance.status());
  g_instance.store(instance->get());
  if (g_stop.load()) (*instance)->RequestStop();  // a signal arrived while starting
  spdlog::info("riskstream running: group {}, state {}, metrics on port {}", config->group_id,
               config->state_dir, (*instance)->metrics_port());
  if ((*instance)->admin_port() != 0) {
    const std::string& address = config->admin_address;
    spdlog::info(
        "admin at http://{}:{}/readyz (also /healthz, /rules, POST /rules/reload, "
        "/state/<feature>/<key>)",
        address.substr(0, address.rfind(':')), (*instance)->admin_port());
  }
  Status status = (*instance)->Run();
  g_instance.store(nullptr);
  spdlog::info("stopped after {} records", (*instance)->runner().processed());
  return status.ok() ? 0 : Fail(status);
}

int Generate(int64_t events, uint64_t seed, double rate, const std::string& out_path,
             const std::string& bootstrap, bool with_truth) {
  GeneratorOptions options;
  options.seed = seed;
  options.events_per_second_event_time = rate;
  if (Status s = options.Validate(); !s.ok()) return Fail(s);
  EventGenerator generator(options);
  if (!bootstrap.empty()) {
    // Kafka's default partitioner (as Java clients), so partitions match state and replay.
    auto sink = KafkaSink::Create(
        bootstrap, {{"client.id", "riskstream-generate"}, {"partitioner", "murmur2_random"}});
    if (!sink.ok()) return Fail(sink.status());
    for (int64_t i = 0; i < events; ++i) {
      GeneratedEvent event = generator.Next();
      if (Status s = (*sink)->Produce(event.topic, event.key, event.json); !s.ok()) return Fail(s);
    }
    if (Status s = (*sink)->Flush(60000); !s.ok()) return Fail(s);
    std::cerr << "produced " << events << " events to " << bootstrap << std::endl;
    return 0;
  }
  auto layout = with_truth ? JsonLinesLayout::kWithGroundTruth : JsonLinesLayout::kEventOnly;
  if (out_path == "-") {
    Status s = WriteJsonLines(generator, static_cast<size_t>(events), std::cout, layout);
    return s.ok() ? 0 : Fail(s);
  }
  std::ofstream file(out_path);
  if (!file) return Fail(Status::IoError("cannot write " + out_path));
  Status s = WriteJsonLines(generator, static_cast<size_t>(events), file, layout);
  return s.ok() ? 0 : Fail(s);
}

int ServeEmbeddedKafka(const std::string& config_path, const std::string& bootstrap_file) {
  auto config = LoadPipelineConfig(config_path);
  if (!config.ok()) return Fail(config.status());
  auto kafka = EmbeddedKafka::Start();
  if (!kafka.ok()) return Fail(kafka.status());
  if (Status s = (*kafka)->CreateTopics(config->topics.All(), config->partitions); !s.ok()) {
    return Fail(s);
  }
  if (!bootstrap_file.empty()) {
    std::ofstream file(bootstrap_file + ".tmp");
    file << (*kafka)->bootstrap_servers() << "\n";
    file.close();
    std::rename((bootstrap_file + ".tmp").c_str(), bootstrap_file.c_str());
  }
  std::cout << (*kafka)->bootstrap_servers() << std::endl;
  InstallSignalHandlers();
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"riskstream: real-time fraud detection and credit decisions on Kafka"};
  app.set_version_flag("--version", RISKSTREAM_VERSION);
  app.require_subcommand(1);
  std::string default_config = "configs/riskstream.yaml";

  std::string run_config = default_config;
  auto* run =
      app.add_subcommand("run", "Run the pipeline (embedded Kafka when no brokers are set)");
  run->add_option("-c,--config", run_config, "Pipeline config file")->check(CLI::ExistingFile);

  DemoOptions demo_options;
  demo_options.config_path = default_config;
  auto* demo = app.add_subcommand("demo", "Embedded Kafka, generated traffic and the pipeline");
  demo->add_option("-c,--config", demo_options.config_path, "Pipeline config file")
      ->check(CLI::ExistingFile);
  demo->add_option("-n,--events", demo_options.events, "Events to generate")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  demo->add_option("-r,--rate", demo_options.events_per_second, "Events per second")
      ->check(CLI::PositiveNumber);
  double demo_seconds = 120;
  demo->add_option("-d,--duration", demo_seconds, "Stop after this many seconds at the latest")
      ->check(CLI::PositiveNumber);
  demo->add_option("--seed", demo_options.seed, "Generator seed");
  demo->add_option("--event-rate", demo_options.event_time_rate,
                   "Generated events per second of event time")
      ->check(CLI::PositiveNumber);
  bool demo_quiet = false;
  demo->add_flag("-q,--quiet", demo_quiet, "Only summary lines");

  int64_t gen_events = 10000;
  uint64_t gen_seed = 42;
  double gen_rate = 50;
  std::string gen_out = "-", gen_bootstrap;
  bool gen_truth = false;
  auto* generate = app.add_subcommand("generate", "Write generated events to a file or Kafka");
  generate->add_option("-n,--events", gen_events, "Events to generate")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  generate->add_option("--seed", gen_seed, "Seed (same seed, same stream)");
  generate->add_option("--event-rate", gen_rate, "Events per second of event time")
      ->check(CLI::PositiveNumber);
  generate->add_option("-o,--out", gen_out, "JSON-lines file, - for stdout");
  generate->add_option("-b,--bootstrap", gen_bootstrap, "Produce to these brokers instead");
  generate->add_flag("--truth", gen_truth, "Wrap each event with its scenario and fraud flag");

  std::string kafka_config = default_config, bootstrap_file;
  auto* embedded = app.add_subcommand("embedded-kafka", "Serve an embedded Kafka until stopped");
  embedded->add_option("-c,--config", kafka_config, "Config naming the topics to create")
      ->check(CLI::ExistingFile);
  embedded->add_option("--bootstrap-file", bootstrap_file, "Write the bootstrap address here");

  EvaluationOptions eval_options;
  eval_options.config_path = default_config;
  auto* eval = app.add_subcommand("eval", "Precision and recall on the generator's scenarios");
  eval->add_option("-c,--config", eval_options.config_path, "Pipeline config file")
      ->check(CLI::ExistingFile);
  eval->add_option("-n,--events", eval_options.events, "Events to generate")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  eval->add_option("--seed", eval_options.seed, "Generator seed");
  eval->add_option("--event-rate", eval_options.event_time_rate, "Events per second of event time")
      ->check(CLI::PositiveNumber);
  eval->add_option("--malformed-every", eval_options.malformed_every, "Truncate every Nth record")
      ->check(CLI::NonNegativeNumber);
  eval->add_option("--records-dir", eval_options.records_dir, "Write every output record here");
  ReplayOptions replay_options;
  replay_options.config_path = default_config;
  std::string replay_from, replay_to, replay_cache;
  const CLI::Validator byte_size([](std::string& text) { return ByteSizeError(text); }, "SIZE");
  const char* const cache_help = "Window state cache (e.g. 12GiB); default: state.cache_bytes";
  auto* replay = app.add_subcommand("replay", "Replay event logs or a Kafka range into files");
  replay->add_option("-c,--config", replay_options.config_path, "Pipeline config file")
      ->check(CLI::ExistingFile);
  replay->add_option("-i,--input", replay_options.inputs, "Logs (.jsonl, .gz) or kafka://BROKERS")
      ->required();
  replay->add_option("--offsets", replay_options.offsets, "Kafka: TOPIC/PARTITION=START-END");
  replay->add_option("--from", replay_from, "Events from this time (RFC 3339 or epoch ms)");
  replay->add_option("--to", replay_to, "Events before this time");
  replay->add_option("-o,--out", replay_options.out_dir, "Output directory")->required();
  replay->add_option("--state-dir", replay_options.state_dir, "State directory (default: fresh)");
  replay->add_flag("--features-csv", replay_options.features_csv, "Also write features.csv");
  replay->add_option("--cache", replay_cache, cache_help)->check(byte_size);

  BacktestOptions backtest_options;
  auto* backtest =
      app.add_subcommand("backtest", "Replay with the config's and a challenger's policy");
  backtest->add_option("-c,--config", backtest_options.replay.config_path, "Champion config")
      ->required()
      ->check(CLI::ExistingFile);
  backtest
      ->add_option("--challenger", backtest_options.challenger_path, "Challenger config or rules")
      ->required()
      ->check(CLI::ExistingFile);
  backtest->add_option("-i,--input", backtest_options.replay.inputs, "Logs or kafka://BROKERS")
      ->required();
  backtest->add_option("--offsets", backtest_options.replay.offsets, "Kafka offset ranges");
  backtest->add_option("--from", replay_from, "Events from this time");
  backtest->add_option("--to", replay_to, "Events before this time");
  backtest->add_option("-o,--out", backtest_options.replay.out_dir, "Output directory")->required();
  backtest->add_option("--cache", replay_cache, cache_help)->check(byte_size);

  CLI11_PARSE(app, argc, argv);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  if (*run) return Run(run_config);
  if (*demo) {
    demo_options.max_duration_ms = static_cast<DurationMs>(demo_seconds * 1000);
    demo_options.print_decisions = !demo_quiet;
    Status status = RunDemo(demo_options, std::cout);
    return status.ok() ? 0 : Fail(status);
  }
  if (*generate) return Generate(gen_events, gen_seed, gen_rate, gen_out, gen_bootstrap, gen_truth);
  if (*embedded) return ServeEmbeddedKafka(kafka_config, bootstrap_file);
  if (*eval) {
    auto result = RunEvaluation(eval_options);
    if (!result.ok()) return Fail(result.status());
    PrintEvaluation(*result, std::cout);
    return 0;
  }
  if (*replay || *backtest) {
    ReplayOptions& range = *replay ? replay_options : backtest_options.replay;
    for (auto [text, out] :
         {std::pair{&replay_from, &range.from}, std::pair{&replay_to, &range.to}}) {
      if (text->empty()) continue;
      auto time = ParseTimestamp(*text);
      if (!time.ok()) return Fail(time.status().WithContext("--from/--to " + *text));
      *out = *time;
    }
    if (!replay_cache.empty()) range.cache_bytes = ParseByteSize(replay_cache);
    range.exit_after = true;
    UseBulkHeap();  // bulk work over a large in-memory state
    bool terminal = isatty(STDERR_FILENO) != 0;
    auto totals = *replay ? RunReplay(replay_options, std::cerr, terminal)
                          : RunBacktest(backtest_options, std::cerr, terminal);
    return totals.ok() ? 0 : Fail(totals.status());
  }
  return 0;
}
