#include "operators/event/event_parser.h"

#include <simdjson.h>

#include <cctype>
#include <charconv>
#include <cmath>

namespace riskstream {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

ParseError Missing(std::string_view field) {
  return {ParseError::Code::kMissingField, "missing field " + std::string(field)};
}

ParseError WrongType(std::string_view field, std::string_view expected) {
  return {ParseError::Code::kWrongType,
          "field " + std::string(field) + ": expected " + std::string(expected)};
}

ParseError BadValue(std::string_view field, std::string_view why) {
  return {ParseError::Code::kBadValue, std::string(field) + " " + std::string(why)};
}

// Reads an optional field; `found` is false when absent or JSON null.
bool Lookup(const object& obj, std::string_view field, element& out) {
  if (obj.at_key(field).get(out) != simdjson::SUCCESS) return false;
  return out.type() != element_type::NULL_VALUE;
}

// A string field; numbers are accepted too (ids are often numeric in real logs).
std::optional<ParseError> ReadString(const object& obj, std::string_view field, bool required,
                                     std::string& out) {
  out.clear();
  element value;
  if (!Lookup(obj, field, value)) return required ? std::optional(Missing(field)) : std::nullopt;
  switch (value.type()) {
    case element_type::STRING:
      out.assign(Trim(std::string_view(value.get_string().value_unsafe())));
      break;
    case element_type::INT64:
      out = std::to_string(value.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      out = std::to_string(value.get_uint64().value_unsafe());
      break;
    default:
      return WrongType(field, "a string");
  }
  if (required && out.empty()) return Missing(field);
  return std::nullopt;
}

// An identifier: placeholders ("unknown", "", "null", ...) become empty = missing.
std::optional<ParseError> ReadIdentifier(const object& obj, std::string_view field,
                                         std::string& out) {
  if (auto error = ReadString(obj, field, false, out)) return error;
  if (IsPlaceholderIdentifier(out)) out.clear();
  return std::nullopt;
}

// A number field; numeric strings ("12.50") are accepted, NaN/inf are not.
std::optional<ParseError> ReadNumber(const object& obj, std::string_view field,
                                     std::optional<double>& out) {
  out.reset();
  element value;
  if (!Lookup(obj, field, value)) return std::nullopt;
  double number = 0;
  switch (value.type()) {
    case element_type::DOUBLE:
      number = value.get_double().value_unsafe();
      break;
    case element_type::INT64:
      number = static_cast<double>(value.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      number = static_cast<double>(value.get_uint64().value_unsafe());
      break;
    case element_type::STRING: {
      std::string_view text = Trim(value.get_string().value_unsafe());
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return WrongType(field, "a number");
      }
      break;
    }
    default:
      return WrongType(field, "a number");
  }
  if (!std::isfinite(number)) return BadValue(field, "is not a finite number");
  out = number;
  return std::nullopt;
}

std::optional<ParseError> ReadTimestamp(const object& obj, std::string_view field, bool required,
                                        TimestampMs& out) {
  element value;
  if (!Lookup(obj, field, value)) return required ? std::optional(Missing(field)) : std::nullopt;
  if (value.type() == element_type::INT64 || value.type() == element_type::UINT64) {
    int64_t millis = 0;
    if (value.get_int64().get(millis) != simdjson::SUCCESS || millis < 0) {
      return ParseError{ParseError::Code::kBadTimestamp,
                        std::string(field) + " epoch milliseconds out of range"};
    }
    out = millis;
    return std::nullopt;
  }
  if (value.type() != element_type::STRING) {
    return WrongType(field, "an RFC 3339 string or epoch milliseconds");
  }
  auto parsed = ParseTimestamp(Trim(value.get_string().value_unsafe()));
  if (!parsed.ok()) {
    return ParseError{
        ParseError::Code::kBadTimestamp,
        std::string(field) + " not RFC 3339 or epoch millis: " + parsed.status().message()};
  }
  out = *parsed;
  return std::nullopt;
}

std::optional<ParseError> ReadGeo(const object& obj, std::optional<GeoPoint>& out) {
  out.reset();
  element value;
  if (!Lookup(obj, "geo", value)) return std::nullopt;
  object geo;
  if (value.get_object().get(geo) != simdjson::SUCCESS) return WrongType("geo", "an object");
  std::optional<double> lat, lon;
  if (auto error = ReadNumber(geo, "lat", lat)) return error;
  if (auto error = ReadNumber(geo, "lon", lon)) return error;
  if (!lat || !lon) return Missing(lat ? "geo.lon" : "geo.lat");
  if (*lat < -90 || *lat > 90) return BadValue("geo.lat", "outside [-90, 90]");
  if (*lon < -180 || *lon > 180) return BadValue("geo.lon", "outside [-180, 180]");
  out = GeoPoint{*lat, *lon};
  return std::nullopt;
}

}  // namespace

std::string_view ToString(ParseError::Code code) {
  switch (code) {
    case ParseError::Code::kTooLarge:
      return "too_large";
    case ParseError::Code::kNotJson:
      return "not_json";
    case ParseError::Code::kNotObject:
      return "not_object";
    case ParseError::Code::kMissingField:
      return "missing_field";
    case ParseError::Code::kWrongType:
      return "wrong_type";
    case ParseError::Code::kBadTimestamp:
      return "bad_timestamp";
    case ParseError::Code::kBadValue:
      return "bad_value";
    case ParseError::Code::kUnknownType:
      return "unknown_type";
  }
  return "unknown";
}

bool IsPlaceholderIdentifier(std::string_view value) {
  value = Trim(value);
  if (value.empty()) return true;
  static constexpr std::string_view kPlaceholders[] = {
      "unknown", "null", "none", "nil", "n/a", "na", "nan", "undefined", "-", "?", "0"};
  for (std::string_view p : kPlaceholders) {
    if (value.size() != p.size()) continue;
    bool same = true;
    for (size_t i = 0; i < p.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(value[i])) == p[i];
    }
    if (same) return true;
  }
  return false;
}

struct EventParser::Impl {
  explicit Impl(const PiiHasher& h) : hasher(h.NewContext()) {}
  PiiHasher::Context hasher;
  simdjson::dom::parser json;
  std::string scratch;

  std::optional<ParseError> ParseApplication(const object& obj, Event& e);
  std::optional<ParseError> ParseTransaction(const object& obj, Event& e);
  std::optional<ParseError> ParseLabel(const object& obj, Event& e);
  std::optional<ParseError> ReadHashed(const object& obj, std::string_view field, bool required,
                                       std::string& out);
};

EventParser::EventParser(const PiiHasher& hasher) : impl_(std::make_unique<Impl>(hasher)) {}
EventParser::~EventParser() = default;

std::optional<ParseError> EventParser::Impl::ReadHashed(const object& obj, std::string_view field,
                                                        bool required, std::string& out) {
  if (auto error = ReadString(obj, field, required, scratch)) return error;
  out.clear();
  if (IsPlaceholderIdentifier(scratch))
    return required ? std::optional(Missing(field)) : std::nullopt;
  // Hash a canonical form: spaces and dashes are formatting, not identity.
  std::string canonical;
  canonical.reserve(scratch.size());
  for (char c : scratch) {
    if (c == ' ' || c == '-') continue;
    canonical.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  out = hasher.Hash(canonical);
  scratch.assign(scratch.size(), '\0');  // do not keep the raw value around
  return std::nullopt;
}

std::optional<ParseError> EventParser::Impl::ParseApplication(const object& obj, Event& e) {
  if (auto error = ReadString(obj, "applicant_id", true, e.applicant_id)) return error;
  if (IsPlaceholderIdentifier(e.applicant_id)) return Missing("applicant_id");
  if (auto error = ReadIdentifier(obj, "account_id", e.account_id)) return error;
  if (auto error = ReadHashed(obj, "id_number", false, e.id_number_hash)) return error;
  if (auto error = ReadHashed(obj, "phone", false, e.phone_hash)) return error;
  if (auto error = ReadString(obj, "channel", false, e.channel)) return error;
  if (auto error = ReadString(obj, "product", false, e.product)) return error;
  if (auto error = ReadString(obj, "employer", false, e.employer)) return error;
  if (auto error = ReadNumber(obj, "requested_amount", e.requested_amount)) return error;
  if (e.requested_amount && *e.requested_amount < 0) {
    return BadValue("requested_amount", "negative");
  }
  if (auto error = ReadNumber(obj, "declared_income", e.declared_income)) return error;
  if (e.declared_income && *e.declared_income < 0) return BadValue("declared_income", "negative");
  return std::nullopt;
}

std::optional<ParseError> EventParser::Impl::ParseTransaction(const object& obj, Event& e) {
  if (auto error = ReadString(obj, "account_id", true, e.account_id)) return error;
  if (IsPlaceholderIdentifier(e.account_id)) return Missing("account_id");
  if (auto error = ReadString(obj, "kind", true, scratch)) return error;
  if (scratch == "withdrawal") {
    e.kind = TransactionKind::kWithdrawal;
  } else if (scratch == "purchase") {
    e.kind = TransactionKind::kPurchase;
  } else if (scratch == "repayment") {
    e.kind = TransactionKind::kRepayment;
  } else {
    return BadValue("kind", "'" + scratch.substr(0, 40) + "' is not withdrawal|purchase|repayment");
  }
  std::optional<double> amount;
  if (auto error = ReadNumber(obj, "amount", amount)) return error;
  if (!amount) return Missing("amount");
  if (*amount < 0) return BadValue("amount", "negative");
  e.amount = *amount;
  if (auto error = ReadString(obj, "currency", false, e.currency)) return error;
  if (e.currency.empty()) e.currency = "CNY";
  if (auto error = ReadIdentifier(obj, "merchant_id", e.merchant_id)) return error;
  if (auto error = ReadString(obj, "merchant_category", false, e.merchant_category)) return error;
  return std::nullopt;
}

std::optional<ParseError> EventParser::Impl::ParseLabel(const object& obj, Event& e) {
  if (auto error = ReadString(obj, "labelled_event_id", true, e.labelled_event_id)) return error;
  if (auto error = ReadString(obj, "label", true, scratch)) return error;
  if (scratch == "fraud") {
    e.label = LabelKind::kFraud;
  } else if (scratch == "legit") {
    e.label = LabelKind::kLegit;
  } else if (scratch == "chargeback") {
    e.label = LabelKind::kChargeback;
  } else {
    return BadValue("label", "'" + scratch.substr(0, 40) + "' is not fraud|legit|chargeback");
  }
  e.labelled_at = e.event_time;
  if (auto error = ReadTimestamp(obj, "labelled_at", false, e.labelled_at)) return error;
  if (auto error = ReadIdentifier(obj, "account_id", e.account_id)) return error;
  return std::nullopt;
}

std::optional<ParseError> EventParser::Parse(std::string_view bytes,
                                             std::optional<EventType> default_type, Event& out,
                                             EventOrderKey* order_key) {
  if (order_key != nullptr) *order_key = UnreadableOrderKey();
  if (bytes.size() > kMaxEventBytes) {
    return ParseError{ParseError::Code::kTooLarge,
                      "message over 64 KiB (" + std::to_string(bytes.size()) + " bytes)"};
  }
  element doc;
  if (auto error = impl_->json.parse(bytes.data(), bytes.size(), true).get(doc)) {
    return ParseError{ParseError::Code::kNotJson,
                      std::string("not valid JSON: ") + simdjson::error_message(error)};
  }
  object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return ParseError{ParseError::Code::kNotObject, "not a JSON object"};
  }
  if (order_key != nullptr) {
    if (auto key = ReadOrderKey(obj)) *order_key = std::move(*key);
  }
  out.Clear();
  std::string& type = impl_->scratch;
  if (auto error = ReadString(obj, "type", false, type)) return error;
  if (type.empty()) {
    if (!default_type) return Missing("type");
    out.type = *default_type;
  } else if (type == "application") {
    out.type = EventType::kApplication;
  } else if (type == "transaction") {
    out.type = EventType::kTransaction;
  } else if (type == "label") {
    out.type = EventType::kLabel;
  } else {
    return ParseError{ParseError::Code::kUnknownType,
                      "type '" + type.substr(0, 40) + "' is not application|transaction|label"};
  }
  if (default_type && out.type != *default_type) {
    return ParseError{ParseError::Code::kUnknownType,
                      "type '" + std::string(ToString(out.type)) + "' on a topic of " +
                          std::string(ToString(*default_type)) + " events"};
  }
  if (auto error = ReadString(obj, "event_id", true, out.event_id)) return error;
  if (auto error = ReadTimestamp(obj, "event_time", true, out.event_time)) return error;
  if (out.type != EventType::kLabel) {
    if (auto error = ReadIdentifier(obj, "device_id", out.device_id)) return error;
    if (auto error = ReadIdentifier(obj, "ip", out.ip)) return error;
    if (auto error = ReadGeo(obj, out.geo)) return error;
  }
  switch (out.type) {
    case EventType::kApplication:
      return impl_->ParseApplication(obj, out);
    case EventType::kTransaction:
      return impl_->ParseTransaction(obj, out);
    case EventType::kLabel:
      return impl_->ParseLabel(obj, out);
  }
  return std::nullopt;
}

}  // namespace riskstream
