// pipeline/replay/async_file_writer.h
//
// AsyncFileWriter appends to one file from the caller's thread and writes it from a thread of its
// own, in blocks of 1 MiB, so writing (a replay writes gigabytes) is spent beside the caller's work
// rather than in it. Where the file system allows, whole blocks are written with O_DIRECT, from
// page-aligned buffers straight to the device: the kernel's copying into the page cache had cost
// about 1.2 s of CPU per GB written (docs/BENCHMARKS.md). The last, partial block is written
// through the page cache. Where O_DIRECT is refused (tmpfs, some devices), every block is. Bytes
// reach the file in the order they were appended. At most a few blocks wait: Append() waits when
// the file cannot keep up. A failed write is reported, with the path and the system's reason, by
// the next Append() or by Close(); nothing after it is written. Append() and Close() belong to one
// thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdlib>
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
  // Creates or truncates `path`; IoError naming it when it cannot. `direct` false writes every
  // block through the page cache.
  static Result<std::unique_ptr<AsyncFileWriter>> Open(const std::string& path, bool direct = true);
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
  // Whether whole blocks go to the file with O_DIRECT (so far: a refused one turns it off).
  bool direct() const;

 private:
  // A page-aligned buffer of kBlockBytes, filled to `size`.
  struct Block {
    struct Free {
      void operator()(char* p) const { std::free(p); }
    };
    std::unique_ptr<char, Free> data;
    size_t size = 0;
  };
  AsyncFileWriter(std::string path, int fd, bool direct);
  Block NewBlock();
  // Queues the current block for the thread (waiting for room); returns the thread's error.
  Status Hand();
  void Run();
  // Writes `block` whole; the error names the path.
  Status WriteAll(const Block& block);
  // Writes through the page cache from now on.
  Status StopDirect();

  const std::string path_;
  int fd_;
  std::atomic<bool> direct_;  // turned off by the writing thread when refused
  Block current_;             // being filled by Append
  std::mutex mutex_;
  std::condition_variable ready_;  // a block is queued, or closing
  std::condition_variable room_;   // a block was written
  std::deque<Block> queue_;
  std::vector<Block> spare_;  // written blocks, their memory kept for reuse
  bool closing_ = false;
  Status error_ = Status::Ok();   // the first failed write
  std::optional<Status> closed_;  // Close()'s result, once it ran
  std::thread thread_;
};

}  // namespace riskstream
