// Pub/sub commands on keyspace-notification channels: SUBSCRIBE,
// UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE (see keyspace_channels.h for what
// is published). Replies are push messages in RESP3, arrays in RESP2.
#include "node/resp/command_handlers.h"

namespace parley::resp {
namespace {

void Confirm(RespSession& s, const char* kind, const std::string* name, size_t count) {
  RespWriter& w = s.reply();
  w.Push(3);
  w.Bulk(kind);
  if (name) {
    w.Bulk(*name);
  } else {
    w.Null();
  }
  w.Integer(static_cast<int64_t>(count));
}

}  // namespace

void SubscribeCommand(RespSession& s, Args args) {
  for (size_t i = 1; i < args.size(); ++i) Confirm(s, "subscribe", &args[i], s.Subscribe(args[i]));
}

void PsubscribeCommand(RespSession& s, Args args) {
  for (size_t i = 1; i < args.size(); ++i) Confirm(s, "psubscribe", &args[i], s.PSubscribe(args[i]));
}

void UnsubscribeCommand(RespSession& s, Args args) {
  std::vector<std::string> names(args.begin() + 1, args.end());
  if (names.empty()) names = s.channels();
  if (names.empty()) Confirm(s, "unsubscribe", nullptr, s.subscription_count());
  for (const std::string& name : names) Confirm(s, "unsubscribe", &name, s.Unsubscribe(name));
}

void PunsubscribeCommand(RespSession& s, Args args) {
  std::vector<std::string> names(args.begin() + 1, args.end());
  if (names.empty()) names = s.patterns();
  if (names.empty()) Confirm(s, "punsubscribe", nullptr, s.subscription_count());
  for (const std::string& name : names) Confirm(s, "punsubscribe", &name, s.PUnsubscribe(name));
}

}  // namespace parley::resp
