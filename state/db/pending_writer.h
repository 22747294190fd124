// state/db/pending_writer.h
//
// A PendingWriter is a store that keeps some of its uncommitted changes itself, outside StateDb's
// pending batch, where they are cheaper to add and to read (EventIndex keeps new entries in a hash
// map). StateDb asks it for them as rows whenever it writes or lists the pending batch, and tells
// it when they reached the database or the pending batch (Written) or were dropped (Dropped).
// Invariant: the store's reads see its own changes first, then StateDb's; after Written() its
// rows alone say the same.
#pragma once

#include <cstddef>

#include "state/cache/row_cache.h"

namespace riskstream {

class PendingWriter {
 public:
  virtual ~PendingWriter() = default;
  // Writes its changes as rows into `out`. May run more than once (a failed commit).
  virtual void Stage(RowWriter& out) const = 0;
  // The staged rows were written (to the database or the pending batch): forget the changes.
  virtual void Written() = 0;
  // The changes are dropped (the input will be read again from the committed offsets).
  virtual void Dropped() = 0;
  // Memory held by the changes, roughly; 0 when there are none.
  virtual size_t Bytes() const = 0;
};

}  // namespace riskstream
