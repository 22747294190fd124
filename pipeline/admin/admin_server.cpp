#include "pipeline/admin/admin_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
// GCC 12 reports a false "potential null pointer dereference" inside Asio's scheduler once inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop
#include <cctype>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

namespace riskstream {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

constexpr std::string_view kPaths =
    "/healthz, /readyz, /rules, POST /rules/reload, /state/<feature>/<key>";
constexpr size_t kMaxLingerBytes = 64 * 1024;
constexpr DurationMs kMaxLingerMs = 1000;

struct Reply {
  http::status status = http::status::ok;
  std::string body;
  bool json = true;
  std::vector<std::pair<http::field, std::string>> headers;
};

// Invalid UTF-8 (a key from a URL can be anything) is replaced, never thrown about.
std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Reply Error(http::status status, const std::string& message) {
  return {status, Dump(Json{{"error", message}}), true, {}};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; false when a '%' is not followed by two hex digits.
bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int high = HexValue(in[i + 1]), low = HexValue(in[i + 2]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Maps the request to its answer. Handlers run inside; whatever they throw becomes a 500.
class Router {
 public:
  Router(AdminHandlers handlers, std::string token)
      : handlers_(std::move(handlers)), token_(std::move(token)) {}

  Reply Handle(http::verb method, std::string_view target, std::string_view authorization) const {
    try {
      return Route(method, target, authorization);
    } catch (const std::exception& e) {
      spdlog::error("admin endpoint {}: {}", Printable(target), e.what());
      return Error(http::status::internal_server_error, "internal error (logged)");
    } catch (...) {
      return Error(http::status::internal_server_error, "internal error");
    }
  }

 private:
  static std::string Printable(std::string_view target) {
    return Dump(Json(std::string(target.substr(0, 200))));
  }

  // "Bearer <token>", the scheme in any case; compared in time independent of where it differs.
  bool Authorized(std::string_view authorization) const {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() < kScheme.size() ||
        !EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
      return false;
    }
    std::string_view given = authorization.substr(kScheme.size());
    while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
    if (given.size() != token_.size()) return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < given.size(); ++i) {
      difference |= static_cast<unsigned char>(given[i] ^ token_[i]);
    }
    return difference == 0;
  }

  Reply Route(http::verb method, std::string_view target, std::string_view authorization) const {
    if (target.empty() || target.front() != '/') {
      return Error(http::status::bad_request, "the request target must be a path");
    }
    const std::string_view path = target.substr(0, target.find('?'));
    const bool health = path == "/healthz";
    if (!health && !token_.empty() && !Authorized(authorization)) {
      Reply reply = Error(http::status::unauthorized, "missing or wrong bearer token");
      reply.headers.emplace_back(http::field::www_authenticate, "Bearer realm=\"riskstream\"");
      return reply;
    }
    const bool state = path == "/state" || path.starts_with("/state/");
    const bool reload = path == "/rules/reload" && handlers_.reload_rules;
    if (!health && !state && !reload && path != "/readyz" && path != "/rules") {
      return Error(http::status::not_found, "no such path; there are " + std::string(kPaths));
    }
    if (reload) return ReloadRules(method);
    if (method != http::verb::get) {
      Reply reply = Error(http::status::method_not_allowed, "only GET is served");
      reply.headers.emplace_back(http::field::allow, "GET");
      return reply;
    }
    if (health) {
      if (handlers_.healthz()) return {http::status::ok, "ok", false, {}};
      return {http::status::service_unavailable, "not ok", false, {}};
    }
    if (path == "/readyz") {
      auto [ready, reason] = handlers_.readyz();
      if (ready) return {http::status::ok, Dump(Json{{"ready", true}}), true, {}};
      return {http::status::service_unavailable,
              Dump(Json{{"ready", false}, {"reason", reason}}),
              true,
              {}};
    }
    if (path == "/rules") return {http::status::ok, handlers_.rules(), true, {}};
    return State(path.substr(std::min(path.size(), std::string_view("/state/").size())));
  }

  // POST /rules/reload: 200 with the new versions, 422 with the error (the old policy stays).
  Reply ReloadRules(http::verb method) const {
    if (method != http::verb::post) {
      Reply reply = Error(http::status::method_not_allowed, "only POST reloads");
      reply.headers.emplace_back(http::field::allow, "POST");
      return reply;
    }
    auto reloaded = handlers_.reload_rules();
    if (reloaded.ok()) return {http::status::ok, std::move(*reloaded), true, {}};
    return Error(http::status::unprocessable_entity, reloaded.status().message());
  }

  // `rest` is "<feature>/<key>", both still escaped.
  Reply State(std::string_view rest) const {
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size() ||
        rest.find('/', slash + 1) != std::string_view::npos) {
      return Error(http::status::bad_request, "expected /state/<feature>/<key>");
    }
    std::string feature, key, part;
    if (!PercentDecode(rest.substr(0, slash), feature)) {
      return Error(http::status::bad_request, "bad percent-encoding in the feature name");
    }
    std::string_view raw_key = rest.substr(slash + 1);
    for (size_t start = 0;;) {
      const size_t end = std::min(raw_key.find_first_of("+,", start), raw_key.size());
      if (!PercentDecode(raw_key.substr(start, end - start), part)) {
        return Error(http::status::bad_request, "bad percent-encoding in the key");
      }
      if (part.empty()) return Error(http::status::bad_request, "empty key part");
      if (!key.empty() || start > 0) key.push_back('\x1f');
      key += part;
      if (end == raw_key.size()) break;
      start = end + 1;
    }
    if (handlers_.features) {
      std::vector<std::string> known = handlers_.features();
      if (std::find(known.begin(), known.end(), feature) == known.end()) {
        return {http::status::not_found,
                Dump(Json{{"error", "unknown feature '" + feature + "'"}, {"features", known}}),
                true,
                {}};
      }
    }
    auto found = handlers_.state(feature, key);
    if (found.ok()) return {http::status::ok, std::move(*found), true, {}};
    switch (found.status().code()) {
      case Status::Code::kNotFound:
        return Error(http::status::not_found, found.status().message());
      case Status::Code::kInvalidInput:
        return Error(http::status::bad_request, found.status().message());
      case Status::Code::kUnavailable:
        return Error(http::status::service_unavailable, found.status().message());
      default:
        return Error(http::status::internal_server_error, found.status().ToString());
    }
  }

  AdminHandlers handlers_;
  std::string token_;
};

// What every connection shares; lives on the server's one thread.
struct Shared {
  Router router;
  AdminServerOptions options;
  int connections = 0;
};

// One connection: read a request (whole, within the timeout), answer, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared)
      : stream_(std::move(socket)), shared_(shared), buffer_(shared.options.max_request_bytes) {
    ++shared_.connections;
  }
  ~Session() { --shared_.connections; }

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(shared_.options.max_request_bytes));
    parser_->body_limit(shared_.options.max_request_bytes);
    stream_.expires_after(std::chrono::milliseconds(shared_.options.read_timeout_ms));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    const auto& parse_errors = http::make_error_code(http::error::bad_target).category();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return Close();
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return Send(Error(http::status::request_header_fields_too_large, "request too large"), false);
    }
    if (ec == http::error::body_limit) {
      return Send(Error(http::status::payload_too_large, "request too large"), false);
    }
    if (ec && ec.category() == parse_errors) {
      return Send(Error(http::status::bad_request, "malformed HTTP request"), false);
    }
    if (ec) return Close();
    const auto& request = parser_->get();
    const auto target = request.target();
    const auto authorization = request[http::field::authorization];
    Reply reply =
        shared_.router.Handle(request.method(), std::string_view(target.data(), target.size()),
                              std::string_view(authorization.data(), authorization.size()));
    Send(std::move(reply), request.keep_alive());
  }

  void Send(Reply reply, bool keep_alive) {
    response_.emplace(reply.status, 11);
    response_->set(http::field::server, "riskstream");
    response_->set(http::field::content_type,
                   reply.json ? "application/json" : "text/plain; charset=utf-8");
    response_->set(http::field::cache_control, "no-store");
    for (auto& [field, value] : reply.headers) response_->set(field, value);
    response_->body() = std::move(reply.body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(shared_.options.read_timeout_ms));
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        if (ec) return;
                        if (!keep_alive) return self->Close();
                        self->Read();
                      });
  }

  // Sends FIN, then reads and drops what the client still sends (briefly, and only so much), so
  // that closing with unread input does not reset the connection before the answer is read.
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::milliseconds(
        std::min<DurationMs>(kMaxLingerMs, shared_.options.read_timeout_ms)));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (!ec && self->drained_ < kMaxLingerBytes) self->Drain();
                            });
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::array<char, 4096> scratch_{};
  size_t drained_ = 0;
};

// Splits "host:port" and "[v6]:port"; false when there is no valid port.
bool SplitAddress(const std::string& address, std::string& host, uint16_t& port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const char* begin = address.data() + colon + 1;
  const char* end = address.data() + address.size();
  auto [ptr, error] = std::from_chars(begin, end, port);
  return begin != end && ptr == end && error == std::errc();
}

}  // namespace

struct AdminServer::Impl {
  Impl(Router router, const AdminServerOptions& options) : shared{std::move(router), options, 0} {}

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors, typically: try again shortly instead of spinning.
        spdlog::warn("admin endpoint: accept failed: {}", ec.message());
        retry.expires_after(std::chrono::milliseconds(100));
        retry.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec) Accept();
        });
        return;
      }
      if (shared.connections < shared.options.max_connections) {
        std::make_shared<Session>(std::move(socket), shared)->Read();
      }  // else the socket closes here: too many connections
      Accept();
    });
  }

  // Destroyed in reverse: the connections (owned by pending handlers in `io`) go before `shared`.
  Shared shared;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer retry{io};
  std::thread thread;
  int port = 0;
};

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int AdminServer::port() const { return impl_->port; }

Result<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& address,
                                                        std::string bearer_token,
                                                        AdminHandlers handlers,
                                                        const AdminServerOptions& options) {
  if (!handlers.healthz || !handlers.readyz || !handlers.rules || !handlers.state) {
    return Status::InvalidConfig(
        "admin endpoint: the healthz, readyz, rules and state handlers "
        "are required");
  }
  if (options.max_request_bytes < 256 || options.read_timeout_ms <= 0 ||
      options.max_connections < 1) {
    return Status::InvalidConfig("admin endpoint: invalid server options");
  }
  std::string host;
  uint16_t port = 0;
  if (!SplitAddress(address, host, port)) {
    return Status::InvalidConfig("admin address '" + address + "': expected host:port");
  }
  auto impl = std::make_unique<Impl>(Router(std::move(handlers), std::move(bearer_token)), options);
  // IP literals only (and localhost), so that starting never waits on a name lookup.
  beast::error_code ec;
  auto ip = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    return Status::InvalidConfig("admin address '" + address + "': '" + host +
                                 "' is not an IP address");
  }
  const tcp::endpoint endpoint(ip, port);
  auto& acceptor = impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot serve admin on " + address + ": " + ec.message());
  impl->port = acceptor.local_endpoint(ec).port();
  if (ec) return Status::Unavailable("cannot serve admin on " + address + ": " + ec.message());

  impl->Accept();
  impl->thread = std::thread([io = &impl->io] {
    while (!io->stopped()) {
      try {
        io->run();
      } catch (const std::exception& e) {  // a bug in a connection: log it, keep serving
        spdlog::error("admin endpoint: {}", e.what());
      }
    }
  });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

}  // namespace riskstream
