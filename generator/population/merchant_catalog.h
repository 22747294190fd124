// generator/population/merchant_catalog.h
//
// MerchantCatalog is the set of merchants honest people buy from: kMerchantCount established
// merchants, each with a fixed category, a few very popular and a long tail; plus fresh merchants
// made on demand for collusion. A merchant is an index (see EntityIds); its category is a pure
// function of the index. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "generator/population/entity_ids.h"
#include "generator/random_source.h"

namespace riskstream {

struct Merchant {
  std::string merchant_id;
  std::string_view category;  // "grocery", "electronics", ... (static storage)
};

class MerchantCatalog {
 public:
  static constexpr uint64_t kMerchantCount = 20000;

  // `ids` names the merchants and hands out fresh ones; not owned, must outlive the catalog.
  MerchantCatalog(uint64_t seed, EntityIds& ids)
      : salt_(Mix64(seed ^ 0x6d65726368ULL)), ids_(ids) {}

  // An established merchant for an honest purchase; popular merchants get most purchases.
  Merchant PickForPurchase(RandomSource& rng) const;

  // An established merchant of `category` (one of the catalog's categories), by popularity.
  Merchant PickInCategory(std::string_view category, RandomSource& rng) const;

  // A merchant never seen before, in a category whose goods resell easily (electronics, jewelry,
  // digital goods, home appliances).
  Merchant NewColludingMerchant(RandomSource& rng);

  // A typical amount (CNY, cents) of one purchase in `category`; heavy-tailed.
  static double TypicalAmount(std::string_view category, RandomSource& rng);

 private:
  Merchant MerchantAt(uint64_t index) const;

  uint64_t salt_;
  EntityIds& ids_;
};

}  // namespace riskstream
