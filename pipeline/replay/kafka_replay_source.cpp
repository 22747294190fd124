#include "pipeline/replay/kafka_replay_source.h"

#include <chrono>
#include <limits>

namespace riskstream {
namespace {

constexpr int kBrokerTimeoutMs = 10000;
constexpr auto kStallTimeout = std::chrono::seconds(30);

std::string Name(const std::string& topic, int32_t partition) {
  return topic + "/" + std::to_string(partition);
}

// "TOPIC/PARTITION=START-END" (END may be empty).
Status ParseOffsetSpec(const std::string& spec, std::string& topic, int32_t& partition,
                       int64_t& start, std::optional<int64_t>& end) {
  auto slash = spec.rfind('/');
  auto equals = spec.find('=', slash == std::string::npos ? 0 : slash);
  auto dash = spec.find('-', equals == std::string::npos ? 0 : equals);
  if (slash == std::string::npos || equals == std::string::npos || dash == std::string::npos) {
    return Status::InvalidInput("--offsets " + spec + ": expected TOPIC/PARTITION=START-END");
  }
  try {
    topic = spec.substr(0, slash);
    partition = std::stoi(spec.substr(slash + 1, equals - slash - 1));
    start = std::stoll(spec.substr(equals + 1, dash - equals - 1));
    std::string end_text = spec.substr(dash + 1);
    if (!end_text.empty()) end = std::stoll(end_text);
  } catch (const std::exception&) {
    return Status::InvalidInput("--offsets " + spec + ": expected TOPIC/PARTITION=START-END");
  }
  if (start < 0 || (end && *end < start)) {
    return Status::InvalidInput("--offsets " + spec + ": need 0 <= START <= END");
  }
  return Status::Ok();
}

}  // namespace

KafkaReplaySource::~KafkaReplaySource() {
  aligner_ = EventTimeAligner<ReplayRecord>(0);
  if (consumer_) consumer_->close();
}

Result<std::unique_ptr<KafkaReplaySource>> KafkaReplaySource::Open(
    const KafkaRange& range, const KafkaProperties& properties) {
  std::unique_ptr<KafkaReplaySource> source(new KafkaReplaySource());
  auto conf = MakeKafkaConf({{"bootstrap.servers", range.bootstrap_servers},
                             {"group.id", "riskstream-replay"},
                             {"enable.auto.commit", "false"},
                             {"enable.auto.offset.store", "false"},
                             {"enable.partition.eof", "false"},
                             {"client.id", "riskstream-replay"}},
                            properties);
  if (!conf.ok()) return conf.status();
  std::string error;
  source->consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!source->consumer_) return Status::KafkaError("creating replay consumer: " + error);
  source->aligner_ = EventTimeAligner<ReplayRecord>(std::numeric_limits<DurationMs>::max());
  if (Status s = source->Resolve(range); !s.ok()) return s;
  return source;
}

Status KafkaReplaySource::Resolve(const KafkaRange& range) {
  // Every partition of the input topics, with the broker's current first and end offsets.
  for (size_t t = 0; t < range.topics.size(); ++t) {
    const std::string& topic = range.topics[t];
    std::string error;
    std::unique_ptr<RdKafka::Topic> handle(
        RdKafka::Topic::create(consumer_.get(), topic, nullptr, error));
    if (!handle) return Status::KafkaError("topic " + topic + ": " + error);
    RdKafka::Metadata* raw = nullptr;
    auto err = consumer_->metadata(false, handle.get(), &raw, kBrokerTimeoutMs);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (err != RdKafka::ERR_NO_ERROR) {
      return Status::KafkaError("metadata of " + topic + " at " + range.bootstrap_servers + ": " +
                                RdKafka::err2str(err));
    }
    for (const auto* topic_md : *metadata->topics()) {
      if (topic_md->err() != RdKafka::ERR_NO_ERROR) {
        return Status::KafkaError("topic " + topic + ": " + RdKafka::err2str(topic_md->err()));
      }
      for (const auto* p : *topic_md->partitions()) {
        Partition partition;
        partition.topic = topic;
        partition.partition = p->id();
        partition.role = t == 0   ? EventType::kApplication
                         : t == 1 ? EventType::kTransaction
                                  : EventType::kLabel;
        err = consumer_->query_watermark_offsets(topic, p->id(), &partition.start, &partition.end,
                                                 kBrokerTimeoutMs);
        if (err != RdKafka::ERR_NO_ERROR) {
          return Status::KafkaError("offsets of " + Name(topic, p->id()) + ": " +
                                    RdKafka::err2str(err));
        }
        partitions_.push_back(partition);
      }
    }
  }
  for (size_t i = 0; i < partitions_.size(); ++i) {
    index_[{partitions_[i].topic, partitions_[i].partition}] = i;
  }

  if (!range.offsets.empty()) {
    std::vector<Partition> chosen;
    for (const auto& spec : range.offsets) {
      std::string topic;
      int32_t partition = 0;
      int64_t start = 0;
      std::optional<int64_t> end;
      if (Status s = ParseOffsetSpec(spec, topic, partition, start, end); !s.ok()) return s;
      auto it = index_.find({topic, partition});
      if (it == index_.end()) {
        return Status::InvalidInput("--offsets " + spec + ": no such input topic partition");
      }
      Partition p = partitions_[it->second];
      if (start < p.start || (end && *end > p.end)) {
        return Status::InvalidInput("--offsets " + spec + ": outside the partition's offsets " +
                                    std::to_string(p.start) + "-" + std::to_string(p.end));
      }
      p.start = start;
      if (end) p.end = *end;
      chosen.push_back(p);
    }
    partitions_ = std::move(chosen);
  } else if (range.from || range.to) {
    // offsets-for-times: the first offset whose timestamp is >= the time, per partition.
    auto lookup = [&](TimestampMs time) -> Result<std::vector<int64_t>> {
      std::vector<RdKafka::TopicPartition*> query;
      for (const auto& p : partitions_) {
        query.push_back(RdKafka::TopicPartition::create(p.topic, p.partition, time));
      }
      auto err = consumer_->offsetsForTimes(query, kBrokerTimeoutMs);
      std::vector<int64_t> out;
      for (auto* q : query) out.push_back(q->offset());
      RdKafka::TopicPartition::destroy(query);
      if (err != RdKafka::ERR_NO_ERROR) {
        return Status::KafkaError("offsets-for-times: " + RdKafka::err2str(err));
      }
      return out;
    };
    // A broker that can answer gives every non-empty partition an offset for time 0.
    auto earliest = lookup(0);
    if (!earliest.ok()) return earliest.status();
    for (size_t i = 0; i < partitions_.size(); ++i) {
      if (partitions_[i].end > partitions_[i].start && (*earliest)[i] < 0) {
        return Status::Unavailable(
            "the broker at " + range.bootstrap_servers + " cannot answer offsets-for-times (" +
            Name(partitions_[i].topic, partitions_[i].partition) +
            " has records but no offset for time 0; librdkafka's mock cluster answers -1): "
            "a time range needs a real broker; use --offsets instead");
      }
    }
    for (auto [time, is_start] : {std::pair{range.from, true}, std::pair{range.to, false}}) {
      if (!time) continue;
      auto offsets = lookup(*time);
      if (!offsets.ok()) return offsets.status();
      for (size_t i = 0; i < partitions_.size(); ++i) {
        Partition& p = partitions_[i];
        int64_t at = (*offsets)[i] < 0 ? p.end : (*offsets)[i];  // -1: nothing that late
        if (is_start) p.start = std::max(p.start, at);
        if (!is_start) p.end = std::min(p.end, at);
      }
    }
  }

  index_.clear();
  std::vector<RdKafka::TopicPartition*> assignment;
  for (size_t i = 0; i < partitions_.size(); ++i) {
    Partition& p = partitions_[i];
    p.end = std::max(p.end, p.start);
    ranges_[Name(p.topic, p.partition)] = {p.start, p.end};
    p.stream = aligner_.AddStream(Name(p.topic, p.partition), 0);
    index_[{p.topic, p.partition}] = i;
    if (p.end == p.start) {
      aligner_.Finish(p.stream);
      continue;
    }
    total_ += p.end - p.start;
    ++unfinished_;
    assignment.push_back(RdKafka::TopicPartition::create(p.topic, p.partition, p.start));
  }
  auto err = consumer_->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::KafkaError("assigning the replay range: " + RdKafka::err2str(err));
  }
  return Status::Ok();
}

Result<std::optional<ReplayRecord>> KafkaReplaySource::Next() {
  auto last_record = std::chrono::steady_clock::now();
  while (true) {
    if (auto released = aligner_.Pop(0)) {
      return std::optional<ReplayRecord>(std::move(released->record));
    }
    if (unfinished_ == 0) return std::optional<ReplayRecord>();
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(1000));
    if (message->err() == RdKafka::ERR__TIMED_OUT) {
      if (std::chrono::steady_clock::now() - last_record > kStallTimeout) {
        return Status::KafkaError("replay: no records from the broker for 30 s with " +
                                  std::to_string(unfinished_) + " partitions unfinished");
      }
      continue;
    }
    if (message->err() != RdKafka::ERR_NO_ERROR) {
      if (message->err() == RdKafka::ERR__PARTITION_EOF) continue;
      return Status::KafkaError("replay consumer: " + message->errstr());
    }
    last_record = std::chrono::steady_clock::now();
    auto it = index_.find({message->topic_name(), message->partition()});
    if (it == index_.end()) continue;
    Partition& p = partitions_[it->second];
    if (message->offset() >= p.end || aligner_.Active(p.stream) == false) continue;
    ReplayRecord record;
    record.bytes.assign(static_cast<const char*>(message->payload()), message->len());
    record.role = p.role;
    record.source = {p.topic, p.partition, message->offset()};
    record.origin = Name(p.topic, p.partition) + "@" + std::to_string(message->offset());
    EventOrderKey key = reader_.Read(record.bytes);
    if (key != UnreadableOrderKey()) record.event_time = key.event_time;
    aligner_.Push(p.stream, std::move(key), std::move(record));
    ++consumed_;
    if (message->offset() + 1 >= p.end) {
      aligner_.Finish(p.stream);
      --unfinished_;  // records fetched past the end are ignored
    }
  }
}

double KafkaReplaySource::Progress() const {
  return total_ == 0 ? 1.0 : static_cast<double>(consumed_) / static_cast<double>(total_);
}

}  // namespace riskstream
