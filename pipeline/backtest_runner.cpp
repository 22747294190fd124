#include "pipeline/backtest_runner.h"

#include <yaml-cpp/yaml.h>

#include <fstream>

#include "pipeline/backtest_html.h"
#include "pipeline/backtest_report.h"
#include "pipeline/pipeline_config.h"

namespace riskstream {
namespace {

// The challenger's rules file: `path` itself, or the rules_file of the pipeline config at `path`.
Result<std::string> ChallengerRulesFile(const std::string& path) {
  YAML::Node document;
  try {
    document = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidConfig("challenger " + path + ": " + e.what());
  }
  if (document.IsMap() && document["rules_file"]) {
    auto config = LoadPipelineConfig(path);
    if (!config.ok()) return config.status();
    return config->rules_file;
  }
  return path;
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
  auto champion = RuleSet::LoadFile(config->rules_file, feature_names);
  if (!champion.ok()) return champion.status();
  auto challenger_file = ChallengerRulesFile(options.challenger_path);
  if (!challenger_file.ok()) return challenger_file.status();
  auto challenger = RuleSet::LoadFile(*challenger_file, feature_names);
  if (!challenger.ok()) return challenger.status().WithContext("challenger");

  BacktestReport report(**champion, **challenger);
  ReplayOptions replay = options.replay;
  replay.observer = [&](const ReplayRecord& record, const ProcessedInput& processed) {
    if (processed.event == nullptr || processed.outcome == nullptr) return;
    if (processed.event->type == EventType::kLabel) {
      report.AddLabel(*processed.event);
      return;
    }
    RuleOutcome other = (*challenger)->Evaluate(*processed.event, processed.features->values);
    report.Add(*processed.event, *processed.outcome, other, record.fraud);
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
