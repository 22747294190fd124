// generator/event_record.h
//
// The generator's events before they become Kafka messages: an application or a transaction with
// its event time (an EventDraft), and their JSON form. JSON fields come out in a fixed order, times
// as RFC 3339 UTC with milliseconds, amounts in CNY with two decimals, coordinates with five.
// Optional fields (geo, employer, merchant_id) are left out when empty; strings are written as they
// are, so a draft with device_id "" or "unknown" gives exactly that.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/time.h"
#include "generator/population/geo.h"
#include "operators/event/event.h"

namespace riskstream {

inline constexpr std::string_view kApplicationsTopic = "applications";
inline constexpr std::string_view kTransactionsTopic = "transactions";
inline constexpr std::string_view kLabelsTopic = "labels";

// TransactionKind, LabelKind and GeoPoint are the pipeline's own (operators/event/event.h), so the
// generator writes exactly the names the parser reads.
enum class Channel { kApp, kWeb, kH5, kPartner };
enum class Product { kCashLoan, kInstallment };

// The names the JSON uses: "app", "web", "h5", "partner"; "cash_loan", "installment".
std::string_view ToString(Channel channel);
std::string_view ToString(Product product);

struct ApplicationRecord {
  std::string applicant_id;
  std::string account_id;  // the credit account the line attaches to
  std::string id_number;
  std::string phone;
  std::string device_id;
  std::string ip;
  std::optional<GeoPoint> geo;
  Channel channel = Channel::kApp;
  Product product = Product::kCashLoan;
  double requested_amount_cny = 0;
  double declared_income_cny = 0;  // monthly
  std::optional<std::string> employer;
};

struct TransactionRecord {
  std::string account_id;
  TransactionKind kind = TransactionKind::kPurchase;  // never kNone
  double amount_cny = 0;
  std::optional<std::string> merchant_id;  // purchases only
  std::string merchant_category;           // "cash_withdrawal" and "repayment" for the others
  std::string device_id;
  std::string ip;
  std::optional<GeoPoint> geo;
};

struct EventDraft {
  TimestampMs event_time_ms = 0;
  std::variant<ApplicationRecord, TransactionRecord> record;
};

// The Kafka topic and key of a draft: applications are keyed by applicant_id, transactions by
// account_id.
std::string_view TopicOf(const EventDraft& draft);
const std::string& KeyOf(const EventDraft& draft);

// The JSON object for `draft` under `event_id`, on one line.
std::string RenderJson(const EventDraft& draft, std::string_view event_id);

// The JSON object of a label event: `labelled_at_ms` is both its event_time and its labelled_at.
std::string RenderLabelJson(std::string_view event_id, TimestampMs labelled_at_ms,
                            std::string_view labelled_event_id, LabelKind label);

// Appends `text` to `out` as a JSON string: quoted, with '"', '\\' and control characters escaped.
void AppendJsonString(std::string& out, std::string_view text);

// `amount` rounded to cents.
double RoundCents(double amount);

// `amount` rounded to a multiple of `step` (> 0), at least `step`.
double RoundToStep(double amount, double step);

}  // namespace riskstream
