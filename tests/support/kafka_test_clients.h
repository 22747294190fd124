// tests/support/kafka_test_clients.h
//
// KafkaTestClients drives real outside Kafka clients for integration tests: `kcat` to produce and
// consume, and /usr/bin/python3 with confluent_kafka (a small script written into the client's
// work directory). They talk to a broker over TCP like any other client would, so a test that uses
// them proves interoperation, not just riskstream talking to itself. Every call is bounded by a
// timeout and reports the client's own output on failure.
// Not thread-safe: one object per test.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/child_process.h"

namespace riskstream {

inline constexpr char kKcat[] = "/usr/bin/kcat";
inline constexpr char kPython[] = "/usr/bin/python3";

// One message as a consumer read it.
struct ConsumedMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
  std::string value_base64;  // encoded by Python's base64 module, an independent oracle
};

using KeyedMessages = std::vector<std::pair<std::string, std::string>>;

class KafkaTestClients {
 public:
  // Writes the Python script into `work_dir` (which must exist and outlive this object).
  explicit KafkaTestClients(std::string work_dir) : dir_(std::move(work_dir)) {
    std::ofstream(dir_ + "/kafka_client.py") << kScript;
  }

  // Produces `messages` (key, value) to `topic` with `kcat -P -K:`, acks=all. Keys must not hold
  // ':' and values must not hold newlines. Returns "" on success, else kcat's output.
  std::string KcatProduce(const std::string& bootstrap, const std::string& topic,
                          const KeyedMessages& messages) {
    std::string input = NextFile("kcat-in");
    {
      std::ofstream out(input, std::ios::binary);
      for (const auto& [key, value] : messages) out << key << ':' << value << '\n';
    }
    auto result = Run({kKcat, "-P", "-b", bootstrap, "-t", topic, "-K:", "-X", "acks=all"}, input,
                      std::chrono::seconds(60));
    return result.exit_code == 0 ? "" : "kcat -P failed: " + result.output;
  }

  // Reads `topic` from the beginning to its end with `kcat -C -e`; one "key=value" per message.
  std::optional<std::vector<std::string>> KcatConsume(const std::string& bootstrap,
                                                      const std::string& topic,
                                                      std::string* error) {
    auto result = Run(
        {kKcat, "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k=%s\n"},
        "", std::chrono::seconds(60));
    if (result.exit_code != 0) {
      *error = "kcat -C failed: " + result.output;
      return std::nullopt;
    }
    std::vector<std::string> lines;
    std::string line;
    std::istringstream in(result.output);
    while (std::getline(in, line)) {
      if (!line.empty()) lines.push_back(line);
    }
    return lines;
  }

  // Produces `messages` to `topic` with confluent_kafka (acks=all). Returns "" on success.
  std::string PythonProduce(const std::string& bootstrap, const std::string& topic,
                            const KeyedMessages& messages) {
    std::vector<std::string> args = {kPython, dir_ + "/kafka_client.py", "produce", bootstrap,
                                     topic};
    for (const auto& [key, value] : messages) args.push_back(key + "=" + value);
    auto result = Run(args, "", std::chrono::seconds(60));
    return result.exit_code == 0 ? "" : "python produce failed: " + result.output;
  }

  // Reads every partition of `topics` from the beginning with confluent_kafka (read_committed,
  // partitions assigned directly, no offsets committed) until each partition is at its end and at
  // least `at_least` messages were read in all, or `timeout` passes (then nullopt and *error).
  std::optional<std::vector<ConsumedMessage>> PythonConsume(const std::string& bootstrap,
                                                            const std::vector<std::string>& topics,
                                                            size_t at_least,
                                                            std::chrono::seconds timeout,
                                                            std::string* error) {
    std::vector<std::string> args = {
        kPython,   dir_ + "/kafka_client.py", "consume",
        bootstrap, std::to_string(at_least),  std::to_string(timeout.count())};
    args.insert(args.end(), topics.begin(), topics.end());
    auto result = Run(args, "", timeout + std::chrono::seconds(30));
    if (result.exit_code != 0) {
      *error =
          "python consume failed (exit " + std::to_string(result.exit_code) + "): " + result.output;
      return std::nullopt;
    }
    std::vector<ConsumedMessage> messages;
    std::istringstream in(result.output);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("{", 0) != 0) continue;  // librdkafka log lines, if any
      auto json = nlohmann::json::parse(line);
      ConsumedMessage m;
      m.topic = json.at("topic");
      m.partition = json.at("partition");
      m.offset = json.at("offset");
      if (!json.at("key").is_null()) m.key = json.at("key").get<std::string>();
      m.value = json.at("value");
      m.value_base64 = json.at("value_base64");
      messages.push_back(std::move(m));
    }
    return messages;
  }

 private:
  CommandResult Run(const std::vector<std::string>& argv, const std::string& stdin_file,
                    std::chrono::milliseconds timeout) {
    ProcessSpec spec;
    spec.argv = argv;
    spec.stdin_file = stdin_file;
    spec.output_file = NextFile("client-out");
    return RunCommand(spec, timeout);
  }
  std::string NextFile(const std::string& stem) {
    return dir_ + "/" + stem + "-" + std::to_string(++files_);
  }

  static constexpr char kScript[] = R"PY(
import base64, json, sys, time, uuid
from confluent_kafka import Consumer, KafkaError, OFFSET_BEGINNING, Producer, TopicPartition

mode, bootstrap = sys.argv[1], sys.argv[2]

if mode == "produce":  # produce TOPIC KEY=VALUE...
    topic, errors = sys.argv[3], []
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for kv in sys.argv[4:]:
        k, v = kv.split("=", 1)
        p.produce(topic, key=k.encode(), value=v.encode(),
                  on_delivery=lambda err, msg: errors.append(str(err)) if err else None)
    left = p.flush(30)
    if left or errors:
        sys.exit("produce: %d undelivered, errors %r" % (left, errors))
elif mode == "consume":  # consume AT_LEAST TIMEOUT_S TOPIC...
    at_least, timeout, topics = int(sys.argv[3]), float(sys.argv[4]), sys.argv[5:]
    deadline = time.monotonic() + timeout
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "it-reader-" + uuid.uuid4().hex,
                  "enable.partition.eof": True, "enable.auto.commit": False,
                  "isolation.level": "read_committed"})
    parts = []
    for t in topics:
        while True:
            md = c.list_topics(topic=t, timeout=10).topics.get(t)
            if md is not None and md.error is None and md.partitions:
                break
            if time.monotonic() > deadline:
                sys.exit("topic %s has no partitions: %r" % (t, md and md.error))
            time.sleep(0.1)
        parts += [TopicPartition(t, p, OFFSET_BEGINNING) for p in sorted(md.partitions)]
    c.assign(parts)
    pending, got = {(p.topic, p.partition) for p in parts}, 0
    at_end = set()
    while not (at_end >= pending and got >= at_least):
        if time.monotonic() > deadline:
            sys.exit("timed out after %d messages (wanted %d); partitions at end: %d of %d"
                     % (got, at_least, len(at_end), len(pending)))
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                at_end.add((m.topic(), m.partition()))
                continue
            sys.exit("consumer error: %s" % m.error())
        at_end.discard((m.topic(), m.partition()))
        got += 1
        value = m.value() or b""
        print(json.dumps({"topic": m.topic(), "partition": m.partition(), "offset": m.offset(),
                          "key": m.key().decode("utf-8", "replace") if m.key() is not None
                          else None,
                          "value": value.decode("utf-8", "replace"),
                          "value_base64": base64.b64encode(value).decode()}), flush=True)
    c.close()
else:
    sys.exit("unknown mode " + mode)
)PY";

  std::string dir_;
  int files_ = 0;
};

}  // namespace riskstream
