#include "pipeline/kafka/topic_admin.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <set>

namespace riskstream {
namespace {

template <typename T, void (*Destroy)(T*)>
struct CDeleter {
  void operator()(T* p) const { Destroy(p); }
};
using NewTopicPtr =
    std::unique_ptr<rd_kafka_NewTopic_t, CDeleter<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy>>;
using AdminOptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t,
                    CDeleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using QueuePtr =
    std::unique_ptr<rd_kafka_queue_t, CDeleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using EventPtr =
    std::unique_ptr<rd_kafka_event_t, CDeleter<rd_kafka_event_t, rd_kafka_event_destroy>>;

// The names of every topic the cluster has. Asks for all topics: asking for named ones may create
// them on a broker that auto-creates, with the broker's defaults instead of ours.
Result<std::set<std::string>> ExistingTopics(RdKafka::Handle& client, int timeout_ms) {
  RdKafka::Metadata* raw = nullptr;
  auto err = client.metadata(/*all_topics=*/true, nullptr, &raw, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("listing topics: " + RdKafka::err2str(err));
  }
  std::set<std::string> names;
  for (const auto* topic : *metadata->topics()) {
    if (topic->err() == RdKafka::ERR_NO_ERROR) names.insert(topic->topic());
  }
  return names;
}

std::string CreateCommand(const TopicSpec& spec) {
  std::string command = "kafka-topics.sh --bootstrap-server <brokers> --create --topic " +
                        spec.name + " --partitions " + std::to_string(spec.partitions);
  for (const auto& [key, value] : spec.config) command += " --config " + key + "=" + value;
  return command;
}

// Asks the cluster to create `missing` (only to check that it would, with `validate_only`) and
// returns why it refused each topic it refused, by name.
Result<std::map<std::string, std::string>> CreateTopics(
    rd_kafka_t* rk, const std::vector<const TopicSpec*>& missing, bool validate_only,
    int timeout_ms) {
  std::map<std::string, std::string> refused;
  char error[512] = {0};
  std::vector<NewTopicPtr> owned;
  std::vector<rd_kafka_NewTopic_t*> requests;
  for (const TopicSpec* spec : missing) {
    NewTopicPtr request(rd_kafka_NewTopic_new(spec->name.c_str(), spec->partitions,
                                              /*replication_factor=*/-1, error, sizeof(error)));
    if (!request) {
      refused[spec->name] = error;
      continue;
    }
    for (const auto& [key, value] : spec->config) {
      if (rd_kafka_NewTopic_set_config(request.get(), key.c_str(), value.c_str()) != 0) {
        refused[spec->name] = "cannot set " + key;
      }
    }
    requests.push_back(request.get());
    owned.push_back(std::move(request));
  }
  if (!refused.empty()) return refused;
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, error, sizeof(error));
  if (validate_only) {
    rd_kafka_AdminOptions_set_validate_only(options.get(), 1, error, sizeof(error));
  }
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_CreateTopics(rk, requests.data(), requests.size(), options.get(), queue.get());
  EventPtr event(rd_kafka_queue_poll(queue.get(), timeout_ms + 5000));
  if (!event) return Status::Unavailable("creating topics: no answer from the cluster");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (const TopicSpec* spec : missing) {
      refused[spec->name] = rd_kafka_event_error_string(event.get());
    }
    return refused;
  }
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    const std::string name = rd_kafka_topic_result_name(results[i]);
    auto err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR && !validate_only)
        spdlog::info("created topic {}", name);
      continue;
    }
    const char* why = rd_kafka_topic_result_error_string(results[i]);
    refused[name] = why != nullptr ? why : rd_kafka_err2str(err);
  }
  return refused;
}

}  // namespace

Status EnsureTopics(RdKafka::Handle& client, const std::vector<TopicSpec>& topics, int timeout_ms) {
  auto existing = ExistingTopics(client, timeout_ms);
  if (!existing.ok()) return existing.status();
  std::vector<const TopicSpec*> missing;
  for (const auto& spec : topics) {
    if (existing->count(spec.name) == 0) missing.push_back(&spec);
  }
  if (missing.empty()) return Status::Ok();
  // The cluster checks every request first, so that one it refuses leaves nothing created.
  for (bool validate_only : {true, false}) {
    auto refused = CreateTopics(client.c_ptr(), missing, validate_only, timeout_ms);
    if (!refused.ok()) return refused.status();
    if (refused->empty()) continue;
    std::string message = "topics riskstream writes are missing and were not created:";
    for (const TopicSpec* spec : missing) {
      auto why = refused->find(spec->name);
      message += "\n  " + spec->name + ": " +
                 (why != refused->end() ? "refused (" + why->second + ")"
                                        : std::string("not created, as another was refused")) +
                 "; create it with: " + CreateCommand(*spec);
    }
    return Status::KafkaError(message);
  }
  return Status::Ok();
}

}  // namespace riskstream
