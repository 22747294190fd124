// operators/event/event_fields.h
//
// EventField names the fields of an Event that features and rules can read, by the names they have
// in the input JSON ("device_id", "amount", "geo.lat", ...). Names are resolved once at config
// time; reading a field per event is a switch, not a lookup. `id_number` and `phone` read their
// hashes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "operators/event/event.h"

namespace riskstream {

enum class EventField {
  kEventId,
  kType,
  kEventTime,
  kApplicantId,
  kAccountId,
  kDeviceId,
  kIp,
  kIdNumber,
  kPhone,
  kChannel,
  kProduct,
  kEmployer,
  kRequestedAmount,
  kDeclaredIncome,
  kKind,
  kAmount,
  kCurrency,
  kMerchantId,
  kMerchantCategory,
  kGeoLat,
  kGeoLon,
  kLabel,
  kLabelledEventId,
};

// A field's value in one event: missing, text (valid while the event lives) or a number.
struct FieldValue {
  enum class Kind { kMissing, kText, kNumber };
  Kind kind = Kind::kMissing;
  std::string_view text;
  double number = 0;

  bool missing() const { return kind == Kind::kMissing; }
};

// Resolves a JSON field name; the error lists the known names.
Result<EventField> ResolveEventField(std::string_view name);
std::string_view FieldName(EventField field);
// Every field name, in declaration order (for documentation and error messages).
std::vector<std::string_view> AllFieldNames();

FieldValue ReadField(const Event& event, EventField field);

// Sets `field` of `event` from `value` (the inverse of ReadField, for events rebuilt from state).
// Fields derived from the event's type (`type`, `kind`, `label`) are set by name.
void AssignField(Event& event, EventField field, const FieldValue& value);

}  // namespace riskstream
