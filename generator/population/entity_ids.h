// generator/population/entity_ids.h
//
// EntityIds names the generator's entities. A person (applicant with one credit account), a
// merchant or an event is an index; its id is a keyed bijection of the index printed as 16 hex
// digits after a prefix ("apl_", "acc_", "mch_", "evt_"). So ids are unique without bookkeeping and
// say nothing about how the entity was made: a fraudster's id looks like anyone else's.
// Established people and merchants use the low indices [0, kFreshIndexBase); fresh ones are handed
// out upwards from kFreshIndexBase. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace riskstream {

class EntityIds {
 public:
  static constexpr uint64_t kFreshIndexBase = uint64_t{1} << 40;

  explicit EntityIds(uint64_t seed);

  std::string ApplicantId(uint64_t person) const;
  std::string AccountId(uint64_t person) const;
  std::string MerchantId(uint64_t merchant) const;
  std::string EventId(uint64_t serial) const;

  // A person or merchant index never handed out before and never below kFreshIndexBase.
  uint64_t NewPersonIndex() { return next_person_++; }
  uint64_t NewMerchantIndex() { return next_merchant_++; }

  // Serials for the events of the stream, and (apart, so that turning labels off does not change
  // the other events' ids) for label events.
  uint64_t NewEventSerial() { return next_event_++; }
  uint64_t NewLabelSerial() { return next_label_++; }

 private:
  std::string Format(const char* prefix, uint64_t salt, uint64_t index) const;

  uint64_t salt_;
  uint64_t next_person_ = kFreshIndexBase;
  uint64_t next_merchant_ = kFreshIndexBase;
  uint64_t next_event_ = 0;
  uint64_t next_label_ = uint64_t{1} << 63;
};

}  // namespace riskstream
