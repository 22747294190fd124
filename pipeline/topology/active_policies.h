// pipeline/topology/active_policies.h
//
// ActivePolicies is the live policy and the optional shadow policy a running pipeline decides
// with, swappable while it runs. The processing thread checks generation() (one atomic load) per
// event and takes a new Snapshot only when it changed, so every event is decided whole by exactly
// one live version, and a swap never pauses consumption or touches state. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "operators/policy/policy.h"

namespace riskstream {

class ActivePolicies {
 public:
  struct Snapshot {
    std::shared_ptr<const Policy> live;    // never null
    std::shared_ptr<const Policy> shadow;  // null: no shadow
    uint64_t generation = 0;
  };

  // `live` must not be null.
  explicit ActivePolicies(std::shared_ptr<const Policy> live,
                          std::shared_ptr<const Policy> shadow = nullptr)
      : snapshot_{std::move(live), std::move(shadow), 1} {}

  Snapshot Get() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }
  // Changes whenever Set() installs policies.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Installs both; `live` must not be null.
  void Set(std::shared_ptr<const Policy> live, std::shared_ptr<const Policy> shadow) {
    std::lock_guard lock(mutex_);
    snapshot_.live = std::move(live);
    snapshot_.shadow = std::move(shadow);
    snapshot_.generation += 1;
    generation_.store(snapshot_.generation, std::memory_order_release);
  }

 private:
  mutable std::mutex mutex_;
  Snapshot snapshot_;
  std::atomic<uint64_t> generation_{1};
};

}  // namespace riskstream
