// pipeline/topology/policy_reloader.h
//
// PolicyReloader loads a pipeline's live and shadow policies (rules + scorecard files, see
// docs/RULES.md) into ActivePolicies, and loads them again on request (POST /rules/reload) or when
// a watched file changes. A reload compiles every file first and installs nothing unless all of
// them load: a broken rule set is rejected with its error and the running one stays active. The
// processing thread picks the new policies up at its next event; state (windows, credit accounts,
// offsets) is untouched, so no event is missed or decided twice. Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/topology/active_policies.h"

namespace riskstream {

struct PolicyFiles {
  std::string rules;
  std::string scorecard;         // may be empty
  std::string shadow_rules;      // empty: no shadow
  std::string shadow_scorecard;  // may be empty
};

class PolicyReloader {
 public:
  // Called after each successful reload with the new live policy (metrics, logs).
  using Listener = std::function<void(const Policy& live, const Policy* shadow)>;

  // Loads `files` against `feature_names`; fails like Policy::LoadFiles.
  static Result<std::unique_ptr<PolicyReloader>> Create(PolicyFiles files,
                                                        std::vector<std::string> feature_names);
  // The same with the files and features of `config`.
  static Result<std::unique_ptr<PolicyReloader>> ForConfig(const PipelineConfig& config);
  // Stops the watcher, if any.
  ~PolicyReloader();
  PolicyReloader(const PolicyReloader&) = delete;
  PolicyReloader& operator=(const PolicyReloader&) = delete;

  std::shared_ptr<ActivePolicies> policies() const { return policies_; }
  void SetListener(Listener listener);

  // Loads every file again and installs the result. On error nothing changes and the error names
  // the file, line and column. On success returns {"live_version","shadow_version"} as JSON.
  Result<std::string> Reload();

  // Checks the files' modification times every `interval_ms` on a thread of its own and reloads
  // when one changed since this call; a failing reload is logged and retried only after the next
  // change. Named list files are not watched: touch the rule file after changing a list.
  void WatchFiles(DurationMs interval_ms);

  // {"live_version","shadow_version","reloads","rejected","last_error"} (last_error null if none).
  std::string StatusJson() const;

 private:
  PolicyReloader(PolicyFiles files, std::vector<std::string> feature_names)
      : files_(std::move(files)), feature_names_(std::move(feature_names)) {}
  Result<ActivePolicies::Snapshot> LoadAll() const;
  // The files' modification stamps, in a fixed order; missing files count as changed.
  std::vector<int64_t> Stamps() const;
  void Watch(DurationMs interval_ms, std::vector<int64_t> seen);

  const PolicyFiles files_;
  const std::vector<std::string> feature_names_;
  std::shared_ptr<ActivePolicies> policies_;

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable wake_;
  Listener listener_;
  int64_t reloads_ = 0;
  int64_t rejected_ = 0;
  std::string last_error_;
  bool stopping_ = false;
  std::thread watcher_;
  std::mutex reload_mutex_;  // one reload at a time
};

}  // namespace riskstream
