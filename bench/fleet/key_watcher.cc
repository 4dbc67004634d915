// KeyWatcher: SUBSCRIBE on every server, one poll() thread, first-seen times.
#include "bench/fleet/key_watcher.h"

#include <poll.h>

#include <cstdio>

namespace parley::bench {

Result<std::unique_ptr<KeyWatcher>> KeyWatcher::Start(const std::vector<std::string>& addresses,
                                                      const std::string& channel) {
  std::unique_ptr<KeyWatcher> w(new KeyWatcher());
  for (const std::string& address : addresses) {
    auto conn = RespConn::Connect(address, std::chrono::seconds(5));
    if (!conn.ok()) return conn.status();
    // The confirmation reply means the subscription is in place: a change
    // after it is reported.
    auto confirmed = (*conn)->Command({"SUBSCRIBE", channel});
    if (!confirmed.ok()) return confirmed.status();
    if (confirmed->kind != RespReply::Kind::kArray) {
      return Status::Corruption("SUBSCRIBE on " + address + " answered " + confirmed->text);
    }
    w->conns_.push_back(std::move(*conn));
  }
  w->reader_ = std::thread([raw = w.get()] { raw->Run(); });
  return w;
}

KeyWatcher::~KeyWatcher() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
}

void KeyWatcher::Expect(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Arrivals& a = expected_[key];
  a.first.assign(conns_.size(), Clock::time_point{});
  a.seen = 0;
}

std::vector<Clock::time_point> KeyWatcher::Wait(const std::string& key, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = expected_.find(key);
  if (it == expected_.end()) return std::vector<Clock::time_point>(conns_.size());
  cv_.wait_for(lock, timeout, [&] { return it->second.seen == conns_.size() || !reader_error_.ok(); });
  std::vector<Clock::time_point> out = std::move(it->second.first);
  expected_.erase(it);
  return out;
}

void KeyWatcher::Record(size_t server, const std::string& key, Clock::time_point when) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = expected_.find(key);
  if (it == expected_.end()) return;
  Clock::time_point& first = it->second.first[server];
  if (first != Clock::time_point{}) return;  // a later change of the same key
  first = when;
  if (++it->second.seen == conns_.size()) cv_.notify_all();
}

void KeyWatcher::Run() {
  std::vector<pollfd> fds(conns_.size());
  for (size_t i = 0; i < conns_.size(); ++i) fds[i] = pollfd{conns_[i]->fd(), POLLIN, 0};
  while (!stop_) {
    // A short timeout only so that the destructor's stop flag is noticed.
    int ready = ::poll(fds.data(), fds.size(), 50);
    // One timestamp per wake-up, taken before any parsing, so a batch of
    // messages is not charged for the time spent decoding its neighbours.
    Clock::time_point now = Clock::now();
    if (ready <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      Status read = conns_[i]->ReadAvailable();
      RespReply reply;
      while (read.ok()) {
        auto got = conns_[i]->NextBufferedReply(&reply);
        if (!got.ok()) {
          read = got.status();
          break;
        }
        if (!*got) break;
        // ["message", channel, key]
        if (reply.kind == RespReply::Kind::kArray && reply.items.size() == 3 && reply.items[0].text == "message") {
          Record(i, reply.items[2].text, now);
        }
      }
      if (!read.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        reader_error_ = read;
        std::fprintf(stderr, "fleet_bench: watch connection lost: %s\n", read.ToString().c_str());
        cv_.notify_all();
        return;
      }
    }
  }
}

}  // namespace parley::bench
