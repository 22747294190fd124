#include "pipeline/kafka/kafka_connector.h"

#include <utility>

#include "pipeline/kafka/topic_admin.h"
#include "pipeline/runtime/at_least_once_transaction.h"
#include "pipeline/runtime/exactly_once_transaction.h"

namespace riskstream {
namespace {

constexpr int kInitTimeoutMs = 60000;
constexpr int kMetadataTimeoutMs = 30000;

}  // namespace

KafkaConnector::KafkaConnector(const PipelineConfig& config, std::string bootstrap_servers,
                               std::function<void(const RestoreStats&)> on_restore)
    : config_(config),
      bootstrap_(std::move(bootstrap_servers)),
      on_restore_(std::move(on_restore)) {}

Status KafkaConnector::PrepareState(StateDb& state) {
  std::vector<TopicSpec> topics;
  for (const auto& name : config_.topics.Outputs())
    topics.push_back({name, config_.partitions, {}});
  const bool exactly_once = config_.guarantee == ProcessingGuarantee::kExactlyOnce;
  if (exactly_once) {
    auto transactional = TransactionalSink::Create(bootstrap_, config_.producer_properties,
                                                   config_.transactional_id, kInitTimeoutMs);
    if (!transactional.ok()) return transactional.status();
    transactional_ = std::move(*transactional);
    topics.push_back({config_.topics.changelog, 1, {{"cleanup.policy", "compact"}}});
  } else {
    auto sink = KafkaSink::Create(bootstrap_, config_.producer_properties);
    if (!sink.ok()) return sink.status();
    sink_ = std::move(*sink);
  }
  // Every topic it writes exists before anything is read or written.
  RdKafka::Handle& client = exactly_once ? transactional_->producer() : sink_->producer();
  if (Status s = EnsureTopics(client, topics, kMetadataTimeoutMs); !s.ok()) return s;
  if (!exactly_once) return Status::Ok();
  auto restored =
      RestoreFromChangelog(bootstrap_, config_.group_id + "-restore", config_.consumer_properties,
                           config_.topics.changelog, state);
  if (!restored.ok()) return restored.status();
  if (on_restore_) on_restore_(*restored);
  return Status::Ok();
}

Result<std::unique_ptr<RecordSource>> KafkaConnector::OpenSource(
    const std::vector<std::string>& topics, AssignmentListener& listener) {
  auto source = KafkaSource::Create(bootstrap_, config_.group_id, config_.consumer_properties,
                                    topics, listener);
  if (!source.ok()) return source.status();
  source_ = source->get();
  return std::unique_ptr<RecordSource>(std::move(*source));
}

Result<std::unique_ptr<OutputTransaction>> KafkaConnector::OpenOutputs(
    const std::vector<std::string>& output_topics, StateDb& state, RecordSource& source) {
  std::vector<std::string> topics = output_topics;
  if (transactional_) {
    topics.push_back(config_.topics.changelog);
    if (Status s = transactional_->WarmUp(topics, kMetadataTimeoutMs); !s.ok()) return s;
    transactional_->SetConsumer(source_);
    return std::unique_ptr<OutputTransaction>(std::make_unique<ExactlyOnceTransaction>(
        *transactional_, state, config_.topics.changelog, kChangelogPartition));
  }
  if (Status s = sink_->WarmUp(topics, kMetadataTimeoutMs); !s.ok()) return s;
  return std::unique_ptr<OutputTransaction>(
      std::make_unique<AtLeastOnceTransaction>(*sink_, state, source));
}

Result<std::unique_ptr<StreamRunner>> CreateKafkaRunner(const PipelineConfig& config,
                                                        const std::string& bootstrap_servers,
                                                        PipelineMetrics& metrics) {
  auto connector = std::make_unique<KafkaConnector>(
      config, bootstrap_servers, [&metrics](const RestoreStats& restored) {
        metrics.OnRestore(restored.records, restored.bytes, restored.seconds);
      });
  return StreamRunner::Create(config, std::move(connector), metrics);
}

}  // namespace riskstream
