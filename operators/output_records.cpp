#include "operators/output_records.h"

#include <nlohmann/json.hpp>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

Json ToJson(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kMissing:
      return nullptr;
    case Value::Kind::kNumber:
      return value.number();
    case Value::Kind::kString:
      return value.string();
    case Value::Kind::kBool:
      return value.boolean();
  }
  return nullptr;
}

Json FeatureObject(const DecisionInputs& in) {
  Json features = Json::object();
  for (size_t i = 0; i < in.specs.size(); ++i)
    features[in.specs[i].name] = ToJson(in.features.values[i]);
  return features;
}

Json SourceObject(const SourcePosition& source) {
  return Json{{"topic", source.topic}, {"partition", source.partition}, {"offset", source.offset}};
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

Json VersionOf(const std::string* version) { return version ? Json(*version) : Json(nullptr); }

// The fields both kinds of credit event end with.
void AppendProvenance(const DecisionInputs& in, Json& record) {
  record["rule_set_version"] = in.rule_set_version;
  record["scorecard_version"] = VersionOf(in.scorecard_version);
  record["event_time"] = FormatRfc3339(in.event.event_time);
  record["source"] = SourceObject(in.source);
  record["processing_time"] = FormatRfc3339(in.processing_time);
}

void AppendCredit(const PolicyDecision& policy, Json& record) {
  if (policy.score) {
    record["score"] = policy.score->score;
    Json parts = Json::object();
    for (const auto& part : policy.score->parts) parts[part.characteristic->name] = part.points;
    if (policy.rules.points != 0) parts["rules"] = policy.rules.points;
    record["score_points"] = parts;
  }
  if (policy.limit_granted) {
    record["limit"] = *policy.limit_granted;
  } else if (policy.account) {
    record["limit"] = policy.account->limit;
  } else {
    record["limit"] = nullptr;
  }
  if (policy.account && !policy.limit_granted) {
    record["limit_used"] = policy.account->used;
    record["limit_available"] = policy.account->available();
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
  Json record;
  record["record_type"] = "limit_freeze";
  record["account_id"] = in.event.account_id;
  record["event_id"] = in.event.event_id;
  record["event_type"] = ToString(in.event.type);
  record["reason_code"] = *in.policy->freeze_reason;
  record["limit"] = account.limit;
  record["limit_used"] = account.used;
  AppendProvenance(in, record);
  return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string FormatCreditEvent(const DecisionInputs& in) {
  const Event& e = in.event;
  Json record;
  record["record_type"] = "decision";
  record["event_id"] = e.event_id;
  record["event_type"] = ToString(e.type);
  if (e.type == EventType::kApplication) record["applicant_id"] = e.applicant_id;
  if (!e.account_id.empty()) record["account_id"] = e.account_id;
  if (e.type == EventType::kTransaction) {
    record["kind"] = ToString(e.kind);
    record["amount"] = e.amount;
  }
  if (e.type == EventType::kLabel) {
    record["labelled_event_id"] = e.labelled_event_id;
    record["label"] = ToString(e.label);
  }
  Json reasons = Json::array();
  Json rules = Json::array();
  if (in.policy) {
    record["decision"] = ToString(in.policy->decision);
    AppendCredit(*in.policy, record);
    if (in.policy->freeze_reason) record["limit_freeze"] = true;
    for (const auto& code : in.policy->ReasonCodes()) reasons.push_back(code);
  } else {
    record["decision"] = ToString(in.outcome.decision);
    if (in.outcome.freeze_limit) record["limit_freeze"] = true;
    for (const auto& fired : in.outcome.fired) reasons.push_back(fired.rule->reason_code);
  }
  for (const auto& fired : in.outcome.fired) rules.push_back(fired.rule->id);
  record["reason_codes"] = reasons;
  record["rule_ids"] = rules;
  record["features"] = FeatureObject(in);
  record["late"] = in.late;
  if (!in.features.exact) record["features_exact"] = false;
  AppendProvenance(in, record);
  return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string FormatFeatureVector(const DecisionInputs& in) {
  Json record;
  record["event_id"] = in.event.event_id;
  record["event_time"] = FormatRfc3339(in.event.event_time);
  record["event_type"] = ToString(in.event.type);
  for (size_t i = 0; i < in.specs.size(); ++i)
    record[in.specs[i].name] = ToJson(in.features.values[i]);
  record["features_exact"] = in.features.exact;
  return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<std::string> FormatFraudAlert(const DecisionInputs& in) {
  if (in.outcome.fired.empty()) return std::nullopt;
  const Event& e = in.event;
  Json record;
  record["alert_id"] = "alert-" + e.event_id;
  record["event_id"] = e.event_id;
  record["event_type"] = ToString(e.type);
  record["entity"] = std::string(OutputKey(e));
  record["severity"] = ToString(*in.outcome.alert_severity);
  record["decision"] = ToString(in.policy ? in.policy->decision : in.outcome.decision);
  Json rules = Json::array();
  for (const auto& fired : in.outcome.fired) {
    Json inputs = Json::object();
    for (const auto& [name, value] : fired.inputs) inputs[name] = ToJson(value);
    rules.push_back(Json{{"rule_id", fired.rule->id},
                         {"reason_code", fired.rule->reason_code},
                         {"severity", ToString(fired.rule->severity)},
                         {"action", ToString(fired.rule->action)},
                         {"points", fired.rule->points},
                         {"condition", fired.rule->condition_text},
                         {"values", inputs}});
  }
  record["rules"] = rules;
  record["rule_set_version"] = in.rule_set_version;
  record["event_time"] = FormatRfc3339(e.event_time);
  record["source"] = SourceObject(in.source);
  record["processing_time"] = FormatRfc3339(in.processing_time);
  return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string FormatDeadLetter(const ParseError& error, const SourcePosition& source,
                             std::string_view raw, TimestampMs processing_time) {
  Json record;
  record["reason"] = ToString(error.code);
  record["error"] = error.message;
  record["source"] = SourceObject(source);
  record["raw_base64"] = Base64(raw);
  record["raw_bytes"] = raw.size();
  record["processing_time"] = FormatRfc3339(processing_time);
  return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace riskstream
