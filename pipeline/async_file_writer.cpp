#include "pipeline/async_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace riskstream {
namespace {

constexpr size_t kBlockBytes = 1 << 20;
constexpr size_t kMaxQueuedBlocks = 8;

Status SystemError(const std::string& what, const std::string& path, int error) {
  return Status::IoError(what + " " + path + ": " + std::strerror(error));
}

}  // namespace

Result<std::unique_ptr<AsyncFileWriter>> AsyncFileWriter::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return SystemError("cannot write", path, errno);
  return std::unique_ptr<AsyncFileWriter>(new AsyncFileWriter(path, fd));
}

AsyncFileWriter::AsyncFileWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
  current_.reserve(kBlockBytes);
  thread_ = std::thread([this] { Run(); });
}

AsyncFileWriter::~AsyncFileWriter() { static_cast<void>(Close()); }

Status AsyncFileWriter::Append(std::string_view bytes) {
  current_.append(bytes);
  if (current_.size() < kBlockBytes) return Status::Ok();
  return Hand();
}

Status AsyncFileWriter::Hand() {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [&] { return queue_.size() < kMaxQueuedBlocks || !error_.ok(); });
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(current_));
  if (spare_.empty()) {
    current_ = std::string();
    current_.reserve(kBlockBytes);
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
    std::string block = std::move(queue_.front());
    queue_.pop_front();
    const bool failed = !error_.ok();
    lock.unlock();
    Status written = failed ? Status::Ok() : WriteAll(block);  // after a failure: dropped
    block.clear();
    lock.lock();
    if (!written.ok()) error_ = std::move(written);
    spare_.push_back(std::move(block));
    room_.notify_one();
  }
}

Status AsyncFileWriter::WriteAll(const std::string& block) {
  size_t done = 0;
  while (done < block.size()) {
    ssize_t n = ::write(fd_, block.data() + done, block.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SystemError("cannot write", path_, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status AsyncFileWriter::Close() {
  if (closed_) return *closed_;
  Status status = current_.empty() ? Status::Ok() : Hand();
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
