#include "pipeline/runtime/pipeline_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "common/byte_size.h"
#include "common/yaml_position.h"

namespace riskstream {

std::string_view ToString(ProcessingGuarantee guarantee) {
  return guarantee == ProcessingGuarantee::kExactlyOnce ? "exactly_once" : "at_least_once";
}

std::vector<std::string> TopicNames::All() const {
  std::vector<std::string> all = {applications, transactions, labels};
  for (auto& output : Outputs()) all.push_back(std::move(output));
  return all;
}

std::vector<std::string> TopicNames::Outputs() const {
  std::vector<std::string> outputs = {credit_events, fraud_alerts, dead_letter};
  if (!features.empty()) outputs.push_back(features);
  if (!shadow_decisions.empty()) outputs.push_back(shadow_decisions);
  return outputs;
}

namespace {

namespace fs = std::filesystem;

std::string Resolve(const std::string& config_file, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(config_file).parent_path() / path).lexically_normal().string();
}

Status ReadDuration(const YAML::Node& node, const std::string& file, DurationMs& out) {
  if (!node) return Status::Ok();
  auto parsed = ParseDuration(node.as<std::string>());
  if (!parsed.ok()) return parsed.status().WithContext(YamlPosition(file, node));
  out = *parsed;
  return Status::Ok();
}

// A byte size (common/byte_size.h).
Status ReadBytes(const YAML::Node& node, const std::string& file, size_t& out) {
  if (!node) return Status::Ok();
  const std::string text = node.as<std::string>();
  const std::optional<size_t> bytes = ParseByteSize(text);
  if (!bytes) return Status::InvalidConfig(YamlPosition(file, node) + ": " + ByteSizeError(text));
  out = *bytes;
  return Status::Ok();
}

void ReadProperties(const YAML::Node& node, std::map<std::string, std::string>& out) {
  if (!node) return;
  for (const auto& entry : node)
    out[entry.first.as<std::string>()] = entry.second.as<std::string>();
}

Result<PipelineConfig> Load(const std::string& path) {
  YAML::Node root = YAML::LoadFile(path);
  PipelineConfig config;
  config.source_file = path;
  if (!root.IsMap()) return Status::InvalidConfig(path + ": expected a mapping at the top");

  if (auto kafka = root["kafka"]) {
    if (kafka["bootstrap_servers"]) {
      config.bootstrap_servers = kafka["bootstrap_servers"].as<std::string>();
    }
    if (kafka["group_id"]) config.group_id = kafka["group_id"].as<std::string>();
    if (kafka["transactional_id"]) {
      config.transactional_id = kafka["transactional_id"].as<std::string>();
    }
    ReadProperties(kafka["consumer"], config.consumer_properties);
    ReadProperties(kafka["producer"], config.producer_properties);
  }
  if (auto topics = root["topics"]) {
    auto read = [&](const char* name, std::string& out) {
      if (topics[name]) out = topics[name].as<std::string>();
    };
    read("applications", config.topics.applications);
    read("transactions", config.topics.transactions);
    read("labels", config.topics.labels);
    read("credit_events", config.topics.credit_events);
    read("fraud_alerts", config.topics.fraud_alerts);
    read("dead_letter", config.topics.dead_letter);
    read("features", config.topics.features);
    read("changelog", config.topics.changelog);
    read("shadow_decisions", config.topics.shadow_decisions);
    if (topics["partitions"]) config.partitions = topics["partitions"].as<int>();
    if (config.partitions < 1 || config.partitions > 1024) {
      return Status::InvalidConfig(YamlPosition(path, topics["partitions"]) +
                                   ": partitions must be within 1..1024");
    }
  }
  if (auto state = root["state"]) {
    if (state["dir"]) config.state_dir = Resolve(path, state["dir"].as<std::string>());
    if (Status s = ReadDuration(state["commit_interval"], path, config.commit_interval_ms);
        !s.ok()) {
      return s;
    }
    if (state["commit_max_events"]) {
      config.commit_max_events = state["commit_max_events"].as<int>();
      if (config.commit_max_events < 1) {
        return Status::InvalidConfig(YamlPosition(path, state["commit_max_events"]) +
                                     ": commit_max_events must be positive");
      }
    }
    if (Status s = ReadBytes(state["cache_bytes"], path, config.state_cache_bytes); !s.ok()) {
      return s;
    }
  }
  config.guarantee = config.bootstrap_servers.empty() ? ProcessingGuarantee::kAtLeastOnce
                                                      : ProcessingGuarantee::kExactlyOnce;
  if (auto guarantee = root["processing_guarantee"]) {
    std::string name = guarantee.as<std::string>();
    if (name == "exactly_once") {
      config.guarantee = ProcessingGuarantee::kExactlyOnce;
    } else if (name == "at_least_once") {
      config.guarantee = ProcessingGuarantee::kAtLeastOnce;
    } else {
      return Status::InvalidConfig(YamlPosition(path, guarantee) +
                                   ": processing_guarantee must be exactly_once or at_least_once");
    }
    if (config.guarantee == ProcessingGuarantee::kExactlyOnce && config.bootstrap_servers.empty()) {
      return Status::InvalidConfig(YamlPosition(path, guarantee) +
                                   ": exactly_once needs kafka.bootstrap_servers (the embedded "
                                   "broker has no transactions)");
    }
  }
  if (config.transactional_id.empty()) config.transactional_id = config.group_id + "-riskstream";
  if (config.topics.changelog.empty()) config.topics.changelog = config.group_id + "-changelog";
  if (Status s = ReadDuration(root["rules_watch_interval"], path, config.rules_watch_interval_ms);
      !s.ok()) {
    return s;
  }
  if (Status s = ReadDuration(root["allowed_lateness"], path, config.allowed_lateness_ms);
      !s.ok()) {
    return s;
  }
  if (auto alignment = root["alignment"]) {
    if (Status s = ReadDuration(alignment["max_idle"], path, config.alignment_max_idle_ms);
        !s.ok()) {
      return s;
    }
  }
  if (root["pii_key_env"]) config.pii_key_env = root["pii_key_env"].as<std::string>();
  if (auto metrics = root["metrics"]) {
    if (metrics["address"]) config.metrics_address = metrics["address"].as<std::string>();
  }
  if (auto admin = root["admin"]) {
    if (admin["address"]) config.admin_address = admin["address"].as<std::string>();
    if (admin["bearer_token_env"]) {
      config.admin_token_env = admin["bearer_token_env"].as<std::string>();
    }
  }

  if (!root["features_file"]) return Status::InvalidConfig(path + ": missing 'features_file'");
  std::string features_file = Resolve(path, root["features_file"].as<std::string>());
  YAML::Node features_doc;
  try {
    features_doc = YAML::LoadFile(features_file);
  } catch (const YAML::BadFile&) {
    return Status::InvalidConfig(YamlPosition(path, root["features_file"]) + ": cannot read " +
                                 features_file);
  }
  auto features =
      ParseFeatureSpecs(features_doc["features"], features_file, config.allowed_lateness_ms);
  if (!features.ok()) return features.status();
  config.features = std::move(*features);

  if (!root["rules_file"]) return Status::InvalidConfig(path + ": missing 'rules_file'");
  config.rules_file = Resolve(path, root["rules_file"].as<std::string>());
  if (!fs::exists(config.rules_file)) {
    return Status::InvalidConfig(YamlPosition(path, root["rules_file"]) + ": no such file " +
                                 config.rules_file);
  }
  // Optional policy files: present or absent, never named and missing.
  for (auto [key, out] : {std::pair{"scorecard_file", &config.scorecard_file},
                          std::pair{"shadow_rules_file", &config.shadow_rules_file},
                          std::pair{"shadow_scorecard_file", &config.shadow_scorecard_file}}) {
    if (!root[key]) continue;
    *out = Resolve(path, root[key].as<std::string>());
    if (!fs::exists(*out)) {
      return Status::InvalidConfig(YamlPosition(path, root[key]) + ": no such file " + *out);
    }
  }
  if (config.shadow_rules_file.empty() && !config.shadow_scorecard_file.empty()) {
    return Status::InvalidConfig(path + ": shadow_scorecard_file needs shadow_rules_file");
  }
  if (!config.shadow_rules_file.empty() && config.topics.shadow_decisions.empty()) {
    config.topics.shadow_decisions = "shadow-credit-events";
  }
  return config;
}

}  // namespace

Result<PipelineConfig> LoadPipelineConfig(const std::string& path) {
  try {
    return Load(path);
  } catch (const YAML::BadFile&) {
    return Status::InvalidConfig("cannot read config file " + path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidConfig(YamlPosition(path, e.mark) + ": " + e.msg);
  }
}

}  // namespace riskstream
