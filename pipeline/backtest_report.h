// pipeline/backtest_report.h
//
// BacktestReport compares two rule sets decided over the same events and the same feature values
// (one replay pass): the champion (the config's rules) and a challenger. It keeps one small row per
// decided event and summarises, as JSON: how decisions changed (a champion x challenger matrix and
// examples), hits per rule, alert volume over event time, the distribution of a rule score, and,
// where ground truth exists, precision and recall per rule and overall and a precision-recall curve
// over the score. Ground truth is the log's `fraud` flag (ground-truth layout) or a label event
// naming the event (fraud and chargeback: fraud; legit: not), the label winning.
// The score of an outcome is the sum of its fired rules' severity weights (low 1, medium 2, high 4,
// critical 8). Not thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "operators/event.h"
#include "operators/rule_set.h"

namespace riskstream {

class BacktestReport {
 public:
  // Both rule sets must outlive the report.
  BacktestReport(const RuleSet& champion, const RuleSet& challenger);

  // One decided event (not a label) with both outcomes and its ground truth if known.
  void Add(const Event& event, const RuleOutcome& champion, const RuleOutcome& challenger,
           std::optional<bool> fraud);
  // A label event: the truth of the event it names, if that event was seen.
  void AddLabel(const Event& label);

  nlohmann::ordered_json ToJson() const;

  // Severity weight of one fired rule in the score.
  static int SeverityWeight(Severity severity);

 private:
  struct Row {
    TimestampMs event_time;
    Decision champion, challenger;
    int champion_score, challenger_score;
    std::vector<uint16_t> champion_rules, challenger_rules;  // indices of fired rules
    std::optional<bool> fraud;
    std::string event_id;
  };

  const RuleSet& champion_;
  const RuleSet& challenger_;
  std::vector<Row> rows_;
  std::unordered_map<std::string, size_t> by_id_;
};

}  // namespace riskstream
