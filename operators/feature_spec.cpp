#include "operators/feature_spec.h"

#include <cstdlib>
#include <set>

#include "state/key_codec.h"

namespace riskstream {
namespace {

std::string_view FunctionName(FeatureFunction function) {
  switch (function) {
    case FeatureFunction::kCount:
      return "count";
    case FeatureFunction::kSum:
      return "sum";
    case FeatureFunction::kCountDistinct:
      return "count_distinct";
  }
  return "?";
}

std::string Where(const std::string& source, const YAML::Node& node) {
  auto mark = node.Mark();
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string Trimmed(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

Status ParseFunction(const std::string& text, FeatureSpec& spec) {
  std::string name = text, argument;
  auto open = text.find('(');
  if (open != std::string::npos) {
    if (text.back() != ')') return Status::InvalidConfig("function '" + text + "' lacks ')'");
    name = Trimmed(text.substr(0, open));
    argument = Trimmed(text.substr(open + 1, text.size() - open - 2));
  }
  if (name == "count") {
    spec.function = FeatureFunction::kCount;
    if (!argument.empty()) return Status::InvalidConfig("count takes no argument");
    return Status::Ok();
  }
  if (name == "sum") {
    spec.function = FeatureFunction::kSum;
  } else if (name == "count_distinct") {
    spec.function = FeatureFunction::kCountDistinct;
  } else {
    return Status::InvalidConfig("unknown function '" + name +
                                 "' (known: count, sum, count_distinct)");
  }
  if (argument.empty()) return Status::InvalidConfig(name + " needs a field argument");
  auto field = ResolveEventField(argument);
  if (!field.ok()) return field.status();
  spec.argument = *field;
  return Status::Ok();
}

Result<FieldFilter> ParseFilter(const std::string& text) {
  for (const char* op : {"!=", "=="}) {
    auto at = text.find(op);
    if (at == std::string::npos) continue;
    auto field = ResolveEventField(Trimmed(text.substr(0, at)));
    if (!field.ok()) return field.status();
    std::string value = Trimmed(text.substr(at + 2));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (value.empty()) return Status::InvalidConfig("filter '" + text + "' has no value");
    return FieldFilter{*field, std::string_view(op) == "==", value};
  }
  return Status::InvalidConfig("filter '" + text + "' is not 'field == value' or 'field != value'");
}

Result<EventType> ParseEventType(const std::string& name) {
  if (name == "application") return EventType::kApplication;
  if (name == "transaction") return EventType::kTransaction;
  if (name == "label") return EventType::kLabel;
  return Status::InvalidConfig("unknown event type '" + name +
                               "' (known: application, transaction, label)");
}

Result<FeatureSpec> ParseOne(const YAML::Node& node, DurationMs default_lateness_ms) {
  if (!node.IsMap()) return Status::InvalidConfig("a feature must be a mapping");
  FeatureSpec spec;
  if (!node["name"]) return Status::InvalidConfig("feature without a name");
  spec.name = node["name"].as<std::string>();
  auto fail = [&](const Status& status) {
    return status.WithContext("feature '" + spec.name + "'");
  };
  for (const char* required : {"key", "function", "window"}) {
    if (!node[required])
      return fail(Status::InvalidConfig(std::string("missing '") + required + "'"));
  }
  auto key = ResolveEventField(node["key"].as<std::string>());
  if (!key.ok()) return fail(key.status());
  spec.key = *key;
  if (Status status = ParseFunction(Trimmed(node["function"].as<std::string>()), spec);
      !status.ok()) {
    return fail(status);
  }
  auto window = ParseDuration(node["window"].as<std::string>());
  if (!window.ok()) return fail(window.status());
  if (*window <= 0) return fail(Status::InvalidConfig("window must be positive"));
  spec.window_ms = *window;
  spec.allowed_lateness_ms = default_lateness_ms;
  if (node["allowed_lateness"]) {
    auto lateness = ParseDuration(node["allowed_lateness"].as<std::string>());
    if (!lateness.ok()) return fail(lateness.status());
    spec.allowed_lateness_ms = *lateness;
  }
  if (node["events"]) {
    for (const auto& item : node["events"]) {
      auto type = ParseEventType(item.as<std::string>());
      if (!type.ok()) return fail(type.status());
      spec.events.push_back(*type);
    }
  } else {
    spec.events = {EventType::kApplication, EventType::kTransaction};
  }
  if (node["where"]) {
    auto filter = ParseFilter(node["where"].as<std::string>());
    if (!filter.ok()) return fail(filter.status());
    spec.filter = *filter;
  }
  return spec;
}

}  // namespace

bool FieldFilter::Passes(const Event& event) const {
  FieldValue v = ReadField(event, field);
  if (v.missing()) return false;
  bool same = v.kind == FieldValue::Kind::kText ? v.text == value
                                                : v.number == std::strtod(value.c_str(), nullptr);
  return same == equals;
}

uint64_t FeatureSpec::Fingerprint() const {
  std::string canonical = Describe();
  canonical += " lateness " + std::to_string(allowed_lateness_ms) + " events";
  for (EventType type : events) canonical += " " + std::string(ToString(type));
  return Fingerprint64(canonical);
}

std::string FeatureSpec::Describe() const {
  std::string out(FunctionName(function));
  out += "(" + (argument ? std::string(FieldName(*argument)) : std::string()) + ")";
  out += " over " + FormatDuration(window_ms) + " by " + std::string(FieldName(key));
  if (filter) {
    out += " where " + std::string(FieldName(filter->field)) + (filter->equals ? " == " : " != ") +
           filter->value;
  }
  return out;
}

Result<std::vector<FeatureSpec>> ParseFeatureSpecs(const YAML::Node& features,
                                                   const std::string& source,
                                                   DurationMs default_lateness_ms) {
  if (!features || !features.IsSequence()) {
    return Status::InvalidConfig(source + ": 'features' must be a list");
  }
  std::vector<FeatureSpec> specs;
  std::set<std::string> names;
  for (const auto& node : features) {
    Result<FeatureSpec> spec = Status::InvalidConfig("unparsed");
    try {
      spec = ParseOne(node, default_lateness_ms);
    } catch (const YAML::Exception& e) {
      spec = Status::InvalidConfig(e.what());
    }
    if (!spec.ok()) return spec.status().WithContext(Where(source, node));
    if (!names.insert(spec->name).second) {
      return Status::InvalidConfig(Where(source, node) + ": feature '" + spec->name +
                                   "' declared twice");
    }
    specs.push_back(std::move(*spec));
  }
  return specs;
}

}  // namespace riskstream
