// libFuzzer target for the RESP front door: arbitrary bytes, split into
// reads of fuzzer-chosen sizes, go through the parser and run as commands
// against an in-memory map. Checks that nothing crashes, that every reply
// the session sends is well-formed RESP, and that small limits hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "node/resp/resp_session.h"
#include "tests/resp/memory_backend.h"
#include "tests/resp/reply_reader.h"

using parley::resp::MemoryBackend;
using parley::resp::ParseReply;
using parley::resp::Reply;
using parley::resp::RespSession;
using parley::resp::ServerState;
using parley::resp::SessionIo;

namespace {

// Every byte sent must decode as a sequence of complete replies.
void CheckWellFormed(std::string_view output) {
  while (!output.empty()) {
    Reply reply;
    std::optional<size_t> used = ParseReply(output, &reply);
    if (!used || *used == 0) abort();
    output.remove_prefix(*used);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the read size (1..64) and whether writes are
  // acknowledged at once or only at the end (exercising the reply queue).
  size_t chunk = (data[0] & 0x3F) + 1;
  bool late_acks = (data[0] & 0x40) != 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  MemoryBackend backend;
  backend.auto_ack = !late_acks;
  ServerState server;
  server.limits.max_bulk_bytes = 4096;
  server.limits.max_multibulk_length = 64;
  server.limits.max_inline_bytes = 1024;
  server.limits.max_command_bytes = 16384;
  if (data[0] & 0x80) server.password = "pw";
  std::string output;
  SessionIo io;
  io.send = [&output](std::string_view bytes) { output += bytes; };
  auto session = RespSession::Create(&backend, &server, std::move(io));
  while (!input.empty() && !session->closing()) {
    size_t n = input.size() < chunk ? input.size() : chunk;
    session->Feed(input.substr(0, n));
    input.remove_prefix(n);
  }
  backend.AckAll();
  CheckWellFormed(output);
  session.reset();
  if (backend.watch_count() != 0) abort();  // subscriptions must not leak
  return 0;
}
