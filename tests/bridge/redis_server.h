// RedisServer: a real redis-server child process for the bridge tests.
//
// Started on a free loopback port with no persistence; killed (SIGKILL) by
// the destructor, so a failing test never leaves one behind. Kill() and
// Start() again on the same port simulate Redis crashing and coming back
// empty.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace parley::testing {

inline uint16_t FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
 public:
  RedisServer() : port_(FreeLoopbackPort()) {}
  ~RedisServer() { Kill(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server and waits until it answers PING. False if it did not.
  bool Start() {
    std::string port = std::to_string(port_);
    std::vector<std::string> args = {"/usr/bin/redis-server", "--port", port, "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no", "--daemonize", "no",
                                     "--loglevel", "warning", "--logfile", ""};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Its start-up banner and warnings would drown the test output.
    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid_, argv[0], &quiet, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&quiet);
    if (rc != 0) {
      pid_ = -1;
      return false;
    }
    for (int i = 0; i < 200; ++i) {
      if (Ping()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // A blocking client, as a legacy app or an inspecting test uses it.
  redisContext* Client() {
    if (client_ == nullptr || client_->err != 0) {
      if (client_ != nullptr) redisFree(client_);
      client_ = redisConnect("127.0.0.1", port_);
    }
    return client_;
  }
  // Runs a command; returns its reply as text ("" for nil/absent, integers as
  // decimal, arrays joined by ',' after sorting).
  std::string Run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) argv.push_back(a.data()), lens.push_back(a.size());
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(Client(), static_cast<int>(args.size()), argv.data(), lens.data()));
    if (reply == nullptr) {
      redisFree(client_);
      client_ = nullptr;
      return "<no reply>";
    }
    std::string out = Text(reply);
    freeReplyObject(reply);
    return out;
  }

 private:
  static std::string Text(const redisReply* r) {
    switch (r->type) {
      case REDIS_REPLY_STRING:
      case REDIS_REPLY_STATUS:
        return std::string(r->str, r->len);
      case REDIS_REPLY_ERROR:
        return "ERR:" + std::string(r->str, r->len);
      case REDIS_REPLY_INTEGER:
        return std::to_string(r->integer);
      case REDIS_REPLY_ARRAY: {
        std::vector<std::string> items;
        for (size_t i = 0; i < r->elements; ++i) items.push_back(Text(r->element[i]));
        std::sort(items.begin(), items.end());
        std::string out;
        for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
        return out;
      }
      default:
        return "";
    }
  }

  bool Ping() {
    timeval tv{0, 200000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    bool ok = false;
    if (c != nullptr && c->err == 0) {
      auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
      ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
      if (reply != nullptr) freeReplyObject(reply);
    }
    if (c != nullptr) redisFree(c);
    return ok;
  }

  uint16_t port_;
  pid_t pid_ = -1;
  redisContext* client_ = nullptr;

 public:
  // Frees the client with the server (declared last so the destructor
  // order is obvious: the server dies, then the client goes).
  struct ClientGuard {
    RedisServer* s;
    ~ClientGuard() {
      if (s->client_ != nullptr) redisFree(s->client_);
    }
  } client_guard_{this};
};

}  // namespace parley::testing
