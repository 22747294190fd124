// generator/scenarios/data_defects.h
//
// The flaws real event data has and a pipeline must survive: device ids and IPs that are "unknown"
// or empty (a blocked SDK, a proxy that strips headers) and optional fields that are missing (geo,
// employer). Required fields are never removed, so a defective event is still valid, just poor.
#pragma once

#include "generator/event_record.h"
#include "generator/random_source.h"

namespace riskstream {

// Gives `draft` one or two of the flaws above.
void ApplyDataDefects(EventDraft& draft, RandomSource& rng);

}  // namespace riskstream
