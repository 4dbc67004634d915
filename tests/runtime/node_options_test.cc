// Node options: host:port parsing, option setters, key files, TOML files,
// and the assembled runtime options.
#include "node/runtime/node_options.h"

#include <gtest/gtest.h>

#include <fstream>

#include "node/runtime/net_address.h"
#include "node/runtime/options_file.h"
#include "tests/runtime/runtime_harness.h"

namespace parley {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

TEST(NodeOptions, ParsesHostPortForms) {
  EXPECT_EQ(*ParseHostPort("127.0.0.1:7946", "--bind"), (Address{"127.0.0.1", 7946}));
  EXPECT_EQ(*ParseHostPort("[::1]:80", "--bind"), (Address{"::1", 80}));
  EXPECT_EQ(*ParseHostPort("localhost:0", "--bind"), (Address{"localhost", 0}));
  for (const char* bad : {"x:y", "nohost", ":80", "host:", "host:65536", "::1:80", "[::1]80", "h:-1"}) {
    Result<Address> r = ParseHostPort(bad, "--bind");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), std::string("--bind: '") + bad + "' is not host:port");
  }
  EXPECT_EQ(FormatAddress(Address{"::1", 80}), "[::1]:80");
  EXPECT_EQ(FormatAddress(Address{"10.0.0.1", 80}), "10.0.0.1:80");
}

TEST(NodeOptions, SettersNameTheOptionInErrors) {
  NodeOptions o;
  EXPECT_EQ(SetOption(&o, "sync", "sometimes").message(), "--sync: 'sometimes' is not always, batch or none");
  EXPECT_EQ(SetOption(&o, "profile", "wan").message(), "--profile: 'wan' is not lan or local");
  EXPECT_FALSE(SetOption(&o, "log-level", "loud").ok());
  EXPECT_FALSE(SetOption(&o, "colour", "red").ok());
  EXPECT_EQ(SetOption(&o, "preallocate", "maybe").message(), "--preallocate: 'maybe' is not true or false");
  for (const char* bad : {"", "-1", "1s", "60001"}) {
    EXPECT_EQ(SetOption(&o, "replicated-sync-ms", bad).message(),
              std::string("--replicated-sync-ms: '") + bad + "' is not a number of ms from 0 to 60000");
  }
  ASSERT_TRUE(SetOption(&o, "replicated-sync-ms", "0").ok());
  EXPECT_EQ(o.replicated_sync_ms, 0u);
  ASSERT_TRUE(SetOption(&o, "seeds", "127.0.0.1:1, [::1]:2").ok());
  EXPECT_EQ(o.seeds, (std::vector<Address>{{"127.0.0.1", 1}, {"::1", 2}}));
  EXPECT_FALSE(SetOption(&o, "seeds", "127.0.0.1:1,bad").ok());
  EXPECT_EQ(ValidateOptions(o).message(), "--name is required (a unique name for this node)");
}

TEST(NodeOptions, KeyFilesHoldRawOrHexKeys) {
  testing::TempDir dir("keys");
  std::filesystem::create_directories(dir.path());
  std::string raw = dir.path() + "/raw.key", hex = dir.path() + "/hex.key", bad = dir.path() + "/bad.key";
  WriteFile(raw, std::string(32, '\x01'));
  WriteFile(hex, std::string(64, 'a') + "\n");
  WriteFile(bad, "too short");
  EXPECT_EQ(*ReadKeyFile(raw), std::string(32, '\x01'));
  EXPECT_EQ(*ReadKeyFile(hex), std::string(32, '\xaa'));
  EXPECT_FALSE(ReadKeyFile(bad).ok());
  EXPECT_FALSE(ReadKeyFile(dir.path() + "/missing").ok());

  NodeOptions o;
  o.name = "n1";
  o.key_files = {hex, raw};
  o.http = Address{"127.0.0.1", 9000};
  o.resp = Address{"127.0.0.1", 6379};
  o.profile = "local";
  Result<RuntimeOptions> r = MakeRuntimeOptions(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.keyring.size(), 2u);
  EXPECT_EQ(r->config.meta.at("http"), "127.0.0.1:9000");
  EXPECT_EQ(r->config.meta.at("resp"), "127.0.0.1:6379");
  EXPECT_EQ(r->config.timing.probe_interval_ms, Timing::LocalFleet().probe_interval_ms);
  EXPECT_EQ(r->data_dir, "./parley-data/n1");
  EXPECT_TRUE(r->preallocate_log);
  EXPECT_EQ(r->config.replicated_sync_ms, 1000u);
  ASSERT_TRUE(SetOption(&o, "preallocate", "false").ok());
  EXPECT_FALSE(MakeRuntimeOptions(o)->preallocate_log);
}

TEST(NodeOptions, TomlFileSetsOptionsAndReportsMistakes) {
  testing::TempDir dir("toml");
  std::filesystem::create_directories(dir.path());
  std::string good = dir.path() + "/good.toml";
  WriteFile(good,
            "name = \"n7\"\nbind = \"127.0.0.1:7000\"\nseeds = [\"127.0.0.1:7001\", \"127.0.0.1:7002\"]\n"
            "sync = \"always\"\nin_memory = true\npreallocate = false\nhttp = \"127.0.0.1:0\"\n"
            "replicated_sync_ms = 250\n");
  NodeOptions o;
  ASSERT_TRUE(LoadOptionsFile(good, &o).ok());
  EXPECT_EQ(o.name, "n7");
  EXPECT_EQ(o.bind, (Address{"127.0.0.1", 7000}));
  EXPECT_EQ(o.seeds.size(), 2u);
  EXPECT_EQ(o.sync, SyncPolicy::kAlways);
  EXPECT_EQ(o.replicated_sync_ms, 250u);
  EXPECT_TRUE(o.in_memory);
  EXPECT_FALSE(o.preallocate);
  EXPECT_EQ(o.http.port, 0);

  std::string unknown = dir.path() + "/unknown.toml";
  WriteFile(unknown, "name = \"x\"\ncolour = \"red\"\n");
  EXPECT_FALSE(LoadOptionsFile(unknown, &o).ok());
  std::string broken = dir.path() + "/broken.toml";
  WriteFile(broken, "name = \n");
  Status s = LoadOptionsFile(broken, &o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("broken.toml"), std::string::npos);
  std::string wrong = dir.path() + "/wrong.toml";
  WriteFile(wrong, "bind = \"x:y\"\n");
  EXPECT_NE(LoadOptionsFile(wrong, &o).message().find("--bind: 'x:y' is not host:port"), std::string::npos);
  EXPECT_FALSE(LoadOptionsFile(dir.path() + "/missing.toml", &o).ok());
}

}  // namespace
}  // namespace parley
