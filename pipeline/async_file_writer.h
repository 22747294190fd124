// pipeline/async_file_writer.h
//
// AsyncFileWriter appends to one file from the caller's thread and writes it from a thread of its
// own, in blocks of about 1 MiB, so the time the kernel takes to copy output into the page cache
// (a replay writes gigabytes) is spent beside the caller's work rather than in it. Bytes reach the
// file in the order they were appended. At most a few blocks wait: Append() waits when the file
// cannot keep up. A failed write is reported, with the path and the system's reason, by the next
// Append() or by Close(); nothing after it is written. Append() and Close() belong to one thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"

namespace riskstream {

class AsyncFileWriter {
 public:
  // Creates or truncates `path`; IoError naming it when it cannot.
  static Result<std::unique_ptr<AsyncFileWriter>> Open(const std::string& path);
  // Closes the file if Close() was not called (an error then goes unreported).
  ~AsyncFileWriter();
  AsyncFileWriter(const AsyncFileWriter&) = delete;
  AsyncFileWriter& operator=(const AsyncFileWriter&) = delete;

  // Appends `bytes`. Fails when an earlier block could not be written.
  Status Append(std::string_view bytes);
  // Writes what is left, waits for it and closes the file. Fails when anything could not be
  // written. Later calls return the same status.
  Status Close();

  const std::string& path() const { return path_; }

 private:
  AsyncFileWriter(std::string path, int fd);
  // Queues the current block for the thread (waiting for room); returns the thread's error.
  Status Hand();
  void Run();
  // Writes `block` whole; the error names the path.
  Status WriteAll(const std::string& block);

  const std::string path_;
  int fd_;
  std::string current_;  // being filled by Append
  std::mutex mutex_;
  std::condition_variable ready_;  // a block is queued, or closing
  std::condition_variable room_;   // a block was written
  std::deque<std::string> queue_;
  std::vector<std::string> spare_;  // written blocks, their memory kept for reuse
  bool closing_ = false;
  Status error_ = Status::Ok();   // the first failed write
  std::optional<Status> closed_;  // Close()'s result, once it ran
  std::thread thread_;
};

}  // namespace riskstream
