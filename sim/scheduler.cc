// Scheduler: a binary heap of timed actions.
#include "sim/scheduler.h"

#include <algorithm>

namespace parley::sim {

void Scheduler::At(uint64_t when_us, Action action) {
  heap_.push_back(Event{std::max(when_us, now_us_), next_order_++, std::move(action)});
  std::push_heap(heap_.begin(), heap_.end(), Later);
}

void Scheduler::RunUntil(uint64_t end_us) {
  while (!heap_.empty() && heap_.front().at <= end_us) {
    std::pop_heap(heap_.begin(), heap_.end(), Later);
    Event event = std::move(heap_.back());
    heap_.pop_back();
    now_us_ = event.at;
    ++events_run_;
    event.action();  // may schedule more events
  }
  now_us_ = std::max(now_us_, end_us);
}

}  // namespace parley::sim
