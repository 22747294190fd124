// tests/support/real_kafka_broker.cpp
//
// Runs tests/kafka/kafka-broker through popen(); all broker state lives in the object's temp dir.
#include "tests/support/real_kafka_broker.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <system_error>
#include <utility>

#ifndef RISKSTREAM_KAFKA_BROKER_SCRIPT
#error "RISKSTREAM_KAFKA_BROKER_SCRIPT must be the absolute path of tests/kafka/kafka-broker"
#endif

namespace riskstream {
namespace {

struct CommandResult {
  int exit_code = -1;  // -1 if the command could not run or was killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Quotes `text` as one word for /bin/sh.
std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  return quoted;
}

// Runs `kafka-broker ARGS` with this process as the broker's owner (see the script's watchdog).
// `args` must already be shell-quoted.
CommandResult RunScript(const std::string& args) {
  std::string command = "RISKSTREAM_KAFKA_OWNER_PID=" + std::to_string(getpid()) + " " +
                        ShellQuote(RISKSTREAM_KAFKA_BROKER_SCRIPT) + " " + args +
                        " </dev/null 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    result.output = "popen(" + command + ") failed: " + std::strerror(errno);
    return result;
  }
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    result.output.append(buffer, n);
  }
  int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

bool Failed(const std::string& what, const CommandResult& result, std::string* error) {
  if (error != nullptr) {
    *error = "kafka-broker " + what + " failed (exit " + std::to_string(result.exit_code) + "):\n" +
             result.output;
  }
  return false;
}

// Creates a new, empty directory under the system temp dir; returns "" on failure.
std::string MakeTempDir(std::string* error) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::random_device seed;
  std::mt19937_64 random(seed());
  for (int attempt = 0; attempt < 100; ++attempt) {
    char name[64];
    std::snprintf(name, sizeof(name), "riskstream-kafka-%016llx",
                  static_cast<unsigned long long>(random()));
    std::filesystem::path dir = base / name;
    if (std::filesystem::create_directory(dir, ec)) return dir.string();
    if (ec) break;
  }
  if (error != nullptr) {
    *error = "cannot create a temporary directory under " + base.string() + ": " + ec.message();
  }
  return "";
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

RealKafkaBroker::RealKafkaBroker(std::string dir, std::string bootstrap)
    : dir_(std::move(dir)), bootstrap_(std::move(bootstrap)) {}

std::unique_ptr<RealKafkaBroker> RealKafkaBroker::Start(std::string* error) {
  std::string dir = MakeTempDir(error);
  if (dir.empty()) return nullptr;
  CommandResult result = RunScript("start " + ShellQuote(dir));
  std::string bootstrap = ReadFirstLine(dir + "/bootstrap");
  if (result.exit_code != 0 || bootstrap.empty()) {
    Failed("start", result, error);
    RunScript("stop " + ShellQuote(dir) + " --kill");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return nullptr;
  }
  return std::unique_ptr<RealKafkaBroker>(new RealKafkaBroker(std::move(dir), bootstrap));
}

RealKafkaBroker::~RealKafkaBroker() {
  std::string error;
  if (!Stop(&error) && !Stop(&error, /*hard=*/true)) {
    // Keep the directory: its pid file is the only handle left on the broker.
    std::fprintf(stderr, "RealKafkaBroker: could not stop the broker in %s: %s\n", dir_.c_str(),
                 error.c_str());
    return;
  }
  if (std::getenv("RISKSTREAM_KAFKA_KEEP_DIR") != nullptr) {
    std::fprintf(stderr, "RealKafkaBroker: keeping %s (RISKSTREAM_KAFKA_KEEP_DIR)\n", dir_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool RealKafkaBroker::Stop(std::string* error, bool hard) {
  CommandResult result = RunScript("stop " + ShellQuote(dir_) + (hard ? " --kill" : ""));
  return result.exit_code == 0 || Failed("stop", result, error);
}

bool RealKafkaBroker::Restart(std::string* error) {
  CommandResult result = RunScript("restart " + ShellQuote(dir_));
  if (result.exit_code != 0) return Failed("restart", result, error);
  std::string bootstrap = ReadFirstLine(dir_ + "/bootstrap");
  if (bootstrap != bootstrap_) {
    if (error != nullptr) *error = "broker came back on " + bootstrap + ", not " + bootstrap_;
    return false;
  }
  return true;
}

bool RealKafkaBroker::CreateTopic(const std::string& name, int partitions, std::string* error) {
  return CreateTopic(name, partitions, {}, error);
}

bool RealKafkaBroker::CreateTopic(const std::string& name, int partitions,
                                  const std::map<std::string, std::string>& configs,
                                  std::string* error) {
  std::string args = "create-topic " + ShellQuote(dir_) + " " + ShellQuote(name) + " " +
                     std::to_string(partitions);
  for (const auto& [key, value] : configs) args += " " + ShellQuote(key + "=" + value);
  CommandResult result = RunScript(args);
  return result.exit_code == 0 || Failed("create-topic " + name, result, error);
}

}  // namespace riskstream
