#include "pipeline/admin/admin_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/http_client.h"

namespace riskstream {
namespace {

using Json = nlohmann::json;

// Fake runtime: echoes what reached the state handler, so tests see the decoded feature and key.
class AdminServerTest : public ::testing::Test {
 protected:
  AdminHandlers Handlers() {
    AdminHandlers handlers;
    handlers.healthz = [] { return true; };
    handlers.readyz = [this]() -> std::pair<bool, std::string> {
      if (ready_.load()) return {true, ""};
      return {false, "waiting for the first partition assignment"};
    };
    handlers.rules = [] {
      return R"({"active_version":"v7","rules":[{"id":"R1","enabled":true}],"shadow_version":null})";
    };
    handlers.features = [] { return std::vector<std::string>{"count_1h", "sum_1h"}; };
    handlers.reload_rules = [this]() -> Result<std::string> {
      if (reload_fails_.load()) return Status::InvalidConfig("rules.yaml:3:9: rule X: broken");
      return std::string(R"({"live_version":"v8","shadow_version":null})");
    };
    handlers.state = [](const std::string& feature, const std::string& key) -> Result<std::string> {
      if (key == "missing") return Status::NotFound("no committed state for this key");
      if (key == "invalid") return Status::InvalidInput("feature is keyed by two fields");
      if (key == "throw") throw std::runtime_error("handler bug");
      return Json{{"feature", feature}, {"key", key}, {"value", 3}}.dump();
    };
    return handlers;
  }

  std::unique_ptr<AdminServer> Start(const std::string& token = "",
                                     const AdminServerOptions& options = {}) {
    auto server = AdminServer::Start("127.0.0.1:0", token, Handlers(), options);
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return server.ok() ? std::move(*server) : nullptr;
  }

  // The key the state handler received for `escaped_key` of feature count_1h.
  std::string KeyReceived(int port, const std::string& escaped_key) {
    HttpReply reply = HttpGet(port, "/state/count_1h/" + escaped_key);
    EXPECT_EQ(reply.status, 200) << escaped_key << ": " << reply.body << reply.error;
    if (reply.status != 200) return "";
    return Json::parse(reply.body).at("key").get<std::string>();
  }

  std::atomic<bool> ready_{false};
  std::atomic<bool> reload_fails_{false};
};

TEST_F(AdminServerTest, HealthzAnswersOk) {
  auto server = Start();
  ASSERT_TRUE(server);
  EXPECT_GT(server->port(), 0);
  HttpReply reply = HttpGet(server->port(), "/healthz");
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.body, "ok");
}

TEST_F(AdminServerTest, ReadyzIs503WithTheReasonUntilReady) {
  auto server = Start();
  ASSERT_TRUE(server);
  HttpReply reply = HttpGet(server->port(), "/readyz");
  EXPECT_EQ(reply.status, 503) << reply.error;
  EXPECT_EQ(Json::parse(reply.body).at("reason"), "waiting for the first partition assignment");
  ready_.store(true);
  reply = HttpGet(server->port(), "/readyz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(Json::parse(reply.body), Json({{"ready", true}}));
}

TEST_F(AdminServerTest, RulesServesTheHandlersJson) {
  auto server = Start();
  ASSERT_TRUE(server);
  HttpReply reply = HttpGet(server->port(), "/rules");
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  Json rules = Json::parse(reply.body);
  EXPECT_EQ(rules.at("active_version"), "v7");
  EXPECT_TRUE(rules.at("shadow_version").is_null());
}

TEST_F(AdminServerTest, StateDecodesTheKeyAndJoinsCompositeParts) {
  auto server = Start();
  ASSERT_TRUE(server);
  const int port = server->port();
  HttpReply reply = HttpGet(port, "/state/count_1h/acc-1");
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(Json::parse(reply.body),
            Json({{"feature", "count_1h"}, {"key", "acc-1"}, {"value", 3}}));
  EXPECT_EQ(KeyReceived(port, "a%2Fb%20c"), "a/b c");
  const std::string separator = "\x1f";
  EXPECT_EQ(KeyReceived(port, "acc+dev"), "acc" + separator + "dev");
  EXPECT_EQ(KeyReceived(port, "acc,dev,ip"), "acc" + separator + "dev" + separator + "ip");
  EXPECT_EQ(KeyReceived(port, "a%2Bb%2Cc"), "a+b,c");  // escaped separators are key content
  EXPECT_EQ(KeyReceived(port, "acc?ignored=query"), "acc");
}

TEST_F(AdminServerTest, UnknownPathsAre404) {
  auto server = Start();
  ASSERT_TRUE(server);
  for (const char* target : {"/", "/nope", "/healthz/x", "/rulesx", "/statex/a/b"}) {
    HttpReply reply = HttpGet(server->port(), target);
    EXPECT_EQ(reply.status, 404) << target << reply.error;
    EXPECT_TRUE(Json::parse(reply.body).contains("error")) << target;
  }
}

TEST_F(AdminServerTest, UnknownFeatureIs404ListingTheKnownFeatures) {
  auto server = Start();
  ASSERT_TRUE(server);
  HttpReply reply = HttpGet(server->port(), "/state/nope/acc");
  EXPECT_EQ(reply.status, 404) << reply.error;
  Json body = Json::parse(reply.body);
  EXPECT_EQ(body.at("error"), "unknown feature 'nope'");
  EXPECT_EQ(body.at("features"), Json({"count_1h", "sum_1h"}));
}

TEST_F(AdminServerTest, HandlerErrorsMapToStatusCodes) {
  auto server = Start();
  ASSERT_TRUE(server);
  HttpReply reply = HttpGet(server->port(), "/state/count_1h/missing");
  EXPECT_EQ(reply.status, 404) << reply.error;
  EXPECT_EQ(Json::parse(reply.body).at("error"), "no committed state for this key");
  EXPECT_EQ(HttpGet(server->port(), "/state/count_1h/invalid").status, 400);
  EXPECT_EQ(HttpGet(server->port(), "/state/count_1h/throw").status, 500);
  EXPECT_EQ(HttpGet(server->port(), "/healthz").status, 200);  // still serving
}

TEST_F(AdminServerTest, MalformedStatePathsAre400) {
  auto server = Start();
  ASSERT_TRUE(server);
  for (const char* target :
       {"/state", "/state/", "/state/count_1h", "/state/count_1h/", "/state//acc",
        "/state/count_1h/a/b", "/state/count_1h/a++b", "/state/count_1h/,a"}) {
    HttpReply reply = HttpGet(server->port(), target);
    EXPECT_EQ(reply.status, 400) << target << reply.error;
  }
}

TEST_F(AdminServerTest, BadPercentEncodingIs400) {
  auto server = Start();
  ASSERT_TRUE(server);
  for (const char* target : {"/state/count_1h/%zz", "/state/count_1h/ab%4", "/state/count_1h/%",
                             "/state/%g1/acc", "/state/count_1h/a+%x1"}) {
    HttpReply reply = HttpGet(server->port(), target);
    EXPECT_EQ(reply.status, 400) << target << reply.error;
    EXPECT_NE(Json::parse(reply.body).at("error").get<std::string>().find("percent-encoding"),
              std::string::npos);
  }
}

TEST_F(AdminServerTest, OtherMethodsAre405) {
  auto server = Start();
  ASSERT_TRUE(server);
  for (const char* method : {"POST", "PUT", "DELETE", "HEAD", "PATCH"}) {
    HttpReply reply = HttpRequest(server->port(), method, "/rules");
    EXPECT_EQ(reply.status, 405) << method << reply.error;
    EXPECT_EQ(reply.Header("allow"), "GET");
  }
  EXPECT_EQ(HttpRequest(server->port(), "POST", "/healthz").status, 405);
  EXPECT_EQ(HttpRequest(server->port(), "POST", "/state/count_1h/acc").status, 405);
  EXPECT_EQ(HttpRequest(server->port(), "POST", "/nope").status, 404);
}

TEST_F(AdminServerTest, PostRulesReloadAnswersTheNewVersionsOrTheError) {
  auto server = Start();
  ASSERT_TRUE(server);
  HttpReply reloaded = HttpRequest(server->port(), "POST", "/rules/reload");
  EXPECT_EQ(reloaded.status, 200) << reloaded.error;
  EXPECT_EQ(Json::parse(reloaded.body)["live_version"], "v8");
  reload_fails_.store(true);
  HttpReply rejected = HttpRequest(server->port(), "POST", "/rules/reload");
  EXPECT_EQ(rejected.status, 422);
  EXPECT_EQ(Json::parse(rejected.body)["error"], "rules.yaml:3:9: rule X: broken");
  HttpReply get = HttpGet(server->port(), "/rules/reload");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header("allow"), "POST");
}

TEST_F(AdminServerTest, BearerTokenGuardsEverythingButHealthz) {
  ready_.store(true);
  auto server = Start("s3cret-token");
  ASSERT_TRUE(server);
  const int port = server->port();
  for (const char* target :
       {"/readyz", "/rules", "/state/count_1h/acc", "/nope", "/rules/reload"}) {
    HttpReply missing = HttpGet(port, target);
    EXPECT_EQ(missing.status, 401) << target << missing.error;
    EXPECT_NE(missing.Header("www-authenticate").find("Bearer"), std::string::npos);
    EXPECT_EQ(HttpGet(port, target, "wrong-token").status, 401) << target;
    EXPECT_EQ(HttpGet(port, target, "s3cret-toke").status, 401) << target;
  }
  EXPECT_EQ(HttpGet(port, "/readyz", "s3cret-token").status, 200);
  EXPECT_EQ(HttpGet(port, "/rules", "s3cret-token").status, 200);
  EXPECT_EQ(HttpGet(port, "/state/count_1h/acc", "s3cret-token").status, 200);
  EXPECT_EQ(HttpGet(port, "/nope", "s3cret-token").status, 404);
  EXPECT_EQ(HttpGet(port, "/healthz").status, 200);

  HttpConnection lower_case_scheme(port);
  HttpReply reply = lower_case_scheme.Exchange(
      "GET /rules HTTP/1.1\r\nHost: x\r\nAuthorization: bearer s3cret-token\r\n\r\n");
  EXPECT_EQ(reply.status, 200) << reply.error;
  HttpConnection basic(port);
  reply = basic.Exchange("GET /rules HTTP/1.1\r\nHost: x\r\nAuthorization: Basic czNjcmV0\r\n\r\n");
  EXPECT_EQ(reply.status, 401) << reply.error;
}

TEST_F(AdminServerTest, OversizedRequestIsRefusedAndOthersAreServed) {
  auto server = Start();
  ASSERT_TRUE(server);
  HttpConnection big(server->port());
  HttpReply reply = big.Exchange(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(reply.status, 431) << reply.error;
  HttpConnection big_body(server->port());
  reply = big_body.Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                            std::string(100000, 'b'));
  EXPECT_TRUE(reply.status == 413 || reply.status == 431) << reply.status << reply.error;
  EXPECT_EQ(HttpGet(server->port(), "/healthz").status, 200);
}

TEST_F(AdminServerTest, MalformedRequestIs400) {
  auto server = Start();
  ASSERT_TRUE(server);
  const std::vector<std::string> requests = {
      "GARBAGE\r\n\r\n", "GET /healthz HTTP/9.x\r\n\r\n",
      std::string("GET /healthz HTTP/1.1\r\nHo") + '\0' + "st: x\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "GET healthz HTTP/1.1\r\nHost: x\r\n\r\n"};
  for (const std::string& raw : requests) {
    HttpConnection connection(server->port());
    HttpReply reply = connection.Exchange(raw);
    EXPECT_EQ(reply.status, 400) << raw << reply.error;
  }
  EXPECT_EQ(HttpGet(server->port(), "/healthz").status, 200);
}

TEST_F(AdminServerTest, SilentClientDoesNotHoldUpOthersAndIsDisconnected) {
  AdminServerOptions options;
  options.read_timeout_ms = 300;
  auto server = Start("", options);
  ASSERT_TRUE(server);
  HttpConnection silent(server->port());
  ASSERT_TRUE(silent.connected());
  HttpConnection half(server->port());
  ASSERT_TRUE(half.connected());
  EXPECT_EQ(HttpGet(server->port(), "/healthz").status, 200);
  // A request that never completes is cut off at the deadline too.
  HttpReply partial = half.Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  EXPECT_EQ(partial.status, 0);
  EXPECT_TRUE(silent.ClosedByServer());
  EXPECT_EQ(HttpGet(server->port(), "/healthz").status, 200);
}

TEST_F(AdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  ready_.store(true);
  auto server = Start();
  ASSERT_TRUE(server);
  HttpConnection connection(server->port());
  for (const char* target : {"/healthz", "/readyz", "/rules", "/state/count_1h/acc", "/nope"}) {
    HttpReply reply =
        connection.Exchange(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(reply.status, target == std::string("/nope") ? 404 : 200) << target << reply.error;
  }
}

TEST_F(AdminServerTest, ConnectionsBeyondTheLimitAreClosed) {
  AdminServerOptions options;
  options.max_connections = 1;
  options.read_timeout_ms = 2000;
  auto server = Start("", options);
  ASSERT_TRUE(server);
  HttpConnection first(server->port());
  HttpReply reply = first.Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");  // kept alive
  ASSERT_EQ(reply.status, 200) << reply.error;
  HttpConnection second(server->port());
  EXPECT_TRUE(second.ClosedByServer());
}

TEST_F(AdminServerTest, StartRejectsBadAddressesBusyPortsAndMissingHandlers) {
  for (const char* address : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:x",
                              "example.invalid:80", "999.1.1.1:80"}) {
    EXPECT_FALSE(AdminServer::Start(address, "", Handlers()).ok()) << address;
  }
  auto first = Start();
  ASSERT_TRUE(first);
  auto second = AdminServer::Start("127.0.0.1:" + std::to_string(first->port()), "", Handlers());
  EXPECT_FALSE(second.ok());
  AdminHandlers incomplete = Handlers();
  incomplete.state = nullptr;
  EXPECT_FALSE(AdminServer::Start("127.0.0.1:0", "", incomplete).ok());
}

}  // namespace
}  // namespace riskstream
