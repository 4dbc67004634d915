// TestHttpClient: a tiny blocking HTTP/1.1 client over a plain socket.
//
// Deliberately dumb, so tests control the bytes exactly: send any raw text
// (split, pipelined, oversized), then read responses one at a time by
// Content-Length, or read an event stream line by line.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/message.h"

namespace parley::testing {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class TestHttpClient {
 public:
  explicit TestHttpClient(const Address& server) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port);
    inet_pton(AF_INET, server.host.c_str(), &addr.sin_addr);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~TestHttpClient() {
    if (fd_ >= 0) close(fd_);
  }
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  bool connected() const { return connected_; }

  bool SendRaw(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  static std::string Request(const std::string& method, const std::string& target, const std::string& body = "",
                             bool keep_alive = true) {
    std::string r = method + " " + target + " HTTP/1.1\r\nHost: test\r\n";
    if (!keep_alive) r += "Connection: close\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
      r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return r + "\r\n" + body;
  }

  // Sends one request and reads its response.
  std::optional<TestResponse> Call(const std::string& method, const std::string& target,
                                   const std::string& body = "") {
    if (!SendRaw(Request(method, target, body))) return std::nullopt;
    return ReadResponse();
  }

  // Reads one response (status, headers, Content-Length body).
  std::optional<TestResponse> ReadResponse() {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    TestResponse r;
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t v = line.find_first_not_of(' ', colon + 1);
        r.headers[name] = v == std::string::npos ? "" : line.substr(v);
      }
      pos = next + 2;
    }
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // Reads until `marker` has arrived; returns everything up to and including it.
  std::optional<std::string> ReadUntil(const std::string& marker) {
    size_t at;
    while ((at = buffer_.find(marker)) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    std::string out = buffer_.substr(0, at + marker.size());
    buffer_.erase(0, at + marker.size());
    return out;
  }

  // True once the server has closed the connection (reads hit EOF).
  bool ClosedByServer() {
    char c;
    ssize_t n = recv(fd_, &c, 1, 0);
    if (n > 0) buffer_.push_back(c);
    return n == 0;
  }

 private:
  bool Fill() {
    char buf[16384];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

}  // namespace parley::testing
