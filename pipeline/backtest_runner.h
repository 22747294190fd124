// pipeline/backtest_runner.h
//
// RunBacktest is `riskstream backtest`: one replay pass (see RunReplay) decides every event with
// the config's rules (the champion) and, on the very same feature values, with a challenger rule
// set; it writes the replay's outputs for the champion plus backtest.json and backtest.html (see
// BacktestReport, RenderBacktestHtml) into the output directory.
#pragma once

#include <ostream>
#include <string>

#include "common/status.h"
#include "pipeline/replay_runner.h"

namespace riskstream {

struct BacktestOptions {
  ReplayOptions replay;         // config (champion), inputs, range, output directory
  std::string challenger_path;  // a rules file, or a pipeline config whose rules_file is used
};

Result<ReplayTotals> RunBacktest(const BacktestOptions& options, std::ostream& progress_out,
                                 bool terminal);

}  // namespace riskstream
