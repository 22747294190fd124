#include "pipeline/stream_runner.h"

#include <spdlog/spdlog.h>

namespace riskstream {
namespace {

TimestampMs WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int kFlushTimeoutMs = 60000;

}  // namespace

Result<std::unique_ptr<StreamRunner>> StreamRunner::Create(const PipelineConfig& config,
                                                           const std::string& bootstrap_servers,
                                                           PipelineMetrics& metrics) {
  std::unique_ptr<StreamRunner> runner(new StreamRunner());
  runner->config_ = config;
  runner->metrics_ = &metrics;

  auto hasher = PiiHasher::FromEnvironment(config.pii_key_env);
  if (!hasher.ok()) return hasher.status();
  runner->hasher_ = std::make_unique<PiiHasher>(std::move(*hasher));

  std::vector<std::string> feature_names;
  for (const auto& spec : config.features) feature_names.push_back(spec.name);
  auto rules = RuleSet::LoadFile(config.rules_file, feature_names);
  if (!rules.ok()) return rules.status();
  metrics.SetRuleSetVersion((*rules)->version());
  runner->rules_ = *rules;

  auto state = StateDb::Open(config.state_dir);
  if (!state.ok()) return state.status();
  runner->state_ = std::move(*state);
  runner->topology_ = std::make_unique<DecisionTopology>(
      *runner->state_, *runner->hasher_, config.features, std::move(*rules),
      static_cast<uint32_t>(config.partitions), config.allowed_lateness_ms,
      !config.topics.features.empty());

  runner->topic_roles_ = {{config.topics.applications, EventType::kApplication},
                          {config.topics.transactions, EventType::kTransaction},
                          {config.topics.labels, EventType::kLabel}};
  auto sink = KafkaSink::Create(bootstrap_servers, config.producer_properties);
  if (!sink.ok()) return sink.status();
  std::vector<std::string> outputs = {config.topics.credit_events, config.topics.fraud_alerts,
                                      config.topics.dead_letter};
  if (!config.topics.features.empty()) outputs.push_back(config.topics.features);
  if (Status s = (*sink)->WarmUp(outputs, 30000); !s.ok()) return s;
  runner->sink_ = std::move(*sink);
  runner->aligned_ = std::make_unique<AlignedKafkaInput>(config.alignment_max_idle_ms);
  auto source = KafkaSource::Create(
      bootstrap_servers, config.group_id, config.consumer_properties,
      {config.topics.applications, config.topics.transactions, config.topics.labels}, *runner);
  if (!source.ok()) return source.status();
  runner->source_ = std::move(*source);
  runner->aligned_->SetSource(runner->source_.get());
  return runner;
}

StreamRunner::~StreamRunner() {
  // Buffered records go before their consumer; the source must leave the group before the state
  // it reports to goes away.
  aligned_.reset();
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
    auto message =
        aligned_->Next(static_cast<int>(std::min<DurationMs>(config_.commit_interval_ms, 100)));
    if (!message.ok()) {
      result = message.status();
      break;
    }
    if (*message) result = Handle(**message);
    if (result.ok() && !deferred_error_.ok()) result = deferred_error_;
    if (result.ok() && (uncommitted_events_ >= config_.commit_max_events ||
                        std::chrono::steady_clock::now() - last_commit_ >= interval)) {
      result = Commit();
    }
    sink_->Poll();
  }
  if (result.ok()) result = Commit();
  if (!result.ok()) {
    // Nothing uncommitted may count: the next run resumes from the last commit.
    state_->DiscardPending();
  }
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
  }
  if (finished_.load()) return {false, "stopped"};
  if (stop_.load()) return {false, "stopping"};
  if (!assigned_.load()) return {false, "waiting for the first partition assignment"};
  return {true, ""};
}

std::shared_ptr<const RuleSet> StreamRunner::rules() const {
  std::lock_guard lock(shared_mutex_);
  return rules_;
}

Status StreamRunner::Handle(const RdKafka::Message& message) {
  SourcePosition position{message.topic_name(), message.partition(), message.offset()};
  auto role_it = topic_roles_.find(position.topic);
  std::optional<EventType> role;
  if (role_it != topic_roles_.end()) role = role_it->second;
  std::string_view bytes(static_cast<const char*>(message.payload()), message.len());

  const TimestampMs now = WallClockMs();
  auto processed = topology_->Process(bytes, role, position, now);
  if (!processed.ok()) {
    return processed.status().WithContext(position.topic + "/" +
                                          std::to_string(position.partition) + "@" +
                                          std::to_string(position.offset));
  }
  for (const auto& output : processed->outputs) {
    std::string_view key = output.key;
    if (output.stream == OutputStream::kDeadLetter && message.key() != nullptr) {
      key = *message.key();
    }
    if (Status s = sink_->Produce(TopicFor(output.stream), key, output.value); !s.ok()) return s;
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
    metrics_->SetEventTimeLag(static_cast<double>(now - processed->event_time) / 1000.0);
  }
  auto ts = message.timestamp();
  if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE && ts.timestamp > 0) {
    metrics_->ObserveDecisionLatency(std::max<double>(0, static_cast<double>(now - ts.timestamp)) /
                                     1000.0);
  }

  state_->SetInputOffset(position.topic, position.partition, position.offset + 1);
  uncommitted_offsets_[{position.topic, position.partition}] = position.offset + 1;
  ++uncommitted_events_;
  ++processed_;
  if (observer_) observer_(*processed);
  return Status::Ok();
}

Status StreamRunner::Commit() {
  if (uncommitted_events_ == 0) {
    last_commit_ = std::chrono::steady_clock::now();
    return Status::Ok();
  }
  auto started = std::chrono::steady_clock::now();
  Status status = sink_->Flush(kFlushTimeoutMs);
  if (status.ok()) status = state_->Commit();
  if (!status.ok()) {
    metrics_->OnCommitFailure();
    return status.WithContext("commit");
  }
  // State and outputs are durable; the group offset only lets other tools see progress, and is
  // behind at worst (the state's offset wins on the next assignment).
  if (Status s = source_->Commit(uncommitted_offsets_); !s.ok()) {
    spdlog::warn("{} (state already records the position; continuing)", s.message());
  }
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
  return Status::Ok();
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
