// pipeline/kafka/kafka_connector.h
//
// KafkaConnector is the RuntimeConnector of a real deployment: the input is a KafkaSource in the
// config's consumer group; the outputs go through an idempotent KafkaSink (at-least-once) or one
// TransactionalSink with the config's `transactional.id` (exactly-once). PrepareState connects the
// producer (in exactly-once mode initialising transactions, which fences any earlier instance with
// the same id, so the end of the committed changelog is final), creates the topics it writes when
// they are missing (outputs with `topics.partitions`, the compacted changelog with one; or fails
// naming each one it cannot create, topic_admin.h), and in exactly-once mode restores the state
// from the changelog (state_restore.h). The connector owns the producers; the
// runner keeps it until its transaction and source are gone.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/kafka/kafka_source.h"
#include "pipeline/kafka/state_restore.h"
#include "pipeline/kafka/transactional_sink.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/runtime/runtime_connector.h"
#include "pipeline/runtime/stream_runner.h"

namespace riskstream {

class KafkaConnector final : public RuntimeConnector {
 public:
  // `on_restore` is told what a restore did (metrics).
  KafkaConnector(const PipelineConfig& config, std::string bootstrap_servers,
                 std::function<void(const RestoreStats&)> on_restore);

  Status PrepareState(StateDb& state) override;
  Result<std::unique_ptr<RecordSource>> OpenSource(const std::vector<std::string>& topics,
                                                   AssignmentListener& listener) override;
  Result<std::unique_ptr<OutputTransaction>> OpenOutputs(
      const std::vector<std::string>& output_topics, StateDb& state, RecordSource& source) override;

 private:
  const PipelineConfig config_;
  const std::string bootstrap_;
  std::function<void(const RestoreStats&)> on_restore_;
  std::unique_ptr<TransactionalSink> transactional_;  // exactly_once
  std::unique_ptr<KafkaSink> sink_;                   // at_least_once
  KafkaSource* source_ = nullptr;                     // what OpenSource made (the runner owns it)
};

// A StreamRunner connected to Kafka at `bootstrap_servers` (see StreamRunner::Create); restores
// are reported to `metrics`, which must outlive it.
Result<std::unique_ptr<StreamRunner>> CreateKafkaRunner(const PipelineConfig& config,
                                                        const std::string& bootstrap_servers,
                                                        PipelineMetrics& metrics);

}  // namespace riskstream
