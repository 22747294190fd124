#include "operators/event/event_parser.h"

#include <gtest/gtest.h>

namespace riskstream {
namespace {

class EventParserTest : public ::testing::Test {
 protected:
  std::optional<ParseError> Parse(const std::string& json,
                                  std::optional<EventType> role = std::nullopt) {
    return parser_.Parse(json, role, event_);
  }
  void ExpectRejected(const std::string& json, ParseError::Code code, const std::string& message,
                      std::optional<EventType> role = std::nullopt) {
    auto error = Parse(json, role);
    ASSERT_TRUE(error.has_value()) << json;
    EXPECT_EQ(error->code, code) << error->message;
    EXPECT_NE(error->message.find(message), std::string::npos)
        << "'" << error->message << "' lacks '" << message << "'";
  }

  PiiHasher hasher_{"test-key-0123456789abcdef"};
  EventParser parser_{hasher_};
  Event event_;
};

const char* kApplication = R"({"event_id":"e1","event_time":"2026-11-27T06:20:43.125Z",
  "type":"application","applicant_id":"apl_1","account_id":"acc_1","id_number":"11010519491231002X",
  "phone":"13800138000","device_id":"dev_1","ip":"10.1.2.3","geo":{"lat":31.23,"lon":121.47},
  "channel":"app","product":"cash_loan","requested_amount":5000,"declared_income":"8000.50",
  "employer":"ACME"})";

TEST_F(EventParserTest, ParsesEveryApplicationField) {
  ASSERT_FALSE(Parse(kApplication).has_value());
  EXPECT_EQ(event_.type, EventType::kApplication);
  EXPECT_EQ(event_.event_id, "e1");
  EXPECT_EQ(event_.event_time, 1795760443125);
  EXPECT_EQ(event_.applicant_id, "apl_1");
  EXPECT_EQ(event_.account_id, "acc_1");
  EXPECT_EQ(event_.device_id, "dev_1");
  EXPECT_EQ(event_.ip, "10.1.2.3");
  ASSERT_TRUE(event_.geo.has_value());
  EXPECT_DOUBLE_EQ(event_.geo->lat, 31.23);
  EXPECT_DOUBLE_EQ(event_.geo->lon, 121.47);
  EXPECT_EQ(event_.channel, "app");
  EXPECT_EQ(event_.product, "cash_loan");
  EXPECT_EQ(event_.employer, "ACME");
  EXPECT_DOUBLE_EQ(event_.requested_amount.value_or(-1), 5000);
  EXPECT_DOUBLE_EQ(event_.declared_income.value_or(-1), 8000.5);  // numeric strings accepted
}

TEST_F(EventParserTest, HashesPersonalDataAndNeverKeepsIt) {
  ASSERT_FALSE(Parse(kApplication).has_value());
  EXPECT_EQ(event_.id_number_hash, hasher_.Hash("11010519491231002X"));
  EXPECT_EQ(event_.phone_hash, hasher_.Hash("13800138000"));
  EXPECT_EQ(event_.phone_hash.size(), 32u);
  EXPECT_EQ(event_.phone_hash.find("13800138000"), std::string::npos);
  PiiHasher other("another-key-0123456789");
  EXPECT_NE(other.Hash("13800138000"), event_.phone_hash);  // keyed, not a plain hash
}

TEST_F(EventParserTest, HashIgnoresFormattingOfIdentifiers) {
  std::string spaced = kApplication;
  spaced.replace(spaced.find("13800138000"), 11, "138-0013 8000");
  ASSERT_FALSE(Parse(spaced).has_value());
  EXPECT_EQ(event_.phone_hash, hasher_.Hash("13800138000"));
  std::string lower = kApplication;
  lower.replace(lower.find("002X"), 4, "002x");
  ASSERT_FALSE(Parse(lower).has_value());
  EXPECT_EQ(event_.id_number_hash, hasher_.Hash("11010519491231002X"));
}

TEST_F(EventParserTest, ParsesTransactionWithEpochMillis) {
  ASSERT_FALSE(Parse(R"({"event_id":"t1","event_time":1795760443125,"type":"transaction",
    "account_id":"acc_1","kind":"withdrawal","amount":"1200.00","merchant_id":"m1",
    "merchant_category":"cash","device_id":"d","ip":"1.2.3.4"})")
                   .has_value());
  EXPECT_EQ(event_.type, EventType::kTransaction);
  EXPECT_EQ(event_.kind, TransactionKind::kWithdrawal);
  EXPECT_DOUBLE_EQ(event_.amount, 1200);
  EXPECT_EQ(event_.currency, "CNY");  // default
  EXPECT_EQ(event_.merchant_id, "m1");
  EXPECT_EQ(event_.event_time, 1795760443125);
}

TEST_F(EventParserTest, ParsesLabel) {
  ASSERT_FALSE(Parse(R"({"event_id":"l1","event_time":"2026-11-28T00:00:00Z","type":"label",
    "labelled_event_id":"t1","label":"chargeback","labelled_at":"2026-11-28T01:00:00Z"})")
                   .has_value());
  EXPECT_EQ(event_.label, LabelKind::kChargeback);
  EXPECT_EQ(event_.labelled_event_id, "t1");
  EXPECT_EQ(event_.labelled_at, *ParseRfc3339("2026-11-28T01:00:00Z"));
}

TEST_F(EventParserTest, AReusedEventKeepsNothingOfTheEventBefore) {
  const std::string kLabel = R"({"event_id":"l1","event_time":"2026-11-28T00:00:00Z",
    "type":"label","labelled_event_id":"t1","label":"fraud","labelled_at":1795760443125})";
  const std::string kTransaction = R"({"event_id":"t1","event_time":1795760443125,
    "type":"transaction","account_id":"acc_1","kind":"purchase","amount":12.5})";
  for (const std::string& json : {kLabel, kTransaction, std::string(kApplication)}) {
    for (const std::string& before : {kLabel, kTransaction, std::string(kApplication)}) {
      ASSERT_FALSE(Parse(before).has_value());
      ASSERT_FALSE(Parse(json).has_value());
      Event fresh;
      ASSERT_FALSE(parser_.Parse(json, std::nullopt, fresh).has_value());
      EXPECT_TRUE(event_ == fresh) << json << "\nparsed after\n" << before;
    }
  }
  Event cleared = event_;
  cleared.Clear();
  EXPECT_TRUE(cleared == Event{});
}

TEST_F(EventParserTest, ARepeatedKeyCountsAsItsFirstAndUnknownKeysAreIgnored) {
  // Real logs repeat keys now and then; the first one counts (as JSON parsers that keep the first
  // do), a null one too, and the rest is ignored.
  ASSERT_FALSE(Parse(R"({"event_id":"first","event_id":"second","type":"transaction",)"
                     R"("event_time":1,"account_id":"A","kind":"purchase","amount":2,)"
                     R"("amount":"not a number","currency":"USD","merchant_id":"m1",)"
                     R"("device_id":null,"device_id":"d2","note":{"nested":[1,2]},)"
                     R"("geo":{"lat":1.5,"lat":99,"lon":3,"alt":9},"ip":"1.2.3.4"})")
                   .has_value());
  EXPECT_EQ(event_.event_id, "first");
  EXPECT_DOUBLE_EQ(event_.amount, 2);
  EXPECT_EQ(event_.currency, "USD");
  EXPECT_EQ(event_.merchant_id, "m1");
  EXPECT_EQ(event_.device_id, "");
  EXPECT_EQ(event_.ip, "1.2.3.4");
  ASSERT_TRUE(event_.geo.has_value());
  EXPECT_DOUBLE_EQ(event_.geo->lat, 1.5);
  EXPECT_DOUBLE_EQ(event_.geo->lon, 3);
  // A repeated bad first value is the one judged.
  ExpectRejected(R"({"event_id":"e","type":"transaction","event_time":1,"account_id":"A",)"
                 R"("kind":"purchase","amount":"x","amount":2})",
                 ParseError::Code::kWrongType, "amount");
}

TEST_F(EventParserTest, PlaceholderIdentifiersBecomeMissing) {
  for (const char* placeholder : {"unknown", "UNKNOWN", "", "  ", "null", "N/A", "0", "-"}) {
    std::string json = std::string(R"({"event_id":"t","event_time":1,"type":"transaction",
      "account_id":"a","kind":"purchase","amount":1,"device_id":")") +
                       placeholder + R"(","ip":null})";
    ASSERT_FALSE(Parse(json).has_value()) << placeholder;
    EXPECT_TRUE(event_.device_id.empty()) << placeholder;
    EXPECT_TRUE(event_.ip.empty());
  }
}

TEST_F(EventParserTest, TypeComesFromTopicWhenAbsent) {
  ASSERT_FALSE(Parse(R"({"event_id":"t","event_time":1,"account_id":"a","kind":"purchase",
    "amount":1})",
                     EventType::kTransaction)
                   .has_value());
  EXPECT_EQ(event_.type, EventType::kTransaction);
}

TEST_F(EventParserTest, RejectsEveryBadInputWithItsReason) {
  using C = ParseError::Code;
  ExpectRejected(std::string(kMaxEventBytes + 1, ' '), C::kTooLarge, "over 64 KiB");
  ExpectRejected("{\"event_id\": ", C::kNotJson, "not valid JSON");
  ExpectRejected("[1,2]", C::kNotObject, "not a JSON object");
  ExpectRejected(R"({"event_time":1,"type":"label"})", C::kMissingField, "missing field event_id");
  ExpectRejected(R"({"event_id":"x","type":"label"})", C::kMissingField,
                 "missing field event_time");
  ExpectRejected(R"({"event_id":"x","event_time":"yesterday","type":"label"})", C::kBadTimestamp,
                 "event_time not RFC 3339");
  ExpectRejected(R"({"event_id":"x","event_time":1,"type":"refund"})", C::kUnknownType,
                 "type 'refund'");
  ExpectRejected(R"({"event_id":"x","event_time":1})", C::kMissingField, "missing field type");
  ExpectRejected(R"({"event_id":"x","event_time":1,"type":"label"})", C::kUnknownType,
                 "on a topic of transaction events", EventType::kTransaction);
  const std::string txn =
      R"({"event_id":"x","event_time":1,"type":"transaction","account_id":"a",)";
  ExpectRejected(txn + R"("kind":"withdrawal"})", C::kMissingField, "missing field amount");
  ExpectRejected(txn + R"("kind":"withdrawal","amount":-5})", C::kBadValue, "amount negative");
  ExpectRejected(txn + R"("kind":"withdrawal","amount":"12abc"})", C::kWrongType,
                 "amount: expected a number");
  ExpectRejected(txn + R"("kind":"withdrawal","amount":true})", C::kWrongType, "amount");
  ExpectRejected(txn + R"("kind":"gift","amount":5})", C::kBadValue, "kind 'gift'");
  ExpectRejected(txn + R"("kind":"purchase","amount":5,"geo":{"lat":95,"lon":0}})", C::kBadValue,
                 "geo.lat");
  ExpectRejected(txn + R"("kind":"purchase","amount":5,"geo":{"lat":1}})", C::kMissingField,
                 "geo.lon");
  ExpectRejected(txn + R"("kind":"purchase","amount":5,"device_id":{"a":1}})", C::kWrongType,
                 "device_id");
  ExpectRejected(R"({"event_id":"x","event_time":1,"type":"transaction","account_id":"unknown",
    "kind":"purchase","amount":5})",
                 C::kMissingField, "account_id");
  ExpectRejected(R"({"event_id":"x","event_time":1,"type":"application","applicant_id":"a",
    "requested_amount":-1})",
                 C::kBadValue, "requested_amount negative");
  ExpectRejected(R"({"event_id":"x","event_time":1,"type":"label","labelled_event_id":"y",
    "label":"maybe"})",
                 C::kBadValue, "label 'maybe'");
}

TEST_F(EventParserTest, ReasonCodesHaveStableNames) {
  EXPECT_EQ(ToString(ParseError::Code::kMissingField), "missing_field");
  EXPECT_EQ(ToString(ParseError::Code::kTooLarge), "too_large");
  EXPECT_EQ(ToString(ParseError::Code::kBadTimestamp), "bad_timestamp");
}

TEST(PiiHasher, RequiresAKeyFromTheEnvironment) {
  unsetenv("RISKSTREAM_TEST_PII_KEY");
  EXPECT_FALSE(PiiHasher::FromEnvironment("RISKSTREAM_TEST_PII_KEY").ok());
  setenv("RISKSTREAM_TEST_PII_KEY", "short", 1);
  EXPECT_FALSE(PiiHasher::FromEnvironment("RISKSTREAM_TEST_PII_KEY").ok());
  setenv("RISKSTREAM_TEST_PII_KEY", "a-long-enough-secret-key", 1);
  auto hasher = PiiHasher::FromEnvironment("RISKSTREAM_TEST_PII_KEY");
  ASSERT_TRUE(hasher.ok());
  // HMAC-SHA256("a-long-enough-secret-key", "abc"), first 16 bytes; checked with openssl dgst.
  EXPECT_EQ(hasher->Hash("abc"), "f70a1fc10092c0ee75b3f46fb92bb230");
  unsetenv("RISKSTREAM_TEST_PII_KEY");
}

TEST(PiiHasher, AContextHashesEachValueAloneWithTheSameKey) {
  // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
  PiiHasher hasher("Jefe");
  const std::string rfc = "5bdcc146bf60754e6a042426089575c7";
  EXPECT_EQ(hasher.Hash("what do ya want for nothing?"), rfc);
  PiiHasher::Context context = hasher.NewContext();
  // Reused: no value leaks into the next one's hash, the empty value included.
  const std::string first = context.Hash("13800138000");
  EXPECT_EQ(context.Hash("what do ya want for nothing?"), rfc);
  EXPECT_EQ(context.Hash(""), hasher.Hash(""));
  EXPECT_EQ(context.Hash("13800138000"), first);
  EXPECT_EQ(first, hasher.Hash("13800138000"));
  // A copy of the hasher shares its key; contexts of two hashers do not mix.
  PiiHasher copy = hasher;
  PiiHasher other("another-key-0123456789");
  PiiHasher::Context other_context = other.NewContext();
  EXPECT_EQ(copy.NewContext().Hash("what do ya want for nothing?"), rfc);
  EXPECT_NE(other_context.Hash("what do ya want for nothing?"), rfc);
  EXPECT_EQ(context.Hash("what do ya want for nothing?"), rfc);
}

}  // namespace
}  // namespace riskstream
