// RespConn: one blocking RESP connection (hiredis) with Status returns.
//
// The fleet benchmark speaks RESP both to parley nodes and to redis-server,
// so the two are driven by exactly the same client code and the comparison
// measures the servers, not two different client libraries.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "storage/status.h"

struct redisContext;

namespace parley::bench {

// A reply reduced to what the benchmark checks.
struct RespReply {
  enum class Kind { kNil, kStatus, kString, kInteger, kArray, kError } kind = Kind::kNil;
  std::string text;              // status, string or error text
  long long integer = 0;
  std::vector<RespReply> items;  // arrays (pub/sub messages)
};

class RespConn {
 public:
  // Connects to "host:port"; `timeout` bounds the connect and every read.
  static Result<std::unique_ptr<RespConn>> Connect(const std::string& address,
                                                   std::chrono::milliseconds timeout);
  ~RespConn();
  RespConn(const RespConn&) = delete;
  RespConn& operator=(const RespConn&) = delete;

  // Sends one command and waits for its reply. A server error reply is a
  // reply (kind kError), not a failed Status; a broken connection is.
  Result<RespReply> Command(const std::vector<std::string>& argv);

  // Sends every command before reading any reply (pipelining); returns the
  // replies in order.
  Result<std::vector<RespReply>> Pipeline(const std::vector<std::vector<std::string>>& commands);

  // For the pub/sub reader: the socket, and "read what arrived, then hand
  // out complete replies" without blocking.
  int fd() const;
  Status ReadAvailable();
  // True and *reply filled if a complete reply is buffered.
  Result<bool> NextBufferedReply(RespReply* reply);

  const std::string& address() const { return address_; }

 private:
  RespConn(std::string address, redisContext* context) : address_(std::move(address)), context_(context) {}
  Status Broken(const char* what) const;

  std::string address_;
  redisContext* context_;
};

}  // namespace parley::bench
