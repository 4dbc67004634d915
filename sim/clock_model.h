// ClockModel: one node's skewed view of time.
//
// The scheduler runs on true virtual time; each node is handed its own local
// time instead: true time scaled by a drift (parts per million) plus an
// offset, starting from a large epoch so negative offsets stay positive.
// Local time never goes backwards, even after a backward clock jump (the
// node core is given monotonic time, as the runtime gives it uv_now()), so a
// backward jump shows up as time standing still for a while. The node core
// uses this time for its timers and as the physical part of its HLC.
#pragma once

#include <cstdint>

namespace parley::sim {

class ClockModel {
 public:
  static constexpr uint64_t kEpochMs = 1'700'000'000'000;  // a plausible wall-clock start

  ClockModel(int64_t offset_ms = 0, double drift_ppm = 0) : offset_us_(offset_ms * 1000), drift_ppm_(drift_ppm) {}

  // The node's local time, in ms, at true time `true_us`.
  uint64_t LocalMs(uint64_t true_us);
  // The earliest true time at which LocalMs() reaches `local_ms` (ignoring
  // the monotonic clamp, which can only make local time later).
  uint64_t TrueUsAt(uint64_t local_ms) const;
  // Steps the offset (a clock jump of `delta_ms`, either direction).
  void Jump(int64_t delta_ms) { offset_us_ += delta_ms * 1000; }

  int64_t offset_ms() const { return offset_us_ / 1000; }
  double drift_ppm() const { return drift_ppm_; }

 private:
  uint64_t RawLocalUs(uint64_t true_us) const;

  int64_t offset_us_;
  double drift_ppm_;
  uint64_t last_ms_ = 0;
};

}  // namespace parley::sim
