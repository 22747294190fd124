#include "generator/population/geo.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "common/great_circle.h"

namespace riskstream {
namespace {

constexpr double kKmPerDegreeLat = 111.32;

// Region codes are real district codes of each city; the rest of an id number is made up.
constexpr City kCities[] = {
    {"Beijing", {39.90420, 116.40740}, 10, {"110101", "110105", "110108"}},
    {"Shanghai", {31.23040, 121.47370}, 10, {"310101", "310104", "310115"}},
    {"Guangzhou", {23.12910, 113.26440}, 8, {"440103", "440104", "440106"}},
    {"Shenzhen", {22.54310, 114.05790}, 8, {"440303", "440304", "440305"}},
    {"Chengdu", {30.57280, 104.06680}, 7, {"510104", "510105", "510107"}},
    {"Chongqing", {29.56300, 106.55160}, 6, {"500103", "500105", "500106"}},
    {"Hangzhou", {30.27410, 120.15510}, 6, {"330102", "330105", "330106"}},
    {"Wuhan", {30.59280, 114.30550}, 6, {"420102", "420103", "420106"}},
    {"Xi'an", {34.34160, 108.93980}, 5, {"610102", "610103", "610113"}},
    {"Nanjing", {32.06030, 118.79690}, 5, {"320102", "320104", "320106"}},
    {"Tianjin", {39.34340, 117.36160}, 5, {"120101", "120103", "120104"}},
    {"Zhengzhou", {34.74660, 113.62540}, 5, {"410102", "410103", "410105"}},
    {"Changsha", {28.22820, 112.93880}, 4, {"430102", "430103", "430104"}},
    {"Shenyang", {41.80570, 123.43150}, 4, {"210102", "210103", "210106"}},
    {"Harbin", {45.80380, 126.53500}, 3, {"230102", "230103", "230104"}},
    {"Kunming", {25.03890, 102.71830}, 3, {"530102", "530103", "530111"}},
    {"Xiamen", {24.47980, 118.08940}, 3, {"350203", "350205", "350206"}},
    {"Urumqi", {43.82560, 87.61680}, 2, {"650102", "650103", "650104"}},
    {"Bangkok", {13.75630, 100.50180}, 0, {}},
    {"Manila", {14.59950, 120.98420}, 0, {}},
    {"Phnom Penh", {11.55640, 104.92820}, 0, {}},
    {"Kuala Lumpur", {3.13900, 101.68690}, 0, {}},
};
constexpr size_t kCityCount = std::size(kCities);
constexpr size_t kDomesticCount = 18;
static_assert(kCities[kDomesticCount - 1].population_weight > 0 &&
              kCities[kDomesticCount].population_weight == 0);

double RoundTo5Decimals(double x) { return std::round(x * 1e5) / 1e5; }

double Radians(double degrees) { return degrees * std::numbers::pi / 180.0; }

}  // namespace

std::span<const City> Cities() { return kCities; }

size_t PickHomeCity(RandomSource& rng) {
  std::array<double, kDomesticCount> weights;
  for (size_t i = 0; i < kDomesticCount; ++i) weights[i] = kCities[i].population_weight;
  return rng.PickWeighted(weights);
}

size_t PickCityFarFrom(size_t from, double min_km, double abroad_share, RandomSource& rng) {
  if (rng.Bernoulli(abroad_share)) {
    return kDomesticCount + static_cast<size_t>(rng.UniformInt(0, kCityCount - kDomesticCount - 1));
  }
  std::array<double, kDomesticCount> weights{};
  size_t farthest = 0;
  bool any = false;
  for (size_t i = 0; i < kDomesticCount; ++i) {
    const double km = DistanceKm(kCities[from].center, kCities[i].center);
    if (km >= min_km) {
      weights[i] = kCities[i].population_weight;
      any = true;
    }
    if (km > DistanceKm(kCities[from].center, kCities[farthest].center)) farthest = i;
  }
  return any ? rng.PickWeighted(weights) : farthest;
}

double DistanceKm(GeoPoint a, GeoPoint b) { return GreatCircleKm(a.lat, a.lon, b.lat, b.lon); }

GeoPoint Near(GeoPoint center, double radius_km, RandomSource& rng) {
  const double distance_km = radius_km * std::sqrt(rng.Uniform01());
  const double bearing = 2 * std::numbers::pi * rng.Uniform01();
  const double dlat = distance_km * std::cos(bearing) / kKmPerDegreeLat;
  const double dlon =
      distance_km * std::sin(bearing) / (kKmPerDegreeLat * std::cos(Radians(center.lat)));
  return {RoundTo5Decimals(center.lat + dlat), RoundTo5Decimals(center.lon + dlon)};
}

}  // namespace riskstream
