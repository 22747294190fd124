// pipeline/app/demo.h
//
// The demo is riskstream's main job for a first look: an embedded Kafka broker, the event generator
// producing labelled honest and fraud traffic (with a few malformed records) at a steady rate, and
// the pipeline deciding it, all in one process. It prints alerts (with the values each rule read),
// limit freezes and a sample of approvals with their score and limit as they happen, with the
// generator's ground truth beside them, a summary line every two seconds, and a final tally.
// The volume is capped below what the embedded broker keeps per partition (see embedded_kafka.h).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "common/status.h"
#include "common/time.h"

namespace riskstream {

struct DemoOptions {
  std::string config_path;
  int64_t events = 20000;  // generated events (malformed ones come on top)
  double events_per_second = 1000;
  DurationMs max_duration_ms = 120 * kSecondMs;
  uint64_t seed = 42;
  // Generated events per second of event time; as in `riskstream eval`, a denser event time makes
  // the generator's fixed population of honest customers act unrealistically often.
  double event_time_rate = 2;
  int malformed_every = 500;    // every Nth record is made malformed (0: none)
  bool print_decisions = true;  // alerts and declines as they happen
};

// Runs the demo until every generated record is decided or the duration runs out. Returns an error
// when a part fails to start or the pipeline fails, or when nothing was decided.
Status RunDemo(const DemoOptions& options, std::ostream& out);

}  // namespace riskstream
