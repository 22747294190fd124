#include "operators/event/event.h"

namespace riskstream {

std::string_view ToString(EventType type) {
  switch (type) {
    case EventType::kApplication:
      return "application";
    case EventType::kTransaction:
      return "transaction";
    case EventType::kLabel:
      return "label";
  }
  return "unknown";
}

std::string_view ToString(TransactionKind kind) {
  switch (kind) {
    case TransactionKind::kNone:
      return "";
    case TransactionKind::kWithdrawal:
      return "withdrawal";
    case TransactionKind::kPurchase:
      return "purchase";
    case TransactionKind::kRepayment:
      return "repayment";
  }
  return "";
}

std::string_view ToString(LabelKind label) {
  switch (label) {
    case LabelKind::kNone:
      return "";
    case LabelKind::kFraud:
      return "fraud";
    case LabelKind::kLegit:
      return "legit";
    case LabelKind::kChargeback:
      return "chargeback";
  }
  return "";
}

void Event::Clear() {
  // A field added to Event must be reset here too.
  static_assert(sizeof(Event) == 14 * sizeof(std::string) + 104, "reset the new field below");
  for (auto text : {&Event::event_id, &Event::account_id, &Event::device_id, &Event::ip,
                    &Event::applicant_id, &Event::id_number_hash, &Event::phone_hash,
                    &Event::channel, &Event::product, &Event::employer, &Event::currency,
                    &Event::merchant_id, &Event::merchant_category, &Event::labelled_event_id}) {
    (this->*text).clear();
  }
  event_time = 0;
  type = EventType::kApplication;
  geo.reset();
  requested_amount.reset();
  declared_income.reset();
  kind = TransactionKind::kNone;
  amount = 0;
  label = LabelKind::kNone;
  labelled_at = 0;
}

void PrefetchEvent(const Event& event) {
  constexpr size_t kLine = 64;
  const auto* bytes = reinterpret_cast<const char*>(&event);
  for (size_t at = 0; at < sizeof(Event); at += kLine) __builtin_prefetch(bytes + at);
  for (const std::string* text :
       {&event.event_id, &event.account_id, &event.device_id, &event.ip, &event.applicant_id,
        &event.id_number_hash, &event.phone_hash, &event.merchant_id, &event.labelled_event_id}) {
    __builtin_prefetch(text->data());  // its object's inline buffer when short: already fetched
  }
}

}  // namespace riskstream
