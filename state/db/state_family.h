// state/db/state_family.h
//
// The column families of riskstream's state database, one per kind of store. The numbers are
// persisted (changelog records carry them): never renumber.
#pragma once

namespace riskstream {

enum class StateFamily { kWindows = 0, kMeta = 1, kEvents = 2, kCredit = 3 };

}  // namespace riskstream
