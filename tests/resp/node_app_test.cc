// The end-to-end check: a Node.js app using the `redis` and
// `express` npm packages writes through one parley node and reads from
// another (tests/resp/node_app). Skipped without node/npm, or when the
// packages are neither installed nor installable.
#if __has_include("node/runtime/node_runtime.h")

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/resp/test_node.h"

namespace parley::resp {
namespace {

std::string AppDir() { return std::filesystem::path(__FILE__).parent_path() / "node_app"; }

int RunShell(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) output->append(chunk, n);
  int rc = pclose(pipe);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(NodeAppTest, ExpressAppWritesOnOneNodeAndReadsFromAnother) {
  std::string probe;
  if (RunShell("command -v node && command -v npm", &probe) != 0) {
    GTEST_SKIP() << "node/npm not installed; the app is in " << AppDir();
  }
  std::string dir = AppDir();
  if (!std::filesystem::exists(dir + "/node_modules/redis")) {
    std::string install;
    int rc = RunShell("cd '" + dir + "' && timeout 120 npm ci --no-audit --no-fund --prefer-offline --loglevel=error",
                      &install);
    if (rc != 0) GTEST_SKIP() << "npm ci failed (offline?): " << install;
  }
  TestNode a("a");
  TestNode b("b", {a.gossip()});
  std::string output;
  int rc = RunShell("timeout 60 '" + dir + "/run.sh' " + std::to_string(a.resp_port()) + " " +
                        std::to_string(b.resp_port()),
                    &output);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("node app check: ok"), std::string::npos) << output;
}

}  // namespace
}  // namespace parley::resp

#endif  // the runtime exists
