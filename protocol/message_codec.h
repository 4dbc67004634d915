// MessageCodec: the msgpack form of each message kind.
//
// A message on the wire is one msgpack array: [kind, field1, field2, ...]
// (field order per kind in PROTOCOL.md). A packet body is several such
// arrays back to back, which lets the datagram packer append messages
// without re-encoding and lets a receiver skip a kind it does not know.
// Versioning: a newer minor version may append fields to a kind (ignored
// here) or add kinds (skipped and counted); it never changes existing ones.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/limits.h"
#include "protocol/message.h"
#include "storage/status.h"

namespace parley {

// Appends the encoding of `message` to `*out`.
void AppendMessage(const Message& message, std::string* out);
std::string EncodeMessage(const Message& message);

// Decodes a packet body: a sequence of messages. Known messages are appended
// to `*out`; unknown kinds are skipped and counted in `*skipped` (may be
// null). On error `*out` is left as it was (no partial results).
Status DecodeMessages(std::string_view body, const Limits& limits, std::vector<Message>* out,
                      size_t* skipped);

}  // namespace parley
