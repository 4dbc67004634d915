// Wire protocol micro-benchmarks: encode/decode of a typical delta batch.
//
// The batch is what eager push sends after a burst of writes: 16 register
// deltas, 16-byte keys, 100-byte values, each with a write id. Measured as a
// TCP frame (one packet, no size cap) plaintext+checksum and encrypted
// (XChaCha20-Poly1305), and as the bare message body without any envelope.
#include <benchmark/benchmark.h>

#include "protocol/frame_reader.h"
#include "protocol/message_codec.h"
#include "protocol/wire_codec.h"

namespace parley {
namespace {

DeltaBatchMessage TypicalBatch() {
  DeltaBatchMessage batch;
  const ReplicaId replica = 0x5eed5eed5eedull;
  for (uint64_t i = 1; i <= 16; ++i) {
    DeltaItem item;
    item.write_id = Dot{replica, i};
    item.delta.context.Insert(Dot{replica, i});
    Slot slot;
    slot.clock.Raise(replica, i);
    char key[17];
    std::snprintf(key, sizeof(key), "user:%011llu", static_cast<unsigned long long>(i));
    slot.entries.push_back(
        Entry{Dot{replica, i}, MakeTimestamp(1700000000000 + i, 0), std::string(100, 'v'), 0, 0});
    item.delta.slots.push_back(SlotState{std::string(key, 16), SlotKey{ValueType::kRegister, ""}, slot});
    batch.deltas.push_back(std::move(item));
  }
  return batch;
}

std::unique_ptr<WireCodec> Codec(bool encrypted) {
  WireOptions options;
  options.sender = "node-a";
  options.cluster_id = "bench";
  options.random = SeededRandomSource(1);
  if (encrypted) (void)options.keyring.Install(std::string(32, 'k'));
  return std::move(WireCodec::Create(std::move(options))).value();
}

void BM_EncodeBody(benchmark::State& state) {
  Message message = TypicalBatch();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = EncodeMessage(message);
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(state.iterations() * 16);
  state.counters["wire_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeBody);

void BM_DecodeBody(benchmark::State& state) {
  std::string body = EncodeMessage(TypicalBatch());
  Limits limits;
  for (auto _ : state) {
    std::vector<Message> out;
    Status s = DecodeMessages(body, limits, &out, nullptr);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_DecodeBody);

void BM_EncodeFrame(benchmark::State& state) {
  bool encrypted = state.range(0) != 0;
  auto codec = Codec(encrypted);
  Message message = TypicalBatch();
  size_t bytes = 0;
  for (auto _ : state) {
    Result<std::string> frame = codec->EncodeFrame(message);
    bytes = frame->size();
    benchmark::DoNotOptimize(frame);
  }
  state.SetLabel(encrypted ? "xchacha20poly1305" : "plain+xxh64");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(state.iterations() * 16);
  state.counters["wire_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeFrame)->Arg(0)->Arg(1);

void BM_DecodeFrame(benchmark::State& state) {
  bool encrypted = state.range(0) != 0;
  auto codec = Codec(encrypted);
  std::string packet = codec->EncodeFrame(Message(TypicalBatch())).value().substr(kFrameLengthBytes);
  for (auto _ : state) {
    Result<Packet> decoded = codec->DecodeFrame(packet);
    if (!decoded.ok()) state.SkipWithError(decoded.status().ToString().c_str());
    benchmark::DoNotOptimize(decoded);
  }
  state.SetLabel(encrypted ? "xchacha20poly1305" : "plain+xxh64");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * packet.size()));
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_DecodeFrame)->Arg(0)->Arg(1);

}  // namespace
}  // namespace parley
