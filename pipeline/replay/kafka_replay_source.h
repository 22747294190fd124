// pipeline/replay/kafka_replay_source.h
//
// KafkaReplaySource replays a range of the input topics from Kafka without joining a consumer
// group or committing anything: every partition of `topics` from its first to its last offset as
// the broker reports them when the replay starts, or the partitions named in `offsets`
// ("TOPIC/PARTITION=START-END", END exclusive, empty END: the end), or the records whose Kafka
// timestamps fall in [from, to), found with offsets-for-times. A broker that cannot answer
// offsets-for-times (librdkafka's mock cluster answers -1) is an error that says so. Each partition
// is one stream of the canonical order; records keep their real topic, partition and offset.
// Not thread-safe.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/event_time/event_time_aligner.h"
#include "pipeline/kafka/kafka_properties.h"
#include "pipeline/replay/replay_source.h"

namespace riskstream {

struct KafkaRange {
  std::string bootstrap_servers;
  std::vector<std::string> topics;  // applications, transactions, labels: their roles in order
  std::vector<std::string> offsets;
  std::optional<TimestampMs> from, to;
};

class KafkaReplaySource : public ReplaySource {
 public:
  static Result<std::unique_ptr<KafkaReplaySource>> Open(const KafkaRange& range,
                                                         const KafkaProperties& properties);
  ~KafkaReplaySource() override;

  Result<std::optional<ReplayRecord>> Next() override;
  double Progress() const override;
  int64_t ForcedReleases() const override { return 0; }

  // The [start, end) offsets chosen per partition, by "topic/partition".
  const std::map<std::string, std::pair<int64_t, int64_t>>& ranges() const { return ranges_; }

 private:
  struct Partition {
    std::string topic;
    int32_t partition = 0;
    std::optional<EventType> role;
    int64_t start = 0, end = 0;
    EventTimeAligner<ReplayRecord>::StreamId stream = 0;
  };
  KafkaReplaySource() = default;
  Status Resolve(const KafkaRange& range);

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::vector<Partition> partitions_;
  std::map<std::pair<std::string, int32_t>, size_t> index_;
  std::map<std::string, std::pair<int64_t, int64_t>> ranges_;
  EventTimeAligner<ReplayRecord> aligner_{0};
  EventOrderReader reader_;
  int64_t total_ = 0, consumed_ = 0;
  size_t unfinished_ = 0;
};

}  // namespace riskstream
