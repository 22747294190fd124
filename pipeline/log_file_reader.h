// pipeline/log_file_reader.h
//
// LogFileReader reads a JSON-lines event log line by line, plain or gzip-compressed (detected from
// the content, not the name; concatenated gzip members are read through). Lines are numbered from
// 1; a trailing '\r' is dropped, a last line without '\n' is still a line. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace riskstream {

class LogFileReader {
 public:
  // Opens `path`; IoError naming it when it cannot be read.
  static Result<std::unique_ptr<LogFileReader>> Open(const std::string& path);
  ~LogFileReader();
  LogFileReader(const LogFileReader&) = delete;
  LogFileReader& operator=(const LogFileReader&) = delete;

  // Reads the next line into `line` (without its end of line). false at the end of the file;
  // IoError (with the path and line) when the file cannot be read or decompressed, or its gzip
  // data stops short of the stream's end (a truncated file).
  Result<bool> Next(std::string& line);

  // The number of the line last returned by Next().
  int64_t line_number() const { return line_number_; }
  // Compressed bytes consumed so far, and the file's size: for progress.
  int64_t bytes_read() const;
  int64_t file_bytes() const { return file_bytes_; }
  const std::string& path() const { return path_; }

 private:
  LogFileReader() = default;
  Status Fill();

  std::string path_;
  void* file_ = nullptr;  // gzFile
  std::string buffer_;
  size_t begin_ = 0;
  bool eof_ = false;
  int64_t line_number_ = 0;
  int64_t file_bytes_ = 0;
};

}  // namespace riskstream
