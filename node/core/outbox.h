// Outbox: messages the core wants sent, gathered per destination.
//
// Core code says "send this message to that address in a datagram (or a frame)";
// at the end of each step the node core turns the gathered messages into
// packets: UDP messages to one address are packed into compound datagrams,
// with queued broadcasts piggybacked into the space left; TCP messages become
// frames. Keeping this in one place keeps the rest of the core free of
// packet sizes.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "protocol/envelope.h"
#include "protocol/message.h"

namespace parley {

class Outbox {
 public:
  void Send(Transport transport, const Address& to, Message message) {
    queued_[{transport, to.host, to.port}].messages.push_back(std::move(message));
  }
  // `encoded` is one message's EncodeMessage() bytes; datagrams only.
  void SendEncoded(const Address& to, std::string encoded) {
    queued_[{Transport::kDatagram, to.host, to.port}].encoded.push_back(std::move(encoded));
  }
  bool empty() const { return queued_.empty(); }

  struct Destination {
    Transport transport;
    Address to;
    std::vector<Message> messages;      // go first: probes and acks lead a datagram
    std::vector<std::string> encoded;  // then these, in the order sent
  };
  // Hands out everything queued, in a deterministic order (I5).
  std::vector<Destination> Drain() {
    std::vector<Destination> out;
    for (auto& [where, queued] : queued_) {
      out.push_back(Destination{std::get<0>(where), Address{std::get<1>(where), std::get<2>(where)},
                                std::move(queued.messages), std::move(queued.encoded)});
    }
    queued_.clear();
    return out;
  }

 private:
  struct Queued {
    std::vector<Message> messages;
    std::vector<std::string> encoded;
  };
  std::map<std::tuple<Transport, std::string, uint16_t>, Queued> queued_;
};

}  // namespace parley
