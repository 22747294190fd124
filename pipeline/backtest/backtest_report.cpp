#include "pipeline/backtest/backtest_report.h"

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

int SeverityScore(const RuleOutcome& outcome) {
  int score = 0;
  for (const auto& fired : outcome.fired) {
    score += BacktestReport::SeverityWeight(fired.rule->severity);
  }
  return score;
}

std::string ScoreMeaning(const Policy& policy) {
  if (policy.scorecard() != nullptr) {
    return "scorecard " + policy.scorecard()->version() +
           ": the application score (lower is riskier); other events have none";
  }
  return "no scorecard, so the fallback: sum of fired rules' severity weights (low 1, medium 2, "
         "high 4, critical 8; higher is riskier) of every event";
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

BacktestReport::BacktestReport(const Policy& champion, const Policy& challenger)
    : champion_(champion), challenger_(challenger) {}

BacktestReport::Side BacktestReport::Decided(const Policy& policy, const PolicyDecision& decision,
                                             Totals& totals) {
  Side side{decision.decision, std::nullopt, FiredIndices(policy.rules(), decision.rules),
            decision.limit_granted};
  if (policy.scorecard() == nullptr) {
    side.score = SeverityScore(decision.rules);
  } else if (decision.score) {
    side.score = decision.score->score;
  }
  for (const auto& reason : decision.credit_reasons) ++totals.credit_reasons[reason];
  if (decision.limit_granted) {
    ++totals.limits_granted;
    totals.limit_total += *decision.limit_granted;
  }
  if (decision.freeze_reason) ++totals.freezes;
  return side;
}

void BacktestReport::Add(const Event& event, const PolicyDecision& champion,
                         const PolicyDecision& challenger, std::optional<bool> fraud) {
  by_id_[event.event_id] = rows_.size();
  rows_.push_back(Row{event.event_time, Decided(champion_, champion, champion_totals_),
                      Decided(challenger_, challenger, challenger_totals_), fraud, event.event_id});
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
  report["score"] = {{"champion", ScoreMeaning(champion_)},
                     {"challenger", ScoreMeaning(challenger_)}};
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
    ++matrix[{row.champion.decision, row.challenger.decision}];
    if (row.champion.decision == row.challenger.decision) continue;
    ++changed;
    if (examples.size() < kMaxExamples) {
      auto score = [](const Side& side) { return side.score ? Json(*side.score) : Json(); };
      examples.push_back({{"event_id", row.event_id},
                          {"from", ToString(row.champion.decision)},
                          {"to", ToString(row.challenger.decision)},
                          {"champion_score", score(row.champion)},
                          {"challenger_score", score(row.challenger)}});
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

  // Credit: limits granted, freezes and the policies' own reason codes.
  auto credit = [&](const Totals& totals, bool champion) {
    int64_t limit_changed = 0;
    for (const auto& row : rows_) {
      if (row.champion.limit && row.challenger.limit &&
          *row.champion.limit != *row.challenger.limit)
        ++limit_changed;
    }
    Json out = {{"limits_granted", totals.limits_granted},
                {"limit_total", totals.limit_total},
                {"freezes", totals.freezes},
                {"credit_reasons", totals.credit_reasons}};
    if (!champion) out["limit_changed"] = limit_changed;
    return out;
  };
  report["credit"] = {{"champion", credit(champion_totals_, true)},
                      {"challenger", credit(challenger_totals_, false)}};

  // Hits and precision/recall per rule, for each rule set.
  auto per_rule = [&](const RuleSet& rules, bool champion) {
    Json out = Json::array();
    for (size_t r = 0; r < rules.rules().size(); ++r) {
      int64_t hits = 0, flagged_labelled = 0, true_positives = 0;
      for (const auto& row : rows_) {
        const auto& fired = champion ? row.champion.rules : row.challenger.rules;
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
  report["rules"] = {{"champion", per_rule(champion_.rules(), true)},
                     {"challenger", per_rule(challenger_.rules(), false)}};

  // Overall: review or decline counts as flagged.
  auto overall = [&](bool champion) {
    int64_t flagged = 0, true_positives = 0;
    for (const auto& row : rows_) {
      if (!row.fraud || !Flagged((champion ? row.champion : row.challenger).decision)) continue;
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
      if (!row.champion.rules.empty()) ++a[i];
      if (!row.challenger.rules.empty()) ++b[i];
    }
    volume = {{"bucket_start", FormatRfc3339(start)},
              {"bucket_width", FormatDuration(width)},
              {"events", events},
              {"champion_alerts", a},
              {"challenger_alerts", b}};
  }
  report["alert_volume"] = volume;

  // Score distributions and the precision-recall curves over each side's score.
  Json distribution, curve = Json::object();
  for (bool champion : {true, false}) {
    Json side = ScoreJson(champion, frauds);
    const char* name = champion ? "champion" : "challenger";
    distribution[name] = side["distribution"];
    if (!side["curve"].is_null()) curve[name] = side["curve"];
  }
  report["score_distribution"] = distribution;
  report["precision_recall_curve"] = curve;
  return report;
}

Json BacktestReport::ScoreJson(bool champion, int64_t frauds) const {
  const Policy& policy = champion ? champion_ : challenger_;
  bool lower_is_riskier = policy.scorecard() != nullptr;
  std::optional<int> lo, hi;
  for (const auto& row : rows_) {
    const auto& score = (champion ? row.champion : row.challenger).score;
    if (!score) continue;
    lo = std::min(lo.value_or(*score), *score);
    hi = std::max(hi.value_or(*score), *score);
  }
  Json out;
  if (!lo) {
    out["distribution"] = {{"from", nullptr}, {"width", 1}, {"counts", Json::array()}};
    return out;
  }
  // At most ~40 buckets of equal integer width from the lowest score.
  int width = std::max(1, (*hi - *lo + 40) / 40);
  size_t buckets = static_cast<size_t>((*hi - *lo) / width) + 1;
  std::vector<int64_t> counts(buckets);
  for (const auto& row : rows_) {
    const auto& score = (champion ? row.champion : row.challenger).score;
    if (score) ++counts[static_cast<size_t>((*score - *lo) / width)];
  }
  out["distribution"] = {{"from", *lo}, {"width", width}, {"counts", counts}};
  if (frauds == 0) return out;
  // Thresholds at the bucket edges, from the fewest flagged events to the most. A labelled event
  // without a score (not an application, with a scorecard) is never flagged.
  Json points = Json::array();
  for (size_t k = 1; k <= buckets; ++k) {
    int threshold = lower_is_riskier ? *lo + static_cast<int>(k) * width
                                     : *lo + static_cast<int>(buckets - k + 1) * width - width;
    if (!lower_is_riskier && threshold <= 0) break;  // score 0: no rule fired, nothing flagged
    int64_t flagged = 0, true_positives = 0;
    for (const auto& row : rows_) {
      const auto& score = (champion ? row.champion : row.challenger).score;
      if (!row.fraud || !score) continue;
      if (lower_is_riskier ? *score >= threshold : *score < threshold) continue;
      ++flagged;
      if (*row.fraud) ++true_positives;
    }
    Json point = PrecisionRecall(true_positives, flagged, frauds);
    point["flagged_when"] =
        (lower_is_riskier ? "score < " : "score >= ") + std::to_string(threshold);
    points.push_back(point);
  }
  out["curve"] = points;
  return out;
}

}  // namespace riskstream
