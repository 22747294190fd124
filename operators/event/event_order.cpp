#include "operators/event/event_order.h"

#include <cctype>

#include "operators/event/event_parser.h"

namespace riskstream {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  // As EventParser reads it: surrounding white space is not part of a timestamp.
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::optional<EventOrderKey> ReadOrderKey(const simdjson::dom::object& event) {
  EventOrderKey key;
  std::string_view id;
  if (event["event_id"].get_string().get(id) != simdjson::SUCCESS || id.empty()) {
    return std::nullopt;
  }
  key.event_id = id;
  simdjson::dom::element time;
  if (event["event_time"].get(time) != simdjson::SUCCESS) return std::nullopt;
  if (time.is_int64()) {
    int64_t millis = time.get_int64().value_unsafe();
    if (millis < 0) return std::nullopt;
    key.event_time = millis;
    return key;
  }
  std::string_view text;
  if (time.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  auto parsed = ParseTimestamp(TrimSpaces(text));
  if (!parsed.ok()) return std::nullopt;
  key.event_time = *parsed;
  return key;
}

EventOrderKey EventOrderReader::Read(std::string_view json) {
  if (json.size() > kMaxEventBytes) return UnreadableOrderKey();  // EventParser reads none of it
  simdjson::dom::object object;
  if (parser_.parse(json.data(), json.size(), true).get_object().get(object) != simdjson::SUCCESS) {
    return UnreadableOrderKey();
  }
  auto key = ReadOrderKey(object);
  return key ? std::move(*key) : UnreadableOrderKey();
}

}  // namespace riskstream
