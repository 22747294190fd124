#include "state/entity_windows.h"

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

TEST(EntityWindows, TakesAtLeastAWindowsMemorySoThatItsWindowsComeFromTheSameSlots) {
  // The allocator hands out equal sizes side by side: an entity and the windows made right after
  // it share a memory page. Its accounted memory is what it allocated.
  EXPECT_EQ(EntityWindows::Make("")->Bytes(), sizeof(WindowEntity));
  const std::string long_key(1000, 'k');
  EXPECT_EQ(EntityWindows::Make(long_key)->Bytes(), sizeof(EntityWindows) + long_key.size());
}

TEST(EntityWindows, KeepsItsKeyBesideItAtAnyLength) {
  for (size_t length : {0u, 1u, 15u, 16u, 300u, 70000u}) {
    std::string entity(length, 'k');
    if (length > 0) entity.back() = '\0';  // any byte
    std::string key = EntityWindows::Key(3, entity);
    auto windows = EntityWindows::Make(key);
    EXPECT_EQ(windows->key(), key) << length;
    EXPECT_GE(windows->Bytes(), sizeof(EntityWindows) + key.size()) << length;
  }
}

TEST(EntityWindows, FindsEveryWindowAddedBeyondThoseInTheObject) {
  std::string key = EntityWindows::Key(0, "account-1");
  auto windows = EntityWindows::Make(key);
  const size_t empty_bytes = windows->Bytes();
  std::vector<WindowEntity*> added;
  for (uint64_t store = 10; store < 16; ++store) {
    auto window = std::make_unique<WindowEntity>();
    window->present = true;
    window->TouchHead();
    added.push_back(windows->Add(store, std::move(window)));
  }
  for (uint64_t store = 10; store < 16; ++store) {
    EXPECT_EQ(windows->Find(store), added[store - 10]) << store;
  }
  EXPECT_EQ(windows->Find(9), nullptr);
  EXPECT_GT(windows->Bytes(), empty_bytes + 6 * sizeof(WindowEntity));

  RecordingWriter writer;
  windows->Stage(writer);
  ASSERT_EQ(writer.keys.size(), 6u);  // one head row per window, under its store's prefix
  for (uint64_t store = 10; store < 16; ++store) {
    EXPECT_EQ(writer.keys[store - 10],
              EntityWindows::WindowPrefix(key, store) + WindowEntity::kHeadTag);
  }
}

}  // namespace
}  // namespace riskstream
