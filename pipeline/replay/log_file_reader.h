// pipeline/replay/log_file_reader.h
//
// LogFileReader reads a JSON-lines event log line by line, plain or gzip-compressed (detected from
// the content, not the name; concatenated gzip members are read through, and bytes after the last
// member that do not start another one are ignored, as zlib's gzread ignores them). Lines are
// numbered from 1; a trailing '\r' is dropped, a last line without '\n' is still a line. Gzip is
// inflated by ISA-L (igzip), about three times as fast as zlib, with every member's CRC-32 and
// length checked. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

struct inflate_state;  // isa-l/igzip_lib.h

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
  LogFileReader();
  // Appends the next decompressed (or plain) bytes to buffer_; sets eof_ at the end.
  Status Fill();
  Status FillGzip(char* out, size_t room, size_t& produced);
  // Reads more of the file after the input not yet inflated; sets file_eof_ at its end.
  Status ReadFile();
  Status Error(const std::string& what) const;

  std::string path_;
  int fd_ = -1;
  bool gzip_ = false;
  bool file_eof_ = false;
  std::unique_ptr<inflate_state> inflate_;  // gzip only
  std::vector<uint8_t> input_;              // file bytes; [input_begin_, input_end_) not used yet
  size_t input_begin_ = 0, input_end_ = 0;
  int64_t file_offset_ = 0;  // file bytes read into input_
  std::string buffer_;
  size_t begin_ = 0;
  bool eof_ = false;
  int64_t line_number_ = 0;
  int64_t file_bytes_ = 0;
};

}  // namespace riskstream
