// common/time.h
//
// Event time. Timestamps are milliseconds since the Unix epoch (UTC) in a signed 64-bit integer.
// Parsing accepts what real event logs carry: RFC 3339 ("2026-11-27T06:20:43Z",
// "2026-11-27T08:20:43.125+02:00") or epoch milliseconds as a number or a digit string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace riskstream {

using TimestampMs = int64_t;
using DurationMs = int64_t;

constexpr DurationMs kSecondMs = 1000;
constexpr DurationMs kMinuteMs = 60 * kSecondMs;
constexpr DurationMs kHourMs = 60 * kMinuteMs;
constexpr DurationMs kDayMs = 24 * kHourMs;

// Parses an RFC 3339 date-time (with 'T' or ' ' between date and time, 'Z' or a numeric offset,
// optional fraction of a second: digits past milliseconds are truncated).
Result<TimestampMs> ParseRfc3339(std::string_view text);

// Parses either form above; a string of digits only is taken as epoch milliseconds.
Result<TimestampMs> ParseTimestamp(std::string_view text);

// Formats as RFC 3339 UTC with milliseconds: "2026-11-27T06:20:43.125Z".
std::string FormatRfc3339(TimestampMs ts);
// The same into `out`, which holds at least kRfc3339MaxBytes; returns the length (no terminator).
constexpr size_t kRfc3339MaxBytes = 40;
size_t FormatRfc3339(TimestampMs ts, char* out);

// Parses a duration such as "500ms", "10s", "10m", "1h", "7d", "30d" or a combination "1h30m".
Result<DurationMs> ParseDuration(std::string_view text);

// Formats a duration the way ParseDuration reads it, largest units first ("1h30m", "7d", "0ms").
std::string FormatDuration(DurationMs duration);

}  // namespace riskstream
