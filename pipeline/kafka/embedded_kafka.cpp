#include "pipeline/kafka/embedded_kafka.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace riskstream {

struct EmbeddedKafka::Handles {
  rd_kafka_t* client = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~Handles() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (client != nullptr) rd_kafka_destroy(client);
  }
};

EmbeddedKafka::EmbeddedKafka(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(handles_->cluster);
}

EmbeddedKafka::~EmbeddedKafka() = default;

Result<std::unique_ptr<EmbeddedKafka>> EmbeddedKafka::Start(int brokers) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The mock's owner handle never talks to a broker; keep it quiet.
  if (rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error)) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return Status::KafkaError(std::string("embedded Kafka config: ") + error);
  }
  auto handles = std::make_unique<Handles>();
  handles->client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (handles->client == nullptr) {
    return Status::KafkaError(std::string("embedded Kafka: creating the owner handle: ") + error);
  }
  handles->cluster = rd_kafka_mock_cluster_new(handles->client, brokers);
  if (handles->cluster == nullptr) {
    return Status::KafkaError("embedded Kafka: the mock cluster did not start");
  }
  return std::unique_ptr<EmbeddedKafka>(new EmbeddedKafka(std::move(handles)));
}

Status EmbeddedKafka::CreateTopic(const std::string& topic, int partitions) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(handles_->cluster, topic.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::KafkaError("embedded Kafka: creating topic " + topic + ": " +
                              rd_kafka_err2str(err));
  }
  return Status::Ok();
}

Status EmbeddedKafka::CreateTopics(const std::vector<std::string>& topics, int partitions) {
  for (const auto& topic : topics) {
    if (Status s = CreateTopic(topic, partitions); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace riskstream
