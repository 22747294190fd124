#include "operators/output/output_records.h"

#include "operators/output/json_writer.h"

namespace riskstream {
namespace {

void WriteSource(const SourcePosition& source, JsonWriter& json) {
  json.BeginObject();
  json.Key("topic");
  json.String(source.topic);
  json.Key("partition");
  json.Integer(source.partition);
  json.Key("offset");
  json.Integer(source.offset);
  json.EndObject();
}

void WriteFeatures(const DecisionInputs& in, JsonWriter& json) {
  json.BeginObject();
  for (size_t i = 0; i < in.specs.size(); ++i) {
    json.DataKey(in.specs[i].name);  // feature names are unique (feature_spec.h)
    json.Write(in.features.values[i]);
  }
  json.EndObject();
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// The fields both kinds of credit event end with.
void WriteProvenance(const DecisionInputs& in, JsonWriter& json) {
  json.Key("rule_set_version");
  json.String(in.rule_set_version);
  json.Key("scorecard_version");
  if (in.scorecard_version) {
    json.String(*in.scorecard_version);
  } else {
    json.Null();
  }
  json.Key("event_time");
  json.Time(in.event.event_time);
  json.Key("source");
  WriteSource(in.source, json);
  json.Key("processing_time");
  json.Time(in.processing_time);
}

// The score's points by characteristic, then the fired rules' points. A name given twice keeps its
// first place and its last points (as a JSON object built member by member would).
void WriteScorePoints(const PolicyDecision& policy, JsonWriter& json) {
  std::vector<std::pair<std::string_view, int>> parts;
  parts.reserve(policy.score->parts.size() + 1);
  auto add = [&](std::string_view name, int points) {
    for (auto& part : parts) {
      if (part.first == name) {
        part.second = points;
        return;
      }
    }
    parts.emplace_back(name, points);
  };
  for (const auto& part : policy.score->parts) add(part.characteristic->name, part.points);
  if (policy.rules.points != 0) add("rules", policy.rules.points);
  json.BeginObject();
  for (const auto& [name, points] : parts) {
    json.DataKey(name);
    json.Integer(points);
  }
  json.EndObject();
}

void WriteCredit(const PolicyDecision& policy, JsonWriter& json) {
  if (policy.score) {
    json.Key("score");
    json.Integer(policy.score->score);
    json.Key("score_points");
    WriteScorePoints(policy, json);
  }
  json.Key("limit");
  if (policy.limit_granted) {
    json.Number(*policy.limit_granted);
  } else if (policy.account) {
    json.Number(policy.account->limit);
  } else {
    json.Null();
  }
  if (policy.account && !policy.limit_granted) {
    json.Key("limit_used");
    json.Number(policy.account->used);
    json.Key("limit_available");
    json.Number(policy.account->available());
  }
}

}  // namespace

std::string_view OutputKey(const Event& event) {
  if (event.type == EventType::kApplication) return event.applicant_id;
  if (!event.account_id.empty()) return event.account_id;
  return event.event_id;
}

std::optional<std::string> FormatLimitFreeze(const DecisionInputs& in) {
  if (!in.policy || !in.policy->freeze_reason || !in.policy->account) return std::nullopt;
  const CreditAccount& account = *in.policy->account;
  JsonWriter json;
  json.BeginObject();
  json.Key("record_type");
  json.String("limit_freeze");
  json.Key("account_id");
  json.String(in.event.account_id);
  json.Key("event_id");
  json.String(in.event.event_id);
  json.Key("event_type");
  json.String(ToString(in.event.type));
  json.Key("reason_code");
  json.String(*in.policy->freeze_reason);
  json.Key("limit");
  json.Number(account.limit);
  json.Key("limit_used");
  json.Number(account.used);
  WriteProvenance(in, json);
  json.EndObject();
  return json.Finish();
}

std::string FormatCreditEvent(const DecisionInputs& in) {
  const Event& e = in.event;
  JsonWriter json(512 + 64 * in.specs.size());  // most records fit: no copy as they grow
  json.BeginObject();
  json.Key("record_type");
  json.String("decision");
  json.Key("event_id");
  json.String(e.event_id);
  json.Key("event_type");
  json.String(ToString(e.type));
  if (e.type == EventType::kApplication) {
    json.Key("applicant_id");
    json.String(e.applicant_id);
  }
  if (!e.account_id.empty()) {
    json.Key("account_id");
    json.String(e.account_id);
  }
  if (e.type == EventType::kTransaction) {
    json.Key("kind");
    json.String(ToString(e.kind));
    json.Key("amount");
    json.Number(e.amount);
  }
  if (e.type == EventType::kLabel) {
    json.Key("labelled_event_id");
    json.String(e.labelled_event_id);
    json.Key("label");
    json.String(ToString(e.label));
  }
  json.Key("decision");
  if (in.policy) {
    json.String(ToString(in.policy->decision));
    WriteCredit(*in.policy, json);
    if (in.policy->freeze_reason) {
      json.Key("limit_freeze");
      json.Bool(true);
    }
  } else {
    json.String(ToString(in.outcome.decision));
    if (in.outcome.freeze_limit) {
      json.Key("limit_freeze");
      json.Bool(true);
    }
  }
  json.Key("reason_codes");
  json.BeginArray();
  if (in.policy) {
    for (const auto& code : in.policy->ReasonCodes()) json.String(code);
  } else {
    for (const auto& fired : in.outcome.fired) json.String(fired.rule->reason_code);
  }
  json.EndArray();
  json.Key("rule_ids");
  json.BeginArray();
  for (const auto& fired : in.outcome.fired) json.String(fired.rule->id);
  json.EndArray();
  json.Key("features");
  WriteFeatures(in, json);
  json.Key("late");
  json.Bool(in.late);
  if (!in.features.exact) {
    json.Key("features_exact");
    json.Bool(false);
  }
  WriteProvenance(in, json);
  json.EndObject();
  return json.Finish();
}

std::string FormatFeatureVector(const DecisionInputs& in) {
  // A feature may be named like a fixed field (event_type, features_exact): its value then takes
  // that field's place, or the field's value its place, as in a JSON object built member by member.
  auto feature_named = [&](std::string_view name) -> const Value* {
    for (size_t i = 0; i < in.specs.size(); ++i) {
      if (in.specs[i].name == name) return &in.features.values[i];
    }
    return nullptr;
  };
  JsonWriter json;
  json.BeginObject();
  json.Key("event_id");
  if (const Value* value = feature_named("event_id")) {
    json.Write(*value);
  } else {
    json.String(in.event.event_id);
  }
  json.Key("event_time");
  if (const Value* value = feature_named("event_time")) {
    json.Write(*value);
  } else {
    json.Time(in.event.event_time);
  }
  json.Key("event_type");
  if (const Value* value = feature_named("event_type")) {
    json.Write(*value);
  } else {
    json.String(ToString(in.event.type));
  }
  bool exact_written = false;
  for (size_t i = 0; i < in.specs.size(); ++i) {
    const std::string& name = in.specs[i].name;
    if (name == "event_id" || name == "event_time" || name == "event_type") continue;
    json.DataKey(name);
    if (name == "features_exact") {
      json.Bool(in.features.exact);
      exact_written = true;
    } else {
      json.Write(in.features.values[i]);
    }
  }
  if (!exact_written) {
    json.Key("features_exact");
    json.Bool(in.features.exact);
  }
  json.EndObject();
  return json.Finish();
}

std::optional<std::string> FormatFraudAlert(const DecisionInputs& in) {
  if (in.outcome.fired.empty()) return std::nullopt;
  const Event& e = in.event;
  JsonWriter json;
  json.BeginObject();
  json.Key("alert_id");
  json.String("alert-" + e.event_id);
  json.Key("event_id");
  json.String(e.event_id);
  json.Key("event_type");
  json.String(ToString(e.type));
  json.Key("entity");
  json.String(OutputKey(e));
  json.Key("severity");
  json.String(ToString(*in.outcome.alert_severity));
  json.Key("decision");
  json.String(ToString(in.policy ? in.policy->decision : in.outcome.decision));
  json.Key("rules");
  json.BeginArray();
  for (const auto& fired : in.outcome.fired) {
    json.BeginObject();
    json.Key("rule_id");
    json.String(fired.rule->id);
    json.Key("reason_code");
    json.String(fired.rule->reason_code);
    json.Key("severity");
    json.String(ToString(fired.rule->severity));
    json.Key("action");
    json.String(ToString(fired.rule->action));
    json.Key("points");
    json.Integer(fired.rule->points);
    json.Key("condition");
    json.String(fired.rule->condition_text);
    json.Key("values");
    json.BeginObject();
    for (const auto& [name, value] : fired.inputs) {  // distinct slots, so distinct names
      json.DataKey(name);
      json.Write(value);
    }
    json.EndObject();
    json.EndObject();
  }
  json.EndArray();
  json.Key("rule_set_version");
  json.String(in.rule_set_version);
  json.Key("event_time");
  json.Time(e.event_time);
  json.Key("source");
  WriteSource(in.source, json);
  json.Key("processing_time");
  json.Time(in.processing_time);
  json.EndObject();
  return json.Finish();
}

std::string FormatDeadLetter(const ParseError& error, const SourcePosition& source,
                             std::string_view raw, TimestampMs processing_time) {
  JsonWriter json;
  json.BeginObject();
  json.Key("reason");
  json.String(ToString(error.code));
  json.Key("error");
  json.String(error.message);
  json.Key("source");
  WriteSource(source, json);
  json.Key("raw_base64");
  json.String(Base64(raw));
  json.Key("raw_bytes");
  json.Unsigned(raw.size());
  json.Key("processing_time");
  json.Time(processing_time);
  json.EndObject();
  return json.Finish();
}

}  // namespace riskstream
