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

}  // namespace riskstream
