#include "common/time.h"

#include <gtest/gtest.h>

namespace riskstream {
namespace {

TEST(Time, ParsesRfc3339Utc) {
  auto ts = ParseRfc3339("2026-11-27T06:20:43Z");
  ASSERT_TRUE(ts.ok()) << ts.status().ToString();
  EXPECT_EQ(*ts, 1795760443000);
}

TEST(Time, ParsesFractionAndOffset) {
  auto ts = ParseRfc3339("2026-11-27T08:20:43.125+02:00");
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(*ts, 1795760443125);
  auto micro = ParseRfc3339("2026-11-27T06:20:43.1259Z");
  ASSERT_TRUE(micro.ok());
  EXPECT_EQ(*micro, 1795760443125);  // digits past milliseconds are truncated
  auto space = ParseRfc3339("2026-11-27 06:20:43.5Z");
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(*space, 1795760443500);
}

TEST(Time, RejectsMalformedTimestamps) {
  for (const char* bad : {"2026-11-27", "2026-11-27T06:20:43", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-27T25:00:00Z",
                          "2026-11-27T06:20:43Zjunk", "2026-11-27T06:20:43.Z", "yesterday", ""}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
}

TEST(Time, DigitStringIsEpochMillis) {
  auto ts = ParseTimestamp("1795760443125");
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(*ts, 1795760443125);
}

TEST(Time, FormatRoundTrips) {
  for (TimestampMs ts :
       {TimestampMs{0}, TimestampMs{1795760443125}, TimestampMs{951782400000}, TimestampMs{-1}}) {
    auto parsed = ParseRfc3339(FormatRfc3339(ts));
    ASSERT_TRUE(parsed.ok()) << FormatRfc3339(ts);
    EXPECT_EQ(*parsed, ts);
  }
  EXPECT_EQ(FormatRfc3339(1795760443125), "2026-11-27T06:20:43.125Z");
}

TEST(Time, FormatPadsEveryFieldAndKeepsFiveDigitYears) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(-62135596800000), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(253402300800000), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(-62167219200001), "-001-12-31T23:59:59.999Z");
  char text[kRfc3339MaxBytes];
  size_t length = FormatRfc3339(1795760443005, text);
  EXPECT_EQ(std::string(text, length), "2026-11-27T06:20:43.005Z");
}

TEST(Time, ParsesAndFormatsDurations) {
  EXPECT_EQ(*ParseDuration("10m"), 10 * kMinuteMs);
  EXPECT_EQ(*ParseDuration("1h30m"), 90 * kMinuteMs);
  EXPECT_EQ(*ParseDuration("250ms"), 250);
  EXPECT_EQ(*ParseDuration("30d"), 30 * kDayMs);
  EXPECT_EQ(FormatDuration(90 * kMinuteMs), "1h30m");
  EXPECT_EQ(FormatDuration(7 * kDayMs), "7d");
  EXPECT_FALSE(ParseDuration("10").ok());
  EXPECT_FALSE(ParseDuration("10x").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("-5m").ok());
}

}  // namespace
}  // namespace riskstream
