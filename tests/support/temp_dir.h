// tests/support/temp_dir.h
//
// TempDir is a fresh directory under the system temp dir, removed with everything in it when the
// object goes away. For tests that need real files (RocksDB databases, configs).
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace riskstream {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("riskstream-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace riskstream
