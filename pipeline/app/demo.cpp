#include "pipeline/app/demo.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "generator/event_generator.h"
#include "pipeline/app/instance.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/runtime/pipeline_config.h"

namespace riskstream {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Generous upper bound of the bytes one event leaves on its busiest topic (its decision record).
constexpr size_t kBytesPerEventEstimate = 1100;

struct GroundTruth {
  std::mutex mutex;
  std::unordered_map<std::string, std::pair<std::string, bool>> by_event_id;  // scenario, fraud

  void Record(const GeneratedEvent& event, std::string event_id) {
    std::lock_guard lock(mutex);
    by_event_id.emplace(std::move(event_id), std::make_pair(event.scenario, event.fraud));
  }
  std::pair<std::string, bool> Find(const std::string& event_id) {
    std::lock_guard lock(mutex);
    auto it = by_event_id.find(event_id);
    return it == by_event_id.end() ? std::make_pair(std::string("?"), false) : it->second;
  }
};

std::string ExtractEventId(const std::string& json) {
  auto at = json.find("\"event_id\":\"");
  if (at == std::string::npos) return "";
  at += 12;
  return json.substr(at, json.find('"', at) - at);
}

struct Tally {
  int64_t decided = 0, dead_letters = 0, late = 0;
  int64_t limits_granted = 0, freezes = 0;
  double limit_total = 0;
  std::map<std::string, int64_t> decisions, alerts_by_rule;
  int64_t alerted = 0, alerted_fraud = 0, fraud_events = 0;
};

void PrintSummary(std::ostream& out, double seconds, const Tally& tally, int64_t produced) {
  out << "[" << std::fixed;
  out.precision(1);
  out << seconds << "s] produced " << produced << ", decided " << tally.decided << " ("
      << static_cast<int64_t>(seconds > 0 ? tally.decided / seconds : 0) << "/s)";
  for (const auto& [decision, count] : tally.decisions) out << " " << decision << "=" << count;
  out << " | dead letters " << tally.dead_letters << " | alerts by rule:";
  if (tally.alerts_by_rule.empty()) out << " none";
  for (const auto& [rule, count] : tally.alerts_by_rule) out << " " << rule << "=" << count;
  out << std::endl;
}

}  // namespace

Status RunDemo(const DemoOptions& options, std::ostream& out) {
  auto loaded = LoadPipelineConfig(options.config_path);
  if (!loaded.ok()) return loaded.status();
  PipelineConfig config = std::move(*loaded);

  const size_t cap =
      config.partitions * (kEmbeddedKafkaPartitionBytes * 8 / 10) / kBytesPerEventEstimate;
  if (static_cast<size_t>(options.events) > cap) {
    return Status::InvalidConfig(
        "the demo keeps below the embedded broker's 5 MiB per partition: at most " +
        std::to_string(cap) + " events with " + std::to_string(config.partitions) +
        " partitions (raise topics.partitions or use a real broker)");
  }
  if (std::getenv(config.pii_key_env.c_str()) == nullptr) {
    setenv(config.pii_key_env.c_str(), "riskstream-demo-key-not-for-production", 1);
    out << "note: " << config.pii_key_env
        << " is not set; the demo hashes PII with a fixed demo key" << std::endl;
  }

  // The demo always runs on a new embedded broker, whose offsets mean nothing to older state:
  // start from fresh state.
  config.bootstrap_servers.clear();
  fs::path state_dir = fs::temp_directory_path() / ("riskstream-demo-" + std::to_string(getpid()));
  fs::remove_all(state_dir);
  config.state_dir = state_dir.string();
  config.consumer_properties.emplace("session.timeout.ms", "6000");
  const auto& t = config.topics;

  InstanceOptions instance_options;
  instance_options.free_ports_when_taken = true;
  instance_options.notes = &out;
  auto instance = Instance::Start(config, instance_options);
  if (!instance.ok()) return instance.status();
  const std::string& bootstrap = (*instance)->bootstrap_servers();
  out << "embedded Kafka at " << bootstrap << " (try: kcat -b " << bootstrap << " -C -t "
      << t.fraud_alerts << ")" << std::endl;
  out << "metrics at http://127.0.0.1:" << (*instance)->metrics_port() << "/metrics" << std::endl;
  if ((*instance)->admin_port() != 0) {
    out << "admin at http://127.0.0.1:" << (*instance)->admin_port()
        << "/readyz (also /healthz, /rules, /state/<feature>/<key>)" << std::endl;
  }

  auto producer = KafkaSink::Create(bootstrap, {{"client.id", "demo-generator"}});
  if (!producer.ok()) return producer.status();

  GroundTruth truth;
  std::atomic<int64_t> produced{0};
  std::atomic<bool> producing_done{false};
  std::atomic<bool> stop_generating{false};
  std::atomic<int64_t> handled{0};
  Status producer_status;
  std::thread generator_thread([&] {
    GeneratorOptions generator_options;
    generator_options.seed = options.seed;
    generator_options.events_per_second_event_time = options.event_time_rate;
    EventGenerator generator(generator_options);
    auto started = Clock::now();
    for (int64_t i = 0; i < options.events && !stop_generating.load(); ++i) {
      GeneratedEvent event = generator.Next();
      truth.Record(event, ExtractEventId(event.json));
      std::string value = event.json;
      if (options.malformed_every > 0 &&
          i % options.malformed_every == options.malformed_every - 1) {
        value = value.substr(0, value.size() / 2);  // a truncated record: must be dead-lettered
      }
      producer_status = (*producer)->Produce(event.topic, event.key, value);
      if (!producer_status.ok()) break;
      produced.fetch_add(1);
      auto due = started + std::chrono::microseconds(
                               static_cast<int64_t>((i + 1) * 1e6 / options.events_per_second));
      if (due > Clock::now()) {
        (*producer)->Poll();
        std::this_thread::sleep_until(due);  // pacing the generator, not synchronisation
      }
    }
    if (producer_status.ok()) producer_status = (*producer)->Flush(30000);
    producing_done.store(true);
  });

  Tally tally;
  auto started = Clock::now();
  auto next_summary = started + std::chrono::seconds(2);
  StreamRunner& stream = (*instance)->runner();
  stream.SetObserver([&](const ProcessedInput& input) {
    if (!input.decision) {
      ++tally.dead_letters;
      if (options.print_decisions) {
        out << "DEAD-LETTER " << ToString(*input.rejection) << std::endl;
      }
    } else {
      ++tally.decided;
      ++tally.decisions[std::string(ToString(*input.decision))];
      auto [scenario, fraud] = truth.Find(input.event->event_id);
      tally.fraud_events += fraud && input.event->type != EventType::kLabel;
      const PolicyDecision& policy = *input.policy;
      if (policy.limit_granted) {
        ++tally.limits_granted;
        tally.limit_total += *policy.limit_granted;
        // Every 50th granted limit, so approvals show without flooding the screen.
        if (options.print_decisions && tally.limits_granted % 50 == 1) {
          out << "DECISION application " << input.event->event_id
              << " -> approve score=" << policy.score->score << " limit=" << *policy.limit_granted
              << " truth=" << scenario << std::endl;
        }
      }
      if (policy.freeze_reason) {
        ++tally.freezes;
        if (options.print_decisions) {
          out << "LIMIT-FREEZE " << input.event->account_id << " " << *policy.freeze_reason
              << " limit=" << policy.account->limit << " truth=" << scenario << std::endl;
        }
      }
      if (!input.outcome->fired.empty()) {
        ++tally.alerted;
        tally.alerted_fraud += fraud;
        std::string rules;
        for (const auto& fired : input.outcome->fired) {
          ++tally.alerts_by_rule[fired.rule->id];
          std::string values;
          for (const auto& [name, value] : fired.inputs) {
            values += (values.empty() ? "" : ", ") + name + "=" + value.ToString();
          }
          rules += (rules.empty() ? "" : " ") + fired.rule->id + "(" + values + ")";
        }
        if (options.print_decisions) {
          out << "ALERT " << ToString(*input.outcome->alert_severity) << " "
              << ToString(input.event->type) << " " << input.event->event_id << " -> "
              << ToString(*input.decision) << " [" << rules << "] truth=" << scenario << std::endl;
        }
      }
    }
    if (Clock::now() >= next_summary) {
      PrintSummary(out, std::chrono::duration<double>(Clock::now() - started).count(), tally,
                   produced.load());
      next_summary += std::chrono::seconds(2);
    }
    handled.fetch_add(1);
  });
  // Stops the pipeline once every produced record is decided, or when the time is up.
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    const auto deadline = started + std::chrono::milliseconds(options.max_duration_ms);
    while (!finished.load()) {
      if ((producing_done.load() && handled.load() >= produced.load()) ||
          Clock::now() >= deadline) {
        stop_generating.store(true);
        stream.RequestStop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  Status status = stream.Run();
  finished.store(true);
  stop_generating.store(true);
  watchdog.join();
  generator_thread.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  PrintSummary(out, seconds, tally, produced.load());
  out << "alerts on " << tally.alerted << " events, " << tally.alerted_fraud
      << " of them from generated fraud scenarios (" << tally.fraud_events
      << " fraud events in all)" << std::endl;
  out << "credit limits granted to " << tally.limits_granted << " applications";
  if (tally.limits_granted > 0) {
    out << " (mean " << static_cast<int64_t>(tally.limit_total / tally.limits_granted) << ")";
  }
  out << ", " << tally.freezes << " accounts frozen" << std::endl;
  producer->reset();
  instance->reset();
  fs::remove_all(state_dir);
  if (!status.ok()) return status;
  if (!producer_status.ok()) return producer_status;
  if (tally.decided == 0) return Status::Unavailable("the demo decided no event");
  return Status::Ok();
}

}  // namespace riskstream
