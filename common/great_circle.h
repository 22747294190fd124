// common/great_circle.h
//
// The great-circle distance between two points given in degrees, on a sphere of the Earth's mean
// radius (haversine formula; error under 0.5% against the ellipsoid). Used by the rule language's
// distance_km() and by the event generator, so both measure travel the same way.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>

namespace riskstream {

inline constexpr double kEarthRadiusKm = 6371.0;

inline double GreatCircleKm(double lat1, double lon1, double lat2, double lon2) {
  auto radians = [](double degrees) { return degrees * std::numbers::pi / 180.0; };
  const double dlat = radians(lat2 - lat1);
  const double dlon = radians(lon2 - lon1);
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(radians(lat1)) * std::cos(radians(lat2)) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

}  // namespace riskstream
