// tests/support/child_process.h
//
// ChildProcess runs one outside program (riskstream, kcat, python3) for an integration test: no
// shell, argv as given, stdout and stderr into one file, optional stdin file, extra environment.
// It is stopped by its PID only (SIGTERM, then SIGKILL) and always reaped: the destructor kills
// and reaps a child that is still running, so a failing test leaks no process; and the child gets
// SIGTERM from the kernel should the test process die without running destructors. WaitFor() is
// the condition-with-timeout that tests use instead of sleeps.
// Not thread-safe: use one object from one thread.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace riskstream {

// Polls `condition` every `poll` until it holds (true) or `timeout` passes (false).
inline bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct ProcessSpec {
  std::vector<std::string> argv;           // argv[0] is the program's path
  std::string cwd;                         // empty: the test's own
  std::string stdin_file;                  // empty: /dev/null
  std::string output_file;                 // stdout and stderr; empty: /dev/null
  std::map<std::string, std::string> env;  // added to (or replacing in) this process's
};

class ChildProcess {
 public:
  // Starts `spec`. Returns nullptr and sets *error when the files cannot be opened or fork fails.
  // A program that cannot be executed exits with 127 and says why in the output file.
  static std::unique_ptr<ChildProcess> Start(const ProcessSpec& spec, std::string* error) {
    // Everything the child needs is prepared before fork(): between fork and exec the child of a
    // multi-threaded test may only make async-signal-safe calls.
    std::vector<char*> argv;
    for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      auto eq = entry.find('=');
      if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& [name, value] : spec.env) merged[name] = value;
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : merged) env_strings.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);

    const std::string in_path = spec.stdin_file.empty() ? "/dev/null" : spec.stdin_file;
    const std::string out_path = spec.output_file.empty() ? "/dev/null" : spec.output_file;
    int in_fd = open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) return Failed("open " + in_path, error);
    int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      close(in_fd);
      return Failed("open " + out_path, error);
    }
    static constexpr char kExecFailed[] = "ChildProcess: exec failed\n";
    static constexpr char kChdirFailed[] = "ChildProcess: chdir failed\n";
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
      // Outlive no crashed test (and close the race with a parent that died before this call).
      if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(127);
      dup2(in_fd, STDIN_FILENO);
      dup2(out_fd, STDOUT_FILENO);
      dup2(out_fd, STDERR_FILENO);
      if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) {
        (void)!write(STDERR_FILENO, kChdirFailed, sizeof(kChdirFailed) - 1);
        _exit(127);
      }
      execve(argv[0], argv.data(), envp.data());
      (void)!write(STDERR_FILENO, kExecFailed, sizeof(kExecFailed) - 1);
      _exit(127);
    }
    close(in_fd);
    close(out_fd);
    if (pid < 0) return Failed("fork", error);
    return std::unique_ptr<ChildProcess>(new ChildProcess(pid, out_path));
  }

  ~ChildProcess() {
    if (Running()) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& output_file() const { return output_file_; }
  std::string Output() const { return ReadWholeFile(output_file_); }

  // True until the child has exited (reaps it once it has).
  bool Running() {
    if (status_) return false;
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || done < 0) {
      status_ = done == pid_ ? status : -1;
      return false;
    }
    return true;
  }

  void Signal(int signal_number) {
    if (Running()) kill(pid_, signal_number);
  }

  // Waits up to `timeout` for the child to exit. Returns its exit code, 128 + signal when a signal
  // ended it, or nullopt when it still runs.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout) {
    if (!WaitFor([this] { return !Running(); }, timeout)) return std::nullopt;
    if (WIFEXITED(*status_)) return WEXITSTATUS(*status_);
    if (WIFSIGNALED(*status_)) return 128 + WTERMSIG(*status_);
    return -1;
  }

  // SIGTERM, then SIGKILL if it is still running after `grace`. Returns how it exited (see
  // WaitForExit).
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(10)) {
    Signal(SIGTERM);
    if (auto code = WaitForExit(grace)) return *code;
    Signal(SIGKILL);
    return WaitForExit(std::chrono::seconds(10)).value_or(-1);
  }

 private:
  ChildProcess(pid_t pid, std::string output_file)
      : pid_(pid), output_file_(std::move(output_file)) {}
  static std::unique_ptr<ChildProcess> Failed(const std::string& what, std::string* error) {
    if (error != nullptr) *error = "ChildProcess: " + what + ": " + std::strerror(errno);
    return nullptr;
  }

  pid_t pid_;
  std::string output_file_;
  std::optional<int> status_;
};

struct CommandResult {
  int exit_code = -1;  // as ChildProcess::WaitForExit; -1 when it could not start or timed out
  std::string output;  // stdout and stderr
};

// Runs `spec` to completion, killing it (SIGKILL) after `timeout`. `spec.output_file` must be set.
inline CommandResult RunCommand(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  CommandResult result;
  std::string error;
  auto child = ChildProcess::Start(spec, &error);
  if (!child) {
    result.output = error;
    return result;
  }
  if (auto code = child->WaitForExit(timeout)) {
    result.exit_code = *code;
  } else {
    child->Stop(std::chrono::milliseconds(0));
    result.output = "[timed out after " + std::to_string(timeout.count()) + " ms]\n";
  }
  result.output = child->Output() + result.output;
  return result;
}

}  // namespace riskstream
