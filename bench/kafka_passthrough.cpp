#include "bench/kafka_passthrough.h"

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <utility>

namespace riskstream::bench {
namespace {

struct DeliveryCounter : public RdKafka::DeliveryReportCb {
  int64_t failed = 0;
  std::string first_error;
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() != RdKafka::ERR_NO_ERROR && failed++ == 0) {
      first_error = message.topic_name() + ": " + RdKafka::err2str(message.err());
    }
  }
};

struct AssignmentCounter : public RdKafka::RebalanceCb {
  int64_t rebalances = 0;
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    ++rebalances;
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      consumer->assign(partitions);
    } else {
      consumer->unassign();
    }
  }
};

// Flushes the producer, then commits `offsets` (next offset per topic/partition) and clears them.
Status Commit(RdKafka::Producer& producer, DeliveryCounter& deliveries,
              RdKafka::KafkaConsumer& consumer,
              std::map<std::pair<std::string, int32_t>, int64_t>& offsets) {
  if (offsets.empty()) return Status::Ok();
  auto err = producer.flush(60000);
  if (deliveries.failed > 0) {
    return Status::KafkaError(
        std::to_string(deliveries.failed) +
        " passthrough records not delivered; first: " + deliveries.first_error);
  }
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::KafkaError("passthrough flush: " + RdKafka::err2str(err));
  }
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto& [tp, offset] : offsets) {
    partitions.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, offset));
  }
  err = consumer.commitSync(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::KafkaError("passthrough commit: " + RdKafka::err2str(err));
  }
  offsets.clear();
  return Status::Ok();
}

}  // namespace

Result<ThroughputRun> RunKafkaPassthrough(const PassthroughOptions& options) {
  const auto started = BenchClock::now();
  DeliveryCounter deliveries;
  AssignmentCounter assignments;
  std::string error;

  auto producer_conf = MakeKafkaConf({{"bootstrap.servers", options.bootstrap_servers},
                                      {"enable.idempotence", "true"},
                                      {"acks", "all"},
                                      {"compression.type", "lz4"},
                                      {"linger.ms", "5"},
                                      {"client.id", "bench-passthrough"}},
                                     options.producer_properties);
  if (!producer_conf.ok()) return producer_conf.status();
  if ((*producer_conf)->set("dr_cb", &deliveries, error) != RdKafka::Conf::CONF_OK) {
    return Status::KafkaError("passthrough delivery callback: " + error);
  }
  std::unique_ptr<RdKafka::Producer> producer(
      RdKafka::Producer::create(producer_conf->get(), error));
  if (!producer) return Status::KafkaError("passthrough producer: " + error);

  auto consumer_conf = MakeKafkaConf({{"bootstrap.servers", options.bootstrap_servers},
                                      {"group.id", options.group_id},
                                      {"enable.auto.commit", "false"},
                                      {"enable.auto.offset.store", "false"},
                                      {"auto.offset.reset", "earliest"},
                                      {"enable.partition.eof", "false"},
                                      {"client.id", "bench-passthrough"}},
                                     options.consumer_properties);
  if (!consumer_conf.ok()) return consumer_conf.status();
  if ((*consumer_conf)->set("rebalance_cb", &assignments, error) != RdKafka::Conf::CONF_OK) {
    return Status::KafkaError("passthrough rebalance callback: " + error);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(consumer_conf->get(), error));
  if (!consumer) return Status::KafkaError("passthrough consumer: " + error);
  if (auto err = consumer->subscribe(options.input_topics); err != RdKafka::ERR_NO_ERROR) {
    return Status::KafkaError("passthrough subscribe: " + RdKafka::err2str(err));
  }

  ThroughputRun run;
  const auto deadline = started + std::chrono::milliseconds(options.timeout_ms);
  const auto interval = std::chrono::milliseconds(options.commit_interval_ms);
  BenchClock::time_point clock_started, last_commit = started;
  double cpu_at_start = 0;
  bool clock_running = false;
  std::map<std::pair<std::string, int32_t>, int64_t> offsets;
  int uncommitted = 0;
  int64_t commits = 0;
  auto commit = [&] {
    const bool any = !offsets.empty();
    Status committed = Commit(*producer, deliveries, *consumer, offsets);
    commits += committed.ok() && any;
    uncommitted = 0;
    last_commit = BenchClock::now();
    return committed;
  };
  Status status;
  while (status.ok() && run.records < options.records) {
    if (BenchClock::now() >= deadline) {
      status = Status::Unavailable("passthrough: " + std::to_string(run.records) + " of " +
                                   std::to_string(options.records) + " records before the timeout");
      break;
    }
    std::unique_ptr<RdKafka::Message> message(consumer->consume(100));
    if (message->err() == RdKafka::ERR_NO_ERROR) {
      while (true) {
        auto err =
            producer->produce(options.output_topic, RdKafka::Topic::PARTITION_UA,
                              RdKafka::Producer::RK_MSG_COPY, message->payload(), message->len(),
                              message->key_pointer(), message->key_len(), 0, nullptr);
        if (err == RdKafka::ERR_NO_ERROR) break;
        if (err != RdKafka::ERR__QUEUE_FULL) {
          status = Status::KafkaError("passthrough produce: " + RdKafka::err2str(err));
          break;
        }
        producer->poll(50);
      }
      offsets[{message->topic_name(), message->partition()}] = message->offset() + 1;
      ++uncommitted;
      // One output topic: warm once a commit followed the first record produced to it.
      if (++run.records > options.min_warmup_records && commits > 0 && !clock_running) {
        clock_running = true;
        run.warmup_records = run.records;
        clock_started = BenchClock::now();
        cpu_at_start = ProcessCpuSeconds();
      }
    } else if (message->err() != RdKafka::ERR__TIMED_OUT) {
      status = Status::KafkaError("passthrough consume: " + message->errstr());
    }
    if (status.ok() &&
        (uncommitted >= options.commit_max_events || BenchClock::now() - last_commit >= interval)) {
      status = commit();
    }
    producer->poll(0);
  }
  if (status.ok()) status = commit();
  const auto finished = BenchClock::now();
  run.cpu_seconds = ProcessCpuSeconds() - cpu_at_start;
  consumer->close();
  run.rebalances = assignments.rebalances;
  if (!status.ok()) return status;
  if (!clock_running) {
    return Status::InvalidConfig("passthrough: all records were warm-up; raise --events");
  }
  run.startup_seconds = SecondsBetween(started, clock_started);
  run.seconds = SecondsBetween(clock_started, finished);
  return run;
}

}  // namespace riskstream::bench
