// RespClient: a minimal blocking RESP client over a TCP socket, for tests.
// Sends raw bytes or commands and reads whole replies (5 s timeout).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "tests/resp/reply_reader.h"

namespace parley::resp {

class RespClient {
 public:
  explicit RespClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RespClient() {
    if (fd_ >= 0) close(fd_);
  }
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;

  bool connected() const { return connected_; }

  // Closes with a reset (SO_LINGER 0), as a client that crashes does.
  void Reset() {
    linger hard{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close(fd_);
    fd_ = -1;
  }

  void SendRaw(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }
  void Send(const std::vector<std::string>& args) { SendRaw(EncodeCommand(args)); }

  // The next reply as text; "(timeout)" or "(closed)" if none comes.
  std::string Read() {
    Reply reply;
    if (!ReadReply(&reply)) return closed_ ? "(closed)" : "(timeout)";
    return reply.ToString();
  }
  bool ReadReply(Reply* reply) {
    while (true) {
      std::optional<size_t> used = ParseReply(buffer_, reply);
      if (used && *used > 0) {
        buffer_.erase(0, *used);
        return true;
      }
      if (!used) return false;
      *reply = Reply{};
      char chunk[65536];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) closed_ = true;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  std::string Command(const std::vector<std::string>& args) {
    Send(args);
    return Read();
  }
  // True once the server has closed the connection (after any replies).
  bool WaitClosed() {
    char chunk[4096];
    while (true) {
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
      if (n < 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

}  // namespace parley::resp
