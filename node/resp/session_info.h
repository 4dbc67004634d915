// Session info: the text Redis shows about a connection (CLIENT INFO/LIST)
// and the version parley claims for compatibility.
#pragma once

#include <string>

#include "node/resp/resp_session.h"

namespace parley::resp {

// The Redis version whose commands and replies parley follows; clients
// that check the server version (HELLO, INFO redis_version) see this.
inline constexpr const char* kRedisCompatibleVersion = "7.0.0";

// "id=3 addr=127.0.0.1:5000 laddr=... name=x db=0 sub=0 psub=0 ... resp=2 ..."
std::string ClientInfoLine(const RespSession& session);

}  // namespace parley::resp
