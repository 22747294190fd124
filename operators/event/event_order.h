// operators/event/event_order.h
//
// The canonical processing order that live runs and replays share. Every input stream (a Kafka
// partition of an input topic, or in replay the same partition's share of a log file) is read in
// its own order; streams are merged by their next record's EventOrderKey: event time first, then
// event_id (byte-wise), then the stream's name. Nothing here depends on where a record came from,
// so the same streams give the same merged order live and in replay (see EventTimeAligner).
// A record whose key cannot be read (over EventParser's 64 KiB, not JSON, not an object, no valid
// event_id or event_time) orders first: it is a dead letter and changes no state, so releasing it
// early changes no decision. EventParser reports the same key for what it parses (live input is
// parsed once, and ordered by that); replay's readers use EventOrderReader or ReadOrderKey.
#pragma once

#include <simdjson.h>

#include <compare>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace riskstream {

struct EventOrderKey {
  TimestampMs event_time = std::numeric_limits<TimestampMs>::min();
  std::string event_id;

  auto operator<=>(const EventOrderKey&) const = default;
};

// The key of an unreadable record: before every readable one.
inline EventOrderKey UnreadableOrderKey() { return {}; }

// The order key of the event object `event`: `event_id` (string) and `event_time` read exactly as
// EventParser reads them (RFC 3339 or epoch milliseconds, number or digit string). nullopt when
// either is missing or invalid.
std::optional<EventOrderKey> ReadOrderKey(const simdjson::dom::object& event);

// Reads order keys from raw JSON records. Not thread-safe (reuses its parser buffer).
class EventOrderReader {
 public:
  // The order key of the JSON object `json`; UnreadableOrderKey() when it has none.
  EventOrderKey Read(std::string_view json);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace riskstream
