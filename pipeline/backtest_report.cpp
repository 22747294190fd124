#include "pipeline/backtest_report.h"

#include <algorithm>
#include <array>
#include <map>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

constexpr Decision kDecisions[] = {Decision::kApprove, Decision::kReview, Decision::kDecline,
                                   Decision::kRecorded};
constexpr size_t kMaxExamples = 20;

// Positions in `rules` of the fired rules, found by id (the outcome may come from another load
// of the same file).
std::vector<uint16_t> FiredIndices(const RuleSet& rules, const RuleOutcome& outcome) {
  std::vector<uint16_t> out;
  for (const auto& fired : outcome.fired) {
    for (size_t i = 0; i < rules.rules().size(); ++i) {
      if (rules.rules()[i].id == fired.rule->id) out.push_back(static_cast<uint16_t>(i));
    }
  }
  return out;
}

int Score(const RuleOutcome& outcome) {
  int score = 0;
  for (const auto& fired : outcome.fired) {
    score += BacktestReport::SeverityWeight(fired.rule->severity);
  }
  return score;
}

bool Flagged(Decision d) { return d == Decision::kReview || d == Decision::kDecline; }

// precision and recall; null where undefined (nothing flagged, no fraud labelled).
Json PrecisionRecall(int64_t true_positives, int64_t flagged, int64_t frauds) {
  Json out;
  out["flagged_labelled"] = flagged;
  out["true_positives"] = true_positives;
  out["precision"] = flagged > 0 ? Json(static_cast<double>(true_positives) / flagged) : Json();
  out["recall"] = frauds > 0 ? Json(static_cast<double>(true_positives) / frauds) : Json();
  return out;
}

// A bucket width that gives at most ~60 buckets over `span`.
DurationMs BucketWidth(DurationMs span) {
  for (DurationMs width :
       {kMinuteMs, 5 * kMinuteMs, 15 * kMinuteMs, kHourMs, 6 * kHourMs, kDayMs, 7 * kDayMs}) {
    if (span / width < 60) return width;
  }
  return 30 * kDayMs;
}

}  // namespace

int BacktestReport::SeverityWeight(Severity severity) {
  switch (severity) {
    case Severity::kLow:
      return 1;
    case Severity::kMedium:
      return 2;
    case Severity::kHigh:
      return 4;
    case Severity::kCritical:
      return 8;
  }
  return 1;
}

BacktestReport::BacktestReport(const RuleSet& champion, const RuleSet& challenger)
    : champion_(champion), challenger_(challenger) {}

void BacktestReport::Add(const Event& event, const RuleOutcome& champion,
                         const RuleOutcome& challenger, std::optional<bool> fraud) {
  by_id_[event.event_id] = rows_.size();
  rows_.push_back(Row{event.event_time, champion.decision, challenger.decision, Score(champion),
                      Score(challenger), FiredIndices(champion_, champion),
                      FiredIndices(challenger_, challenger), fraud, event.event_id});
}

void BacktestReport::AddLabel(const Event& label) {
  auto it = by_id_.find(label.labelled_event_id);
  if (it == by_id_.end()) return;
  rows_[it->second].fraud = label.label != LabelKind::kLegit;
}

Json BacktestReport::ToJson() const {
  Json report;
  report["champion_version"] = champion_.version();
  report["challenger_version"] = challenger_.version();
  report["score"] = "sum of fired rules' severity weights: low 1, medium 2, high 4, critical 8";
  int64_t labelled = 0, frauds = 0;
  for (const auto& row : rows_) {
    if (row.fraud) ++labelled;
    if (row.fraud.value_or(false)) ++frauds;
  }
  report["events"] = rows_.size();
  report["labelled_events"] = labelled;
  report["fraud_events"] = frauds;

  // Decisions changed.
  std::map<std::pair<Decision, Decision>, int64_t> matrix;
  Json examples = Json::array();
  int64_t changed = 0;
  for (const auto& row : rows_) {
    ++matrix[{row.champion, row.challenger}];
    if (row.champion == row.challenger) continue;
    ++changed;
    if (examples.size() < kMaxExamples) {
      examples.push_back({{"event_id", row.event_id},
                          {"from", ToString(row.champion)},
                          {"to", ToString(row.challenger)}});
    }
  }
  Json decisions;
  decisions["changed"] = changed;
  Json rows = Json::array();
  for (Decision a : kDecisions) {
    for (Decision b : kDecisions) {
      auto it = matrix.find({a, b});
      if (it == matrix.end()) continue;
      rows.push_back(
          {{"champion", ToString(a)}, {"challenger", ToString(b)}, {"events", it->second}});
    }
  }
  decisions["matrix"] = rows;
  decisions["examples"] = examples;
  report["decisions"] = decisions;

  // Hits and precision/recall per rule, for each rule set.
  auto per_rule = [&](const RuleSet& rules, bool champion) {
    Json out = Json::array();
    for (size_t r = 0; r < rules.rules().size(); ++r) {
      int64_t hits = 0, flagged_labelled = 0, true_positives = 0;
      for (const auto& row : rows_) {
        const auto& fired = champion ? row.champion_rules : row.challenger_rules;
        if (std::find(fired.begin(), fired.end(), r) == fired.end()) continue;
        ++hits;
        if (row.fraud) ++flagged_labelled;
        if (row.fraud.value_or(false)) ++true_positives;
      }
      Json rule = {{"rule_id", rules.rules()[r].id},
                   {"severity", ToString(rules.rules()[r].severity)},
                   {"action", ToString(rules.rules()[r].action)},
                   {"hits", hits}};
      rule.update(PrecisionRecall(true_positives, flagged_labelled, frauds));
      out.push_back(rule);
    }
    return out;
  };
  report["rules"] = {{"champion", per_rule(champion_, true)},
                     {"challenger", per_rule(challenger_, false)}};

  // Overall: review or decline counts as flagged.
  auto overall = [&](bool champion) {
    int64_t flagged = 0, true_positives = 0;
    for (const auto& row : rows_) {
      if (!row.fraud || !Flagged(champion ? row.champion : row.challenger)) continue;
      ++flagged;
      if (*row.fraud) ++true_positives;
    }
    return PrecisionRecall(true_positives, flagged, frauds);
  };
  report["overall"] = {{"champion", overall(true)}, {"challenger", overall(false)}};

  // Alert volume over event time.
  Json volume;
  if (!rows_.empty()) {
    auto [lo, hi] = std::minmax_element(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
      return a.event_time < b.event_time;
    });
    DurationMs width = BucketWidth(hi->event_time - lo->event_time);
    TimestampMs start = lo->event_time - lo->event_time % width;
    size_t buckets = static_cast<size_t>((hi->event_time - start) / width) + 1;
    std::vector<int64_t> a(buckets), b(buckets), events(buckets);
    for (const auto& row : rows_) {
      size_t i = static_cast<size_t>((row.event_time - start) / width);
      ++events[i];
      if (!row.champion_rules.empty()) ++a[i];
      if (!row.challenger_rules.empty()) ++b[i];
    }
    volume = {{"bucket_start", FormatRfc3339(start)},
              {"bucket_width", FormatDuration(width)},
              {"events", events},
              {"champion_alerts", a},
              {"challenger_alerts", b}};
  }
  report["alert_volume"] = volume;

  // Score distributions and the precision-recall curve over the score.
  int max_score = 0;
  for (const auto& row : rows_)
    max_score = std::max({max_score, row.champion_score, row.challenger_score});
  std::vector<int64_t> hist_a(static_cast<size_t>(max_score) + 1), hist_b(hist_a.size());
  for (const auto& row : rows_) {
    ++hist_a[static_cast<size_t>(row.champion_score)];
    ++hist_b[static_cast<size_t>(row.challenger_score)];
  }
  report["score_distribution"] = {{"champion", hist_a}, {"challenger", hist_b}};
  Json curve = Json::object();
  if (frauds > 0) {
    for (bool champion : {true, false}) {
      Json points = Json::array();
      for (int threshold = max_score; threshold >= 1; --threshold) {
        int64_t flagged = 0, true_positives = 0;
        for (const auto& row : rows_) {
          int score = champion ? row.champion_score : row.challenger_score;
          if (!row.fraud || score < threshold) continue;
          ++flagged;
          if (*row.fraud) ++true_positives;
        }
        Json point = PrecisionRecall(true_positives, flagged, frauds);
        point["threshold"] = threshold;
        points.push_back(point);
      }
      curve[champion ? "champion" : "challenger"] = points;
    }
  }
  report["precision_recall_curve"] = curve;
  return report;
}

}  // namespace riskstream
