// operators/event/event_parser.h
//
// EventParser validates one raw input message (JSON bytes from Kafka or a file line) and turns it
// into a typed Event, or into a ParseError saying exactly why not. It is the pipeline's edge:
// personal identifiers are hashed here, placeholder identifiers become missing, and nothing
// downstream sees unvalidated bytes. Not thread-safe (reuses a JSON parser buffer): one parser per
// task.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "operators/event/event.h"
#include "operators/event/event_order.h"
#include "operators/event/pii_hasher.h"

namespace riskstream {

// Why a message was rejected. The code is a small fixed set (safe as a metric label); the message
// names the field and the offending value.
struct ParseError {
  enum class Code {
    kTooLarge,
    kNotJson,
    kNotObject,
    kMissingField,
    kWrongType,
    kBadTimestamp,
    kBadValue,
    kUnknownType,
  };
  Code code;
  std::string message;
};

inline constexpr ParseError::Code kAllParseErrorCodes[] = {
    ParseError::Code::kTooLarge,     ParseError::Code::kNotJson,    ParseError::Code::kNotObject,
    ParseError::Code::kMissingField, ParseError::Code::kWrongType,  ParseError::Code::kBadTimestamp,
    ParseError::Code::kBadValue,     ParseError::Code::kUnknownType};

// Stable snake_case name of a rejection code: "too_large", "missing_field", ...
std::string_view ToString(ParseError::Code code);

// What EventParser made of one message: the event, or why it was rejected. For parsing apart from
// where the event is decided (a read-ahead thread).
struct ParsedEvent {
  Event event;                      // valid when `error` is empty
  std::optional<ParseError> error;  // the rejection
};

constexpr size_t kMaxEventBytes = 64 * 1024;

// Identifier values that real data uses for "no value". Compared case-insensitively after trimming.
bool IsPlaceholderIdentifier(std::string_view value);

class EventParser {
 public:
  // `hasher` must outlive the parser.
  explicit EventParser(const PiiHasher& hasher);
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // Parses `bytes`. When the message has no "type" field, `default_type` (the role of the topic it
  // came from) is used; when it has one that contradicts `default_type`, the message is rejected.
  // On success `out` is fully overwritten (it may be reused between calls to avoid allocations).
  // With `order_key`, also sets the message's place in the canonical order (event_order.h), as
  // EventOrderReader would read it, whether the message is accepted or not.
  std::optional<ParseError> Parse(std::string_view bytes, std::optional<EventType> default_type,
                                  Event& out, EventOrderKey* order_key = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace riskstream
