#include "pipeline/replay/log_file_reader.h"

#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace riskstream {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

bool StartsGzipMember(const uint8_t* bytes) { return bytes[0] == 0x1f && bytes[1] == 0x8b; }

std::string InflateError(int code) {
  switch (code) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid deflate distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC-32 or length check failed";
    default:
      return "inflate error " + std::to_string(code);
  }
}

void StartMember(inflate_state& state) {
  isal_inflate_reset(&state);
  state.crc_flag = ISAL_GZIP;  // parse the header, check the trailer's CRC-32 and length
}

}  // namespace

LogFileReader::LogFileReader() = default;

Result<std::unique_ptr<LogFileReader>> LogFileReader::Open(const std::string& path) {
  std::unique_ptr<LogFileReader> reader(new LogFileReader());
  reader->path_ = path;
  std::error_code error;
  auto size = std::filesystem::file_size(path, error);
  if (error) return Status::IoError("cannot read " + path + ": " + error.message());
  reader->file_bytes_ = static_cast<int64_t>(size);
  reader->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (reader->fd_ < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  ::posix_fadvise(reader->fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  reader->input_.resize(kChunkBytes);
  // The first bytes tell gzip from plain text.
  while (reader->input_end_ < 2 && !reader->file_eof_) {
    if (Status s = reader->ReadFile(); !s.ok()) return s;
  }
  if (reader->input_end_ >= 2 && StartsGzipMember(reader->input_.data())) {
    reader->gzip_ = true;
    reader->inflate_ = std::make_unique<inflate_state>();
    isal_inflate_init(reader->inflate_.get());
    StartMember(*reader->inflate_);
  }
  return reader;
}

LogFileReader::~LogFileReader() {
  if (fd_ >= 0) ::close(fd_);
}

int64_t LogFileReader::bytes_read() const {
  if (eof_) return file_bytes_;  // ignored bytes after the last gzip member count as read
  return file_offset_ - static_cast<int64_t>(input_end_ - input_begin_);
}

Status LogFileReader::Error(const std::string& what) const {
  return Status::IoError(path_ + ": after line " + std::to_string(line_number_) + ": " + what);
}

Status LogFileReader::ReadFile() {
  if (input_begin_ > 0) {  // keep what is not used yet, at the front
    std::memmove(input_.data(), input_.data() + input_begin_, input_end_ - input_begin_);
    input_end_ -= input_begin_;
    input_begin_ = 0;
  }
  while (true) {
    ssize_t n = ::read(fd_, input_.data() + input_end_, input_.size() - input_end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) file_eof_ = true;
    input_end_ += static_cast<size_t>(n);
    file_offset_ += n;
    return Status::Ok();
  }
}

Status LogFileReader::FillGzip(char* out, size_t room, size_t& produced) {
  inflate_state& state = *inflate_;
  produced = 0;
  while (produced == 0) {
    if (state.block_state == ISAL_BLOCK_FINISH) {  // a member ended: another, or the end
      if (input_end_ - input_begin_ < 2 && !file_eof_) {
        if (Status s = ReadFile(); !s.ok()) return s;
        continue;
      }
      if (input_end_ - input_begin_ < 2 || !StartsGzipMember(input_.data() + input_begin_)) {
        eof_ = true;
        return Status::Ok();
      }
      StartMember(state);
    }
    if (input_begin_ == input_end_ && !file_eof_) {
      if (Status s = ReadFile(); !s.ok()) return s;
      continue;
    }
    state.next_in = input_.data() + input_begin_;
    state.avail_in = static_cast<uint32_t>(input_end_ - input_begin_);
    state.next_out = reinterpret_cast<uint8_t*>(out);
    state.avail_out = static_cast<uint32_t>(room);
    int code = isal_inflate(&state);
    input_begin_ = input_end_ - state.avail_in;
    if (code < 0) return Error("the gzip data is corrupt (" + InflateError(code) + ")");
    produced = room - state.avail_out;
    if (produced == 0 && state.block_state != ISAL_BLOCK_FINISH && input_begin_ == input_end_ &&
        file_eof_) {
      return Error("the compressed data is cut short (unexpected end of file)");
    }
  }
  return Status::Ok();
}

Status LogFileReader::Fill() {
  if (begin_ > 0) {
    buffer_.erase(0, begin_);
    begin_ = 0;
  }
  size_t old_size = buffer_.size();
  buffer_.resize(old_size + kChunkBytes);
  char* out = buffer_.data() + old_size;
  size_t produced = 0;
  Status status = Status::Ok();
  if (gzip_) {
    status = FillGzip(out, kChunkBytes, produced);
  } else {
    if (input_begin_ == input_end_ && !file_eof_) status = ReadFile();
    produced = input_end_ - input_begin_;
    std::memcpy(out, input_.data() + input_begin_, produced);
    input_begin_ = input_end_ = 0;
    if (produced == 0 && file_eof_) eof_ = true;
  }
  buffer_.resize(old_size + produced);
  return status;
}

Result<bool> LogFileReader::Next(std::string& line) {
  while (true) {
    size_t end = buffer_.find('\n', begin_);
    if (end != std::string::npos || (eof_ && begin_ < buffer_.size())) {
      if (end == std::string::npos) end = buffer_.size();
      size_t stop = end;
      if (stop > begin_ && buffer_[stop - 1] == '\r') --stop;
      line.assign(buffer_, begin_, stop - begin_);
      begin_ = std::min(end + 1, buffer_.size());
      ++line_number_;
      return true;
    }
    if (eof_) return false;
    if (Status s = Fill(); !s.ok()) return s;
  }
}

}  // namespace riskstream
