// tests/support/http_client.h
//
// HttpConnection is a minimal HTTP/1.1 client for tests of riskstream's HTTP endpoints: one TCP
// connection to 127.0.0.1:<port> that sends raw request bytes (so tests can send anything,
// malformed included) and reads one response, every step with a deadline.
#pragma once

#include <chrono>
#include <map>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"  // GCC 12 false positive inside Asio
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace riskstream {

struct HttpReply {
  int status = 0;     // 0: no response, see `error`
  std::string error;  // why there is no response
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case

  std::string Header(const std::string& lower_case_name) const {
    auto it = headers.find(lower_case_name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpConnection {
 public:
  explicit HttpConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : stream_(io_), timeout_(timeout) {
    boost::beast::error_code ec;
    stream_.socket().connect(
        {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
    connected_ = !ec;
  }

  bool connected() const { return connected_; }

  // Sends `raw` and reads one response (the read starts with the write, so an answer sent before
  // the server read everything still arrives).
  HttpReply Exchange(const std::string& raw) {
    namespace http = boost::beast::http;
    HttpReply reply;
    if (!connected_) {
      reply.error = "not connected";
      return reply;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    stream_.expires_after(timeout_);
    boost::asio::async_write(stream_, boost::asio::buffer(raw),
                             [](boost::beast::error_code, size_t) {});
    http::async_read(stream_, buffer_, parser, [&](boost::beast::error_code ec, size_t) {
      if (ec) {
        reply.error = ec.message();
        return;
      }
      const auto& response = parser.get();
      reply.status = static_cast<int>(response.result_int());
      reply.body = response.body();
      for (const auto& field : response) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = std::string(field.value());
      }
    });
    io_.restart();
    io_.run();
    return reply;
  }

  // True when the server closes the connection within the timeout without sending anything.
  bool ClosedByServer() {
    boost::beast::error_code result;
    char byte;
    stream_.expires_after(timeout_);
    stream_.async_read_some(boost::asio::buffer(&byte, 1),
                            [&](boost::beast::error_code ec, size_t) { result = ec; });
    io_.restart();
    io_.run();
    return result == boost::asio::error::eof || result == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  bool connected_ = false;
};

// One request on a connection of its own: `method target` with an optional bearer token.
inline HttpReply HttpRequest(int port, const std::string& method, const std::string& target,
                             const std::string& bearer_token = "") {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!bearer_token.empty()) raw += "Authorization: Bearer " + bearer_token + "\r\n";
  raw += "\r\n";
  return HttpConnection(port).Exchange(raw);
}

inline HttpReply HttpGet(int port, const std::string& target, const std::string& token = "") {
  return HttpRequest(port, "GET", target, token);
}

}  // namespace riskstream
