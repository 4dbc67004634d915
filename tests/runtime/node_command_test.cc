// `parley node` as a real process: bad configuration exits with code 2 and a
// clear message; a good one prints the ready line and stops on SIGTERM.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#ifdef PARLEY_BINARY

namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

Outcome RunParley(const std::string& args) {
  std::string command = std::string(PARLEY_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  Outcome o;
  char buf[512];
  while (pipe != nullptr && fgets(buf, sizeof buf, pipe) != nullptr) o.output += buf;
  int status = pipe != nullptr ? pclose(pipe) : -1;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

TEST(NodeCommand, BadConfigurationExitsWithCode2) {
  Outcome o = RunParley("node --name n1 --bind x:y --in-memory");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("--bind: 'x:y' is not host:port"), std::string::npos) << o.output;
  o = RunParley("node --in-memory");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("--name is required"), std::string::npos) << o.output;
  o = RunParley("node --name n1 --sync sometimes --in-memory");
  EXPECT_EQ(o.exit_code, 2);
  o = RunParley("node --name n1 --config /nonexistent/parley.toml");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("/nonexistent/parley.toml"), std::string::npos) << o.output;
}

TEST(NodeCommand, PrintsReadyLineAndLeavesOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    execl(PARLEY_BINARY, "parley", "node", "--name", "solo", "--bind", "127.0.0.1:0", "--http", "127.0.0.1:0",
          "--in-memory", "--profile", "local", "--log-level", "warn", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  EXPECT_EQ(line.rfind("parley node solo ready: gossip=127.0.0.1:", 0), 0u) << line;
  EXPECT_NE(line.find(" http=off resp=off data=memory"), std::string::npos) << line;
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out[0]);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace

#endif  // PARLEY_BINARY
