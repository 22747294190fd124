#include "pipeline/kafka/kafka_sink.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>

#include "pipeline/kafka/kafka_properties.h"

namespace riskstream {

struct KafkaSink::DeliveryTracker : public RdKafka::DeliveryReportCb {
  int64_t delivered = 0;
  int64_t failed = 0;
  std::string first_error;
  std::map<std::pair<std::string, int32_t>, int64_t> ends;

  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
      int64_t& end = ends[{message.topic_name(), message.partition()}];
      end = std::max(end, message.offset() + 1);
      return;
    }
    if (failed++ == 0) {
      first_error = message.topic_name() + ": " + RdKafka::err2str(message.err());
    }
  }
};

Result<std::unique_ptr<KafkaSink>> KafkaSink::Create(
    const std::string& bootstrap_servers, const std::map<std::string, std::string>& properties) {
  std::unique_ptr<KafkaSink> sink(new KafkaSink());
  sink->tracker_ = std::make_unique<DeliveryTracker>();
  auto conf = MakeKafkaConf({{"bootstrap.servers", bootstrap_servers},
                             {"enable.idempotence", "true"},
                             {"acks", "all"},
                             {"compression.type", "lz4"},
                             {"linger.ms", "5"},
                             {"client.id", "riskstream"}},
                            properties);
  if (!conf.ok()) return conf.status();
  std::string error;
  if ((*conf)->set("dr_cb", sink->tracker_.get(), error) != RdKafka::Conf::CONF_OK) {
    return Status::KafkaError("producer delivery callback: " + error);
  }
  sink->producer_.reset(RdKafka::Producer::create(conf->get(), error));
  if (!sink->producer_) return Status::KafkaError("creating producer: " + error);
  return sink;
}

KafkaSink::~KafkaSink() {
  if (producer_) producer_->flush(5000);
}

Status KafkaSink::Produce(const std::string& topic, std::string_view key, std::string_view value) {
  return ProduceTo(topic, RdKafka::Topic::PARTITION_UA, key, value);
}

Status KafkaSink::ProduceTo(const std::string& topic, int32_t partition, std::string_view key,
                            std::optional<std::string_view> value) {
  char* payload = value ? const_cast<char*>(value->data()) : nullptr;
  size_t length = value ? value->size() : 0;
  while (true) {
    auto err = producer_->produce(topic, partition, RdKafka::Producer::RK_MSG_COPY, payload, length,
                                  key.data(), key.size(), 0, nullptr);
    if (err == RdKafka::ERR_NO_ERROR) return Status::Ok();
    if (err != RdKafka::ERR__QUEUE_FULL) {
      return Status::KafkaError("producing to " + topic + ": " + RdKafka::err2str(err));
    }
    producer_->poll(50);
  }
}

Status KafkaSink::Flush(int timeout_ms) {
  auto err = producer_->flush(timeout_ms);
  int64_t failed = tracker_->failed;
  std::string first = tracker_->first_error;
  tracker_->failed = 0;
  tracker_->first_error.clear();
  if (failed > 0) {
    return Status::KafkaError(std::to_string(failed) +
                              " output records not delivered; first: " + first);
  }
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("flushing outputs: " + RdKafka::err2str(err) + " (" +
                               std::to_string(producer_->outq_len()) + " still queued)");
  }
  return Status::Ok();
}

Status KafkaSink::WarmUp(const std::vector<std::string>& topics, int timeout_ms) {
  for (const auto& name : topics) {
    std::string error;
    std::unique_ptr<RdKafka::Topic> topic(
        RdKafka::Topic::create(producer_.get(), name, nullptr, error));
    if (!topic) return Status::KafkaError("output topic " + name + ": " + error);
    RdKafka::Metadata* raw = nullptr;
    auto err = producer_->metadata(false, topic.get(), &raw, timeout_ms);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (err != RdKafka::ERR_NO_ERROR) {
      return Status::KafkaError("metadata of output topic " + name + ": " + RdKafka::err2str(err));
    }
    for (const auto* info : *metadata->topics()) {
      if (info->err() != RdKafka::ERR_NO_ERROR) {
        return Status::KafkaError("output topic " + name + ": " + RdKafka::err2str(info->err()));
      }
    }
  }
  return Status::Ok();
}

void KafkaSink::Poll() { producer_->poll(0); }

int64_t KafkaSink::delivered() const { return tracker_->delivered; }

std::optional<int64_t> KafkaSink::DeliveredEnd(const std::string& topic, int32_t partition) const {
  auto it = tracker_->ends.find({topic, partition});
  if (it == tracker_->ends.end()) return std::nullopt;
  return it->second;
}

}  // namespace riskstream
