// pipeline/admin/admin_server.h
//
// AdminServer is riskstream's admin and health HTTP endpoint (HTTP/1.1, keep-alive):
//   GET /healthz                 200 "ok" (never needs a token)
//   GET /readyz                  200 {"ready":true}, or 503 {"ready":false,"reason":...}
//   GET /rules                   200 with the JSON `rules` returns
//   GET /state/<feature>/<key>   200 with the JSON `state` returns
//   POST /rules/reload           200 with the JSON `reload_rules` returns, 422 {"error"} when the
//                                new policy is rejected (only when `reload_rules` is given)
// `<feature>` and `<key>` are percent-decoded; in `<key>` an unescaped '+' or ',' separates the
// parts of a composite key, which reach `state` joined with '\x1f' ("%2B" and "%2C" are a literal
// '+' and
// ','). Errors are JSON {"error": ...}: 400 malformed path, escape or request, 401 missing or wrong
// bearer token (when one is configured, on every path but /healthz), 404 unknown path, feature or
// key, 405 a method other than GET, 413/431 a request over the size limit, 500 a failing handler.
// The server knows nothing of Kafka or state: the runtime supplies AdminHandlers. One thread serves
// every connection asynchronously; a request must arrive whole within the read timeout, so a slow
// or silent client holds one connection slot and nothing else.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace riskstream {

// What the endpoints serve, supplied by the runtime. Called on the server's thread, so each must be
// safe to call concurrently with the pipeline. Every member but `features` is required.
struct AdminHandlers {
  std::function<bool()> healthz;
  std::function<std::pair<bool, std::string>()> readyz;  // ready, and the reason when not
  std::function<std::string()> rules;                    // a JSON document
  // The JSON of `feature` for entity `key` (composite parts joined with '\x1f'). NotFound: 404,
  // InvalidInput: 400, anything else: 500.
  std::function<Result<std::string>(const std::string& feature, const std::string& key)> state;
  // Optional: the known feature names. When given, an unknown feature gets a 404 listing them
  // before `state` is called.
  std::function<std::vector<std::string>()> features;
  // Optional: reloads the policy files; the error when they are rejected.
  std::function<Result<std::string>()> reload_rules;
};

struct AdminServerOptions {
  size_t max_request_bytes = 8 * 1024;  // header and body together
  DurationMs read_timeout_ms = 5000;    // for a whole request, and for writing the answer
  int max_connections = 64;             // more are closed at once
};

class AdminServer {
 public:
  // Listens on `address`, an IP address or localhost with a port ("127.0.0.1:9465", "[::1]:9465";
  // port 0 picks a free one), and serves on a thread of its own. An empty `bearer_token` serves
  // without authentication.
  static Result<std::unique_ptr<AdminServer>> Start(const std::string& address,
                                                    std::string bearer_token,
                                                    AdminHandlers handlers,
                                                    const AdminServerOptions& options = {});
  // Stops serving, closes every connection and joins the thread.
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // The port listened on.
  int port() const;

 private:
  struct Impl;
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace riskstream
