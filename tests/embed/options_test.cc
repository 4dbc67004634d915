// libparley: bad options are refused with messages naming the option.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "node/embed/options_conversion.h"
#include "tests/embed/embed_test_util.h"

namespace parley::embed {
namespace {

using testing::LocalOptions;

std::string OpenError(const Options& options) {
  Result<std::unique_ptr<Node>> node = Node::Open(options);
  EXPECT_FALSE(node.ok());
  return node.ok() ? "" : node.status().ToString();
}

TEST(EmbedOptions, NameIsRequired) {
  Options o = LocalOptions("");
  EXPECT_EQ(OpenError(o), "invalid argument: Options.name is required: a name unique in the cluster");
}

TEST(EmbedOptions, StorageMustBeChosen) {
  Options o = LocalOptions("n");
  o.in_memory = false;
  EXPECT_NE(OpenError(o).find("Options.data_dir is empty"), std::string::npos);
  o.in_memory = true;
  o.data_dir = "/tmp/x";
  EXPECT_NE(OpenError(o).find("both set"), std::string::npos);
}

TEST(EmbedOptions, AddressesAreParsed) {
  Options o = LocalOptions("n");
  o.bind = "localhost";
  EXPECT_NE(OpenError(o).find("Options.bind"), std::string::npos);
  o = LocalOptions("n");
  o.seeds = {"127.0.0.1:7946", "nope"};
  EXPECT_NE(OpenError(o).find("Options.seeds"), std::string::npos);
  o = LocalOptions("n");
  o.advertise = "1.2.3.4:x";
  EXPECT_NE(OpenError(o).find("Options.advertise"), std::string::npos);
}

TEST(EmbedOptions, ClusterKeyAndLogLevel) {
  Options o = LocalOptions("n");
  o.cluster_key = "short";
  EXPECT_NE(OpenError(o).find("32 raw bytes or 64 hex"), std::string::npos);
  o.cluster_key = std::string(64, 'g');
  EXPECT_NE(OpenError(o).find("non-hex"), std::string::npos);
  o = LocalOptions("n");
  o.log_level = "loud";
  EXPECT_NE(OpenError(o).find("Options.log_level: 'loud'"), std::string::npos);
}

TEST(EmbedOptions, PortInUseIsAnIoError) {
  std::unique_ptr<Node> first = testing::OpenOrDie(LocalOptions("a"));
  ASSERT_NE(first, nullptr);
  Options o = LocalOptions("b");
  o.bind = first->gossip_address();
  Result<std::unique_ptr<Node>> second = Node::Open(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kIoError) << second.status().ToString();
}

TEST(EmbedOptions, HexClusterKeyAndDataDirectory) {
  std::string dir = ::testing::TempDir() + "/embed_options_" + std::to_string(::getpid());
  Options o = LocalOptions("durable");
  o.in_memory = false;
  o.data_dir = dir;
  o.cluster_key = std::string(64, 'a');
  o.sync = SyncPolicy::kAlways;
  {
    std::unique_ptr<Node> node = testing::OpenOrDie(o);
    ASSERT_NE(node, nullptr);
    ASSERT_TRUE(node->Set("kept", "yes").ok());
    // A second node on the same directory is refused while the first runs.
    Options again = o;
    again.name = "other";
    Result<std::unique_ptr<Node>> locked = Node::Open(again);
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.status().code(), Status::Code::kUnavailable) << locked.status().ToString();
  }
  std::unique_ptr<Node> reopened = testing::OpenOrDie(o);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->Get("kept").value(), "yes");
  reopened.reset();
  std::filesystem::remove_all(dir);
}

// Edge devices on SD cards turn preallocation off: the log then holds only
// its records, with no zeros written ahead of them.
TEST(EmbedOptions, LogPreallocationCanBeTurnedOff) {
  std::string dir = ::testing::TempDir() + "/embed_prealloc_" + std::to_string(::getpid());
  Options o = LocalOptions("flash");
  o.in_memory = false;
  o.data_dir = dir;
  o.sync = SyncPolicy::kAlways;
  o.preallocate_log = false;
  std::unique_ptr<Node> node = testing::OpenOrDie(o);
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(node->Set("reading", "21.5").ok());
  uint64_t log_bytes = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (file.path().extension() == ".log") log_bytes += file.file_size();
  }
  EXPECT_GT(log_bytes, 0u);
  EXPECT_LT(log_bytes, 4096u) << "zeros were written ahead of the records";
  node.reset();
  std::filesystem::remove_all(dir);
}

TEST(EmbedOptions, ReplicatedSyncDelayReachesTheCore) {
  Options o = LocalOptions("lazy");
  EXPECT_EQ(ToRuntimeOptions(o)->config.replicated_sync_ms, 1000u);
  o.replicated_sync_ms = 0;
  EXPECT_EQ(ToRuntimeOptions(o)->config.replicated_sync_ms, 0u);
}

}  // namespace
}  // namespace parley::embed
