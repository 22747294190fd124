// pipeline/kafka/topic_admin.h
//
// Creates the topics riskstream writes when they are missing (Kafka's admin API), so that a broker
// which does not auto-create topics needs no manual step, and says exactly what to do when it
// cannot: every topic it could not create, why, and the command that creates it. Topics that exist
// are left as they are (their partitions and settings are the operator's).
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace riskstream {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  std::map<std::string, std::string> config;  // e.g. cleanup.policy=compact
};

// Creates those of `topics` the cluster that `client` is connected to does not have, waiting up to
// `timeout_ms` for each answer. The cluster validates every creation first: when it refuses one,
// nothing is created, and the error (kKafkaError) names every missing topic, why it was refused or
// not created, and a kafka-topics.sh command that creates it. kUnavailable: no answer.
Status EnsureTopics(RdKafka::Handle& client, const std::vector<TopicSpec>& topics, int timeout_ms);

}  // namespace riskstream
