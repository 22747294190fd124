#include "pipeline/kafka/state_restore.h"

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "state/changelog/changelog.h"

namespace riskstream {
namespace {

constexpr size_t kChunkChanges = 20000;
constexpr auto kIdleLimit = std::chrono::seconds(60);
constexpr auto kProgressEvery = std::chrono::seconds(5);

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Result<RestoreStats> RestoreFromChangelog(const std::string& bootstrap_servers,
                                          const std::string& group_id,
                                          const KafkaProperties& consumer_properties,
                                          const std::string& topic, StateDb& db) {
  const auto started = std::chrono::steady_clock::now();
  KafkaProperties overrides = consumer_properties;
  overrides.erase("group.instance.id");  // the restore consumer never joins the group
  auto conf = MakeKafkaConf({{"bootstrap.servers", bootstrap_servers},
                             {"group.id", group_id},
                             {"enable.auto.commit", "false"},
                             {"enable.partition.eof", "true"},
                             // A current state reads nothing: do not wait the default 500 ms.
                             {"fetch.wait.max.ms", "50"},
                             {"client.id", "riskstream-restore"}},
                            overrides);
  if (!conf.ok()) return conf.status();
  std::string error;
  if ((*conf)->set("isolation.level", "read_committed", error) != RdKafka::Conf::CONF_OK) {
    return Status::KafkaError("restore consumer: " + error);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!consumer) return Status::KafkaError("creating restore consumer: " + error);

  RestoreStats stats;
  auto local = db.CommittedChangelogPosition(topic, kChangelogPartition);
  if (!local.ok()) return local.status();
  // A topic created a moment ago may not be known to every client yet, and a restarting broker
  // answers late: ask again for a while.
  int64_t low = 0, high = 0;
  RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
  const auto give_up = std::chrono::steady_clock::now() + kIdleLimit;
  while ((err = consumer->query_watermark_offsets(topic, kChangelogPartition, &low, &high, 5000)) !=
         RdKafka::ERR_NO_ERROR) {
    if (std::chrono::steady_clock::now() > give_up) {
      return Status::Unavailable("end of changelog " + topic + ": " + RdKafka::err2str(err));
    }
    spdlog::info("end of changelog {} not known yet ({}); asking again", topic,
                 RdKafka::err2str(err));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  int64_t position = local->value_or(0);
  if (local->has_value() && (position < low || position > high)) {
    // The changelog was deleted or recreated: it cannot rebuild this state any more, and wiping
    // would silently lose it. The operator decides (docs/OPERATIONS.md, "How to restore").
    return Status::InvalidConfig("local state is at changelog offset " + std::to_string(position) +
                                 ", outside " + std::to_string(low) + ".." + std::to_string(high) +
                                 " of " + topic +
                                 ": the changelog was lost; reprocess with a new group_id and an "
                                 "empty state dir (docs/OPERATIONS.md)");
  }
  stats.from_offset = position;
  spdlog::info("restoring state from changelog {} offsets {}..{}", topic, position, high);

  std::vector<RdKafka::TopicPartition*> assignment = {RdKafka::TopicPartition::create(
      topic, kChangelogPartition, position == 0 ? RdKafka::Topic::OFFSET_BEGINNING : position)};
  err = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::KafkaError("assigning changelog " + topic + ": " + RdKafka::err2str(err));
  }

  std::vector<StateDb::Change> chunk;
  auto flush = [&](int64_t reached) -> Status {
    db.SetChangelogPosition(topic, kChangelogPartition, reached);
    Status s = db.WriteRestored(chunk);
    chunk.clear();
    return s;
  };
  auto last_message = std::chrono::steady_clock::now();
  auto last_progress = last_message;
  int64_t reached = position;
  while (true) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(500));
    if (message->err() == RdKafka::ERR__PARTITION_EOF) {
      reached = std::max(reached, message->offset());
      break;
    }
    if (message->err() == RdKafka::ERR__TIMED_OUT) {
      if (std::chrono::steady_clock::now() - last_message > kIdleLimit) {
        return Status::Unavailable("restoring from changelog " + topic +
                                   ": no progress for 60 s at offset " + std::to_string(reached));
      }
      continue;
    }
    if (message->err() != RdKafka::ERR_NO_ERROR) {
      if (message->err() == RdKafka::ERR__FATAL ||
          message->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART ||
          message->err() == RdKafka::ERR__AUTO_OFFSET_RESET) {
        return Status::KafkaError("restoring from changelog " + topic + ": " + message->errstr());
      }
      spdlog::warn("restore consumer: {} (librdkafka retries)", message->errstr());
      continue;
    }
    last_message = std::chrono::steady_clock::now();
    const std::string* key = message->key();
    std::string value_copy;
    const std::string* value = nullptr;
    if (message->payload() != nullptr) {
      value_copy.assign(static_cast<const char*>(message->payload()), message->len());
      value = &value_copy;
    }
    auto change = DecodeChange(key ? std::string_view(*key) : std::string_view(), value);
    if (!change.ok()) {
      return change.status().WithContext(topic + "@" + std::to_string(message->offset()));
    }
    chunk.push_back(std::move(*change));
    ++stats.records;
    stats.bytes += static_cast<int64_t>((key ? key->size() : 0) + message->len());
    reached = message->offset() + 1;
    if (chunk.size() >= kChunkChanges) {
      if (Status s = flush(reached); !s.ok()) return s;
    }
    if (last_message - last_progress >= kProgressEvery) {
      last_progress = last_message;
      spdlog::info("restoring {}: {} records ({} bytes) so far, at offset {} of {}", topic,
                   stats.records, stats.bytes, reached, high);
    }
  }
  if (Status s = flush(reached); !s.ok()) return s;
  consumer->close();
  stats.to_offset = reached;
  stats.seconds = SecondsSince(started);
  spdlog::info(
      "restored state from changelog {}: {} records, {} bytes in {:.3f} s (offsets {}..{})", topic,
      stats.records, stats.bytes, stats.seconds, stats.from_offset, stats.to_offset);
  return stats;
}

}  // namespace riskstream
