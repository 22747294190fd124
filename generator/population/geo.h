// generator/population/geo.h
//
// Places for the event generator: the cities applicants live in (with the region
// codes their resident ids start with), a few cities abroad for takeovers from far away, and the
// distance between points. Coordinates are rounded to 5 decimals (about 1 m), like a phone reports.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "generator/random_source.h"
#include "operators/event/event.h"  // GeoPoint

namespace riskstream {

struct City {
  std::string_view name;
  GeoPoint center;
  double population_weight;                        // share of applicants who live there; 0 abroad
  std::array<std::string_view, 3> district_codes;  // 6-digit id prefixes; empty abroad
  bool abroad() const { return population_weight == 0; }
};

// Every city the generator knows: domestic ones first, then abroad. The list never changes.
std::span<const City> Cities();

// A domestic city drawn by population weight; returns its index in Cities().
size_t PickHomeCity(RandomSource& rng);

// A city at least `min_km` from Cities()[from] (abroad with probability `abroad_share`); returns
// its index. Falls back to the farthest domestic city when none is far enough.
size_t PickCityFarFrom(size_t from, double min_km, double abroad_share, RandomSource& rng);

// Great-circle distance in kilometres.
double DistanceKm(GeoPoint a, GeoPoint b);

// A point drawn uniformly from the disc of radius `radius_km` around `center`, rounded to 5
// decimals.
GeoPoint Near(GeoPoint center, double radius_km, RandomSource& rng);

}  // namespace riskstream
