// BridgeStats: rendering the bridge counters for /metrics.
#include "node/bridge/bridge_stats.h"

namespace parley {

std::string BridgeStats::ToPrometheus() const {
  std::string out;
  auto line = [&out](const char* name, uint64_t value) {
    out += "parley_bridge_";
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
  };
  line("relayed_frames_total", relayed_frames);
  line("relayed_bytes_total", relayed_bytes);
  line("received_frames_total", received_frames);
  line("own_entries_skipped_total", own_entries_skipped);
  line("dropped_frames_total", dropped_frames);
  line("queued_frames", queued_frames);
  line("sync_requests_sent_total", sync_requests_sent);
  line("sync_requests_seen_total", sync_requests_seen);
  line("fell_behind_total", fell_behind);
  line("mirror_writes_total", mirror_writes);
  line("mirror_resyncs_total", mirror_resyncs);
  line("ingested_writes_total", ingested_writes);
  line("echoes_ignored_total", echoes_ignored);
  line("reconnects_total", reconnects);
  return out;
}

}  // namespace parley
