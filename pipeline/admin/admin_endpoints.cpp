#include "pipeline/admin/admin_endpoints.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace riskstream {
namespace {

using Json = nlohmann::json;

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json ToJson(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNumber:
      return value.number();  // NaN and infinities dump as null
    case Value::Kind::kString:
      return value.string();
    case Value::Kind::kBool:
      return value.boolean();
    case Value::Kind::kMissing:
      break;
  }
  return nullptr;
}

Json KeyJson(const std::string& key) {
  if (key.find('\x1f') == std::string::npos) return key;
  Json parts = Json::array();
  for (size_t start = 0;;) {
    const size_t end = std::min(key.find('\x1f', start), key.size());
    parts.push_back(key.substr(start, end - start));
    if (end == key.size()) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

std::string RulesJson(const RuleSet& rules) {
  return RulesJson(Policy(std::shared_ptr<const RuleSet>(&rules, [](const RuleSet*) {}), nullptr),
                   nullptr);
}

std::string RulesJson(const Policy& live, const Policy* shadow) {
  const RuleSet& rules = live.rules();
  Json list = Json::array();
  for (const Rule& rule : rules.rules()) {
    Json events = Json::array();
    for (EventType type : rule.events) events.push_back(std::string(ToString(type)));
    list.push_back({{"id", rule.id},
                    {"enabled", rule.enabled},
                    {"action", std::string(ToString(rule.action))},
                    {"severity", std::string(ToString(rule.severity))},
                    {"reason_code", rule.reason_code},
                    {"points", rule.points},
                    {"snoozed_until",
                     rule.snoozed_until ? Json(FormatRfc3339(*rule.snoozed_until)) : Json(nullptr)},
                    {"events", std::move(events)}});
  }
  Json lists = Json::object();
  for (const auto& [name, size] : rules.lists()) lists[name] = size;
  return Dump(
      {{"active_version", rules.version()},
       {"scorecard_version", live.scorecard() ? Json(live.scorecard()->version()) : Json(nullptr)},
       {"rules", std::move(list)},
       {"lists", std::move(lists)},
       {"shadow_version", shadow ? Json(shadow->version()) : Json(nullptr)}});
}

Result<std::string> CommittedStateJson(const FeatureEngine& engine, const std::string& feature,
                                       const std::string& key) {
  auto committed = engine.ReadCommitted(feature, key);
  if (!committed.ok()) return committed.status();
  Json out = {{"feature", feature}, {"key", KeyJson(key)}, {"value", ToJson(committed->value)}};
  for (const FeatureSpec& spec : engine.specs()) {
    if (spec.name == feature) out["definition"] = spec.Describe();
  }
  out["window"] = nullptr;
  out["count"] = nullptr;
  out["exact"] = nullptr;
  if (const auto& window = committed->window) {
    if (window->as_of_ms) {
      out["window"] = {
          {"lo", window->lo_ms},
          {"hi", window->hi_ms},
          {"as_of", *window->as_of_ms},
          {"text", "(" + FormatRfc3339(window->lo_ms) + ", " + FormatRfc3339(window->hi_ms) + "]"}};
    }
    out["count"] = window->aggregate.count;
    out["exact"] = window->aggregate.exact;
  }
  return Dump(out);
}

AdminHandlers MakeAdminHandlers(const StreamRunner& runner) {
  AdminHandlers handlers;
  handlers.healthz = [] { return true; };
  handlers.readyz = [&runner] { return runner.Readiness(); };
  handlers.rules = [&runner] {
    auto snapshot = runner.reloader().policies()->Get();
    return RulesJson(*snapshot.live, snapshot.shadow.get());
  };
  handlers.reload_rules = [&runner] { return runner.reloader().Reload(); };
  handlers.state = [&runner](const std::string& feature, const std::string& key) {
    return CommittedStateJson(runner.engine(), feature, key);
  };
  handlers.features = [&runner] {
    std::vector<std::string> names;
    for (const FeatureSpec& spec : runner.engine().specs()) names.push_back(spec.name);
    return names;
  };
  return handlers;
}

Result<std::unique_ptr<AdminServer>> StartAdminServer(const PipelineConfig& config,
                                                      const StreamRunner& runner) {
  if (config.admin_address.empty()) return std::unique_ptr<AdminServer>();
  std::string token;
  if (!config.admin_token_env.empty()) {
    if (const char* value = std::getenv(config.admin_token_env.c_str())) token = value;
    if (token.empty()) {
      spdlog::warn("admin endpoint without authentication: {} is not set", config.admin_token_env);
    }
  }
  return AdminServer::Start(config.admin_address, std::move(token), MakeAdminHandlers(runner));
}

}  // namespace riskstream
