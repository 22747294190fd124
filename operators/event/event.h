// operators/event/event.h
//
// Event is one validated input record: a credit application, a transaction or a late label. It is
// produced only by EventParser, so every Event in the pipeline has an id, an event time and the
// fields its type requires. Identifier fields that real data leaves empty or fills with
// placeholders
// ("unknown", "null", "n/a", ...) are empty here: an empty identifier means "missing", never a key
// shared by everyone. `id_number` and `phone` only ever hold keyed hashes (see PiiHasher).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace riskstream {

enum class EventType { kApplication, kTransaction, kLabel };
enum class TransactionKind { kNone, kWithdrawal, kPurchase, kRepayment };
enum class LabelKind { kNone, kFraud, kLegit, kChargeback };

std::string_view ToString(EventType type);
std::string_view ToString(TransactionKind kind);
std::string_view ToString(LabelKind label);

struct GeoPoint {
  double lat = 0;
  double lon = 0;
  friend bool operator==(const GeoPoint&, const GeoPoint&) = default;
};

struct Event {
  std::string event_id;
  TimestampMs event_time = 0;
  EventType type = EventType::kApplication;

  // Shared by applications and transactions.
  std::string account_id;
  std::string device_id;
  std::string ip;
  std::optional<GeoPoint> geo;

  // Applications.
  std::string applicant_id;
  std::string id_number_hash;
  std::string phone_hash;
  std::string channel;
  std::string product;
  std::string employer;
  std::optional<double> requested_amount;
  std::optional<double> declared_income;

  // Transactions.
  TransactionKind kind = TransactionKind::kNone;
  double amount = 0;
  std::string currency;
  std::string merchant_id;
  std::string merchant_category;

  // Labels.
  std::string labelled_event_id;
  LabelKind label = LabelKind::kNone;
  TimestampMs labelled_at = 0;

  // As `*this = Event{}`, but every text keeps its memory, so that parsing into a reused event
  // allocates nothing for texts that fit.
  void Clear();
  friend bool operator==(const Event&, const Event&) = default;
};

// Starts fetching `event` and the text of its identifiers into this CPU's cache: for an event
// parsed on another thread, to be processed here soon (replay reads ahead on another core, and
// the first reads of an event's fields there were cache misses). A hint: changes nothing.
void PrefetchEvent(const Event& event);

}  // namespace riskstream
