#include "generator/population/synthetic_identity.h"

#include <gtest/gtest.h>

#include <cctype>
#include <sstream>
#include <string>
#include <vector>

namespace riskstream {
namespace {

// True if `text` is exactly `count` groups split by `separator`, each 1 to `max_size` characters
// for which `allowed` holds.
bool IsGroups(const std::string& text, char separator, int count, size_t max_size,
              int (*allowed)(int)) {
  std::istringstream parts(text + separator);
  std::string part;
  int groups = 0;
  while (std::getline(parts, part, separator)) {
    if (part.empty() || part.size() > max_size) return false;
    for (char c : part) {
      if (!allowed(static_cast<unsigned char>(c))) return false;
    }
    ++groups;
  }
  return groups == count;
}

bool IsIpv4(const std::string& ip) {
  if (!IsGroups(ip, '.', 4, 3, isdigit)) return false;
  std::istringstream parts(ip);
  std::string part;
  while (std::getline(parts, part, '.')) {
    if (std::stoi(part) > 255) return false;
  }
  return true;
}

bool IsFullIpv6(const std::string& ip) { return IsGroups(ip, ':', 8, 4, isxdigit); }

TEST(SyntheticIdentity, CheckCharMatchesThePublishedExample) {
  EXPECT_EQ(IdNumberCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(IdNumberCheckChar("44030419900101123"), '3');
}

TEST(SyntheticIdentity, IdNumbersHaveRegionBirthDateAndCheckChar) {
  RandomSource rng(3);
  const City& city = Cities()[0];
  for (int i = 0; i < 1000; ++i) {
    const std::string id = MakeIdNumber(city, 1990, rng);
    ASSERT_EQ(id.size(), 18u);
    EXPECT_EQ(id.substr(0, 3), "110") << id;  // Beijing
    EXPECT_EQ(id.substr(6, 4), "1990") << id;
    const int month = std::stoi(id.substr(10, 2));
    const int day = std::stoi(id.substr(12, 2));
    EXPECT_TRUE(month >= 1 && month <= 12 && day >= 1 && day <= 31) << id;
    EXPECT_EQ(id[17], IdNumberCheckChar(id)) << id;
  }
}

TEST(SyntheticIdentity, PhonesHaveElevenDigitsStartingWithOne) {
  RandomSource rng(4);
  for (int i = 0; i < 1000; ++i) {
    const std::string phone = MakePhone(rng);
    ASSERT_EQ(phone.size(), 11u);
    EXPECT_EQ(phone[0], '1');
    for (char c : phone) EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(c))) << phone;
  }
}

TEST(SyntheticIdentity, IpsAreWellFormedAndStableForTheSameBits) {
  RandomSource rng(5);
  int ipv6 = 0;
  for (IpKind kind : {IpKind::kBroadband, IpKind::kMobile, IpKind::kDatacenter, IpKind::kAbroad}) {
    for (int i = 0; i < 500; ++i) {
      const uint64_t bits = rng.NextU64();
      const std::string ip = MakeIp(kind, bits);
      EXPECT_TRUE(IsIpv4(ip) || IsFullIpv6(ip)) << ip;
      EXPECT_EQ(ip, MakeIp(kind, bits));
      ipv6 += IsFullIpv6(ip);
    }
  }
  EXPECT_GT(ipv6, 0) << "real traffic has some IPv6";
}

TEST(SyntheticIdentity, DeviceIdsHaveTheFormOfTheirKind) {
  EXPECT_EQ(MakeDeviceId(DeviceKind::kAndroid, 0x1234).size(), 16u);
  const std::string uuid = MakeDeviceId(DeviceKind::kIos, 0x1234);
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[8], '-');
  EXPECT_EQ(uuid[14], '4');
  EXPECT_EQ(MakeDeviceId(DeviceKind::kBrowser, 0x1234).size(), 32u);
  EXPECT_EQ(MakeDeviceId(DeviceKind::kPartnerSdk, 0x1234).rfind("ptn-", 0), 0u);
  EXPECT_NE(MakeDeviceId(DeviceKind::kAndroid, 1), MakeDeviceId(DeviceKind::kAndroid, 2));
}

}  // namespace
}  // namespace riskstream
