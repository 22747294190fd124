#include "pipeline/kafka/kafka_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

namespace riskstream {
namespace {

std::vector<TopicPartitionOffset> Describe(
    const std::vector<RdKafka::TopicPartition*>& partitions) {
  std::vector<TopicPartitionOffset> out;
  for (auto* p : partitions) out.push_back({p->topic(), p->partition(), p->offset()});
  return out;
}

}  // namespace

struct KafkaSource::Rebalancer : public RdKafka::RebalanceCb {
  explicit Rebalancer(AssignmentListener& l) : listener(l) {}
  AssignmentListener& listener;
  int64_t rebalances = 0;

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    ++rebalances;
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      auto described = Describe(partitions);
      listener.OnAssigning(described);
      for (size_t i = 0; i < partitions.size(); ++i) partitions[i]->set_offset(described[i].offset);
      spdlog::info("assigned {} partitions", partitions.size());
      consumer->assign(partitions);
    } else {
      listener.OnRevoking(Describe(partitions));
      spdlog::info("revoked {} partitions", partitions.size());
      consumer->unassign();
    }
  }
};

struct KafkaSource::Events : public RdKafka::EventCb {
  std::atomic<bool> brokers_down{false};

  void event_cb(RdKafka::Event& event) override {
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        if (event.err() == RdKafka::ERR__ALL_BROKERS_DOWN) brokers_down.store(true);
        spdlog::warn("consumer: {}: {}", RdKafka::err2str(event.err()), event.str());
        break;
      case RdKafka::Event::EVENT_LOG:
        if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
          spdlog::warn("consumer: {} {}", event.fac(), event.str());
        } else {
          spdlog::info("consumer: {} {}", event.fac(), event.str());
        }
        break;
      default:
        break;
    }
  }
};

Result<std::unique_ptr<KafkaSource>> KafkaSource::Create(const std::string& bootstrap_servers,
                                                         const std::string& group_id,
                                                         const KafkaProperties& properties,
                                                         const std::vector<std::string>& topics,
                                                         AssignmentListener& listener) {
  std::unique_ptr<KafkaSource> source(new KafkaSource());
  source->rebalancer_ = std::make_unique<Rebalancer>(listener);
  source->events_ = std::make_unique<Events>();
  auto conf = MakeKafkaConf({{"bootstrap.servers", bootstrap_servers},
                             {"group.id", group_id},
                             {"enable.auto.commit", "false"},
                             {"enable.auto.offset.store", "false"},
                             {"auto.offset.reset", "earliest"},
                             {"enable.partition.eof", "false"},
                             {"isolation.level", "read_committed"},
                             {"client.id", "riskstream"}},
                            properties);
  if (!conf.ok()) return conf.status();
  std::string error;
  if ((*conf)->set("rebalance_cb", source->rebalancer_.get(), error) != RdKafka::Conf::CONF_OK) {
    return Status::KafkaError("consumer rebalance callback: " + error);
  }
  if ((*conf)->set("event_cb", source->events_.get(), error) != RdKafka::Conf::CONF_OK) {
    return Status::KafkaError("consumer event callback: " + error);
  }
  source->consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!source->consumer_) return Status::KafkaError("creating consumer: " + error);
  auto err = source->consumer_->subscribe(topics);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::KafkaError("subscribing: " + RdKafka::err2str(err));
  }
  return source;
}

KafkaSource::~KafkaSource() { Close(); }

Result<std::optional<InputRecord>> KafkaSource::Poll(int timeout_ms) {
  std::unique_ptr<RdKafka::Message> message(consumer_->consume(timeout_ms));
  switch (message->err()) {
    case RdKafka::ERR_NO_ERROR: {
      InputRecord record;
      record.topic = message->topic_name();
      record.partition = message->partition();
      record.offset = message->offset();
      if (const std::string* key = message->key()) record.key = *key;
      record.value.assign(static_cast<const char*>(message->payload()), message->len());
      auto ts = message->timestamp();
      if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE && ts.timestamp > 0) {
        record.timestamp = ts.timestamp;
      }
      return std::optional<InputRecord>(std::move(record));
    }
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__PARTITION_EOF:
      return std::optional<InputRecord>();
    default:
      break;
  }
  std::string error = message->errstr();
  if (message->err() == RdKafka::ERR__FATAL) {
    std::string reason;
    consumer_->fatal_error(reason);
    return Status::KafkaError("fatal consumer error: " + reason);
  }
  if (message->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART ||
      message->err() == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED) {
    return Status::KafkaError("consumer: " + error);
  }
  spdlog::warn("consumer: {} (librdkafka retries)", error);
  return std::optional<InputRecord>();
}

Status KafkaSource::Commit(const PartitionOffsets& next_offsets) {
  if (next_offsets.empty()) return Status::Ok();
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto& [tp, offset] : next_offsets) {
    partitions.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, offset));
  }
  auto err = consumer_->commitSync(partitions);
  std::string failed;
  for (auto* p : partitions) {
    if (p->err() != RdKafka::ERR_NO_ERROR && failed.empty()) {
      failed =
          p->topic() + "/" + std::to_string(p->partition()) + ": " + RdKafka::err2str(p->err());
    }
  }
  RdKafka::TopicPartition::destroy(partitions);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::KafkaError("committing offsets: " + RdKafka::err2str(err) +
                              (failed.empty() ? "" : " (" + failed + ")"));
  }
  if (!failed.empty()) return Status::KafkaError("committing offsets: " + failed);
  return Status::Ok();
}

std::unique_ptr<RdKafka::ConsumerGroupMetadata> KafkaSource::GroupMetadata() {
  return std::unique_ptr<RdKafka::ConsumerGroupMetadata>(consumer_->groupMetadata());
}

Status KafkaSource::Rewind(const PartitionOffsets& next_offsets) {
  for (const auto& [tp, offset] : next_offsets) {
    std::unique_ptr<RdKafka::TopicPartition> partition(
        RdKafka::TopicPartition::create(tp.first, tp.second, offset));
    auto err = consumer_->seek(*partition, 10000);
    if (err != RdKafka::ERR_NO_ERROR) {
      return Status::KafkaError("rewinding " + tp.first + "/" + std::to_string(tp.second) + " to " +
                                std::to_string(offset) + ": " + RdKafka::err2str(err));
    }
  }
  return Status::Ok();
}

void KafkaSource::Close() {
  if (closed_ || !consumer_) return;
  closed_ = true;
  consumer_->close();
}

int64_t KafkaSource::rebalances() const { return rebalancer_->rebalances; }

bool KafkaSource::brokers_down() const { return events_->brokers_down.load(); }

Status KafkaSource::CheckBrokers(int timeout_ms) {
  RdKafka::Metadata* raw = nullptr;
  auto err = consumer_->metadata(false, nullptr, &raw, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("no broker answers: " + RdKafka::err2str(err));
  }
  events_->brokers_down.store(false);
  return Status::Ok();
}

std::optional<int64_t> KafkaSource::Lag(const std::string& topic, int32_t partition,
                                        int64_t next_offset) {
  int64_t low = 0, high = 0;
  if (consumer_->get_watermark_offsets(topic, partition, &low, &high) != RdKafka::ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  return std::max<int64_t>(0, high - next_offset);
}

}  // namespace riskstream
