#include "pipeline/aligned_kafka_input.h"

#include <chrono>

namespace riskstream {
namespace {

TimestampMs SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Records taken from the client's queue in one go before ordering them (no waiting).
constexpr int kMaxDrain = 10000;

}  // namespace

AlignedKafkaInput::AlignedKafkaInput(DurationMs max_idle_ms) : aligner_(max_idle_ms) {}

AlignedKafkaInput::Partition& AlignedKafkaInput::PartitionOf(const std::string& topic,
                                                             int32_t partition,
                                                             int64_t start_offset) {
  auto key = std::make_pair(topic, partition);
  auto it = partitions_.find(key);
  if (it == partitions_.end()) {
    auto stream = aligner_.AddStream(topic + "/" + std::to_string(partition), SteadyNowMs());
    it = partitions_.emplace(key, Partition{stream, start_offset}).first;
  }
  return it->second;
}

void AlignedKafkaInput::OnAssigned(const std::vector<TopicPartitionOffset>& partitions) {
  for (const auto& p : partitions) {
    auto it = partitions_.find({p.topic, p.partition});
    if (it != partitions_.end()) {
      aligner_.RemoveStream(it->second.stream);
      partitions_.erase(it);
    }
    int64_t start = p.offset >= 0 ? p.offset : RdKafka::Topic::OFFSET_INVALID;
    PartitionOf(p.topic, p.partition, start);
  }
}

void AlignedKafkaInput::OnRevoked(const std::vector<TopicPartitionOffset>& partitions) {
  for (const auto& p : partitions) {
    auto it = partitions_.find({p.topic, p.partition});
    if (it == partitions_.end()) continue;
    aligner_.RemoveStream(it->second.stream);
    partitions_.erase(it);
  }
}

void AlignedKafkaInput::OnRewound(
    const std::map<std::pair<std::string, int32_t>, int64_t>& next_offsets) {
  std::vector<TopicPartitionOffset> partitions;
  for (const auto& [tp, offset] : next_offsets) partitions.push_back({tp.first, tp.second, offset});
  OnAssigned(partitions);  // a fresh stream from that offset
}

void AlignedKafkaInput::Push(std::unique_ptr<RdKafka::Message> message) {
  Partition& p =
      PartitionOf(message->topic_name(), message->partition(), RdKafka::Topic::OFFSET_INVALID);
  p.next_offset = message->offset() + 1;
  std::string_view bytes(static_cast<const char*>(message->payload()), message->len());
  aligner_.Push(p.stream, reader_.Read(bytes), std::move(message));
}

void AlignedKafkaInput::RefreshCaughtUp() {
  if (source_ == nullptr) return;
  for (const auto& [tp, p] : partitions_) {
    if (!aligner_.Empty(p.stream) || p.next_offset < 0) continue;
    auto lag = source_->Lag(tp.first, tp.second, p.next_offset);
    aligner_.SetCaughtUp(p.stream, lag.has_value() && *lag == 0);
  }
}

Result<std::unique_ptr<RdKafka::Message>> AlignedKafkaInput::Next(int timeout_ms) {
  // Take what the client already holds, so the choice sees every partition's next record.
  for (int i = 0; i < kMaxDrain; ++i) {
    auto message = source_->Poll(0);
    if (!message.ok()) return message.status();
    if (!*message) break;
    Push(std::move(*message));
  }
  RefreshCaughtUp();
  if (auto released = aligner_.Pop(SteadyNowMs())) return std::move(released->record);
  auto message = source_->Poll(timeout_ms);
  if (!message.ok()) return message.status();
  if (*message) Push(std::move(*message));
  RefreshCaughtUp();
  if (auto released = aligner_.Pop(SteadyNowMs())) return std::move(released->record);
  return std::unique_ptr<RdKafka::Message>();
}

}  // namespace riskstream
