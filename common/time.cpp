#include "common/time.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace riskstream {
namespace {

// Reads exactly `width` digits at `pos`; advances `pos`.
bool ReadDigits(std::string_view text, size_t& pos, int width, int& out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (int i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += width;
  out = value;
  return true;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

Status BadRfc3339(std::string_view text, const char* why) {
  return Status::InvalidInput("'" + std::string(text.substr(0, 64)) + "' is not RFC 3339 (" + why +
                              ")");
}

}  // namespace

Result<TimestampMs> ParseRfc3339(std::string_view text) {
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!ReadDigits(text, pos, 4, year) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, month) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, day)) {
    return BadRfc3339(text, "expected YYYY-MM-DD");
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return BadRfc3339(text, "expected 'T' after the date");
  }
  ++pos;
  if (!ReadDigits(text, pos, 2, hour) || !Expect(text, pos, ':') ||
      !ReadDigits(text, pos, 2, minute) || !Expect(text, pos, ':') ||
      !ReadDigits(text, pos, 2, second)) {
    return BadRfc3339(text, "expected hh:mm:ss");
  }
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return BadRfc3339(text, "empty fraction of a second");
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int off_h, off_m;
    if (!ReadDigits(text, pos, 2, off_h) || !Expect(text, pos, ':') ||
        !ReadDigits(text, pos, 2, off_m) || off_h > 23 || off_m > 59) {
      return BadRfc3339(text, "bad UTC offset");
    }
    offset_minutes = sign * (off_h * 60 + off_m);
  } else {
    return BadRfc3339(text, "missing 'Z' or UTC offset");
  }
  if (pos != text.size()) return BadRfc3339(text, "trailing characters");
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) {
    return BadRfc3339(text, "field out of range");
  }
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return BadRfc3339(text, "no such day");
  if (second == 60) second = 59;  // a leap second is kept inside its minute
  int64_t days = sys_days(ymd).time_since_epoch().count();
  return days * kDayMs + hour * kHourMs + minute * kMinuteMs + second * kSecondMs + millis -
         offset_minutes * kMinuteMs;
}

Result<TimestampMs> ParseTimestamp(std::string_view text) {
  if (text.empty()) return Status::InvalidInput("empty timestamp");
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits) {
    TimestampMs value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Status::InvalidInput("epoch milliseconds out of range: " + std::string(text));
    }
    return value;
  }
  return ParseRfc3339(text);
}

size_t FormatRfc3339(TimestampMs ts, char* out) {
  using namespace std::chrono;
  int64_t days = ts >= 0 ? ts / kDayMs : (ts - kDayMs + 1) / kDayMs;
  int64_t in_day = ts - days * kDayMs;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  int year = int(ymd.year());
  if (year < 0 || year > 9999) {  // rare: as printf pads and signs it
    int n = std::snprintf(out, kRfc3339MaxBytes, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year,
                          unsigned(ymd.month()), unsigned(ymd.day()), int(in_day / kHourMs),
                          int(in_day / kMinuteMs % 60), int(in_day / kSecondMs % 60),
                          int(in_day % 1000));
    return static_cast<size_t>(n);
  }
  // Fixed width: "YYYY-MM-DDTHH:MM:SS.mmmZ", printed without printf (it runs for every record).
  auto put = [](char* at, int value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      at[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(out, year, 4);
  out[4] = '-';
  put(out + 5, static_cast<int>(unsigned(ymd.month())), 2);
  out[7] = '-';
  put(out + 8, static_cast<int>(unsigned(ymd.day())), 2);
  out[10] = 'T';
  put(out + 11, int(in_day / kHourMs), 2);
  out[13] = ':';
  put(out + 14, int(in_day / kMinuteMs % 60), 2);
  out[16] = ':';
  put(out + 17, int(in_day / kSecondMs % 60), 2);
  out[19] = '.';
  put(out + 20, int(in_day % 1000), 3);
  out[23] = 'Z';
  return 24;
}

std::string FormatRfc3339(TimestampMs ts) {
  char buf[kRfc3339MaxBytes];
  return std::string(buf, FormatRfc3339(ts, buf));
}

Result<DurationMs> ParseDuration(std::string_view text) {
  if (text.empty()) return Status::InvalidConfig("empty duration");
  DurationMs total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), number);
    if (ec != std::errc() || number < 0) {
      return Status::InvalidConfig("duration '" + std::string(text) +
                                   "': expected a number at position " + std::to_string(pos + 1));
    }
    pos = static_cast<size_t>(end - text.data());
    std::string_view rest = text.substr(pos);
    DurationMs unit;
    size_t unit_len = 1;
    if (rest.starts_with("ms")) {
      unit = 1;
      unit_len = 2;
    } else if (rest.starts_with("s")) {
      unit = kSecondMs;
    } else if (rest.starts_with("m")) {
      unit = kMinuteMs;
    } else if (rest.starts_with("h")) {
      unit = kHourMs;
    } else if (rest.starts_with("d")) {
      unit = kDayMs;
    } else {
      return Status::InvalidConfig("duration '" + std::string(text) +
                                   "': expected a unit (ms, s, m, h, d) at position " +
                                   std::to_string(pos + 1));
    }
    total += number * unit;
    pos += unit_len;
  }
  return total;
}

std::string FormatDuration(DurationMs duration) {
  if (duration == 0) return "0ms";
  std::string out;
  const std::pair<DurationMs, const char*> units[] = {
      {kDayMs, "d"}, {kHourMs, "h"}, {kMinuteMs, "m"}, {kSecondMs, "s"}, {1, "ms"}};
  for (auto [unit, name] : units) {
    if (duration >= unit) {
      out += std::to_string(duration / unit) + name;
      duration %= unit;
    }
  }
  return out;
}

}  // namespace riskstream
