// pipeline/admin/admin_endpoints.h
//
// What riskstream's admin endpoint (pipeline/admin/admin_server.h) serves from a running pipeline:
// the JSON of the active rule set and of a feature's committed state, and the AdminHandlers that
// read them from a StreamRunner on the server's thread. State comes from committed data only, so
// the endpoint never touches the pipeline's pending batch (see FeatureEngine::ReadCommitted).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "operators/features/feature_engine.h"
#include "operators/policy/rule_set.h"
#include "pipeline/admin/admin_server.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/runtime/stream_runner.h"

namespace riskstream {

// {"active_version":"...","scorecard_version":..,"rules":[{"id","enabled","action","severity",
//  "reason_code","points","snoozed_until","events"}],"lists":{name: entries},"shadow_version":..}
// (the shadow's policy version: "<rules>+<scorecard>").
std::string RulesJson(const Policy& live, const Policy* shadow);
// The same for a rule set alone.
std::string RulesJson(const RuleSet& rules);

// {"feature","definition","key","value","window":{"lo","hi","as_of","text"},"count","exact"} for
// feature `feature` of entity `key` (composite parts joined with '\x1f'; "key" is then an array of
// the parts). Window bounds are epoch milliseconds, the window is (lo, hi] as of the entity's
// newest event time read; window, count and exact are null for ratios. Errors as ReadCommitted's.
Result<std::string> CommittedStateJson(const FeatureEngine& engine, const std::string& feature,
                                       const std::string& key);

// Handlers over `runner`, which must outlive whatever calls them.
AdminHandlers MakeAdminHandlers(const StreamRunner& runner);

// Serves `runner` on config.admin_address with the bearer token from the environment variable
// config.admin_token_env (none when unset or empty). nullptr when admin_address is empty. The
// server must be destroyed before `runner`.
Result<std::unique_ptr<AdminServer>> StartAdminServer(const PipelineConfig& config,
                                                      const StreamRunner& runner);

}  // namespace riskstream
