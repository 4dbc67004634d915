// Limits: the hard bounds every wire decoder enforces (invariant I4).
//
// A peer is untrusted input. Every length and count read off the wire is
// checked against one of these numbers *before* anything is allocated for
// it, so a hostile packet costs at most a small multiple of its own size.
// Both sides of a cluster should use the same limits; a sender that exceeds
// them simply has its messages dropped and counted as malformed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace parley {

struct Limits {
  // Largest UDP datagram this node sends. 1400 leaves room for IPv6 and
  // common tunnel headers under a 1500-byte Ethernet MTU, so datagrams are
  // never fragmented. Receivers accept up to max_datagram_receive_bytes so a
  // peer configured a little higher still gets through.
  size_t max_datagram_bytes = 1400;
  size_t max_datagram_receive_bytes = 65507;  // the UDP payload maximum
  // Largest TCP frame (length prefix excluded). Anti-entropy chunks are
  // ~64 KiB; push-pull of a large fleet is the biggest message.
  size_t max_frame_bytes = 8u << 20;
  // Messages in one datagram or frame.
  size_t max_messages_per_packet = 256;
  // msgpack nesting. The deepest legal message (a delta batch) is 8 levels.
  size_t max_depth = 16;

  // Membership.
  size_t max_name_bytes = 255;      // member names (one length byte in the envelope)
  size_t max_host_bytes = 255;      // host part of an address
  size_t max_meta_entries = 32;     // alive.meta
  size_t max_meta_bytes = 1024;     // each meta key or value
  size_t max_members = 16384;       // push-pull state
  size_t max_ack_payload_bytes = 1024;

  // Data.
  size_t max_key_bytes = 64 * 1024;       // map keys, set members, hash fields
  size_t max_value_bytes = 4u << 20;      // register and hash field values
  size_t max_deltas_per_batch = 4096;
  size_t max_slots_per_delta = 1u << 20;
  size_t max_entries_per_slot = 1u << 16;  // counters hold one entry per writer
  size_t max_clock_entries = 1u << 16;     // replicas in a slot clock
  size_t max_context_replicas = 1u << 16;
  size_t max_intervals_per_replica = 1u << 16;
  size_t max_durable_acks = 4096;
  size_t max_requested_slots = 256;  // slot-request
};

}  // namespace parley
