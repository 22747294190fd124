// tests/support/real_kafka_broker.h
//
// RealKafkaBroker: a real single-node Apache Kafka broker (KRaft, 127.0.0.1 only) owned by one
// GoogleTest integration test or suite. It exists for what librdkafka 2.0.2's mock cluster cannot
// do: transactions, offsets-for-times, volume, consumer-group rebalances and broker outages.
//
// It drives tests/kafka/kafka-broker, whose absolute path is compiled in as
// RISKSTREAM_KAFKA_BROKER_SCRIPT. That script needs `java` (17), the Kafka jars (resolved once
// with Maven by `kafka-broker fetch`, cached in ~/.cache/riskstream/kafka-VERSION), `kcat` and
// /usr/bin/python3 with confluent_kafka. A broker starts in about 3-8 s and takes ~300 MB of
// memory, so share one per test suite (SetUpTestSuite) rather than one per test.
//
// Invariants:
//  * Each RealKafkaBroker owns a fresh temporary directory holding all broker state (data, logs,
//    pid, ports). The destructor stops the broker by its PID and removes that directory (unless
//    the environment sets RISKSTREAM_KAFKA_KEEP_DIR, for debugging).
//  * bootstrap() is fixed for the object's life: Restart() comes back on the same ports and data.
//  * If the test process dies without running the destructor, a watchdog started by the script
//    stops the broker within about a second, so a crashed test does not leak a JVM.
//  * Not thread-safe: use one object from one thread at a time.
//
// Typical use:
//   static void SetUpTestSuite() {
//     std::string error;
//     broker_ = RealKafkaBroker::Start(&error);
//     ASSERT_NE(broker_, nullptr) << error;
//     ASSERT_TRUE(broker_->CreateTopic("events", 3, &error)) << error;
//   }
#pragma once

#include <map>
#include <memory>
#include <string>

namespace riskstream {

class RealKafkaBroker {
 public:
  // Makes a temporary directory, starts a broker in it and returns once the broker answers
  // metadata (the script bounds the wait at 60 s). On failure returns nullptr, stores the
  // script's diagnostics (including the broker log tail) in *error if error is not null, and
  // leaves nothing running.
  static std::unique_ptr<RealKafkaBroker> Start(std::string* error);

  // Stops the broker (SIGTERM, SIGKILL after a bounded wait) and removes its directory.
  ~RealKafkaBroker();

  RealKafkaBroker(const RealKafkaBroker&) = delete;
  RealKafkaBroker& operator=(const RealKafkaBroker&) = delete;

  // "127.0.0.1:PORT", for bootstrap.servers. Valid for the object's life, even while stopped.
  const std::string& bootstrap() const { return bootstrap_; }

  // The directory holding the broker's state; its log is dir() + "/logs/server.log".
  const std::string& dir() const { return dir_; }

  // Stops the broker but keeps its data, to simulate an outage until Restart(). hard=true sends
  // SIGKILL at once (a crash); otherwise the broker shuts down cleanly. A no-op if stopped.
  // Returns false and stores the reason in *error (if not null) on failure.
  bool Stop(std::string* error, bool hard = false);

  // Stops the broker if it runs, starts it again on the same address and data, and returns once
  // it answers metadata. Returns false and stores the reason in *error (if not null) on failure.
  bool Restart(std::string* error);

  // Creates topic `name` with `partitions` partitions, replication factor 1 and the given topic
  // configs (e.g. {"message.timestamp.type", "LogAppendTime"}), and returns once every partition
  // has a leader. An existing topic with the same partition count counts as success. Requires a
  // running broker. Returns false and stores the reason in *error (if not null) on failure.
  bool CreateTopic(const std::string& name, int partitions, std::string* error = nullptr);
  bool CreateTopic(const std::string& name, int partitions,
                   const std::map<std::string, std::string>& configs, std::string* error);

 private:
  RealKafkaBroker(std::string dir, std::string bootstrap);

  std::string dir_;
  std::string bootstrap_;
};

}  // namespace riskstream
