#include "operators/event.h"

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
