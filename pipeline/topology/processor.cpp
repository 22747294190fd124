#include "pipeline/topology/processor.h"

#include <cstdlib>
#include <filesystem>
#include <utility>

namespace riskstream {

Result<std::unique_ptr<Processor>> Processor::Build(const PipelineConfig& config,
                                                    ProcessorOptions options) {
  std::unique_ptr<Processor> processor(new Processor());

  const char* key = std::getenv(config.pii_key_env.c_str());
  if ((key == nullptr || *key == '\0') && !options.fallback_pii_key.empty()) {
    processor->hasher_ = std::make_unique<PiiHasher>(options.fallback_pii_key);
  } else {
    auto hasher = PiiHasher::FromEnvironment(config.pii_key_env);
    if (!hasher.ok()) return hasher.status();
    processor->hasher_ = std::make_unique<PiiHasher>(std::move(*hasher));
  }

  processor->policies_ = std::move(options.policies);
  if (!processor->policies_) {
    auto reloader = PolicyReloader::ForConfig(config);
    if (!reloader.ok()) return reloader.status();
    processor->reloader_ = std::move(*reloader);
    processor->policies_ = processor->reloader_->policies();
  }

  StateDbOptions state_options;
  state_options.row_cache_bytes = options.cache_bytes.value_or(config.state_cache_bytes);
  state_options.disable_wal = options.disable_wal;
  const std::string state_dir = options.state_dir.empty() ? config.state_dir : options.state_dir;
  std::error_code ignored;  // StateDb::Open names the directory if it cannot be made
  std::filesystem::create_directories(std::filesystem::path(state_dir).parent_path(), ignored);
  auto state = StateDb::Open(state_dir, state_options);
  if (!state.ok()) return state.status();
  processor->state_ = std::move(*state);
  if (options.prepare_state) {
    if (Status s = options.prepare_state(*processor->state_); !s.ok()) return s;
  }

  processor->topology_ = std::make_unique<DecisionTopology>(
      *processor->state_, *processor->hasher_, config.features, processor->policies_,
      static_cast<uint32_t>(config.partitions), config.allowed_lateness_ms,
      options.emit_features.value_or(!config.topics.features.empty()));
  return processor;
}

Processor::~Processor() = default;

void Processor::AbandonMemoryAtExit() {
  static_cast<void>(topology_.release());
  state_->ReleaseCacheAtExit();
}

}  // namespace riskstream
