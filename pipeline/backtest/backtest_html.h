// pipeline/backtest/backtest_html.h
//
// Renders a BacktestReport's JSON as one self-contained HTML page: the headline numbers, the
// decision-change matrix with examples, hits and precision/recall per rule, and three plots drawn
// here as inline SVG (alert volume over event time, score distributions, the precision-recall
// curve). No script, no external file, no CDN: it opens offline in any browser.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace riskstream {

std::string RenderBacktestHtml(const nlohmann::ordered_json& report);

}  // namespace riskstream
