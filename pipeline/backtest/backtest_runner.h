// pipeline/backtest/backtest_runner.h
//
// RunBacktest is `riskstream backtest`: one replay pass (see RunReplay) decides every event with
// the config's policy (rules + scorecard: the champion, as live) and, on the very same feature
// values, with a challenger policy in the topology's shadow slot (its own credit state; the
// config's own shadow policy is not used). It writes the replay's outputs for the champion,
// shadow-decisions.jsonl for the challenger, and backtest.json and backtest.html (see
// BacktestReport, RenderBacktestHtml) into the output directory.
#pragma once

#include <ostream>
#include <string>

#include "common/status.h"
#include "pipeline/replay/replay_runner.h"

namespace riskstream {

struct BacktestOptions {
  ReplayOptions replay;  // config (champion), inputs, range, output directory
  // A pipeline config whose rules_file and scorecard_file (if any) are the challenger, or a rules
  // file alone, decided with the champion's scorecard.
  std::string challenger_path;
};

Result<ReplayTotals> RunBacktest(const BacktestOptions& options, std::ostream& progress_out,
                                 bool terminal);

}  // namespace riskstream
