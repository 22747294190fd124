// bench/kafka_passthrough.h
//
// The ceiling for riskstream's throughput on a given broker: a bare librdkafka consumer-group
// member that copies every input record (key and value, unparsed) to one output topic and commits
// like StreamRunner does — every `commit_interval_ms` or `commit_max_events` records it waits until
// every output is delivered, then commits the consumed offsets synchronously. The clients use the
// settings KafkaSource and KafkaSink default to (manual commits, earliest; idempotent producer,
// acks=all, lz4, 5 ms linger), so the difference to the pipeline is riskstream's own work per
// record: parsing, window state in RocksDB, rules, output formatting, metrics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/throughput_run.h"
#include "common/status.h"
#include "common/time.h"
#include "pipeline/kafka/kafka_properties.h"

namespace riskstream::bench {

struct PassthroughOptions {
  std::string bootstrap_servers;
  std::string group_id;  // a fresh group starts at the earliest offset
  std::vector<std::string> input_topics;
  std::string output_topic;  // must exist
  int64_t records = 0;       // stop once this many were copied and committed
  DurationMs commit_interval_ms = 100;
  int commit_max_events = 2000;
  int64_t min_warmup_records = 2000;    // see ThroughputRun
  KafkaProperties consumer_properties;  // extra settings, win over the defaults
  KafkaProperties producer_properties;
  DurationMs timeout_ms = 120 * kSecondMs;  // fail when not done by then
};

// Runs the passthrough until `options.records` records are copied and committed, then leaves the
// group. Fails on any Kafka error, an undelivered output, or the timeout.
Result<ThroughputRun> RunKafkaPassthrough(const PassthroughOptions& options);

}  // namespace riskstream::bench
