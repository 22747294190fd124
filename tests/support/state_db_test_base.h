// tests/support/state_db_test_base.h
//
// StateDbTestBase is a GoogleTest fixture owning a StateDb in a fresh temporary directory. Reopen()
// closes and opens it again (with the given options), as a restart would: only committed state
// survives.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "state/db/state_db.h"
#include "tests/support/temp_dir.h"

namespace riskstream {

class StateDbTestBase : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen(const StateDbOptions& options = {}) {
    db_.reset();
    auto db = StateDb::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  TempDir dir_;
  std::unique_ptr<StateDb> db_;
};

}  // namespace riskstream
