// common/yaml_position.h
//
// Where something is in a YAML config file, as errors name it: "configs/rules.yaml:14:11" (1-based
// line and column), or just the file name when yaml-cpp has no position.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace riskstream {

inline std::string YamlPosition(const std::string& source, const YAML::Mark& mark) {
  if (mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

inline std::string YamlPosition(const std::string& source, const YAML::Node& node) {
  return YamlPosition(source, node.Mark());
}

}  // namespace riskstream
