#include "state/windows/cached_entity.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace riskstream {
namespace {

// Collects staged rows.
class RecordingWriter : public RowWriter {
 public:
  void Put(StateFamily, std::string_view key, std::string_view) override { keys.emplace_back(key); }
  void Delete(StateFamily, std::string_view) override {}
  std::vector<std::string> keys;
};

TEST(CachedEntity, TakesAtLeastAWindowsMemorySoThatItsWindowsComeFromTheSameSlots) {
  // The allocator hands out equal sizes side by side: an entity and the windows made right after
  // it share a memory page. Its accounted memory is what it allocated.
  EXPECT_EQ(CachedEntity::Make("")->Bytes(), sizeof(WindowState));
  const std::string long_key(1000, 'k');
  EXPECT_EQ(CachedEntity::Make(long_key)->Bytes(), sizeof(CachedEntity) + long_key.size());
}

TEST(CachedEntity, KeepsItsKeyBesideItAtAnyLength) {
  for (size_t length : {0u, 1u, 15u, 16u, 300u, 70000u}) {
    std::string entity(length, 'k');
    if (length > 0) entity.back() = '\0';  // any byte
    std::string key = CachedEntity::Key(3, entity);
    auto windows = CachedEntity::Make(key);
    EXPECT_EQ(windows->key(), key) << length;
    EXPECT_GE(windows->Bytes(), sizeof(CachedEntity) + key.size()) << length;
  }
}

TEST(CachedEntity, FindsEveryWindowAddedBeyondThoseInTheObject) {
  std::string key = CachedEntity::Key(0, "account-1");
  auto windows = CachedEntity::Make(key);
  const size_t empty_bytes = windows->Bytes();
  std::vector<WindowState*> added;
  for (uint64_t store = 10; store < 16; ++store) {
    auto window = std::make_unique<WindowState>();
    window->present = true;
    window->TouchHead();
    added.push_back(windows->Add(store, std::move(window)));
  }
  for (uint64_t store = 10; store < 16; ++store) {
    EXPECT_EQ(windows->Find(store), added[store - 10]) << store;
  }
  EXPECT_EQ(windows->Find(9), nullptr);
  EXPECT_GT(windows->Bytes(), empty_bytes + 6 * sizeof(WindowState));

  RecordingWriter writer;
  windows->Stage(writer);
  ASSERT_EQ(writer.keys.size(), 6u);  // one head row per window, under its store's prefix
  for (uint64_t store = 10; store < 16; ++store) {
    EXPECT_EQ(writer.keys[store - 10],
              CachedEntity::WindowPrefix(key, store) + WindowState::kHeadTag);
  }
}

}  // namespace
}  // namespace riskstream
