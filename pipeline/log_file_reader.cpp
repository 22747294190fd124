#include "pipeline/log_file_reader.h"

#include <zlib.h>

#include <filesystem>

namespace riskstream {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

gzFile Gz(void* file) { return static_cast<gzFile>(file); }

}  // namespace

Result<std::unique_ptr<LogFileReader>> LogFileReader::Open(const std::string& path) {
  std::unique_ptr<LogFileReader> reader(new LogFileReader());
  reader->path_ = path;
  std::error_code error;
  auto size = std::filesystem::file_size(path, error);
  if (error) return Status::IoError("cannot read " + path + ": " + error.message());
  reader->file_bytes_ = static_cast<int64_t>(size);
  gzFile file = gzopen(path.c_str(), "rb");  // reads plain files as they are
  if (file == nullptr) return Status::IoError("cannot open " + path);
  gzbuffer(file, kChunkBytes);
  reader->file_ = file;
  return reader;
}

LogFileReader::~LogFileReader() {
  if (file_ != nullptr) gzclose(Gz(file_));
}

int64_t LogFileReader::bytes_read() const {
  return file_ == nullptr ? 0 : static_cast<int64_t>(gzoffset(Gz(file_)));
}

Status LogFileReader::Fill() {
  if (begin_ > 0) {
    buffer_.erase(0, begin_);
    begin_ = 0;
  }
  size_t old_size = buffer_.size();
  buffer_.resize(old_size + kChunkBytes);
  int n = gzread(Gz(file_), buffer_.data() + old_size, static_cast<unsigned>(kChunkBytes));
  if (n < 0) {
    int code = 0;
    std::string message = gzerror(Gz(file_), &code);
    buffer_.resize(old_size);
    return Status::IoError(path_ + ": after line " + std::to_string(line_number_) + ": " + message);
  }
  buffer_.resize(old_size + static_cast<size_t>(n));
  if (n == 0) {
    // A gzip stream that stops before its end reads like an end of file; zlib says so only here.
    int code = Z_OK;
    const char* message = gzerror(Gz(file_), &code);
    if (code == Z_BUF_ERROR) {
      return Status::IoError(path_ + ": after line " + std::to_string(line_number_) +
                             ": the compressed data is cut short (" + message + ")");
    }
    eof_ = true;
  }
  return Status::Ok();
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
