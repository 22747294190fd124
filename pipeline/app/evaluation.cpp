#include "pipeline/app/evaluation.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>

#include "generator/event_generator.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/topology/processor.h"
#include "state/db/key_codec.h"

namespace riskstream {
namespace {

namespace fs = std::filesystem;

constexpr char kEvaluationPiiKey[] = "riskstream-eval-key-not-for-production";
constexpr int kCommitEvery = 2000;

// Removes the directory it names when it goes out of scope.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::optional<EventType> RoleOf(const std::string& topic) {
  if (topic == "applications") return EventType::kApplication;
  if (topic == "transactions") return EventType::kTransaction;
  if (topic == "labels") return EventType::kLabel;
  return std::nullopt;
}

// One JSON-lines file per output stream, opened on first use.
class RecordFiles {
 public:
  explicit RecordFiles(std::string dir) : dir_(std::move(dir)) {}
  Status Write(const OutputRecord& record) {
    if (dir_.empty()) return Status::Ok();
    auto& file = files_[static_cast<size_t>(record.stream)];
    if (!file) {
      static constexpr const char* kNames[] = {"credit-events", "fraud-alerts", "dead-letter",
                                               "features", "shadow-credit-events"};
      std::string path = dir_ + "/" + kNames[static_cast<size_t>(record.stream)] + ".jsonl";
      file = std::make_unique<std::ofstream>(path);
      if (!*file) return Status::IoError("cannot write " + path);
    }
    *file << record.value << '\n';
    return *file ? Status::Ok() : Status::IoError("cannot write to " + dir_);
  }

 private:
  std::string dir_;
  std::unique_ptr<std::ofstream> files_[5];
};

void Count(ScenarioScore& score, bool fraud, bool flagged) {
  ++score.events;
  score.fraud += fraud;
  score.flagged += flagged;
  score.flagged_fraud += fraud && flagged;
}

}  // namespace

Result<EvaluationResult> RunEvaluation(const EvaluationOptions& options) {
  auto config = LoadPipelineConfig(options.config_path);
  if (!config.ok()) return config.status();
  ScratchDir scratch{fs::temp_directory_path() / ("riskstream-eval-" + std::to_string(getpid()))};
  fs::remove_all(scratch.path);
  ProcessorOptions processor_options;
  processor_options.state_dir = scratch.path.string();
  processor_options.emit_features = !options.records_dir.empty();
  processor_options.fallback_pii_key = kEvaluationPiiKey;
  auto processor = Processor::Build(*config, std::move(processor_options));
  if (!processor.ok()) return processor.status();
  DecisionTopology& topology = (*processor)->topology();
  if (!options.records_dir.empty()) fs::create_directories(options.records_dir);
  RecordFiles files(options.records_dir);
  const auto partitions = static_cast<uint32_t>(config->partitions);

  GeneratorOptions generator_options;
  generator_options.seed = options.seed;
  generator_options.events_per_second_event_time = options.event_time_rate;
  if (Status s = generator_options.Validate(); !s.ok()) return s;
  EventGenerator generator(generator_options);

  EvaluationResult result;
  result.policy_version = (*processor)->policies()->Get().live->version();
  std::map<std::pair<std::string, int32_t>, int64_t> next_offset;
  for (int64_t i = 0; i < options.events; ++i) {
    GeneratedEvent generated = generator.Next();
    std::string value = generated.json;
    if (options.malformed_every > 0 && i % options.malformed_every == options.malformed_every - 1) {
      value.resize(value.size() / 2);
    }
    SourcePosition source{generated.topic,
                          static_cast<int32_t>(KafkaPartitionForKey(generated.key, partitions)), 0};
    source.offset = next_offset[{source.topic, source.partition}]++;
    auto processed =
        topology.Process(value, RoleOf(generated.topic), source, generated.event_time_ms);
    if (!processed.ok()) return processed.status();
    for (const auto& record : processed->outputs) {
      if (Status s = files.Write(record); !s.ok()) return s;
    }
    if ((i + 1) % kCommitEvery == 0) {
      if (Status s = (*processor)->state().Commit(); !s.ok()) return s;
    }
    if (!processed->decision) {
      ++result.dead_letters;
      continue;
    }
    if (processed->event->type == EventType::kLabel) continue;
    const PolicyDecision& decision = *processed->policy;
    const bool flagged = !decision.rules.fired.empty() || decision.freeze_reason.has_value();
    Count(result.by_scenario[generated.scenario], generated.fraud, flagged);
    Count(result.overall, generated.fraud, flagged);
    ++result.decisions[std::string(ToString(decision.decision))];
    if (decision.limit_granted) {
      ++result.limits_granted;
      result.limit_total += *decision.limit_granted;
    }
    for (const auto& fired : decision.rules.fired) {
      ScenarioScore& rule = result.by_rule[fired.rule->id];
      ++rule.flagged;
      rule.flagged_fraud += generated.fraud;
    }
    if (decision.freeze_reason) {
      ScenarioScore& freeze = result.by_rule["freeze:" + *decision.freeze_reason];
      ++freeze.flagged;
      freeze.flagged_fraud += generated.fraud;
    }
  }
  return result;
}

void PrintEvaluation(const EvaluationResult& result, std::ostream& out) {
  auto ratio = [](double value, bool defined) {
    if (!defined) return std::string("-");
    char text[16];
    std::snprintf(text, sizeof(text), "%.3f", value);
    return std::string(text);
  };
  auto row = [&](const std::string& name, const ScenarioScore& s) {
    out << "| " << name << " | " << s.events << " | " << s.fraud << " | " << s.flagged << " | "
        << s.flagged_fraud << " | " << ratio(s.Precision(), s.flagged > 0) << " | "
        << ratio(s.Recall(), s.fraud > 0) << " |\n";
  };
  out << "policy " << result.policy_version << "\n\n";
  out << "| scenario | events | fraud | flagged | flagged fraud | precision | recall |\n";
  out << "|---|---|---|---|---|---|---|\n";
  for (const auto& [scenario, score] : result.by_scenario) row(scenario, score);
  row("**overall**", result.overall);
  out << "\n| rule | fired | on fraud | precision |\n|---|---|---|---|\n";
  for (const auto& [rule, score] : result.by_rule) {
    out << "| " << rule << " | " << score.flagged << " | " << score.flagged_fraud << " | "
        << ratio(score.Precision(), score.flagged > 0) << " |\n";
  }
  out << "\ndecisions:";
  for (const auto& [decision, count] : result.decisions) out << " " << decision << "=" << count;
  out << " | dead letters " << result.dead_letters << " | limits granted " << result.limits_granted;
  if (result.limits_granted > 0) {
    out << " (mean " << static_cast<int64_t>(result.limit_total / result.limits_granted) << ")";
  }
  out << "\n";
}

}  // namespace riskstream
