#include "pipeline/runtime/stream_runner.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace riskstream {
namespace {

TimestampMs WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr auto kMaxBackoff = std::chrono::seconds(5);
constexpr auto kGiveUpWhenStopping = std::chrono::seconds(30);

}  // namespace

Result<std::unique_ptr<StreamRunner>> StreamRunner::Create(
    const PipelineConfig& config, std::unique_ptr<RuntimeConnector> connector,
    PipelineMetrics& metrics) {
  std::unique_ptr<StreamRunner> runner(new StreamRunner());
  runner->config_ = config;
  runner->metrics_ = &metrics;
  runner->connector_ = std::move(connector);
  RuntimeConnector& connected = *runner->connector_;
  spdlog::info("processing guarantee: {}", ToString(config.guarantee));

  ProcessorOptions processor_options;
  processor_options.prepare_state = [&connected](StateDb& state) {
    return connected.PrepareState(state);
  };
  auto processor = Processor::Build(config, std::move(processor_options));
  if (!processor.ok()) return processor.status();
  runner->processor_ = std::move(*processor);
  runner->state_ = &runner->processor_->state();
  runner->topology_ = &runner->processor_->topology();
  PolicyReloader& reloader = *runner->processor_->reloader();
  metrics.SetRuleSetVersion(reloader.policies()->Get().live->rules().version());
  reloader.SetListener([&metrics](const Policy& live, const Policy*) {
    metrics.SetRuleSetVersion(live.rules().version());
  });

  std::map<std::string, EventType> roles = {{config.topics.applications, EventType::kApplication},
                                            {config.topics.transactions, EventType::kTransaction},
                                            {config.topics.labels, EventType::kLabel}};
  runner->aligned_ = std::make_unique<AlignedInput>(config.alignment_max_idle_ms,
                                                    runner->processor_->hasher(), std::move(roles));
  auto source = connected.OpenSource(
      {config.topics.applications, config.topics.transactions, config.topics.labels}, *runner);
  if (!source.ok()) return source.status();
  runner->source_ = std::move(*source);
  runner->aligned_->SetSource(runner->source_.get());

  auto transaction =
      connected.OpenOutputs(config.topics.Outputs(), *runner->state_, *runner->source_);
  if (!transaction.ok()) return transaction.status();
  runner->transaction_ = std::move(*transaction);
  return runner;
}

StreamRunner::~StreamRunner() {
  // Buffered records go before their source; the source must leave the group before the state it
  // reports to goes away, and the transaction before the source it commits through.
  aligned_.reset();
  transaction_.reset();
  source_.reset();
}

const std::string& StreamRunner::TopicFor(OutputStream stream) const {
  switch (stream) {
    case OutputStream::kCreditEvents:
      return config_.topics.credit_events;
    case OutputStream::kFraudAlerts:
      return config_.topics.fraud_alerts;
    case OutputStream::kFeatures:
      return config_.topics.features;
    case OutputStream::kShadowDecisions:
      return config_.topics.shadow_decisions;
    case OutputStream::kDeadLetter:
      break;
  }
  return config_.topics.dead_letter;
}

Status StreamRunner::Run() {
  last_commit_ = std::chrono::steady_clock::now();
  const auto interval = std::chrono::milliseconds(config_.commit_interval_ms);
  Status result;
  while (!stop_.load() && result.ok()) {
    auto record =
        aligned_->Next(static_cast<int>(std::min<DurationMs>(config_.commit_interval_ms, 100)));
    if (!record.ok()) {
      result = record.status();
      break;
    }
    if (*record) result = Handle(**record);
    if (!result.ok() && result.code() == Status::Code::kKafkaError && transaction_->CanAbort()) {
      result = AbortAndRewind(result);
    }
    if (result.ok() && !deferred_error_.ok()) result = deferred_error_;
    if (result.ok() && (uncommitted_events_ >= config_.commit_max_events ||
                        std::chrono::steady_clock::now() - last_commit_ >= interval)) {
      result = Commit();
    }
    transaction_->Poll();
    if (source_->brokers_down()) WatchBrokers();
  }
  if (result.ok()) result = Commit();
  // Nothing uncommitted may count: the next run resumes from the last commit.
  if (!result.ok()) transaction_->Discard();
  source_->Close();
  metrics_->SetRebalances(source_->rebalances());
  if (!result.ok()) {
    std::lock_guard lock(shared_mutex_);
    failure_ = result.ToString();
  }
  finished_.store(true);
  return result;
}

std::pair<bool, std::string> StreamRunner::Readiness() const {
  {
    std::lock_guard lock(shared_mutex_);
    if (!failure_.empty()) return {false, "stopped on a fatal error: " + failure_};
    if (!unavailable_.empty()) return {false, "broker unavailable, retrying: " + unavailable_};
  }
  if (source_ && source_->brokers_down()) {
    return {false, "broker unavailable, retrying: all brokers down"};
  }
  if (finished_.load()) return {false, "stopped"};
  if (stop_.load()) return {false, "stopping"};
  if (!assigned_.load()) return {false, "waiting for the first partition assignment"};
  return {true, ""};
}

PolicyReloader& StreamRunner::reloader() const { return *processor_->reloader(); }

std::shared_ptr<const RuleSet> StreamRunner::rules() const {
  auto live = processor_->policies()->Get().live;
  return std::shared_ptr<const RuleSet>(live, &live->rules());
}

Status StreamRunner::Handle(const AlignedRecord& aligned) {
  const InputRecord& record = aligned.record;
  SourcePosition position{record.topic, record.partition, record.offset};
  const TimestampMs now = WallClockMs();
  auto processed = topology_->ProcessParsed(record.value, aligned.parsed, position, now);
  if (!processed.ok()) {
    return processed.status().WithContext(position.topic + "/" +
                                          std::to_string(position.partition) + "@" +
                                          std::to_string(position.offset));
  }
  for (const auto& output : processed->outputs) {
    std::string_view key = output.key;
    if (output.stream == OutputStream::kDeadLetter && record.key) key = *record.key;
    if (Status s = transaction_->Produce(TopicFor(output.stream), key, output.value); !s.ok()) {
      return s;
    }
  }

  metrics_->OnConsumed(position.topic,
                       processed->type ? ToString(*processed->type) : std::string_view("invalid"));
  if (processed->rejection) {
    metrics_->OnDeadLetter(ToString(*processed->rejection));
  } else {
    metrics_->OnDecision(ToString(*processed->decision));
    for (const auto& fired : processed->outcome->fired) {
      metrics_->OnAlert(fired.rule->id, ToString(fired.rule->severity));
    }
    if (processed->late) metrics_->OnLateEvent();
    if (*processed->type == EventType::kLabel) {
      metrics_->OnLabels(processed->label_pending ? "pending" : "applied", 1);
    }
    metrics_->OnLabels("applied_on_arrival", processed->pending_labels_applied);
    metrics_->OnLabels("expired", processed->pending_labels_expired);
    metrics_->SetEventTimeLag(static_cast<double>(now - processed->event_time) / 1000.0);
  }
  if (record.timestamp) {
    metrics_->ObserveDecisionLatency(
        std::max<double>(0, static_cast<double>(now - *record.timestamp)) / 1000.0);
  }

  state_->SetInputOffset(position.topic, position.partition, position.offset + 1);
  uncommitted_offsets_[{position.topic, position.partition}] = position.offset + 1;
  ++uncommitted_events_;
  ++processed_;
  if (observer_) observer_(*processed);
  return Status::Ok();
}

void StreamRunner::WatchBrokers() {
  metrics_->SetBrokerUnavailable(true);
  auto now = std::chrono::steady_clock::now();
  if (now - last_broker_check_ < std::chrono::seconds(1)) return;
  last_broker_check_ = now;
  if (source_->CheckBrokers(500).ok()) {
    spdlog::info("brokers reachable again");
    metrics_->SetBrokerUnavailable(false);
  }
}

Status StreamRunner::Commit() {
  auto backoff = std::chrono::milliseconds(100);
  std::optional<std::chrono::steady_clock::time_point> stopping_since;
  while (true) {
    auto outcome = CommitOnce();
    if (outcome.ok() || outcome.status().code() != Status::Code::kUnavailable) {
      {
        std::lock_guard lock(shared_mutex_);
        if (!unavailable_.empty()) spdlog::info("broker answers again; commit done");
        unavailable_.clear();
      }
      metrics_->SetBrokerUnavailable(false);
      if (!outcome.ok()) return outcome.status();
      if (*outcome == OutputTransaction::Outcome::kAborted) {
        metrics_->OnTransaction(false);
        spdlog::warn("transaction aborted; rewinding to the last commit");
        return Rewind();
      }
      return Status::Ok();
    }
    // The broker does not answer: nothing is lost (outputs stay queued, the transaction open),
    // so wait and retry; give up only when asked to stop and it stays away.
    const Status& status = outcome.status();
    {
      std::lock_guard lock(shared_mutex_);
      unavailable_ = status.message();
    }
    metrics_->SetBrokerUnavailable(true);
    if (stop_.load()) {
      if (!stopping_since) stopping_since = std::chrono::steady_clock::now();
      if (std::chrono::steady_clock::now() - *stopping_since > kGiveUpWhenStopping) {
        metrics_->OnCommitFailure();
        return status.WithContext("commit (stopping)");
      }
    }
    spdlog::warn("commit: {}; retrying in {} ms", status.message(), backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  }
}

Result<OutputTransaction::Outcome> StreamRunner::CommitOnce() {
  if (uncommitted_events_ == 0) {
    last_commit_ = std::chrono::steady_clock::now();
    return OutputTransaction::Outcome::kCommitted;
  }
  auto started = std::chrono::steady_clock::now();
  auto outcome = transaction_->Commit(uncommitted_offsets_);
  if (!outcome.ok()) {
    if (outcome.status().code() != Status::Code::kUnavailable) metrics_->OnCommitFailure();
    return outcome;
  }
  if (*outcome == OutputTransaction::Outcome::kCommitted) {
    if (transaction_->CanAbort()) metrics_->OnTransaction(true);
    AfterCommit(started);
  }
  return outcome;
}

Status StreamRunner::AbortAndRewind(const Status& cause) {
  spdlog::warn("aborting the transaction ({}); rewinding to the last commit", cause.ToString());
  if (Status s = transaction_->Abort(); !s.ok()) return s.WithContext(cause.message());
  metrics_->OnTransaction(false);
  return Rewind();
}

Status StreamRunner::Rewind() {
  PartitionOffsets committed;
  for (const auto& [topic_partition, next_offset] : uncommitted_offsets_) {
    auto offset = state_->CommittedInputOffset(topic_partition.first, topic_partition.second);
    if (!offset.ok()) return offset.status();
    committed[topic_partition] = offset->value_or(kOffsetBeginning);
  }
  if (Status s = source_->Rewind(committed); !s.ok()) return s;
  aligned_->OnRewound(committed);
  uncommitted_offsets_.clear();
  uncommitted_events_ = 0;
  last_commit_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

void StreamRunner::AfterCommit(std::chrono::steady_clock::time_point started) {
  for (const auto& [topic_partition, next_offset] : uncommitted_offsets_) {
    if (auto lag = source_->Lag(topic_partition.first, topic_partition.second, next_offset)) {
      metrics_->SetConsumerLag(topic_partition.first, topic_partition.second, *lag);
    }
  }
  uncommitted_offsets_.clear();
  uncommitted_events_ = 0;
  last_commit_ = std::chrono::steady_clock::now();
  metrics_->OnCommit(std::chrono::duration<double>(last_commit_ - started).count());
  metrics_->SetStateStats(state_->EstimateKeys(StateDb::Family::kWindows), state_->LiveDataBytes(),
                          state_->PendingCompactionBytes(), state_->BlockCacheHitRatio());
  const RowCacheStats cache = state_->CacheStats();
  const uint64_t lookups = cache.hits + cache.misses;
  metrics_->SetRowCacheStats(
      lookups == 0 ? 0.0 : static_cast<double>(cache.hits) / static_cast<double>(lookups),
      cache.bytes);
}

void StreamRunner::OnAssigning(std::vector<TopicPartitionOffset>& partitions) {
  for (auto& p : partitions) {
    auto committed = state_->CommittedInputOffset(p.topic, p.partition);
    if (!committed.ok()) {
      deferred_error_ = committed.status();
      continue;
    }
    if (committed->has_value()) p.offset = **committed;
  }
  aligned_->OnAssigned(partitions);
  metrics_->SetRebalances(source_ ? source_->rebalances() : 0);
  assigned_.store(true);
}

void StreamRunner::OnRevoking(const std::vector<TopicPartitionOffset>& partitions) {
  aligned_->OnRevoked(partitions);  // what was not processed stays uncommitted for the next owner
  Status status = Commit();
  if (!status.ok()) deferred_error_ = status;
}

}  // namespace riskstream
