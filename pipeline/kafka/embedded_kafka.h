// pipeline/kafka/embedded_kafka.h
//
// EmbeddedKafka runs librdkafka's mock cluster inside this process: a zero-setup Kafka that outside
// clients (kcat, confluent-kafka, another riskstream) reach over TCP on 127.0.0.1. It is for demos
// and tests, not production. Limits of the mock in librdkafka 2.0.2, which riskstream keeps clear
// of (see docs/ARCHITECTURE.md): about 5 MiB kept per partition (older data silently dropped), no
// transaction isolation, offsets sent in a transaction dropped, offsets-for-times answers -1, and a
// rebalance takes session.timeout.ms - 1 s. The cluster lives until the object is destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace riskstream {

// Data the mock keeps per partition before it silently drops the oldest messages.
constexpr size_t kEmbeddedKafkaPartitionBytes = 5 * 1024 * 1024;

class EmbeddedKafka {
 public:
  // Starts a mock cluster of `brokers` brokers listening on 127.0.0.1 (ephemeral ports).
  static Result<std::unique_ptr<EmbeddedKafka>> Start(int brokers = 1);
  ~EmbeddedKafka();
  EmbeddedKafka(const EmbeddedKafka&) = delete;
  EmbeddedKafka& operator=(const EmbeddedKafka&) = delete;

  // "127.0.0.1:port[,...]", for bootstrap.servers.
  const std::string& bootstrap_servers() const { return bootstrap_; }

  // Creates `topic` with `partitions` partitions (replication factor 1). Creating an existing topic
  // is an error from the mock; callers create each topic once.
  Status CreateTopic(const std::string& topic, int partitions);
  // Creates each of `topics` with `partitions` partitions; stops at the first error.
  Status CreateTopics(const std::vector<std::string>& topics, int partitions);

 private:
  struct Handles;
  explicit EmbeddedKafka(std::unique_ptr<Handles> handles);
  std::unique_ptr<Handles> handles_;
  std::string bootstrap_;
};

}  // namespace riskstream
