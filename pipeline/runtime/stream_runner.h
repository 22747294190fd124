// pipeline/runtime/stream_runner.h
//
// StreamRunner is one riskstream instance's processing loop: take the input records of the
// partitions assigned to it in the canonical event-time order (AlignedInput over a RecordSource),
// run each through the DecisionTopology, produce its outputs into the current OutputTransaction,
// and commit at least every `commit_interval` or `commit_max_events` records. The transaction is
// the processing guarantee (at-least-once or exactly-once, see output_transaction.h); the runner
// has no branch on it. On assignment each partition resumes from the position recorded with the
// state, so a restart never counts an event twice in the windows; on revocation it commits first.
// A batch that fails in a way aborting fixes (exactly-once) is aborted: the pending state is
// dropped and the input rewound to the last commit. Commits the broker does not answer are retried
// with backoff while Readiness() says why.
// The RuntimeConnector it is created with says where records come from and go: Kafka
// (KafkaConnector, CreateKafkaRunner) or, in tests, an in-memory broker.
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
#include "pipeline/admin/pipeline_metrics.h"
#include "pipeline/event_time/aligned_input.h"
#include "pipeline/runtime/output_transaction.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/runtime/record_source.h"
#include "pipeline/runtime/runtime_connector.h"
#include "pipeline/topology/decision_topology.h"
#include "pipeline/topology/policy_reloader.h"
#include "pipeline/topology/processor.h"

namespace riskstream {

class StreamRunner : private AssignmentListener {
 public:
  // Called for every record processed, after its outputs were queued (for demos and tools).
  using Observer = std::function<void(const ProcessedInput&)>;

  // Opens the state (prepared by `connector`), loads the rules, opens the source and the outputs
  // through `connector` (Kafka: CreateKafkaRunner). `metrics` must outlive the runner.
  static Result<std::unique_ptr<StreamRunner>> Create(const PipelineConfig& config,
                                                      std::unique_ptr<RuntimeConnector> connector,
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
  PolicyReloader& reloader() const;
  // The feature engine: from other threads only its committed reads (ReadCommitted).
  const FeatureEngine& engine() const { return topology_->engine(); }

 private:
  StreamRunner() = default;
  Status Handle(const AlignedRecord& aligned);
  Status Commit();  // retries what the broker did not answer, with backoff
  Result<OutputTransaction::Outcome> CommitOnce();
  // After a failed batch: abort it (its outputs and pending state), then Rewind().
  Status AbortAndRewind(const Status& cause);
  // Moves the input back to the last committed positions and forgets the uncommitted ones.
  Status Rewind();
  void AfterCommit(std::chrono::steady_clock::time_point started);
  // While the source reports every broker down: not ready; checks once a second whether one
  // answers again.
  void WatchBrokers();
  void OnAssigning(std::vector<TopicPartitionOffset>& partitions) override;
  void OnRevoking(const std::vector<TopicPartitionOffset>& partitions) override;
  const std::string& TopicFor(OutputStream stream) const;

  PipelineConfig config_;
  PipelineMetrics* metrics_ = nullptr;
  std::unique_ptr<RuntimeConnector> connector_;
  std::unique_ptr<Processor> processor_;
  StateDb* state_ = nullptr;              // the processor's
  DecisionTopology* topology_ = nullptr;  // the processor's
  std::unique_ptr<RecordSource> source_;
  std::unique_ptr<OutputTransaction> transaction_;
  std::unique_ptr<AlignedInput> aligned_;  // source_'s records in canonical order
  PartitionOffsets uncommitted_offsets_;
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
};

}  // namespace riskstream
