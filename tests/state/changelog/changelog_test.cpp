// tests/state/changelog/changelog_test.cpp
//
// The state changelog without Kafka: what StateDb lists as pending, how it is encoded, and that
// writing the decoded records into an empty database reproduces the committed state exactly
// (window rows, deletes, input offsets), with the changelog position it reached.
#include "state/changelog/changelog.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using Family = StateDb::Family;
using Rows = std::map<std::pair<int, std::string>, std::string>;

std::unique_ptr<StateDb> OpenDb(const std::string& path) {
  auto db = StateDb::Open(path);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(*db);
}

// Every committed row of every family.
Rows CommittedRows(const StateDb& db) {
  Rows rows;
  for (Family family : {Family::kWindows, Family::kMeta, Family::kEvents}) {
    auto it = db.NewCommittedIterator(family);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      rows[{static_cast<int>(family), it->key().ToString()}] = it->value().ToString();
    }
  }
  return rows;
}

// Sends `from`'s pending changes through the changelog encoding into `to`.
void Ship(StateDb& from, StateDb& to, int64_t position) {
  std::vector<StateDb::Change> changes;
  for (const auto& record : PendingChangelog(from)) {
    auto change = DecodeChange(record.key,
                               record.value ? &*record.value : static_cast<std::string*>(nullptr));
    ASSERT_TRUE(change.ok()) << change.status().ToString();
    changes.push_back(std::move(*change));
  }
  to.SetChangelogPosition("changelog", 0, position);
  Status s = to.WriteRestored(changes);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST(StateChangelog, PendingListsNewestChangePerKeyThenInputOffsets) {
  TempDir dir;
  auto db = OpenDb(dir.Sub("db"));
  db->Put(Family::kWindows, "a", "1");
  db->Put(Family::kWindows, "a", "2");
  db->Put(Family::kEvents, "e", "x");
  db->Delete(Family::kEvents, "e");
  db->SetInputOffset("transactions", 2, 41);
  std::vector<std::tuple<Family, std::string, std::optional<std::string>>> seen;
  db->ForEachPending([&](Family family, std::string_view key, std::optional<std::string_view> v) {
    seen.emplace_back(family, std::string(key),
                      v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
  });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0],
            std::make_tuple(Family::kWindows, std::string("a"), std::optional<std::string>("2")));
  EXPECT_EQ(seen[1],
            std::make_tuple(Family::kEvents, std::string("e"), std::optional<std::string>()));
  EXPECT_EQ(std::get<0>(seen[2]), Family::kMeta);  // the input offset row Commit() will write
}

TEST(StateChangelog, ShippedChangesReproduceTheCommittedStateOnAnEmptyDatabase) {
  TempDir dir;
  auto source = OpenDb(dir.Sub("source"));
  auto restored = OpenDb(dir.Sub("restored"));
  for (int batch = 0; batch < 3; ++batch) {
    for (int i = 0; i < 50; ++i) {
      source->Put(Family::kWindows, "k" + std::to_string(i), std::to_string(batch * 100 + i));
    }
    source->Delete(Family::kWindows, "k" + std::to_string(batch));  // a delete reaches the copy
    source->Put(Family::kEvents, "evt-" + std::to_string(batch), "payload");
    source->SetInputOffset("applications", 0, 10 * (batch + 1));
    Ship(*source, *restored, 1000 * (batch + 1));
    ASSERT_TRUE(source->Commit().ok());
  }
  Rows expected = CommittedRows(*source);
  Rows actual = CommittedRows(*restored);
  // The restored copy also records how far into the changelog it is; the source never shipped.
  auto position = restored->CommittedChangelogPosition("changelog", 0);
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, std::optional<int64_t>(3000));
  for (auto it = actual.begin(); it != actual.end();) {
    it = it->first.second.rfind("changelog/", 0) == 0 ? actual.erase(it) : std::next(it);
  }
  EXPECT_EQ(actual, expected);
  auto offset = restored->CommittedInputOffset("applications", 0);
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(*offset, std::optional<int64_t>(30));
}

TEST(StateChangelog, CommitWritesTheChangelogPositionWithTheBatch) {
  TempDir dir;
  auto db = OpenDb(dir.Sub("db"));
  db->Put(Family::kWindows, "a", "1");
  db->SetChangelogPosition("changelog", 0, 77);
  auto before = db->CommittedChangelogPosition("changelog", 0);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());
  ASSERT_TRUE(db->Commit().ok());
  EXPECT_EQ(*db->CommittedChangelogPosition("changelog", 0), std::optional<int64_t>(77));
}

TEST(StateChangelog, DiscardDropsThePendingChangelogPosition) {
  TempDir dir;
  auto db = OpenDb(dir.Sub("db"));
  db->SetChangelogPosition("changelog", 0, 77);
  db->DiscardPending();
  ASSERT_TRUE(db->Commit().ok());
  EXPECT_FALSE(db->CommittedChangelogPosition("changelog", 0)->has_value());
}

TEST(StateChangelog, WriteRestoredRefusesWhilePendingChangesExist) {
  TempDir dir;
  auto db = OpenDb(dir.Sub("db"));
  db->Put(Family::kWindows, "a", "1");
  EXPECT_FALSE(db->WriteRestored({}).ok());
}

TEST(StateChangelog, RecordKeyCarriesTheFamilyAndDeletesAreTombstones) {
  ChangelogRecord put = EncodeChange(Family::kEvents, "key", std::string_view("v"));
  EXPECT_EQ(put.key, std::string("\x02key", 4));
  EXPECT_EQ(put.value, std::optional<std::string>("v"));
  ChangelogRecord del = EncodeChange(Family::kWindows, "key", std::nullopt);
  EXPECT_FALSE(del.value.has_value());
  auto decoded = DecodeChange(del.key, nullptr);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->family, Family::kWindows);
  EXPECT_EQ(decoded->key, "key");
  EXPECT_FALSE(decoded->value.has_value());
}

TEST(StateChangelog, UnknownFamilyOrEmptyKeyIsRejected) {
  std::string value = "v";
  EXPECT_FALSE(DecodeChange(std::string("\x09key", 4), &value).ok());
  EXPECT_FALSE(DecodeChange("", &value).ok());
}

}  // namespace
}  // namespace riskstream
