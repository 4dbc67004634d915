// Scheduler: the discrete-event loop of the simulated world.
//
// Virtual time is a plain counter of microseconds since the start of the run
// ("true time"); nothing here reads a real clock. Events run in time order,
// and events scheduled for the same instant run in the order they were
// scheduled, so a run is a pure function of its inputs (I5).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace parley::sim {

class Scheduler {
 public:
  using Action = std::function<void()>;

  uint64_t now_us() const { return now_us_; }
  // Runs `action` at `when_us` (or now, if that has passed).
  void At(uint64_t when_us, Action action);
  void After(uint64_t delay_us, Action action) { At(now_us_ + delay_us, std::move(action)); }

  // Runs every event due at or before `end_us`, then leaves the clock at
  // `end_us`.
  void RunUntil(uint64_t end_us);
  bool empty() const { return heap_.empty(); }
  size_t pending() const { return heap_.size(); }
  uint64_t events_run() const { return events_run_; }

 private:
  struct Event {
    uint64_t at;
    uint64_t order;  // ties broken by scheduling order
    Action action;
  };
  // std::push_heap builds a max-heap; this makes the earliest event the top.
  static bool Later(const Event& a, const Event& b) { return a.at != b.at ? a.at > b.at : a.order > b.order; }

  std::vector<Event> heap_;
  uint64_t now_us_ = 0;
  uint64_t next_order_ = 0;
  uint64_t events_run_ = 0;
};

}  // namespace parley::sim
