#include "operators/policy/rule_set.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/yaml_file.h"
#include "common/yaml_position.h"
#include "operators/policy/named_list_file.h"

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
  auto document = LoadYamlFile(path, "rule");
  if (!document.ok()) return document.status();
  return Load(*document, path, feature_names);
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(
    const YAML::Node& document, const std::string& source,
    const std::vector<std::string>& feature_names) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  auto slots = DecisionSlots::Create(feature_names, source);
  if (!slots.ok()) return slots.status();
  set->slots_.emplace(std::move(*slots));
  ExpressionContext& context = set->slots_->context();

  try {
    if (!document.IsMap() || !document["version"] || !document["rules"] ||
        !document["rules"].IsSequence()) {
      return Status::InvalidConfig(source + ": expected 'version' and a 'rules' list");
    }
    set->version_ = document["version"].as<std::string>();
    if (Status s = set->LoadLists(document["lists"], source, context); !s.ok()) return s;
    std::set<std::string> ids;
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
      if (node["points"]) rule.points = node["points"].as<int>();
      if (node["snoozed_until"]) {
        auto until = ParseRfc3339(node["snoozed_until"].as<std::string>());
        if (!until.ok()) return fail(node["snoozed_until"], until.status());
        rule.snoozed_until = *until;
      }
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
      set->slots_->Use(*rule.condition);
      set->rules_.push_back(std::move(rule));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidConfig(YamlPosition(source, e.mark) + ": " + e.msg);
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

Status RuleSet::LoadLists(const YAML::Node& lists, const std::string& source,
                          ExpressionContext& context) {
  if (!lists) return Status::Ok();
  if (!lists.IsMap()) {
    return Status::InvalidConfig(YamlPosition(source, lists) +
                                 ": 'lists' maps list names to files");
  }
  std::filesystem::path base = std::filesystem::path(source).parent_path();
  for (const auto& entry : lists) {
    std::string name = entry.first.as<std::string>();
    std::string where = YamlPosition(source, entry.second) + ": list " + name;
    std::filesystem::path file = entry.second.as<std::string>();
    if (file.is_relative()) file = base / file;
    auto items = LoadNamedListFile(file.lexically_normal().string());
    if (!items.ok()) return items.status().WithContext(where);
    size_t size = items->size();
    if (Status s = context.AddList(name, std::move(*items)); !s.ok()) return s.WithContext(where);
    lists_.emplace_back(name, size);
  }
  return Status::Ok();
}

RuleOutcome RuleSet::Evaluate(const Event& event, const std::vector<Value>& features,
                              const std::optional<CreditAccount>& account) const {
  RuleOutcome outcome;
  if (event.type == EventType::kLabel) outcome.decision = Decision::kRecorded;
  // Reused per thread: one allocation per thread, not one per event (the set is shared, const).
  thread_local std::vector<Value> slots;
  slots_->Fill(event, features, account, slots);

  for (const Rule& rule : rules_) {
    if (!rule.enabled || (rule.snoozed_until && event.event_time < *rule.snoozed_until) ||
        std::find(rule.events.begin(), rule.events.end(), event.type) == rule.events.end()) {
      continue;
    }
    if (!rule.condition->Matches(slots)) continue;
    FiredRule fired{&rule, {}};
    for (int s : rule.condition->ReferencedSlots())
      fired.inputs.emplace_back(slots_->name(s), slots[s]);
    outcome.fired.push_back(std::move(fired));
    outcome.points += rule.points;
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
