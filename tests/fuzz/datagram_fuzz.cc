// libFuzzer target: untrusted UDP datagrams (envelope, seal, message bodies).
//
// Each input is tried three ways: as a whole datagram against a plaintext
// and a keyed codec (the golden-vector cluster and key, so the seed corpus
// gets past the header), and as a bare message body, because mutations of a
// sealed packet rarely survive the checksum and would never reach the
// message decoders otherwise. Any decoded message must re-encode and decode
// to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/message_codec.h"
#include "protocol/wire_codec.h"

namespace {

std::unique_ptr<parley::WireCodec> MakeCodec(bool keyed) {
  parley::WireOptions options;
  options.sender = "fuzz";
  options.cluster_id = "golden-cluster";
  options.random = parley::SeededRandomSource(1);
  if (keyed) {
    std::string key(32, '\0');
    for (int i = 0; i < 32; ++i) key[i] = static_cast<char>(i);
    (void)options.keyring.Install(key);
  }
  return std::move(parley::WireCodec::Create(std::move(options))).value();
}

void CheckRoundTrip(const std::vector<parley::Message>& messages) {
  for (const parley::Message& m : messages) {
    std::vector<parley::Message> again;
    parley::Status s = parley::DecodeMessages(parley::EncodeMessage(m), parley::Limits(), &again, nullptr);
    if (!s.ok() || again.size() != 1 || !(again[0] == m)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto plain = MakeCodec(false);
  static auto keyed = MakeCodec(true);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (parley::WireCodec* codec : {plain.get(), keyed.get()}) {
    parley::Result<parley::Packet> packet = codec->DecodeDatagram(input);
    if (packet.ok()) CheckRoundTrip(packet->messages);
  }
  std::vector<parley::Message> messages;
  if (parley::DecodeMessages(input, parley::Limits(), &messages, nullptr).ok()) CheckRoundTrip(messages);
  return 0;
}
