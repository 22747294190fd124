#include "operators/output/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

// What the records printed before JsonWriter: nlohmann's dump with invalid UTF-8 replaced.
std::string Reference(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Written(const std::function<void(JsonWriter&)>& write) {
  JsonWriter json(4);  // little room at first: the text grows as it is written
  write(json);
  return json.Finish();
}

TEST(JsonWriter, NumbersPrintAsNlohmannPrintsThem) {
  std::vector<double> numbers = {0.0,
                                 -0.0,
                                 1.0,
                                 650.0,
                                 165.15,
                                 0.1 + 0.2,
                                 -7.0,
                                 100000000000000.0,
                                 999999999999999.0,
                                 -999999999999999.0,
                                 4503599627370496.0,
                                 1e15,
                                 1e16,
                                 1e17,
                                 1e21,
                                 1e22,
                                 123456789012345678.0,
                                 1e-5,
                                 1e-7,
                                 5e-324,
                                 std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::lowest(),
                                 std::nan(""),
                                 std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity()};
  std::mt19937_64 random(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = random();
    double any;
    std::memcpy(&any, &bits, sizeof any);
    numbers.push_back(any);
    numbers.push_back(static_cast<double>(random() % 1000000) / 100.0);
    // Whole numbers of every size up to 2^63, both signs: counts, and amounts without cents.
    const double whole = static_cast<double>(random() >> (random() % 64));
    numbers.push_back(i % 2 == 0 ? whole : -whole);
  }
  for (double number : numbers) {
    EXPECT_EQ(Written([&](JsonWriter& json) { json.Number(number); }), Reference(Json(number)))
        << number;
  }
  for (int64_t number : {int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(Written([&](JsonWriter& json) { json.Integer(number); }), Reference(Json(number)));
  }
  uint64_t big = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(Written([&](JsonWriter& json) { json.Unsigned(big); }), Reference(Json(big)));
}

TEST(JsonWriter, StringsEscapeAsNlohmannEscapesThem) {
  std::vector<std::string> texts = {"",
                                    "plain",
                                    "quote \" and backslash \\ and slash /",
                                    "kind == \"withdrawal\"",
                                    "\b\f\n\r\t",
                                    std::string("nul \0 inside", 12),
                                    "\x01\x1f\x7f",
                                    "UTF-8: \xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80",
                                    "invalid: \xff\xfe end",
                                    "truncated \xe4\xb8",
                                    "lone continuation \x80 here",
                                    "overlong \xc0\xaf"};
  std::mt19937 random(11);
  for (int i = 0; i < 5000; ++i) {
    std::string text(random() % 12, ' ');
    for (char& c : text) c = static_cast<char>(random() % 256);
    texts.push_back(text);
  }
  // Long plain text with a byte to escape (or none) anywhere: plain text is scanned 16 and 8 bytes
  // at a time, and every such byte must still be found.
  const std::string special = std::string("\"\\\x00\x01\x1f\x7f\x80\xc3\xff", 9);
  for (int i = 0; i < 5000; ++i) {
    std::string text(random() % 80, ' ');
    for (char& c : text) c = static_cast<char>(0x20 + random() % 0x5f);
    if (!text.empty() && random() % 4 != 0) {
      text[random() % text.size()] = special[random() % special.size()];
    }
    texts.push_back(text);
  }
  for (const auto& text : texts) {
    EXPECT_EQ(Written([&](JsonWriter& json) { json.String(text); }), Reference(Json(text)));
  }
}

TEST(JsonWriter, NestedObjectsAndArraysMatchAnOrderedDocument) {
  Json expected;
  expected["a"] = 1;
  expected["b"] = Json::array({"x", 2.5, nullptr, true});
  expected["c"] = Json::object();
  expected["d"] = Json::array();
  expected["e"] = Json{{"inner", Json::array({Json::object(), Json{{"k", false}}})}};
  std::string written = Written([](JsonWriter& json) {
    json.BeginObject();
    json.Key("a");
    json.Integer(1);
    json.Key("b");
    json.BeginArray();
    json.String("x");
    json.Number(2.5);
    json.Null();
    json.Bool(true);
    json.EndArray();
    json.Key("c");
    json.BeginObject();
    json.EndObject();
    json.Key("d");
    json.BeginArray();
    json.EndArray();
    json.Key("e");
    json.BeginObject();
    json.Key("inner");
    json.BeginArray();
    json.BeginObject();
    json.EndObject();
    json.BeginObject();
    json.Key("k");
    json.Bool(false);
    json.EndObject();
    json.EndArray();
    json.EndObject();
    json.EndObject();
  });
  EXPECT_EQ(written, Reference(expected));
}

TEST(JsonWriter, ValuesWriteByKind) {
  std::string written = Written([](JsonWriter& json) {
    json.BeginArray();
    json.Write(Value::Missing());
    json.Write(Value::Number(3));
    json.Write(Value::String("t\"x"));
    json.Write(Value::Bool(false));
    json.EndArray();
  });
  EXPECT_EQ(written, R"([null,3.0,"t\"x",false])");
}

TEST(JsonWriter, TextLongerThanTheRoomReservedGrowsIntact) {
  std::string long_text(5000, 'x');
  long_text[4321] = '"';  // one escape far past the first room
  std::string written = Written([&](JsonWriter& json) {
    json.BeginArray();
    for (int i = 0; i < 300; ++i) json.Integer(i);
    json.String(long_text);
    json.DataKey(long_text);  // a name from data is escaped as needed
    json.EndArray();
  });
  Json expected = Json::array();
  for (int i = 0; i < 300; ++i) expected.push_back(i);
  expected.push_back(long_text);
  std::string reference = Reference(expected);
  reference.pop_back();
  reference += "," + Reference(Json(long_text)) + ":]";
  EXPECT_EQ(written, reference);
}

TEST(JsonWriter, FixedNamesAreCopiedWithTheirQuotesAndCommasPastTheRoomReserved) {
  JsonWriter json(2);  // every fixed name below needs more room than is left
  json.BeginObject();
  json.Key("a_rather_long_member_name");
  json.Integer(1);
  json.Key("second_member_name");
  json.BeginObject();
  json.DataKey("data \"name\"");
  json.Integer(2);
  json.EndObject();
  json.EndObject();
  EXPECT_EQ(json.Finish(),
            R"({"a_rather_long_member_name":1,"second_member_name":{"data \"name\"":2}})");
}

TEST(JsonWriter, TimesAreRfc3339StringsAsFormatRfc3339WritesThem) {
  JsonWriter json(4);
  json.BeginArray();
  json.Time(0);
  json.Time(1795820443125);
  json.EndArray();
  EXPECT_EQ(json.Finish(),
            "[\"" + FormatRfc3339(0) + "\",\"" + FormatRfc3339(1795820443125) + "\"]");
}

TEST(JsonWriter, FinishEmptiesTheWriterForTheNextText) {
  JsonWriter json(8);
  json.BeginObject();
  json.Key("a");
  json.Integer(1);
  json.EndObject();
  EXPECT_EQ(json.Finish(), R"({"a":1})");
  json.BeginArray();
  json.Bool(true);
  json.EndArray();
  EXPECT_EQ(json.Finish(), "[true]");
  EXPECT_EQ(json.Finish(), "");
}

}  // namespace
}  // namespace riskstream
