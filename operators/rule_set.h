// operators/rule_set.h
//
// RuleSet is a versioned list of fraud and credit rules loaded from YAML, compiled once, evaluated
// per event in declaration order. A rule reads features (by name) and event fields (by their JSON
// names) through the expression language (operators/expression.h); a rule whose inputs are missing
// does not fire. The outcome names every rule that fired with its reason code and the values it
// read, so each decision explains itself. Immutable after loading: safe to share between threads.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "operators/event.h"
#include "operators/event_fields.h"
#include "operators/expression.h"

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
  // Highest severity among fired rules that alert (every action alerts); nullopt when none fired.
  std::optional<Severity> alert_severity;
};

class RuleSet {
 public:
  // Compiles the rule file `path` against `feature_names` (slot i = feature i). Errors name the
  // file, the rule and the line/column: "rules.yaml:14:11: rule R7: line 1, column 5: ...".
  static Result<std::shared_ptr<const RuleSet>> LoadFile(
      const std::string& path, const std::vector<std::string>& feature_names);
  // The same from an already-parsed document; `source` names it in errors.
  static Result<std::shared_ptr<const RuleSet>> Load(const YAML::Node& document,
                                                     const std::string& source,
                                                     const std::vector<std::string>& feature_names);

  // Decides `event` given its feature values (aligned with the feature names given at load time).
  // Labels are only recorded: no rule applies to them unless it lists `label` in its events.
  RuleOutcome Evaluate(const Event& event, const std::vector<Value>& features) const;

  const std::string& version() const { return version_; }
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  RuleSet() = default;
  std::string version_;
  std::vector<Rule> rules_;
  std::vector<std::string> slot_names_;
  size_t feature_count_ = 0;
  std::vector<std::pair<int, EventField>> field_slots_;  // event fields any rule reads
};

}  // namespace riskstream
