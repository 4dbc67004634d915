// Real Redis tools against a parley node: redis-cli (plain, RESP3, pipe
// mode) and redis-benchmark (plain and pipelined). Skipped when the tools
// are not installed (Debian: redis-tools).
#if __has_include("node/runtime/node_runtime.h")

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/resp/test_node.h"

namespace parley::resp {
namespace {

bool HaveTool(const char* path) { return access(path, X_OK) == 0; }

// Runs a shell command; returns its stdout and sets *status to its exit code.
std::string Shell(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "(popen failed)";
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) out.append(chunk, n);
  int rc = pclose(pipe);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

class RedisToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("/usr/bin/redis-cli") || !HaveTool("/usr/bin/redis-benchmark")) {
      GTEST_SKIP() << "redis-cli/redis-benchmark not installed (apt-get install redis-tools)";
    }
    node_ = std::make_unique<TestNode>("tools");
    cli_ = "/usr/bin/redis-cli -p " + std::to_string(node_->resp_port());
  }
  std::unique_ptr<TestNode> node_;
  std::string cli_;
};

TEST_F(RedisToolsTest, RedisCliCommands) {
  EXPECT_EQ(Shell(cli_ + " PING"), "PONG\n");
  EXPECT_EQ(Shell(cli_ + " SET greeting hello"), "OK\n");
  EXPECT_EQ(Shell(cli_ + " GET greeting"), "hello\n");
  EXPECT_EQ(Shell(cli_ + " INCRBY visits 5"), "5\n");
  EXPECT_EQ(Shell(cli_ + " SADD tags a b"), "2\n");
  EXPECT_EQ(Shell(cli_ + " HSET user name ann"), "1\n");
  EXPECT_EQ(Shell(cli_ + " --no-raw HGETALL user"), "1) \"name\"\n2) \"ann\"\n");
  EXPECT_EQ(Shell(cli_ + " --no-raw LPUSH l x"),
            "(error) ERR unknown command 'LPUSH', with args beginning with: 'l' 'x' \n");
  EXPECT_EQ(Shell(cli_ + " --scan --pattern 'g*'"), "greeting\n");
  EXPECT_EQ(Shell(cli_ + " DBSIZE"), "4\n");
}

// redis-cli reads the commands from stdin and runs them on one connection.
TEST_F(RedisToolsTest, RedisCliTransaction) {
  EXPECT_EQ(Shell("printf 'MULTI\\nINCR t\\nINCRBY t 9\\nEXEC\\n' | " + cli_), "OK\nQUEUED\nQUEUED\n1\n10\n");
  EXPECT_EQ(Shell("printf 'MULTI\\nINCR t\\nNOSUCH\\nEXEC\\n' | " + cli_ + " --no-raw"),
            "OK\nQUEUED\n(error) ERR unknown command 'NOSUCH', with args beginning with: \n"
            "(error) EXECABORT Transaction discarded because of previous errors.\n");
  EXPECT_EQ(Shell(cli_ + " GET t"), "10\n");
}

TEST_F(RedisToolsTest, RedisCliResp3) {
  EXPECT_EQ(Shell(cli_ + " -3 --no-raw HSET h f v"), "(integer) 1\n");
  EXPECT_EQ(Shell(cli_ + " -3 --no-raw HGETALL h"), "1# \"f\" => \"v\"\n");
  EXPECT_EQ(Shell(cli_ + " -3 --no-raw GET missing"), "(nil)\n");
}

TEST_F(RedisToolsTest, RedisCliPipeMode) {
  std::string commands;
  for (int i = 0; i < 1000; ++i) commands += "SET key:" + std::to_string(i) + " " + std::to_string(i) + "\r\n";
  std::string file = ::testing::TempDir() + "/parley_resp_pipe.txt";
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fwrite(commands.data(), 1, commands.size(), f);
  fclose(f);
  std::string out = Shell(cli_ + " --pipe < " + file);
  EXPECT_NE(out.find("errors: 0, replies: 1000"), std::string::npos) << out;
  EXPECT_EQ(Shell(cli_ + " GET key:999"), "999\n");
}

TEST_F(RedisToolsTest, RedisBenchmarkCompletes) {
  std::string bench = "/usr/bin/redis-benchmark -p " + std::to_string(node_->resp_port()) +
                      " -t set,get,incr -n 20000 -q";
  for (const std::string& extra : {std::string(), std::string(" -P 16")}) {
    int status = -1;
    std::string out = Shell(bench + extra, &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out.find("ERR"), std::string::npos) << out;
    EXPECT_EQ(out.find("rror"), std::string::npos) << out;
    for (const char* test : {"SET:", "GET:", "INCR:"}) EXPECT_NE(out.find(test), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace parley::resp

#endif  // the runtime exists
