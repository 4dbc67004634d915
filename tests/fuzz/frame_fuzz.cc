// libFuzzer target: an untrusted TCP byte stream split into frames.
//
// The first input byte chooses how the stream is cut into reads (TCP may
// deliver any split), the rest is the stream. Every complete frame is
// decoded by a plaintext and a keyed codec, and its packet bytes are also
// fed to the body decoder directly so mutations reach the message layer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/frame_reader.h"
#include "protocol/message_codec.h"
#include "protocol/wire_codec.h"

namespace {

std::unique_ptr<parley::WireCodec> MakeCodec(bool keyed) {
  parley::WireOptions options;
  options.sender = "fuzz";
  options.cluster_id = "golden-cluster";
  options.random = parley::SeededRandomSource(1);
  options.limits.max_frame_bytes = 1 << 20;
  if (keyed) {
    std::string key(32, '\0');
    for (int i = 0; i < 32; ++i) key[i] = static_cast<char>(i);
    (void)options.keyring.Install(key);
  }
  return std::move(parley::WireCodec::Create(std::move(options))).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto plain = MakeCodec(false);
  static auto keyed = MakeCodec(true);
  if (size == 0) return 0;
  size_t chunk = std::max<size_t>(1, data[0]);
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  parley::FrameReader reader(plain->limits().max_frame_bytes);
  for (size_t at = 0; at < stream.size(); at += chunk) {
    reader.Append(stream.substr(at, chunk));
    while (true) {
      parley::Result<std::optional<std::string>> next = reader.Next();
      if (!next.ok() || !next->has_value()) break;
      const std::string& packet = **next;
      (void)plain->DecodeFrame(packet);
      (void)keyed->DecodeFrame(packet);
      std::vector<parley::Message> messages;
      (void)parley::DecodeMessages(packet, plain->limits(), &messages, nullptr);
    }
    if (reader.failed()) break;
  }
  return 0;
}
