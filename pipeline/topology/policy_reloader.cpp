#include "pipeline/topology/policy_reloader.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

Json VersionJson(const std::shared_ptr<const Policy>& policy) {
  return policy ? Json(policy->version()) : Json(nullptr);
}

}  // namespace

Result<std::unique_ptr<PolicyReloader>> PolicyReloader::Create(
    PolicyFiles files, std::vector<std::string> feature_names) {
  std::unique_ptr<PolicyReloader> reloader(
      new PolicyReloader(std::move(files), std::move(feature_names)));
  auto loaded = reloader->LoadAll();
  if (!loaded.ok()) return loaded.status();
  reloader->policies_ = std::make_shared<ActivePolicies>(loaded->live, loaded->shadow);
  return reloader;
}

Result<std::unique_ptr<PolicyReloader>> PolicyReloader::ForConfig(const PipelineConfig& config) {
  std::vector<std::string> feature_names;
  for (const auto& spec : config.features) feature_names.push_back(spec.name);
  return Create({config.rules_file, config.scorecard_file, config.shadow_rules_file,
                 config.shadow_scorecard_file},
                std::move(feature_names));
}

PolicyReloader::~PolicyReloader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void PolicyReloader::SetListener(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

Result<ActivePolicies::Snapshot> PolicyReloader::LoadAll() const {
  ActivePolicies::Snapshot snapshot;
  auto live = Policy::LoadFiles(files_.rules, files_.scorecard, feature_names_);
  if (!live.ok()) return live.status();
  snapshot.live = std::move(*live);
  if (!files_.shadow_rules.empty()) {
    auto shadow = Policy::LoadFiles(files_.shadow_rules, files_.shadow_scorecard, feature_names_);
    if (!shadow.ok()) return shadow.status().WithContext("shadow policy");
    snapshot.shadow = std::move(*shadow);
  }
  return snapshot;
}

Result<std::string> PolicyReloader::Reload() {
  std::lock_guard reload_lock(reload_mutex_);
  auto loaded = LoadAll();
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    if (!loaded.ok()) {
      ++rejected_;
      last_error_ = loaded.status().message();
      return loaded.status();
    }
    ++reloads_;
    last_error_.clear();
    listener = listener_;
  }
  policies_->Set(loaded->live, loaded->shadow);
  if (listener) listener(*loaded->live, loaded->shadow.get());
  return Json{{"live_version", VersionJson(loaded->live)},
              {"shadow_version", VersionJson(loaded->shadow)}}
      .dump();
}

std::vector<int64_t> PolicyReloader::Stamps() const {
  std::vector<int64_t> stamps;
  for (const std::string* file :
       {&files_.rules, &files_.scorecard, &files_.shadow_rules, &files_.shadow_scorecard}) {
    std::error_code error;
    auto time = file->empty() ? std::filesystem::file_time_type()
                              : std::filesystem::last_write_time(*file, error);
    stamps.push_back(error ? -1 : time.time_since_epoch().count());
  }
  return stamps;
}

void PolicyReloader::WatchFiles(DurationMs interval_ms) {
  std::lock_guard lock(mutex_);
  if (watcher_.joinable()) return;
  // The stamps as of this call: a change right after it is seen.
  watcher_ = std::thread([this, interval_ms, seen = Stamps()] { Watch(interval_ms, seen); });
}

void PolicyReloader::Watch(DurationMs interval_ms, std::vector<int64_t> seen) {
  std::unique_lock lock(mutex_);
  while (
      !wake_.wait_for(lock, std::chrono::milliseconds(interval_ms), [this] { return stopping_; })) {
    std::vector<int64_t> now = Stamps();
    if (now == seen) continue;
    seen = now;
    lock.unlock();
    auto result = Reload();
    if (result.ok()) {
      spdlog::info("policy reloaded after a file change: {}", *result);
    } else {
      spdlog::error("policy reload rejected, the active policy stays: {}",
                    result.status().ToString());
    }
    lock.lock();
  }
}

std::string PolicyReloader::StatusJson() const {
  ActivePolicies::Snapshot snapshot = policies_->Get();
  std::lock_guard lock(mutex_);
  return Json{{"live_version", VersionJson(snapshot.live)},
              {"shadow_version", VersionJson(snapshot.shadow)},
              {"reloads", reloads_},
              {"rejected", rejected_},
              {"last_error", last_error_.empty() ? Json(nullptr) : Json(last_error_)}}
      .dump();
}

}  // namespace riskstream
