#include "pipeline/replay_outputs.h"

#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Quoted only when it must be (a comma, a quote or a line break inside).
void AppendCsvText(std::string_view text, std::string& out) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

void AppendCsvValue(const Value& value, std::string& out) {
  switch (value.kind()) {
    case Value::Kind::kMissing:
      return;
    case Value::Kind::kNumber: {
      char buffer[32];
      auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value.number());
      if (error == std::errc()) out.append(buffer, end);
      return;
    }
    case Value::Kind::kString:
      AppendCsvText(value.string(), out);
      return;
    case Value::Kind::kBool:
      out += value.boolean() ? "true" : "false";
      return;
  }
}

Result<std::unique_ptr<ReplayOutputs>> ReplayOutputs::Open(const std::string& dir,
                                                           const std::vector<FeatureSpec>& features,
                                                           bool features_csv,
                                                           bool shadow_decisions) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::IoError("cannot create " + dir + ": " + error.message());
  std::unique_ptr<ReplayOutputs> out(new ReplayOutputs());
  out->dir_ = dir;
  out->features_csv_ = features_csv;
  auto open = [&](std::ofstream& file, const char* name) -> Status {
    file.open(dir + "/" + name, std::ios::binary | std::ios::trunc);
    if (!file) return Status::IoError("cannot write " + dir + "/" + name);
    return Status::Ok();
  };
  if (Status s = open(out->decisions_file_, "decisions.jsonl"); !s.ok()) return s;
  if (shadow_decisions) {
    if (Status s = open(out->shadow_file_, "shadow-decisions.jsonl"); !s.ok()) return s;
  }
  if (Status s = open(out->alerts_file_, "alerts.jsonl"); !s.ok()) return s;
  if (Status s = open(out->rejects_file_, "rejects.jsonl"); !s.ok()) return s;
  if (features_csv) {
    if (Status s = open(out->features_file_, "features.csv"); !s.ok()) return s;
    std::string header = "event_id";
    for (const auto& spec : features) header += "," + spec.name;
    out->features_file_ << header << '\n';
  }
  return out;
}

Status ReplayOutputs::Reject(const ReplayRecord& record, std::string_view reason,
                             std::string_view error) {
  Json line;
  line["origin"] = record.origin;
  line["reason"] = reason;
  line["error"] = error;
  rejects_file_ << Dump(line) << '\n';
  ++rejects_;
  return Status::Ok();
}

Status ReplayOutputs::Write(const ReplayRecord& record, const ProcessedInput& processed) {
  for (const auto& output : processed.outputs) {
    switch (output.stream) {
      case OutputStream::kCreditEvents:
        decisions_file_ << output.value << '\n';
        ++decisions_;
        break;
      case OutputStream::kShadowDecisions:
        if (!shadow_file_.is_open())
          return Status::IoError("a shadow decision, but no shadow-decisions.jsonl in " + dir_);
        shadow_file_ << output.value << '\n';
        ++shadow_decisions_;
        break;
      case OutputStream::kFraudAlerts:
        alerts_file_ << output.value << '\n';
        ++alerts_;
        break;
      case OutputStream::kDeadLetter: {
        Json letter = Json::parse(output.value, nullptr, false);
        std::string error = letter.is_object() ? letter.value("error", "") : "";
        if (Status s = Reject(record, ToString(*processed.rejection), error); !s.ok()) return s;
        break;
      }
      case OutputStream::kFeatures:
        break;  // features.csv is written from the values below
    }
  }
  if (features_csv_ && processed.features != nullptr && processed.event != nullptr &&
      processed.event->type != EventType::kLabel) {
    row_.clear();
    AppendCsvText(processed.event->event_id, row_);
    for (const auto& value : processed.features->values) {
      row_ += ',';
      AppendCsvValue(value, row_);
    }
    row_ += '\n';
    features_file_ << row_;
  }
  return Status::Ok();
}

Status ReplayOutputs::Close() {
  for (auto* file :
       {&decisions_file_, &shadow_file_, &alerts_file_, &features_file_, &rejects_file_}) {
    if (!file->is_open()) continue;
    file->flush();
    if (!*file) return Status::IoError("writing the replay outputs in " + dir_ + " failed");
    file->close();
  }
  return Status::Ok();
}

}  // namespace riskstream
