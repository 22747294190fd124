#include "pipeline/replay/async_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

namespace riskstream {
namespace {

// A whole number of pages, so that whole blocks are aligned in the file for O_DIRECT.
constexpr size_t kBlockBytes = 1 << 20;
constexpr size_t kBlockAlignment = 4096;
constexpr size_t kMaxQueuedBlocks = 8;

Status SystemError(const std::string& what, const std::string& path, int error) {
  return Status::IoError(what + " " + path + ": " + std::strerror(error));
}

}  // namespace

Result<std::unique_ptr<AsyncFileWriter>> AsyncFileWriter::Open(const std::string& path,
                                                               bool direct) {
  constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  int fd = ::open(path.c_str(), direct ? kFlags | O_DIRECT : kFlags, 0644);
  if (fd < 0 && direct && errno == EINVAL) {  // the file system does not do O_DIRECT
    direct = false;
    fd = ::open(path.c_str(), kFlags, 0644);
  }
  if (fd < 0) return SystemError("cannot write", path, errno);
  return std::unique_ptr<AsyncFileWriter>(new AsyncFileWriter(path, fd, direct));
}

AsyncFileWriter::AsyncFileWriter(std::string path, int fd, bool direct)
    : path_(std::move(path)), fd_(fd), direct_(direct), current_(NewBlock()) {
  thread_ = std::thread([this] { Run(); });
}

AsyncFileWriter::~AsyncFileWriter() { static_cast<void>(Close()); }

AsyncFileWriter::Block AsyncFileWriter::NewBlock() {
  Block block;
  block.data.reset(static_cast<char*>(std::aligned_alloc(kBlockAlignment, kBlockBytes)));
  if (!block.data) throw std::bad_alloc();
  return block;
}

bool AsyncFileWriter::direct() const { return direct_.load(); }

Status AsyncFileWriter::Append(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), kBlockBytes - current_.size);
    std::memcpy(current_.data.get() + current_.size, bytes.data(), n);
    current_.size += n;
    bytes.remove_prefix(n);
    if (current_.size == kBlockBytes) {
      if (Status s = Hand(); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status AsyncFileWriter::Hand() {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [&] { return queue_.size() < kMaxQueuedBlocks || !error_.ok(); });
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(current_));
  if (spare_.empty()) {
    lock.unlock();
    current_ = NewBlock();
  } else {
    current_ = std::move(spare_.back());
    spare_.pop_back();
  }
  ready_.notify_one();
  return Status::Ok();
}

void AsyncFileWriter::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    ready_.wait(lock, [&] { return !queue_.empty() || closing_; });
    if (queue_.empty()) return;  // closing, and all written
    Block block = std::move(queue_.front());
    queue_.pop_front();
    const bool failed = !error_.ok();
    lock.unlock();
    Status written = failed ? Status::Ok() : WriteAll(block);  // after a failure: dropped
    block.size = 0;
    lock.lock();
    if (!written.ok()) error_ = std::move(written);
    spare_.push_back(std::move(block));
    room_.notify_one();
  }
}

Status AsyncFileWriter::StopDirect() {
  int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
    return SystemError("cannot write", path_, errno);
  }
  direct_ = false;
  return Status::Ok();
}

Status AsyncFileWriter::WriteAll(const Block& block) {
  // Only whole blocks are written directly (every earlier one was whole, so the offset is aligned
  // too); the last one, partial, goes through the page cache.
  if (direct_ && block.size != kBlockBytes) {
    if (Status s = StopDirect(); !s.ok()) return s;
  }
  size_t done = 0;
  while (done < block.size) {
    ssize_t n = ::write(fd_, block.data.get() + done, block.size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EINVAL && direct_) {  // refused after all: the page cache it is
        if (Status s = StopDirect(); !s.ok()) return s;
        continue;
      }
      return SystemError("cannot write", path_, errno);
    }
    done += static_cast<size_t>(n);
    // A short direct write leaves an unaligned rest: write it through the page cache.
    if (done < block.size && direct_) {
      if (Status s = StopDirect(); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status AsyncFileWriter::Close() {
  if (closed_) return *closed_;
  Status status = current_.size == 0 ? Status::Ok() : Hand();
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  ready_.notify_one();
  thread_.join();
  if (status.ok()) status = error_;
  if (::close(fd_) != 0 && status.ok()) status = SystemError("cannot close", path_, errno);
  closed_ = status;
  return status;
}

}  // namespace riskstream
