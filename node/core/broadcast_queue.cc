// BroadcastQueue: least-sent-first piggybacking with a transmit limit.
#include "node/core/broadcast_queue.h"

#include <algorithm>
#include <cmath>

namespace parley {

void BroadcastQueue::Push(Message message, size_t encoded_bytes, std::optional<std::string> subject) {
  if (subject) {
    items_.remove_if([&](const Item& item) { return item.subject == subject; });
  } else if (++unnamed_ > kMaxUnnamed) {
    auto oldest = std::find_if(items_.begin(), items_.end(), [](const Item& item) { return !item.subject; });
    items_.erase(oldest);
    --unnamed_;
  }
  items_.push_back(Item{std::move(message), encoded_bytes, std::move(subject), 0, next_order_++});
}

std::vector<Message> BroadcastQueue::Take(size_t budget, int limit) {
  std::vector<std::list<Item>::iterator> order;
  for (auto it = items_.begin(); it != items_.end(); ++it) order.push_back(it);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    if (a->transmits != b->transmits) return a->transmits < b->transmits;
    return a->order > b->order;  // newer first among equally sent
  });
  std::vector<Message> out;
  for (auto it : order) {
    if (it->bytes > budget) continue;
    budget -= it->bytes;
    out.push_back(it->message);
    if (++it->transmits >= limit) {
      if (!it->subject) --unnamed_;
      items_.erase(it);
    }
  }
  return out;
}

int BroadcastQueue::TransmitLimit(int retransmit_mult, size_t members) {
  double scale = std::ceil(std::log10(static_cast<double>(members) + 1));
  return std::max(1, retransmit_mult * static_cast<int>(std::max(1.0, scale)));
}

}  // namespace parley
