#include "generator/population/synthetic_identity.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <cstdio>

namespace riskstream {
namespace {

template <typename T, size_t N>
const T& PickByBits(const T (&items)[N], uint64_t bits) {
  return items[bits % N];
}

std::string Octet(uint64_t bits) { return std::to_string(bits & 0xff); }

std::string HostOctet(uint64_t bits) { return std::to_string(1 + bits % 254); }

// A full (8-group) IPv6 address under `prefix` (one or more groups), the rest from `bits`.
std::string Ipv6(std::string_view prefix, uint64_t bits) {
  const int prefix_groups = 1 + static_cast<int>(std::count(prefix.begin(), prefix.end(), ':'));
  const uint64_t more = Mix64(bits);
  std::string out(prefix);
  for (int group = 0; group < 8 - prefix_groups; ++group) {
    const uint64_t source = group < 4 ? bits >> (16 * group) : more >> (16 * (group - 4));
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, ":%x", static_cast<unsigned>(source & 0xffff));
    out += buffer;
  }
  return out;
}

}  // namespace

std::string Hex(uint64_t bits, int digits) {
  assert(digits > 0 && digits <= 16);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, bits >>= 4)
    out[static_cast<size_t>(i)] = kDigits[bits & 15];
  return out;
}

char IdNumberCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kChecks[] = "10X98765432";
  assert(first17.size() >= 17);
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kChecks[sum % 11];
}

std::string MakeIdNumber(const City& city, int birth_year, RandomSource& rng) {
  static constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  assert(!city.abroad());
  const std::string_view region = rng.Pick(std::span<const std::string_view>(city.district_codes));
  const int month = static_cast<int>(rng.UniformInt(1, 12));
  const int day = static_cast<int>(rng.UniformInt(1, kDaysInMonth[month - 1]));
  const int sequence = static_cast<int>(rng.UniformInt(1, 999));
  char body[18];
  std::snprintf(body, sizeof body, "%.6s%04d%02d%02d%03d", region.data(), birth_year, month, day,
                sequence);
  std::string id(body, 17);
  id += IdNumberCheckChar(id);
  return id;
}

std::string MakePhone(RandomSource& rng) {
  static constexpr std::string_view kPrefixes[] = {
      "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150",
      "151", "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177",
      "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"};
  std::string phone(rng.Pick(std::span<const std::string_view>(kPrefixes)));
  char digits[9];
  std::snprintf(digits, sizeof digits, "%08lld",
                static_cast<long long>(rng.UniformInt(0, 99999999)));
  return phone + digits;
}

std::string MakeDeviceId(DeviceKind kind, uint64_t bits) {
  switch (kind) {
    case DeviceKind::kAndroid:
      return Hex(bits, 16);
    case DeviceKind::kIos: {
      const uint64_t low = Mix64(bits);
      std::string uuid = Hex(bits >> 32, 8) + "-" + Hex(bits >> 16, 4) + "-4" + Hex(bits, 3) + "-" +
                         Hex(8 | (low >> 62), 1) + Hex(low >> 48, 3) + "-" + Hex(low, 12);
      for (char& c : uuid) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return uuid;
    }
    case DeviceKind::kBrowser:
      return Hex(bits, 16) + Hex(Mix64(bits), 16);
    case DeviceKind::kPartnerSdk:
      return "ptn-" + Hex(bits, 16) + Hex(Mix64(bits), 8);
  }
  return Hex(bits, 16);
}

std::string MakeIp(IpKind kind, uint64_t bits) {
  // First octets (or /16s) of address space typical for each kind of line.
  static constexpr int kBroadband[] = {27,  36,  42,  58,  59,  60,  61,  101, 106, 110, 111,
                                       113, 114, 115, 116, 118, 121, 122, 123, 124, 125, 171,
                                       175, 180, 182, 183, 202, 218, 219, 220, 221, 222};
  static constexpr std::string_view kMobile[] = {"223.104.", "117.136.", "112.97.",
                                                 "39.144.",  "120.229.", "111.55."};
  static constexpr int kDatacenter[] = {8, 39, 47, 101, 106, 119, 121, 139, 150};
  static constexpr int kAbroad[] = {45, 103, 104, 154, 156, 185};
  const uint64_t pick = Mix64(bits ^ 0x1f);
  switch (kind) {
    case IpKind::kBroadband:
      if (pick % 10 == 0) return Ipv6("240e", bits);
      return std::to_string(PickByBits(kBroadband, pick)) + "." + Octet(bits >> 8) + "." +
             Octet(bits >> 16) + "." + HostOctet(bits >> 24);
    case IpKind::kMobile:
      if (pick % 4 == 0) return Ipv6("2409:8a", bits);
      return std::string(PickByBits(kMobile, pick)) + Octet(bits >> 8) + "." +
             HostOctet(bits >> 16);
    case IpKind::kDatacenter:
      return std::to_string(PickByBits(kDatacenter, pick)) + "." + Octet(bits >> 8) + "." +
             Octet(bits >> 16) + "." + HostOctet(bits >> 24);
    case IpKind::kAbroad:
      return std::to_string(PickByBits(kAbroad, pick)) + "." + Octet(bits >> 8) + "." +
             Octet(bits >> 16) + "." + HostOctet(bits >> 24);
  }
  return "0.0.0.0";
}

std::string MakeEmployerName(std::string_view city, uint64_t bits) {
  static constexpr std::string_view kNames[] = {
      "Huaxin", "Tianyu",    "Zhongda", "Hengtai",  "Xinghe", "Jinlong",    "Ruifeng",  "Boyuan",
      "Kaida",  "Yongsheng", "Minghui", "Dongfang", "Haoyun", "Lianchuang", "Shengshi", "Anda"};
  static constexpr std::string_view kTrades[] = {
      "Technology", "Logistics", "Trading", "Manufacturing", "Construction",      "Catering",
      "Education",  "Medical",   "Retail",  "Electronics",   "Property Services", "Textile",
      "Auto Parts", "Software",  "Food",    "Pharmaceutical"};
  const uint64_t mixed = Mix64(bits);
  return std::string(city) + " " + std::string(PickByBits(kNames, mixed)) + " " +
         std::string(PickByBits(kTrades, mixed >> 16)) + " Co., Ltd.";
}

}  // namespace riskstream
