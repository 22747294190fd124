#include "pipeline/replay/replay_outputs.h"

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
  auto open = [&](std::unique_ptr<AsyncFileWriter>& file, const char* name) -> Status {
    auto opened = AsyncFileWriter::Open(dir + "/" + name);
    if (!opened.ok()) return opened.status();
    file = std::move(*opened);
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
    if (Status s = WriteLine(*out->features_file_, header); !s.ok()) return s;
  }
  return out;
}

Status ReplayOutputs::WriteLine(AsyncFileWriter& file, std::string_view record) {
  if (Status s = file.Append(record); !s.ok()) return s;
  return file.Append("\n");
}

Status ReplayOutputs::Reject(const ReplayRecord& record, std::string_view reason,
                             std::string_view error) {
  Json line;
  line["origin"] = record.origin;
  line["reason"] = reason;
  line["error"] = error;
  ++rejects_;
  return WriteLine(*rejects_file_, Dump(line));
}

Status ReplayOutputs::Write(const ReplayRecord& record, const ProcessedInput& processed) {
  for (const auto& output : processed.outputs) {
    switch (output.stream) {
      case OutputStream::kCreditEvents:
        if (Status s = WriteLine(*decisions_file_, output.value); !s.ok()) return s;
        ++decisions_;
        break;
      case OutputStream::kShadowDecisions:
        if (!shadow_file_)
          return Status::IoError("a shadow decision, but no shadow-decisions.jsonl in " + dir_);
        if (Status s = WriteLine(*shadow_file_, output.value); !s.ok()) return s;
        ++shadow_decisions_;
        break;
      case OutputStream::kFraudAlerts:
        if (Status s = WriteLine(*alerts_file_, output.value); !s.ok()) return s;
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
  if (features_file_ && processed.features != nullptr && processed.event != nullptr &&
      processed.event->type != EventType::kLabel) {
    row_.clear();
    AppendCsvText(processed.event->event_id, row_);
    for (const auto& value : processed.features->values) {
      row_ += ',';
      AppendCsvValue(value, row_);
    }
    row_ += '\n';
    if (Status s = features_file_->Append(row_); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ReplayOutputs::Close() {
  Status first = Status::Ok();
  for (auto* file :
       {&decisions_file_, &shadow_file_, &alerts_file_, &features_file_, &rejects_file_}) {
    if (!*file) continue;
    Status closed = (*file)->Close();
    if (first.ok()) first = closed.WithContext("writing the replay outputs in " + dir_);
  }
  return first;
}

}  // namespace riskstream
