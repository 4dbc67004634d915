// Tests that a data directory can be open in only one place at a time.
#include "storage/logbook.h"

#include <gtest/gtest.h>

#include "storage/mem_env.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::TestOptions;

TEST(LogbookLock, SecondOpenOfTheSameDirectoryFailsWithAClearError) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  auto first = Logbook::Open(Env::Default(), data, TestOptions());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // flock() conflicts between two opens even inside one process.
  auto second = Logbook::Open(Env::Default(), data, TestOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(second.status().message(), "data directory " + data + " is locked by another process");

  // Released on close: the directory opens again.
  ASSERT_TRUE((*first)->Close().ok());
  auto third = Logbook::Open(Env::Default(), data, TestOptions());
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST(LogbookLock, ReleasedWhenTheLogbookIsDestroyed) {
  testing::TempDir dir;
  { ASSERT_TRUE(Logbook::Open(Env::Default(), dir.path(), TestOptions()).ok()); }
  EXPECT_TRUE(Logbook::Open(Env::Default(), dir.path(), TestOptions()).ok());
}

TEST(LogbookLock, MemEnvLocksToo) {
  MemEnv env;
  auto first = Logbook::Open(&env, "/data", TestOptions());
  ASSERT_TRUE(first.ok());
  auto second = Logbook::Open(&env, "/data", TestOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(), "data directory /data is locked by another process");
  // A crash releases every lock, like a dead process.
  env.SimulateCrash();
  EXPECT_TRUE(Logbook::Open(&env, "/data", TestOptions()).ok());
}

}  // namespace
}  // namespace parley
