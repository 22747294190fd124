// pipeline/kafka/kafka_properties.h
//
// Builds librdkafka configurations from property maps, so every Kafka client riskstream makes
// (sink, source, tools) reports a bad property the same way: by name, value and librdkafka's
// reason.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace riskstream {

using KafkaProperties = std::map<std::string, std::string>;

// A global config with `defaults` overridden by `overrides`.
Result<std::unique_ptr<RdKafka::Conf>> MakeKafkaConf(const KafkaProperties& defaults,
                                                     const KafkaProperties& overrides);

}  // namespace riskstream
