#include "pipeline/event_time/aligned_input.h"

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

AlignedInput::AlignedInput(DurationMs max_idle_ms, const PiiHasher& hasher,
                           std::map<std::string, EventType> roles)
    : aligner_(max_idle_ms), parser_(hasher), roles_(std::move(roles)) {}

AlignedInput::Partition& AlignedInput::PartitionOf(const std::string& topic, int32_t partition,
                                                   int64_t start_offset) {
  auto key = std::make_pair(topic, partition);
  auto it = partitions_.find(key);
  if (it == partitions_.end()) {
    auto stream = aligner_.AddStream(topic + "/" + std::to_string(partition), SteadyNowMs());
    it = partitions_.emplace(key, Partition{stream, start_offset}).first;
  }
  return it->second;
}

void AlignedInput::OnAssigned(const std::vector<TopicPartitionOffset>& partitions) {
  for (const auto& p : partitions) {
    auto it = partitions_.find({p.topic, p.partition});
    if (it != partitions_.end()) {
      aligner_.RemoveStream(it->second.stream);
      partitions_.erase(it);
    }
    int64_t start = p.offset >= 0 ? p.offset : kOffsetInvalid;
    PartitionOf(p.topic, p.partition, start);
  }
}

void AlignedInput::OnRevoked(const std::vector<TopicPartitionOffset>& partitions) {
  for (const auto& p : partitions) {
    auto it = partitions_.find({p.topic, p.partition});
    if (it == partitions_.end()) continue;
    aligner_.RemoveStream(it->second.stream);
    partitions_.erase(it);
  }
}

void AlignedInput::OnRewound(const PartitionOffsets& next_offsets) {
  std::vector<TopicPartitionOffset> partitions;
  for (const auto& [tp, offset] : next_offsets) partitions.push_back({tp.first, tp.second, offset});
  OnAssigned(partitions);  // a fresh stream from that offset
}

void AlignedInput::Push(InputRecord record) {
  Partition& p = PartitionOf(record.topic, record.partition, kOffsetInvalid);
  p.next_offset = record.offset + 1;
  AlignedRecord aligned;
  auto role = roles_.find(record.topic);
  if (role != roles_.end()) aligned.role = role->second;
  aligned.record = std::move(record);
  EventOrderKey key;
  aligned.parsed.error =
      parser_.Parse(aligned.record.value, aligned.role, aligned.parsed.event, &key);
  aligner_.Push(p.stream, std::move(key), std::move(aligned));
}

void AlignedInput::RefreshCaughtUp() {
  if (source_ == nullptr) return;
  for (const auto& [tp, p] : partitions_) {
    if (!aligner_.Empty(p.stream) || p.next_offset < 0) continue;
    auto lag = source_->Lag(tp.first, tp.second, p.next_offset);
    aligner_.SetCaughtUp(p.stream, lag.has_value() && *lag == 0);
  }
}

Result<std::optional<AlignedRecord>> AlignedInput::Next(int timeout_ms) {
  // Take what the client already holds, so the choice sees every partition's next record.
  for (int i = 0; i < kMaxDrain; ++i) {
    auto record = source_->Poll(0);
    if (!record.ok()) return record.status();
    if (!*record) break;
    Push(std::move(**record));
  }
  RefreshCaughtUp();
  if (auto released = aligner_.Pop(SteadyNowMs())) {
    return std::optional<AlignedRecord>(std::move(released->record));
  }
  auto record = source_->Poll(timeout_ms);
  if (!record.ok()) return record.status();
  if (*record) Push(std::move(**record));
  RefreshCaughtUp();
  if (auto released = aligner_.Pop(SteadyNowMs())) {
    return std::optional<AlignedRecord>(std::move(released->record));
  }
  return std::optional<AlignedRecord>();
}

}  // namespace riskstream
