#include "operators/event/event_order.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "operators/event/event_parser.h"

namespace riskstream {
namespace {

EventOrderKey Key(TimestampMs time, std::string id) { return {time, std::move(id)}; }

TEST(EventOrderReader, ReadsTimeAndIdAsTheParserDoes) {
  EventOrderReader reader;
  EXPECT_EQ(reader.Read(R"({"event_id":"e1","event_time":"2026-11-27T00:00:01.5Z"})"),
            Key(1795737601500, "e1"));
  EXPECT_EQ(reader.Read(R"({"event_id":"e2","event_time":1795737601500})"),
            Key(1795737601500, "e2"));
  EXPECT_EQ(reader.Read(R"({"event_id":"e3","event_time":" 1795737601500 "})"),
            Key(1795737601500, "e3"));
  EXPECT_EQ(reader.Read("not json"), UnreadableOrderKey());
  EXPECT_EQ(reader.Read(R"({"event_time":1})"), UnreadableOrderKey());
  EXPECT_EQ(reader.Read(R"({"event_id":"e","event_time":"yesterday"})"), UnreadableOrderKey());
  EXPECT_LT(UnreadableOrderKey(), Key(0, ""));
}

// Live input is ordered by the key EventParser reports while parsing it once; replay's readers
// use EventOrderReader. Both must give every record, accepted or rejected, the same place.
TEST(EventOrderReader, TheParserReportsTheSameKeyForEveryRecord) {
  const std::string padding(70 * 1024, ' ');
  const std::vector<std::string> records = {
      R"({"event_id":"a1","event_time":"2026-11-27T06:20:43.125Z","type":"application",
          "applicant_id":"p1","account_id":"c1","requested_amount":5000})",
      R"({"event_id":"t1","event_time":1795760443125,"type":"transaction","account_id":"c1",
          "kind":"purchase","amount":12.5})",
      R"({"event_id":"l1","event_time":"1795760443125","type":"label","label":"fraud",
          "labelled_event_id":"t1"})",
      // Rejected, but with a readable place: a wrong amount, an unknown type, a missing field.
      R"({"event_id":"t2","event_time":1795760443125,"type":"transaction","amount":"lots"})",
      R"({"event_id":"x1","event_time":1795760443125,"type":"refund"})",
      R"({"event_id":"t3","event_time":1795760443200,"type":"transaction"})",
      // Rejected without one: no id, an empty id, a bad or negative time, not an object, not JSON.
      R"({"event_time":1795760443125,"type":"transaction"})",
      R"({"event_id":"","event_time":1795760443125,"type":"transaction"})",
      R"({"event_id":"t4","event_time":"yesterday","type":"transaction"})",
      R"({"event_id":"t5","event_time":-5,"type":"transaction"})",
      R"([1,2,3])",
      R"({"event_id":"t6","event_time":17957604)",
      // A repeated key counts as its first, for both.
      R"({"event_id":"d1","event_id":"d2","event_time":5,"event_time":6,"type":"label"})",
      // Over 64 KiB: the parser reads none of it, so its place is unreadable for both.
      R"({"event_id":"big","event_time":1795760443125,"note":")" + padding + R"("})",
  };
  PiiHasher hasher("test-key-0123456789abcdef");
  EventParser parser(hasher);
  EventOrderReader reader;
  for (const auto& record : records) {
    Event event;
    EventOrderKey key = Key(42, "not set");
    parser.Parse(record, EventType::kTransaction, event, &key);
    EXPECT_EQ(key, reader.Read(record)) << record.substr(0, 120);
  }
  EventOrderKey key;
  Event event;
  parser.Parse(records[0], std::nullopt, event, &key);
  EXPECT_EQ(key, Key(1795760443125, "a1"));
  EXPECT_EQ(reader.Read(records.back()), UnreadableOrderKey());
}

}  // namespace
}  // namespace riskstream
