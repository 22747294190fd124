// state/credit/credit_account.h
//
// CreditAccount is one credit account's state as the policy sees it: the limit granted by the
// latest approved application, what approved withdrawals and purchases have used (minus
// repayments), and whether the account is frozen. Plain data; stored by CreditStore
// (state/credit/credit_store.h).
#pragma once

#include <string>

#include "common/time.h"

namespace riskstream {

struct CreditAccount {
  double limit = 0;                     // granted, in the account's currency
  double used = 0;                      // approved withdrawals + purchases - repayments, >= 0
  bool frozen = false;                  // set once by a confirmed pattern; never cleared here
  TimestampMs approved_at = 0;          // event time of the application that granted `limit`
  double withdrawn_since_approval = 0;  // approved withdrawals since approved_at

  double available() const { return limit > used ? limit - used : 0; }
  bool operator==(const CreditAccount&) const = default;
};

}  // namespace riskstream
