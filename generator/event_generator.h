// generator/event_generator.h
//
// EventGenerator writes an endless, deterministic stream of credit applications, transactions and
// late labels as Kafka messages (topic, key, JSON value) for demos, tests, load and backtests.
// Most events come from honest people (scenario "honest", see
// generator/population/honest_population.h); about `fraud_share` of them come from the labelled
// fraud scenarios of generator/scenarios/fraud_scenario.h. Each event carries its scenario and a
// fraud flag beside the JSON, never in it. The stream starts in mid-story, as a real one would:
// established accounts predate it, and fraud episodes that began before start_time_ms contribute
// their later events, so fraud is at its share from the start.
//
// Invariants:
//  - The same options, seed included, give a byte-identical stream.
//  - The stream is in event-time order, except for the out-of-order events: each is at most
//    kMaxOutOfOrderMs behind the latest event time before it.
//  - A label comes after the event it labels, in the stream and in event time (hours to days
//    later); it names that event's event_id and has that event's key.
//  - dirty_share, out_of_order_share and emit_labels change only what they govern: the other events
//    keep their ids and content (and, but for late ones, their order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace riskstream {

inline constexpr std::string_view kHonestScenario = "honest";
inline constexpr DurationMs kMaxOutOfOrderMs = 10 * kSecondMs;

struct GeneratorOptions {
  uint64_t seed = 42;
  TimestampMs start_time_ms = 1795737600000;  // 2026-11-27T00:00:00Z
  double events_per_second_event_time = 50;   // how dense event time is (labels come on top)
  double fraud_share = 0.03;                  // long-run share of events from fraud scenarios
  double out_of_order_share = 0.01;           // events that arrive 0.5-10 s late in stream order
  double dirty_share = 0.02;  // events with an unknown/empty device id or IP, or no geo/employer
  bool emit_labels = true;

  // Ok, or InvalidConfig naming the first option out of range: a rate in (0, 1e6], shares in
  // [0, 1], a start time in [1970, 9000).
  Status Validate() const;
};

struct GeneratedEvent {
  std::string topic;     // "applications", "transactions" or "labels"
  std::string key;       // applicant_id, account_id, or for a label the labelled event's key
  std::string json;      // the Kafka message value, one line
  std::string scenario;  // "honest" or a fraud scenario's name; a label's is its event's
  bool fraud = false;    // ground truth; a label's is its event's
  int64_t event_time_ms = 0;
};

class EventGenerator {
 public:
  // Throws std::invalid_argument with Validate()'s message if `options` are not valid.
  explicit EventGenerator(GeneratorOptions options);
  ~EventGenerator();
  EventGenerator(EventGenerator&&) noexcept;
  EventGenerator& operator=(EventGenerator&&) noexcept;
  EventGenerator(const EventGenerator&) = delete;
  EventGenerator& operator=(const EventGenerator&) = delete;

  // The next event of the stream; the stream never ends.
  GeneratedEvent Next();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

enum class JsonLinesLayout {
  kEventOnly,        // the event JSON, as it goes to Kafka
  kWithGroundTruth,  // {"topic","key","scenario","fraud","event":{...}}, for backtests
};

// Writes the next `count` events of `generator` to `out`, one JSON object per line, in stream
// order. Returns IoError if `out` fails; the generator has then moved on past the failed event.
Status WriteJsonLines(EventGenerator& generator, size_t count, std::ostream& out,
                      JsonLinesLayout layout = JsonLinesLayout::kEventOnly);

}  // namespace riskstream
