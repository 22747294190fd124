// operators/policy/rule_set.h
//
// RuleSet is a versioned list of fraud and credit rules loaded from YAML, compiled once, evaluated
// per event in declaration order. A rule reads features (by name) and event fields (by their JSON
// names) through the expression language (operators/policy/expr/expression.h); a rule whose inputs
// are missing does not fire. The outcome names every rule that fired with its reason code and the
// values it read, so each decision explains itself. Named lists (`lists:` name → file, relative to
// the rule file, see named_list_file.h) are read once at load. A rule may carry score `points`
// (added to the application score, see operators/policy/scorecard.h) and be snoozed until an event
// time. Immutable after loading: safe to share between threads.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "operators/event/event.h"
#include "operators/policy/decision_slots.h"
#include "operators/policy/expr/expression.h"

namespace riskstream {

enum class RuleAction { kAlert, kReview, kDecline, kFreezeLimit };
enum class Severity { kLow, kMedium, kHigh, kCritical };
enum class Decision { kApprove, kReview, kDecline, kRecorded };

std::string_view ToString(RuleAction action);
std::string_view ToString(Severity severity);
std::string_view ToString(Decision decision);

struct Rule {
  std::string id;
  std::string description;
  std::vector<EventType> events;
  Severity severity = Severity::kMedium;
  std::string reason_code;
  RuleAction action = RuleAction::kAlert;
  bool enabled = true;
  int points = 0;                            // added to the score when the rule fires
  std::optional<TimestampMs> snoozed_until;  // not evaluated for events before this time
  std::string condition_text;
  std::optional<CompiledExpression> condition;  // always set once loaded
};

struct FiredRule {
  const Rule* rule;
  std::vector<std::pair<std::string, Value>> inputs;  // the named values the rule read
};

struct RuleOutcome {
  Decision decision = Decision::kApprove;
  bool freeze_limit = false;
  std::vector<FiredRule> fired;
  int points = 0;  // sum of the fired rules' points
  // Highest severity among fired rules that alert (every action alerts); nullopt when none fired.
  std::optional<Severity> alert_severity;
};

class RuleSet {
 public:
  // Compiles the rule file `path` against `feature_names` (slot i = feature i). Errors name the
  // file, the rule and the line/column: "rules.yaml:14:11: rule R7: line 1, column 5: ...", and a
  // list file's line: "rules.yaml:3:17: list deny_devices: lists/deny.txt:7: ...".
  static Result<std::shared_ptr<const RuleSet>> LoadFile(
      const std::string& path, const std::vector<std::string>& feature_names);
  // The same from an already-parsed document; `source` names it in errors and list files are
  // relative to its directory.
  static Result<std::shared_ptr<const RuleSet>> Load(const YAML::Node& document,
                                                     const std::string& source,
                                                     const std::vector<std::string>& feature_names);

  // Decides `event` given its feature values (aligned with the feature names given at load time).
  // Labels are only recorded: no rule applies to them unless it lists `label` in its events.
  // Disabled rules, and rules snoozed past the event's time, are skipped. `account` is the credit
  // state before the event (the `account.*` variables; missing when nullopt).
  RuleOutcome Evaluate(const Event& event, const std::vector<Value>& features,
                       const std::optional<CreditAccount>& account = std::nullopt) const;

  const std::string& version() const { return version_; }
  const std::vector<Rule>& rules() const { return rules_; }
  // The named lists by name, with their entry counts (for /rules).
  const std::vector<std::pair<std::string, size_t>>& lists() const { return lists_; }

 private:
  RuleSet() = default;
  // Reads the `lists:` map (may be absent) into `context` and lists_.
  Status LoadLists(const YAML::Node& lists, const std::string& source, ExpressionContext& context);
  std::string version_;
  std::vector<Rule> rules_;
  std::optional<DecisionSlots> slots_;  // always set once loaded
  std::vector<std::pair<std::string, size_t>> lists_;
};

}  // namespace riskstream
