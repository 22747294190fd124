// generator/population/synthetic_identity.h
//
// Made-up personal and network identifiers that look like the real thing to a parser and to a rule
// but belong to no one: 18-character resident id numbers (with a valid check character), mobile
// numbers, device ids, IP addresses and employer names. Functions that take `bits` are pure: the
// same bits give the same value, so a person's home IP or an office's NAT address is stable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "generator/population/geo.h"
#include "generator/random_source.h"

namespace riskstream {

// An id number of someone registered in domestic `city`, born in `birth_year`: region code,
// YYYYMMDD, 3-digit sequence, ISO 7064 MOD 11-2 check character ('0'-'9' or 'X').
std::string MakeIdNumber(const City& city, int birth_year, RandomSource& rng);

// The check character for the first 17 digits of an id number.
char IdNumberCheckChar(std::string_view first17);

// An 11-digit mobile number with a real carrier prefix (always starts with '1').
std::string MakePhone(RandomSource& rng);

enum class DeviceKind {
  kAndroid,     // 16 lowercase hex digits (Android ID)
  kIos,         // uppercase UUID (identifierForVendor)
  kBrowser,     // 32 lowercase hex digits (web/H5 fingerprint)
  kPartnerSdk,  // "ptn-" and 24 hex digits, passed through by a partner platform
};
std::string MakeDeviceId(DeviceKind kind, uint64_t bits);

enum class IpKind {
  kBroadband,   // home or office line; some IPv6
  kMobile,      // carrier gateway (CGNAT), shared by many subscribers; some IPv6
  kDatacenter,  // cloud hosts and proxies
  kAbroad,      // hosting ranges outside the country (VPN exits)
};
std::string MakeIp(IpKind kind, uint64_t bits);

// "<City> <Name> <Trade> Co., Ltd."
std::string MakeEmployerName(std::string_view city, uint64_t bits);

// `digits` lowercase hex digits of `bits` (the low ones), zero-padded; digits <= 16.
std::string Hex(uint64_t bits, int digits);

}  // namespace riskstream
