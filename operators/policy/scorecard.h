// operators/policy/scorecard.h
//
// Scorecard is the credit side of a policy, loaded from YAML (configs/scorecard.yaml, documented
// in docs/RULES.md): points per band of each characteristic (an expression over features, event
// fields and account state, compiled once) sum with a base to an application's score; thresholds
// turn the score into approve / review / decline; an approved application gets a credit limit from
// its score band and declared income, capped and rounded down; and the credit settings that govern
// transactions (when a fresh limit's cash-out freezes the account, whether a fraud label freezes
// it, what happens to transactions on accounts without a limit). Immutable after loading.
#pragma once

#include <yaml-cpp/yaml.h>

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "operators/policy/decision_slots.h"
#include "operators/policy/rule_set.h"

namespace riskstream {

struct ScoreBand {
  double below = std::numeric_limits<double>::infinity();  // the band is value < below
  int points = 0;
};

struct Characteristic {
  std::string name;
  std::string value_text;
  std::optional<CompiledExpression> value;  // always set once loaded
  int missing_points = 0;                   // when the value is missing or not a number
  std::vector<ScoreBand> bands;             // ascending `below`; the last one is unbounded
};

// The limit for scores >= min_score: min(declared_income * income_multiple, max).
struct LimitBand {
  double min_score = 0;
  double income_multiple = 0;
  double max = 0;
};

struct CreditSettings {
  double cash_out_share = 0.9;  // of the granted limit
  DurationMs cash_out_within_ms = 30 * kMinuteMs;
  bool freeze_on_fraud_label = true;
  Decision unknown_account = Decision::kApprove;  // transactions on accounts without a limit
};

// One characteristic's contribution to a score, for explanations.
struct ScorePart {
  const Characteristic* characteristic;
  Value value;
  int points;
};

struct ScoreResult {
  int score = 0;
  Decision decision = Decision::kApprove;  // by the thresholds alone
  std::vector<ScorePart> parts;
};

class Scorecard {
 public:
  // Compiles `path` against `feature_names`. Errors name file, line and column like RuleSet's.
  static Result<std::shared_ptr<const Scorecard>> LoadFile(
      const std::string& path, const std::vector<std::string>& feature_names);
  static Result<std::shared_ptr<const Scorecard>> Load(
      const YAML::Node& document, const std::string& source,
      const std::vector<std::string>& feature_names);

  // The score of an application: base + each characteristic's band points + `extra_points` (the
  // fired rules' points). Decision: approve at >= approve_at, review at >= review_at, else decline.
  ScoreResult Score(const Event& application, const std::vector<Value>& features,
                    const std::optional<CreditAccount>& account, int extra_points) const;

  // The limit for an approved application with `score` and `declared_income` (missing: 0):
  // min(income * multiple, band max, cap) of the highest band whose min_score <= score, rounded
  // down to a multiple of round_down_to; 0 when no band applies or the income is not positive.
  double Limit(int score, std::optional<double> declared_income) const;

  const std::string& version() const { return version_; }
  // Approved applications whose limit is below this are sent to review instead.
  double min_limit() const { return min_limit_; }
  const CreditSettings& credit() const { return credit_; }
  int approve_at() const { return approve_at_; }
  int review_at() const { return review_at_; }

 private:
  Scorecard() = default;
  Status LoadScore(const YAML::Node& node, const std::string& source);
  Status LoadLimits(const YAML::Node& node, const std::string& source);
  Status LoadCredit(const YAML::Node& node, const std::string& source);

  std::string version_;
  std::optional<DecisionSlots> slots_;
  int base_ = 0;
  std::vector<Characteristic> characteristics_;
  int approve_at_ = 0;
  int review_at_ = 0;
  std::vector<LimitBand> limit_bands_;  // descending min_score
  double cap_ = 0;
  double round_down_to_ = 1;
  double min_limit_ = 0;
  CreditSettings credit_;
};

}  // namespace riskstream
