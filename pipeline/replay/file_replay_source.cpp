#include "pipeline/replay/file_replay_source.h"

#include <charconv>
#include <limits>

#include "state/db/key_codec.h"

namespace riskstream {
namespace {

constexpr EventType kRoles[] = {EventType::kApplication, EventType::kTransaction,
                                EventType::kLabel};

bool Blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

std::string_view StringField(const simdjson::dom::object& object, std::string_view field) {
  std::string_view out;
  if (object[field].get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

}  // namespace

struct FileReplaySource::File {
  std::unique_ptr<LogFileReader> reader;
  size_t first_stream = 0;
  size_t empty_streams = 0;
  bool finished = false;
};

FileReplaySource::~FileReplaySource() = default;

Result<std::unique_ptr<FileReplaySource>> FileReplaySource::Open(
    const std::vector<std::string>& paths, const TopicNames& topics, uint32_t partitions,
    size_t max_read_ahead) {
  if (paths.empty()) return Status::InvalidInput("no input files");
  std::unique_ptr<FileReplaySource> source(new FileReplaySource());
  source->topics_ = topics;
  source->partitions_ = partitions;
  source->max_read_ahead_ = max_read_ahead;
  // Streams wait for each other for ever: a file is read ahead instead (no clock in replay).
  source->aligner_ =
      EventTimeAligner<ReplayRecord>(std::numeric_limits<DurationMs>::max(), max_read_ahead);
  for (size_t f = 0; f < paths.size(); ++f) {
    auto reader = LogFileReader::Open(paths[f]);
    if (!reader.ok()) return reader.status();
    auto file = std::make_unique<File>();
    file->reader = std::move(*reader);
    file->first_stream = source->aligner_.stream_count();
    source->total_bytes_ += file->reader->file_bytes();
    for (EventType role : kRoles) {
      const std::string& topic = role == EventType::kApplication   ? topics.applications
                                 : role == EventType::kTransaction ? topics.transactions
                                                                   : topics.labels;
      for (uint32_t p = 0; p < partitions; ++p) {
        std::string name = topic + "/" + std::to_string(p);
        if (f > 0) name += "#" + std::to_string(f);
        source->aligner_.AddStream(std::move(name), 0);
        source->file_of_stream_.push_back(f);
      }
    }
    file->empty_streams = 3 * partitions;
    source->files_.push_back(std::move(file));
  }
  // Roles whose topics are one topic count their offsets together.
  const std::string* names[] = {&topics.applications, &topics.transactions, &topics.labels};
  for (size_t role = 0; role < 3; ++role) {
    size_t same = 0;
    while (*names[same] != *names[role]) ++same;
    source->offset_topic_[role] = same;
  }
  source->next_offsets_.assign(3 * partitions, 0);
  return source;
}

void FileReplaySource::Route(size_t f, std::string&& line) {
  File& file = *files_[f];
  ReplayRecord record;
  const std::string& path = file.reader->path();
  char number[24];
  const auto number_end = std::to_chars(number, number + sizeof number, file.reader->line_number());
  record.origin.reserve(path.size() + 1 + static_cast<size_t>(number_end.ptr - number));
  record.origin.append(path).append(1, ':').append(number, number_end.ptr);
  // A record that cannot be ordered keeps its file position as its source.
  const auto unordered = [&] {
    record.source = {path, 0, file.reader->line_number()};
    unordered_.push_back(std::move(record));
  };

  // simdjson reads up to SIMDJSON_PADDING bytes past the text: with that much room in the line's
  // own buffer, neither parse below copies it.
  line.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::object object;
  if (dom_.parse(line).get_object().get(object) != simdjson::SUCCESS) {
    record.bytes = std::move(line);
    unordered();
    return;
  }
  simdjson::dom::object event = object;
  std::string_view topic, key;
  bool wrapped = false;
  if (object["event"].get_object().get(event) == simdjson::SUCCESS) {
    wrapped = true;
    topic = StringField(object, "topic");
    key = StringField(object, "key");
  } else {
    event = object;
  }
  // The role: the layout's topic, else the event's type.
  std::optional<EventType> role;
  auto role_of_topic = [&](std::string_view name) -> std::optional<EventType> {
    if (name == topics_.applications || name == "applications") return EventType::kApplication;
    if (name == topics_.transactions || name == "transactions") return EventType::kTransaction;
    if (name == topics_.labels || name == "labels") return EventType::kLabel;
    return std::nullopt;
  };
  if (!topic.empty()) role = role_of_topic(topic);
  if (!role) {
    std::string_view type = StringField(event, "type");
    if (type == "application") role = EventType::kApplication;
    if (type == "transaction") role = EventType::kTransaction;
    if (type == "label") role = EventType::kLabel;
  }
  if (key.empty() && role) {
    if (*role == EventType::kApplication) key = StringField(event, "applicant_id");
    if (*role != EventType::kApplication) key = StringField(event, "account_id");
    if (key.empty() && *role == EventType::kLabel) key = StringField(event, "labelled_event_id");
  }
  auto order = ReadOrderKey(event);
  std::string bytes;
  if (wrapped) {
    simdjson::ondemand::document doc;
    simdjson::ondemand::object raw_event;
    std::string_view raw;
    if (ondemand_.iterate(line.data(), line.size(), line.capacity()).get(doc) !=
            simdjson::SUCCESS ||
        doc.find_field_unordered("event").get_object().get(raw_event) != simdjson::SUCCESS ||
        raw_event.raw_json().get(raw) != simdjson::SUCCESS) {
      order.reset();
      bytes = line;
    } else {
      bytes = raw;
    }
  } else {
    bytes = std::move(line);
  }
  record.bytes = std::move(bytes);
  record.role = role;
  bool fraud = false;
  if (wrapped && object["fraud"].get_bool().get(fraud) == simdjson::SUCCESS) record.fraud = fraud;
  if (!order || !role) {
    unordered();
    return;
  }
  uint32_t partition = KafkaPartitionForKey(key, partitions_);
  size_t role_index = *role == EventType::kApplication   ? 0
                      : *role == EventType::kTransaction ? 1
                                                         : 2;
  size_t stream = file.first_stream + role_index * partitions_ + partition;
  const std::string& topic_name = role_index == 0   ? topics_.applications
                                  : role_index == 1 ? topics_.transactions
                                                    : topics_.labels;
  int64_t& offset = next_offsets_[offset_topic_[role_index] * partitions_ + partition];
  record.source = {topic_name, static_cast<int32_t>(partition), offset++};
  record.event_time = order->event_time;
  if (aligner_.Empty(stream)) --file.empty_streams;
  aligner_.Push(stream, std::move(*order), std::move(record));
}

Status FileReplaySource::ReadAhead(size_t f) {
  File& file = *files_[f];
  std::string line;
  while (!file.finished && file.empty_streams > 0 && aligner_.buffered() < max_read_ahead_ &&
         unordered_.empty()) {
    auto more = file.reader->Next(line);
    if (!more.ok()) return more.status();
    if (!*more) {
      file.finished = true;
      for (size_t s = 0; s < 3 * partitions_; ++s) aligner_.Finish(file.first_stream + s);
      break;
    }
    if (Blank(line)) continue;
    Route(f, std::move(line));
  }
  return Status::Ok();
}

Result<std::optional<ReplayRecord>> FileReplaySource::Next() {
  if (unordered_.empty()) {
    for (size_t f = 0; f < files_.size(); ++f) {
      if (Status s = ReadAhead(f); !s.ok()) return s;
    }
  }
  if (!unordered_.empty()) {
    ReplayRecord record = std::move(unordered_.front());
    unordered_.pop_front();
    ++released_;
    return std::optional<ReplayRecord>(std::move(record));
  }
  auto released = aligner_.Pop(0);
  forced_ = aligner_.forced_releases();
  if (!released) {
    if (aligner_.buffered() == 0) return std::optional<ReplayRecord>();
    return Status::Unavailable("replay: records buffered but none may leave (read-ahead stalled)");
  }
  if (aligner_.Empty(released->stream)) ++files_[file_of_stream_[released->stream]]->empty_streams;
  ++released_;
  return std::optional<ReplayRecord>(std::move(released->record));
}

double FileReplaySource::Progress() const {
  if (total_bytes_ <= 0) return 1.0;
  int64_t read = 0;
  for (const auto& file : files_) read += file->reader->bytes_read();
  double bytes = std::min(1.0, static_cast<double>(read) / static_cast<double>(total_bytes_));
  // What was read is not yet done while it waits in the read-ahead.
  auto done = static_cast<double>(released_);
  auto waiting = static_cast<double>(aligner_.buffered() + unordered_.size());
  return done + waiting > 0 ? bytes * done / (done + waiting) : bytes;
}

}  // namespace riskstream
