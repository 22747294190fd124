// common/yaml_file.h
//
// Reads a YAML config file, turning yaml-cpp's exceptions into InvalidConfig errors that name the
// file (and the line and column of a syntax error), so config loaders stay exception-free.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "common/status.h"
#include "common/yaml_position.h"

namespace riskstream {

// The document in `path`; `what` names the kind of file in "cannot read <what> file <path>".
inline Result<YAML::Node> LoadYamlFile(const std::string& path, const std::string& what) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::InvalidConfig("cannot read " + what + " file " + path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidConfig(YamlPosition(path, e.mark) + ": " + e.msg);
  }
}

}  // namespace riskstream
