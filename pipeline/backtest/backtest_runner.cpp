#include "pipeline/backtest/backtest_runner.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "operators/policy/policy.h"
#include "pipeline/backtest/backtest_html.h"
#include "pipeline/backtest/backtest_report.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/topology/active_policies.h"

namespace riskstream {
namespace {

// The challenger's files: those of the pipeline config at `path` (its rules_file and
// scorecard_file), or `path` as a rules file with the champion's scorecard.
Result<std::pair<std::string, std::string>> ChallengerFiles(const std::string& path,
                                                            const PipelineConfig& champion) {
  YAML::Node document;
  try {
    document = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidConfig("challenger " + path + ": " + e.what());
  }
  if (document.IsMap() && document["rules_file"]) {
    auto config = LoadPipelineConfig(path);
    if (!config.ok()) return config.status();
    return std::pair{config->rules_file, config->scorecard_file};
  }
  return std::pair{path, champion.scorecard_file};
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

Result<ReplayTotals> RunBacktest(const BacktestOptions& options, std::ostream& progress_out,
                                 bool terminal) {
  auto config = LoadPipelineConfig(options.replay.config_path);
  if (!config.ok()) return config.status();
  std::vector<std::string> feature_names;
  for (const auto& spec : config->features) feature_names.push_back(spec.name);
  auto champion = Policy::LoadFiles(config->rules_file, config->scorecard_file, feature_names);
  if (!champion.ok()) return champion.status();
  auto files = ChallengerFiles(options.challenger_path, *config);
  if (!files.ok()) return files.status();
  auto challenger = Policy::LoadFiles(files->first, files->second, feature_names);
  if (!challenger.ok()) return challenger.status().WithContext("challenger");

  // One pass: the challenger is the topology's shadow, decided on the champion's features with
  // credit state of its own.
  BacktestReport report(**champion, **challenger);
  ReplayOptions replay = options.replay;
  replay.policies = std::make_shared<ActivePolicies>(*champion, *challenger);
  replay.observer = [&](const ReplayRecord& record, const ProcessedInput& processed) {
    if (processed.event == nullptr || processed.policy == nullptr ||
        processed.shadow_policy == nullptr) {
      return;
    }
    if (processed.event->type == EventType::kLabel) {
      report.AddLabel(*processed.event);
      return;
    }
    report.Add(*processed.event, *processed.policy, *processed.shadow_policy, record.fraud);
  };
  auto totals = RunReplay(replay, progress_out, terminal);
  if (!totals.ok()) return totals;
  auto json = report.ToJson();
  const std::string& dir = options.replay.out_dir;
  if (Status s = WriteFile(dir + "/backtest.json", json.dump(2) + "\n"); !s.ok()) return s;
  if (Status s = WriteFile(dir + "/backtest.html", RenderBacktestHtml(json)); !s.ok()) return s;
  progress_out << "backtest: " << json["decisions"]["changed"].get<int64_t>()
               << " decisions changed; report in " << dir << "/backtest.html\n";
  return totals;
}

}  // namespace riskstream
