// pipeline/backtest/backtest_report.h
//
// BacktestReport compares two policies' decisions (Policy::Decide) over the same events and the
// same feature values (one replay pass): the champion (the config's policy) and a challenger, each
// with its own credit state. It keeps one small row per decided event and summarises, as JSON: how
// decisions changed (a champion x challenger matrix and examples), limits granted and credit
// reasons, hits per rule, alert volume over event time, the distribution of each side's score, and,
// where ground truth exists, precision and recall per rule and overall and a precision-recall curve
// over the score. Ground truth is the log's `fraud` flag (ground-truth layout) or a label event
// naming the event (fraud and chargeback: fraud; legit: not), the label winning.
// A side's score: with a scorecard, the scorecard score of applications (lower is riskier; other
// events have none); without one, the fallback: the sum of the fired rules' severity weights (low
// 1, medium 2, high 4, critical 8; higher is riskier) of every event. The report says which.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "operators/event/event.h"
#include "operators/policy/policy.h"
#include "operators/policy/rule_set.h"

namespace riskstream {

class BacktestReport {
 public:
  // Both policies must outlive the report.
  BacktestReport(const Policy& champion, const Policy& challenger);

  // One decided event (not a label) with both decisions and its ground truth if known.
  void Add(const Event& event, const PolicyDecision& champion, const PolicyDecision& challenger,
           std::optional<bool> fraud);
  // A label event: the truth of the event it names, if that event was seen.
  void AddLabel(const Event& label);

  nlohmann::ordered_json ToJson() const;

  // Severity weight of one fired rule in the score.
  static int SeverityWeight(Severity severity);

 private:
  // One policy's decision of one event.
  struct Side {
    Decision decision;
    std::optional<int> score;     // see the top comment
    std::vector<uint16_t> rules;  // indices of fired rules
    std::optional<double> limit;  // granted
  };
  struct Row {
    TimestampMs event_time;
    Side champion, challenger;
    std::optional<bool> fraud;
    std::string event_id;
  };
  // Per policy: what is summed over the events.
  struct Totals {
    std::map<std::string, int64_t> credit_reasons;
    int64_t limits_granted = 0, freezes = 0;
    double limit_total = 0;
  };

  static Side Decided(const Policy& policy, const PolicyDecision& decision, Totals& totals);
  nlohmann::ordered_json ScoreJson(bool champion, int64_t frauds) const;

  const Policy& champion_;
  const Policy& challenger_;
  Totals champion_totals_, challenger_totals_;
  std::vector<Row> rows_;
  std::unordered_map<std::string, size_t> by_id_;
};

}  // namespace riskstream
