#include "state/db/prefix_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace riskstream {
namespace {

TEST(PrefixFilter, NeverForgetsAndRarelyLies) {
  PrefixFilter filter;
  for (int i = 0; i < 200000; ++i) filter.Add("entity-" + std::to_string(i));
  for (int i = 0; i < 200000; ++i) ASSERT_TRUE(filter.MayContain("entity-" + std::to_string(i)));
  int false_positives = 0;
  for (int i = 0; i < 200000; ++i)
    false_positives += filter.MayContain("other-" + std::to_string(i));
  EXPECT_LT(false_positives, 200);  // well under 0.1 % at this fill
  EXPECT_FALSE(PrefixFilter().MayContain(""));
}

}  // namespace
}  // namespace riskstream
