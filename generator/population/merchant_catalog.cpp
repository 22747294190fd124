#include "generator/population/merchant_catalog.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "generator/event_record.h"

namespace riskstream {
namespace {

struct Category {
  std::string_view name;
  double merchant_share;  // of established merchants
  double median_cny;
  double sigma;
};

constexpr Category kCategories[] = {
    {"grocery", 0.18, 85, 0.7},        {"restaurant", 0.18, 65, 0.6},
    {"apparel", 0.10, 280, 0.7},       {"electronics", 0.07, 2200, 0.7},
    {"digital_goods", 0.08, 60, 0.9},  {"mobile_topup", 0.05, 60, 0.6},
    {"beauty", 0.06, 220, 0.7},        {"home_appliance", 0.05, 1800, 0.7},
    {"furniture", 0.03, 2600, 0.7},    {"travel", 0.05, 1200, 0.8},
    {"education", 0.03, 2800, 0.8},    {"healthcare", 0.05, 350, 0.9},
    {"entertainment", 0.05, 120, 0.7}, {"jewelry", 0.02, 3200, 0.8},
};

constexpr std::string_view kResellableCategories[] = {"electronics", "jewelry", "digital_goods",
                                                      "home_appliance"};

const Category& CategoryNamed(std::string_view name) {
  for (const Category& category : kCategories) {
    if (category.name == name) return category;
  }
  return kCategories[0];
}

}  // namespace

Merchant MerchantCatalog::MerchantAt(uint64_t index) const {
  std::array<double, std::size(kCategories)> shares;
  for (size_t i = 0; i < shares.size(); ++i) shares[i] = kCategories[i].merchant_share;
  RandomSource rng(Mix64(salt_ ^ index));
  return {ids_.MerchantId(index), kCategories[rng.PickWeighted(shares)].name};
}

Merchant MerchantCatalog::PickForPurchase(RandomSource& rng) const {
  // u^2.5 piles the draws onto the low (popular) indices.
  const double u = rng.Uniform01();
  return MerchantAt(static_cast<uint64_t>(kMerchantCount * std::pow(u, 2.5)));
}

Merchant MerchantCatalog::PickInCategory(std::string_view category, RandomSource& rng) const {
  Merchant merchant = PickForPurchase(rng);
  for (int attempt = 0; attempt < 1000 && merchant.category != category; ++attempt) {
    merchant = PickForPurchase(rng);
  }
  return merchant;
}

Merchant MerchantCatalog::NewColludingMerchant(RandomSource& rng) {
  return {ids_.MerchantId(ids_.NewMerchantIndex()),
          rng.Pick(std::span<const std::string_view>(kResellableCategories))};
}

double MerchantCatalog::TypicalAmount(std::string_view category, RandomSource& rng) {
  if (category == "mobile_topup") {
    static constexpr double kFaceValues[] = {30, 50, 100, 100, 200};
    return rng.Pick(std::span<const double>(kFaceValues));
  }
  const Category& c = CategoryNamed(category);
  return std::max(1.0, RoundCents(rng.LogNormal(c.median_cny, c.sigma)));
}

}  // namespace riskstream
