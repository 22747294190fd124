#include "common/byte_size.h"

#include <gtest/gtest.h>

namespace riskstream {
namespace {

TEST(ByteSize, ReadsBytesAndBinaryUnits) {
  EXPECT_EQ(ParseByteSize("67108864"), size_t{67108864});
  EXPECT_EQ(ParseByteSize("0"), size_t{0});
  EXPECT_EQ(ParseByteSize("64KiB"), size_t{64} << 10);
  EXPECT_EQ(ParseByteSize("512MiB"), size_t{512} << 20);
  EXPECT_EQ(ParseByteSize("12GiB"), size_t{12} << 30);
}

TEST(ByteSize, RefusesWhatIsNotASize) {
  for (const char* bad :
       {"", "GiB", "12 GiB", "12GB", "12gib", "-1", "1.5GiB", "12GiBs", "9999999999999", "0x10"}) {
    EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
    EXPECT_EQ(ByteSizeError(bad),
              "'" + std::string(bad) + "' is not a byte size (e.g. 67108864, 64MiB, 12GiB)");
  }
  EXPECT_EQ(ByteSizeError("12GiB"), "");
}

}  // namespace
}  // namespace riskstream
