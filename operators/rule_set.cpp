#include "operators/rule_set.h"

#include <algorithm>
#include <set>

#include "operators/yaml_position.h"

namespace riskstream {
namespace {

template <typename Enum, size_t N>
Result<Enum> ParseEnum(const std::string& text, const char* what,
                       const std::pair<std::string_view, Enum> (&names)[N]) {
  for (const auto& [name, value] : names) {
    if (name == text) return value;
  }
  std::string known;
  for (const auto& entry : names) known += (known.empty() ? "" : ", ") + std::string(entry.first);
  return Status::InvalidConfig("unknown " + std::string(what) + " '" + text + "' (known: " + known +
                               ")");
}

constexpr std::pair<std::string_view, RuleAction> kActions[] = {
    {"alert", RuleAction::kAlert},
    {"review", RuleAction::kReview},
    {"decline", RuleAction::kDecline},
    {"freeze_limit", RuleAction::kFreezeLimit}};
constexpr std::pair<std::string_view, Severity> kSeverities[] = {{"low", Severity::kLow},
                                                                 {"medium", Severity::kMedium},
                                                                 {"high", Severity::kHigh},
                                                                 {"critical", Severity::kCritical}};
constexpr std::pair<std::string_view, EventType> kEventTypes[] = {
    {"application", EventType::kApplication},
    {"transaction", EventType::kTransaction},
    {"label", EventType::kLabel}};

Value ToValue(const FieldValue& field) {
  switch (field.kind) {
    case FieldValue::Kind::kMissing:
      return Value::Missing();
    case FieldValue::Kind::kText:
      return Value::String(std::string(field.text));
    case FieldValue::Kind::kNumber:
      return Value::Number(field.number);
  }
  return Value::Missing();
}

}  // namespace

std::string_view ToString(RuleAction action) {
  for (const auto& [name, value] : kActions) {
    if (value == action) return name;
  }
  return "?";
}

std::string_view ToString(Severity severity) {
  for (const auto& [name, value] : kSeverities) {
    if (value == severity) return name;
  }
  return "?";
}

std::string_view ToString(Decision decision) {
  switch (decision) {
    case Decision::kApprove:
      return "approve";
    case Decision::kReview:
      return "review";
    case Decision::kDecline:
      return "decline";
    case Decision::kRecorded:
      return "recorded";
  }
  return "?";
}

Result<std::shared_ptr<const RuleSet>> RuleSet::LoadFile(
    const std::string& path, const std::vector<std::string>& feature_names) {
  YAML::Node document;
  try {
    document = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::InvalidConfig("cannot read rule file " + path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidConfig(YamlPosition(path, e.mark) + ": " + e.msg);
  }
  return Load(document, path, feature_names);
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(
    const YAML::Node& document, const std::string& source,
    const std::vector<std::string>& feature_names) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  ExpressionContext context;
  int slot = 0;
  for (const auto& name : feature_names) {
    if (Status s = context.AddVariable(name, slot++); !s.ok()) {
      return s.WithContext(source + ": feature name '" + name + "'");
    }
    set->slot_names_.push_back(name);
  }
  set->feature_count_ = feature_names.size();
  for (std::string_view field : AllFieldNames()) {
    if (context.FindVariable(field)) {
      return Status::InvalidConfig(source + ": feature name '" + std::string(field) +
                                   "' hides the event field of that name");
    }
    if (Status s = context.AddVariable(std::string(field), slot++); !s.ok()) return s;
    set->slot_names_.emplace_back(field);
  }

  try {
    if (!document.IsMap() || !document["version"] || !document["rules"] ||
        !document["rules"].IsSequence()) {
      return Status::InvalidConfig(source + ": expected 'version' and a 'rules' list");
    }
    set->version_ = document["version"].as<std::string>();
    std::set<std::string> ids;
    std::set<int> used_slots;
    for (const auto& node : document["rules"]) {
      Rule rule;
      if (!node["id"])
        return Status::InvalidConfig(YamlPosition(source, node) + ": rule without an id");
      rule.id = node["id"].as<std::string>();
      auto fail = [&](const YAML::Node& at, const Status& status) {
        return status.WithContext(YamlPosition(source, at) + ": rule " + rule.id);
      };
      if (!ids.insert(rule.id).second) {
        return fail(node, Status::InvalidConfig("id used twice"));
      }
      for (const char* required : {"when", "reason_code", "action"}) {
        if (!node[required]) {
          return fail(node, Status::InvalidConfig(std::string("missing '") + required + "'"));
        }
      }
      if (node["description"]) rule.description = node["description"].as<std::string>();
      rule.reason_code = node["reason_code"].as<std::string>();
      if (node["enabled"]) rule.enabled = node["enabled"].as<bool>();
      auto action = ParseEnum(node["action"].as<std::string>(), "action", kActions);
      if (!action.ok()) return fail(node["action"], action.status());
      rule.action = *action;
      if (node["severity"]) {
        auto severity = ParseEnum(node["severity"].as<std::string>(), "severity", kSeverities);
        if (!severity.ok()) return fail(node["severity"], severity.status());
        rule.severity = *severity;
      }
      if (node["events"]) {
        for (const auto& item : node["events"]) {
          auto type = ParseEnum(item.as<std::string>(), "event type", kEventTypes);
          if (!type.ok()) return fail(item, type.status());
          rule.events.push_back(*type);
        }
      } else {
        rule.events = {EventType::kApplication, EventType::kTransaction};
      }
      rule.condition_text = node["when"].as<std::string>();
      auto condition = CompileCondition(rule.condition_text, context);
      if (!condition.ok()) return fail(node["when"], condition.status());
      rule.condition.emplace(std::move(*condition));
      for (int s : rule.condition->ReferencedSlots()) used_slots.insert(s);
      set->rules_.push_back(std::move(rule));
    }
    for (int s : used_slots) {
      if (static_cast<size_t>(s) < set->feature_count_) continue;
      auto field = ResolveEventField(set->slot_names_[s]);
      if (field.ok()) set->field_slots_.emplace_back(s, *field);
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidConfig(YamlPosition(source, e.mark) + ": " + e.msg);
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

RuleOutcome RuleSet::Evaluate(const Event& event, const std::vector<Value>& features) const {
  RuleOutcome outcome;
  if (event.type == EventType::kLabel) outcome.decision = Decision::kRecorded;
  std::vector<Value> slots(slot_names_.size());
  for (size_t i = 0; i < feature_count_ && i < features.size(); ++i) {
    slots[i] = features[i];
  }
  for (const auto& [slot, field] : field_slots_) slots[slot] = ToValue(ReadField(event, field));

  for (const Rule& rule : rules_) {
    if (!rule.enabled ||
        std::find(rule.events.begin(), rule.events.end(), event.type) == rule.events.end()) {
      continue;
    }
    if (!rule.condition->Matches(slots)) continue;
    FiredRule fired{&rule, {}};
    for (int s : rule.condition->ReferencedSlots())
      fired.inputs.emplace_back(slot_names_[s], slots[s]);
    outcome.fired.push_back(std::move(fired));
    if (!outcome.alert_severity || rule.severity > *outcome.alert_severity) {
      outcome.alert_severity = rule.severity;
    }
    if (event.type == EventType::kLabel) continue;
    switch (rule.action) {
      case RuleAction::kAlert:
        break;
      case RuleAction::kReview:
        if (outcome.decision == Decision::kApprove) outcome.decision = Decision::kReview;
        break;
      case RuleAction::kFreezeLimit:
        outcome.freeze_limit = true;
        outcome.decision = Decision::kDecline;
        break;
      case RuleAction::kDecline:
        outcome.decision = Decision::kDecline;
        break;
    }
  }
  return outcome;
}

}  // namespace riskstream
