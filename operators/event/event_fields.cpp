#include "operators/event/event_fields.h"

#include <array>
#include <optional>
#include <utility>

namespace riskstream {
namespace {

constexpr std::array<std::pair<EventField, std::string_view>, 23> kNames = {{
    {EventField::kEventId, "event_id"},
    {EventField::kType, "type"},
    {EventField::kEventTime, "event_time"},
    {EventField::kApplicantId, "applicant_id"},
    {EventField::kAccountId, "account_id"},
    {EventField::kDeviceId, "device_id"},
    {EventField::kIp, "ip"},
    {EventField::kIdNumber, "id_number"},
    {EventField::kPhone, "phone"},
    {EventField::kChannel, "channel"},
    {EventField::kProduct, "product"},
    {EventField::kEmployer, "employer"},
    {EventField::kRequestedAmount, "requested_amount"},
    {EventField::kDeclaredIncome, "declared_income"},
    {EventField::kKind, "kind"},
    {EventField::kAmount, "amount"},
    {EventField::kCurrency, "currency"},
    {EventField::kMerchantId, "merchant_id"},
    {EventField::kMerchantCategory, "merchant_category"},
    {EventField::kGeoLat, "geo.lat"},
    {EventField::kGeoLon, "geo.lon"},
    {EventField::kLabel, "label"},
    {EventField::kLabelledEventId, "labelled_event_id"},
}};

FieldValue Text(std::string_view text) {
  if (text.empty()) return {};
  return {FieldValue::Kind::kText, text, 0};
}

FieldValue Number(double number) { return {FieldValue::Kind::kNumber, {}, number}; }

}  // namespace

Result<EventField> ResolveEventField(std::string_view name) {
  for (const auto& [field, field_name] : kNames) {
    if (field_name == name) return field;
  }
  std::string known;
  for (const auto& entry : kNames) known += (known.empty() ? "" : ", ") + std::string(entry.second);
  return Status::InvalidConfig("unknown event field '" + std::string(name) + "' (known: " + known +
                               ")");
}

std::string_view FieldName(EventField field) {
  for (const auto& [f, name] : kNames) {
    if (f == field) return name;
  }
  return "?";
}

std::vector<std::string_view> AllFieldNames() {
  std::vector<std::string_view> names;
  for (const auto& entry : kNames) names.push_back(entry.second);
  return names;
}

FieldValue ReadField(const Event& e, EventField field) {
  switch (field) {
    case EventField::kEventId:
      return Text(e.event_id);
    case EventField::kType:
      return Text(ToString(e.type));
    case EventField::kEventTime:
      return Number(static_cast<double>(e.event_time));
    case EventField::kApplicantId:
      return Text(e.applicant_id);
    case EventField::kAccountId:
      return Text(e.account_id);
    case EventField::kDeviceId:
      return Text(e.device_id);
    case EventField::kIp:
      return Text(e.ip);
    case EventField::kIdNumber:
      return Text(e.id_number_hash);
    case EventField::kPhone:
      return Text(e.phone_hash);
    case EventField::kChannel:
      return Text(e.channel);
    case EventField::kProduct:
      return Text(e.product);
    case EventField::kEmployer:
      return Text(e.employer);
    case EventField::kRequestedAmount:
      return e.requested_amount ? Number(*e.requested_amount) : FieldValue{};
    case EventField::kDeclaredIncome:
      return e.declared_income ? Number(*e.declared_income) : FieldValue{};
    case EventField::kKind:
      return Text(ToString(e.kind));
    case EventField::kAmount:
      return e.type == EventType::kTransaction ? Number(e.amount) : FieldValue{};
    case EventField::kCurrency:
      return Text(e.currency);
    case EventField::kMerchantId:
      return Text(e.merchant_id);
    case EventField::kMerchantCategory:
      return Text(e.merchant_category);
    case EventField::kGeoLat:
      return e.geo ? Number(e.geo->lat) : FieldValue{};
    case EventField::kGeoLon:
      return e.geo ? Number(e.geo->lon) : FieldValue{};
    case EventField::kLabel:
      return Text(ToString(e.label));
    case EventField::kLabelledEventId:
      return Text(e.labelled_event_id);
  }
  return {};
}

void AssignField(Event& e, EventField field, const FieldValue& value) {
  const std::string text(value.text);
  const std::optional<double> number =
      value.kind == FieldValue::Kind::kNumber ? std::optional(value.number) : std::nullopt;
  switch (field) {
    case EventField::kEventId:
      e.event_id = text;
      break;
    case EventField::kType:
    case EventField::kLabel:
    case EventField::kLabelledEventId:
      break;  // a rebuilt event keeps the type and label of the event rebuilding it
    case EventField::kEventTime:
      if (number) e.event_time = static_cast<TimestampMs>(*number);
      break;
    case EventField::kApplicantId:
      e.applicant_id = text;
      break;
    case EventField::kAccountId:
      e.account_id = text;
      break;
    case EventField::kDeviceId:
      e.device_id = text;
      break;
    case EventField::kIp:
      e.ip = text;
      break;
    case EventField::kIdNumber:
      e.id_number_hash = text;
      break;
    case EventField::kPhone:
      e.phone_hash = text;
      break;
    case EventField::kChannel:
      e.channel = text;
      break;
    case EventField::kProduct:
      e.product = text;
      break;
    case EventField::kEmployer:
      e.employer = text;
      break;
    case EventField::kRequestedAmount:
      e.requested_amount = number;
      break;
    case EventField::kDeclaredIncome:
      e.declared_income = number;
      break;
    case EventField::kKind:
      e.kind = text == "withdrawal"  ? TransactionKind::kWithdrawal
               : text == "purchase"  ? TransactionKind::kPurchase
               : text == "repayment" ? TransactionKind::kRepayment
                                     : TransactionKind::kNone;
      break;
    case EventField::kAmount:
      e.amount = number.value_or(0);
      break;
    case EventField::kCurrency:
      e.currency = text;
      break;
    case EventField::kMerchantId:
      e.merchant_id = text;
      break;
    case EventField::kMerchantCategory:
      e.merchant_category = text;
      break;
    case EventField::kGeoLat:
    case EventField::kGeoLon:
      if (number) {
        if (!e.geo) e.geo = GeoPoint{};
        (field == EventField::kGeoLat ? e.geo->lat : e.geo->lon) = *number;
      }
      break;
  }
}

}  // namespace riskstream
