// pipeline/stream_runner.h
//
// StreamRunner is one riskstream instance's processing loop: consume the input topics as a member
// of the consumer group, run each record through the DecisionTopology, produce its outputs, and
// commit at least every `commit_interval` or `commit_max_events` records. A commit first waits
// until every output is delivered, then writes the state with the consumed offsets in one RocksDB
// batch, then commits the offsets to the group. So no input is marked consumed before its decision
// is in Kafka (at-least-once; exactly-once with transactions is a later mode), and state never
// counts an input the recorded position does not cover. On assignment each partition resumes from
// the offset recorded with the state, so a restart does not count any event twice in the windows.
// With processing_guarantee exactly_once (docs/OPERATIONS.md) the outputs, the state's changelog
// and the input offsets go into one Kafka transaction per commit (TransactionalSink); the state
// batch is written to RocksDB, with the changelog position, only after the transaction committed,
// and Create() restores state from the changelog first when the local copy is missing or behind.
// An aborted transaction rewinds the input to the last commit and drops the pending state. Commits
// the broker does not answer are retried with backoff while Readiness() says why.
// Not thread-safe: Run() on one thread; RequestStop() from any thread or a signal handler; ready(),
// Readiness(), rules() and engine()'s committed reads from any thread (the admin endpoint).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "common/status.h"
#include "pipeline/aligned_kafka_input.h"
#include "pipeline/decision_topology.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/kafka_source.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/pipeline_metrics.h"
#include "pipeline/policy_reloader.h"
#include "pipeline/transactional_sink.h"

namespace riskstream {

class StreamRunner : private AssignmentListener {
 public:
  // Called for every record processed, after its outputs were queued (for demos and tools).
  using Observer = std::function<void(const ProcessedInput&)>;

  // Opens the state, loads the rules, connects to Kafka at `bootstrap_servers`. `metrics` must
  // outlive the runner.
  static Result<std::unique_ptr<StreamRunner>> Create(const PipelineConfig& config,
                                                      const std::string& bootstrap_servers,
                                                      PipelineMetrics& metrics);
  ~StreamRunner() override;

  // Processes until RequestStop() (then commits and leaves the group) or a fatal error.
  Status Run();
  void RequestStop() { stop_.store(true); }
  void SetObserver(Observer observer) { observer_ = std::move(observer); }

  int64_t processed() const { return processed_; }

  // Ready once the first partition assignment arrived, until a stop or a fatal error; the reason
  // says why not. Safe from any thread.
  bool ready() const { return Readiness().first; }
  std::pair<bool, std::string> Readiness() const;
  // The active live rule set. Safe from any thread.
  std::shared_ptr<const RuleSet> rules() const;
  // Reloads the policy files (admin call, file watch). Safe from any thread.
  PolicyReloader& reloader() const { return *reloader_; }
  // The feature engine: from other threads only its committed reads (ReadCommitted).
  const FeatureEngine& engine() const { return topology_->engine(); }

 private:
  StreamRunner() = default;
  Status Handle(const RdKafka::Message& message);
  Status Commit();  // retries what the broker did not answer, with backoff
  Status CommitAtLeastOnce();
  Status CommitTransaction();
  // After a failed transaction: abort it, drop the pending state and (when `rewind`) move the
  // input back to the last committed offsets. Fails when the producer is unusable.
  Status AbortAndRewind(const Status& cause, bool rewind);
  void AfterCommit(std::chrono::steady_clock::time_point started);
  // While librdkafka reports every broker down: not ready; checks once a second whether one
  // answers again.
  void WatchBrokers();
  Status Emit(const std::string& topic, std::string_view key, std::string_view value);
  void OnAssigning(std::vector<TopicPartitionOffset>& partitions) override;
  void OnRevoking(const std::vector<TopicPartitionOffset>& partitions) override;
  const std::string& TopicFor(OutputStream stream) const;

  PipelineConfig config_;
  PipelineMetrics* metrics_ = nullptr;
  std::unique_ptr<StateDb> state_;
  std::unique_ptr<PiiHasher> hasher_;
  std::unique_ptr<DecisionTopology> topology_;
  std::unique_ptr<KafkaSink> sink_;         // at_least_once
  std::unique_ptr<TransactionalSink> txn_;  // exactly_once
  bool changelog_produced_ = false;         // the open transaction holds the pending changes
  std::unique_ptr<KafkaSource> source_;
  std::unique_ptr<AlignedKafkaInput> aligned_;  // source_'s records in canonical order
  std::map<std::string, EventType> topic_roles_;
  std::map<std::pair<std::string, int32_t>, int64_t> uncommitted_offsets_;
  int uncommitted_events_ = 0;
  std::chrono::steady_clock::time_point last_commit_;
  std::chrono::steady_clock::time_point last_broker_check_;
  std::atomic<bool> stop_{false};
  Status deferred_error_;
  Observer observer_;
  int64_t processed_ = 0;
  std::atomic<bool> assigned_{false};  // the first assignment arrived
  std::atomic<bool> finished_{false};  // Run() returned
  mutable std::mutex shared_mutex_;    // guards what other threads read below
  std::string failure_;                // Run()'s fatal error
  std::string unavailable_;            // why commits are being retried, empty when they succeed
  std::unique_ptr<PolicyReloader> reloader_;
};

}  // namespace riskstream
