#include "operators/features/feature_spec.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>

#include "common/yaml_position.h"
#include "state/db/key_codec.h"

namespace riskstream {
namespace {

constexpr std::pair<std::string_view, FeatureFunction> kFunctions[] = {
    {"count", FeatureFunction::kCount}, {"sum", FeatureFunction::kSum},
    {"avg", FeatureFunction::kAvg},     {"min", FeatureFunction::kMin},
    {"max", FeatureFunction::kMax},     {"count_distinct", FeatureFunction::kCountDistinct},
    {"last", FeatureFunction::kLast},   {"time_since_last", FeatureFunction::kTimeSinceLast},
    {"ratio", FeatureFunction::kRatio}};

std::string_view FunctionName(FeatureFunction function) {
  for (const auto& [name, f] : kFunctions) {
    if (f == function) return name;
  }
  return "?";
}

std::string Trimmed(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

Status ParseFunction(const std::string& text, const std::map<std::string, size_t>& earlier,
                     FeatureSpec& spec) {
  std::string name = text, argument;
  auto open = text.find('(');
  if (open != std::string::npos) {
    if (text.back() != ')') return Status::InvalidConfig("function '" + text + "' lacks ')'");
    name = Trimmed(text.substr(0, open));
    argument = Trimmed(text.substr(open + 1, text.size() - open - 2));
  }
  auto known = std::find_if(std::begin(kFunctions), std::end(kFunctions),
                            [&](const auto& entry) { return entry.first == name; });
  if (known == std::end(kFunctions)) {
    return Status::InvalidConfig("unknown function '" + name +
                                 "' (known: count, sum, avg, min, max, count_distinct, last, "
                                 "time_since_last, ratio)");
  }
  spec.function = known->second;
  switch (spec.function) {
    case FeatureFunction::kCount:
      if (!argument.empty()) return Status::InvalidConfig(name + " takes no argument");
      return Status::Ok();
    case FeatureFunction::kTimeSinceLast:
      if (argument.empty()) return Status::Ok();
      break;  // time_since_last(field): only events carrying `field` contribute
    case FeatureFunction::kRatio: {
      auto comma = argument.find(',');
      if (comma == std::string::npos) {
        return Status::InvalidConfig(
            "ratio takes two feature names: ratio(numerator, denominator)");
      }
      std::string numerator = Trimmed(argument.substr(0, comma));
      std::string denominator = Trimmed(argument.substr(comma + 1));
      for (const auto& part : {numerator, denominator}) {
        if (!earlier.contains(part)) {
          return Status::InvalidConfig("ratio: '" + part + "' is not a feature declared before it");
        }
      }
      spec.ratio_numerator = earlier.at(numerator);
      spec.ratio_denominator = earlier.at(denominator);
      return Status::Ok();
    }
    default:
      break;
  }
  if (argument.empty()) return Status::InvalidConfig(name + " needs a field argument");
  auto field = ResolveEventField(argument);
  if (!field.ok()) return field.status();
  spec.argument = *field;
  return Status::Ok();
}

// "1h", "7d delayed 7d", "tumbling 1h", "hopping 1h every 10m".
Status ParseWindow(const std::string& text, FeatureSpec& spec) {
  auto words = Words(text);
  auto duration = [&](size_t i, DurationMs& out) -> Status {
    if (i >= words.size()) return Status::InvalidConfig("window '" + text + "' is incomplete");
    auto parsed = ParseDuration(words[i]);
    if (!parsed.ok()) return parsed.status();
    if (*parsed <= 0)
      return Status::InvalidConfig("window '" + text + "': durations must be positive");
    out = *parsed;
    return Status::Ok();
  };
  Status status;
  size_t used = 0;
  if (!words.empty() && words[0] == "tumbling") {
    spec.window_kind = WindowKind::kTumbling;
    status = duration(1, spec.window_ms);
    used = 2;
  } else if (!words.empty() && words[0] == "hopping") {
    spec.window_kind = WindowKind::kHopping;
    status = duration(1, spec.window_ms);
    if (status.ok() && (words.size() < 3 || words[2] != "every")) {
      status =
          Status::InvalidConfig("window '" + text + "': expected 'hopping SIZE every ADVANCE'");
    }
    if (status.ok()) status = duration(3, spec.advance_ms);
    if (status.ok() && spec.advance_ms > spec.window_ms) {
      status = Status::InvalidConfig("window '" + text + "': advance longer than the window");
    }
    used = 4;
  } else {
    status = duration(0, spec.window_ms);
    used = 1;
    if (status.ok() && words.size() > 1) {
      if (words[1] != "delayed") {
        status = Status::InvalidConfig("window '" + text + "': expected 'SIZE delayed DELAY'");
      } else {
        status = duration(2, spec.delay_ms);
        used = 3;
      }
    }
  }
  if (status.ok() && words.size() > used) {
    status = Status::InvalidConfig("window '" + text + "': unexpected '" + words[used] + "'");
  }
  return status;
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

Result<FeatureSpec> ParseOne(const YAML::Node& node, DurationMs default_lateness_ms,
                             const std::map<std::string, size_t>& earlier) {
  if (!node.IsMap()) return Status::InvalidConfig("a feature must be a mapping");
  FeatureSpec spec;
  if (!node["name"]) return Status::InvalidConfig("feature without a name");
  spec.name = node["name"].as<std::string>();
  auto fail = [&](const Status& status) {
    return status.WithContext("feature '" + spec.name + "'");
  };
  if (!node["function"]) return fail(Status::InvalidConfig("missing 'function'"));
  if (Status s = ParseFunction(Trimmed(node["function"].as<std::string>()), earlier, spec);
      !s.ok()) {
    return fail(s);
  }
  if (spec.function == FeatureFunction::kRatio) return spec;

  for (const char* required : {"key", "window"}) {
    if (!node[required])
      return fail(Status::InvalidConfig(std::string("missing '") + required + "'"));
  }
  std::vector<std::string> key_names;
  if (node["key"].IsSequence()) {
    for (const auto& item : node["key"]) key_names.push_back(item.as<std::string>());
  } else {
    key_names.push_back(node["key"].as<std::string>());
  }
  if (key_names.empty()) return fail(Status::InvalidConfig("empty key"));
  for (const auto& name : key_names) {
    auto key = ResolveEventField(name);
    if (!key.ok()) return fail(key.status());
    spec.key.push_back(*key);
  }
  if (Status s = ParseWindow(node["window"].as<std::string>(), spec); !s.ok()) return fail(s);
  spec.allowed_lateness_ms = default_lateness_ms;
  if (node["allowed_lateness"]) {
    auto lateness = ParseDuration(node["allowed_lateness"].as<std::string>());
    if (!lateness.ok()) return fail(lateness.status());
    spec.allowed_lateness_ms = *lateness;
  }
  if (node["max_distinct"]) {
    spec.max_distinct = node["max_distinct"].as<int64_t>();
    if (spec.max_distinct < 1) return fail(Status::InvalidConfig("max_distinct must be positive"));
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

bool FeatureSpec::Contributes(EventType type) const {
  return std::find(events.begin(), events.end(), type) != events.end();
}

WindowSpec FeatureSpec::ToWindowSpec() const {
  WindowSpec window;
  window.store_id = Fingerprint();
  window.kind = window_kind;
  window.size_ms = window_ms;
  window.delay_ms = delay_ms;
  window.advance_ms = advance_ms;
  window.allowed_lateness_ms = allowed_lateness_ms;
  window.track_distinct = function == FeatureFunction::kCountDistinct;
  window.max_distinct = window.track_distinct ? max_distinct : 0;
  window.track_extremes = function == FeatureFunction::kMin || function == FeatureFunction::kMax;
  return window;
}

uint64_t FeatureSpec::Fingerprint() const {
  std::string canonical = Describe();
  canonical += " lateness " + std::to_string(allowed_lateness_ms) + " events";
  for (EventType type : events) canonical += " " + std::string(ToString(type));
  if (function == FeatureFunction::kCountDistinct)
    canonical += " cap " + std::to_string(max_distinct);
  return Fingerprint64(canonical);
}

std::string FeatureSpec::Describe() const {
  std::string out(FunctionName(function));
  if (function == FeatureFunction::kRatio) {
    return out + "(#" + std::to_string(ratio_numerator) + ", #" +
           std::to_string(ratio_denominator) + ")";
  }
  out += "(" + (argument ? std::string(FieldName(*argument)) : std::string()) + ") over ";
  switch (window_kind) {
    case WindowKind::kSliding:
      out += FormatDuration(window_ms);
      if (delay_ms > 0) out += " delayed " + FormatDuration(delay_ms);
      break;
    case WindowKind::kTumbling:
      out += "tumbling " + FormatDuration(window_ms);
      break;
    case WindowKind::kHopping:
      out += "hopping " + FormatDuration(window_ms) + " every " + FormatDuration(advance_ms);
      break;
  }
  out += " by ";
  for (size_t i = 0; i < key.size(); ++i) out += (i ? "+" : "") + std::string(FieldName(key[i]));
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
  std::map<std::string, size_t> names;
  for (const auto& node : features) {
    Result<FeatureSpec> spec = Status::InvalidConfig("unparsed");
    try {
      spec = ParseOne(node, default_lateness_ms, names);
    } catch (const YAML::Exception& e) {
      spec = Status::InvalidConfig(e.what());
    }
    if (!spec.ok()) return spec.status().WithContext(YamlPosition(source, node));
    if (!names.emplace(spec->name, specs.size()).second) {
      return Status::InvalidConfig(YamlPosition(source, node) + ": feature '" + spec->name +
                                   "' declared twice");
    }
    specs.push_back(std::move(*spec));
  }
  return specs;
}

}  // namespace riskstream
