// Per-connection RESP state, ordered replies and pub/sub (see resp_session.h).
#include "node/resp/resp_session.h"

#include <algorithm>
#include <utility>

#include "node/resp/glob.h"
#include "node/resp/keyspace_channels.h"
#include "node/resp/resp_commands.h"

namespace parley::resp {

std::shared_ptr<RespSession> RespSession::Create(RespBackend* backend, ServerState* server, SessionIo io,
                                                 std::string peer_address, std::string local_address) {
  return std::shared_ptr<RespSession>(
      new RespSession(backend, server, std::move(io), std::move(peer_address), std::move(local_address)));
}

RespSession::RespSession(RespBackend* backend, ServerState* server, SessionIo io, std::string peer,
                         std::string local)
    : backend_(backend),
      server_(server),
      io_(std::move(io)),
      parser_(server->limits),
      id_(server->next_client_id++),
      authenticated_(server->password.empty()),
      peer_address_(std::move(peer)),
      local_address_(std::move(local)),
      writer_(&scratch_, 2),
      ack_route_(std::make_unique<AckRoute>(AckRoute{this, server, 0})) {
  server_->sessions.insert(this);
  ++server_->total_connections;
}

RespSession::~RespSession() {
  Shutdown();
  server_->sessions.erase(this);
  if (ack_route_->outstanding > 0) {  // acknowledgements still to come
    ack_route_->session = nullptr;
    server_->orphaned_routes.push_back(std::move(ack_route_));
  }
}

void RespSession::Shutdown() {
  for (auto& [channel, watch] : channels_) {
    if (watch != 0) backend_->Unwatch(watch);
  }
  for (auto& [pattern, watch] : patterns_) {
    if (watch != 0) backend_->Unwatch(watch);
  }
  channels_.clear();
  patterns_.clear();
  closing_ = true;
  io_ = SessionIo{};
}

void RespSession::set_protocol(int protocol) {
  protocol_ = protocol;
  writer_ = RespWriter(&scratch_, protocol_);
}

void RespSession::Feed(std::string_view bytes) {
  if (closing_ || close_requested_) return;
  parser_.Feed(bytes);
  std::vector<std::string> args;
  while (!closing_ && !close_requested_) {
    RespParser::Outcome outcome = parser_.Next(&args);
    if (outcome == RespParser::Outcome::kNeedMore) break;
    if (outcome == RespParser::Outcome::kError) {
      // Like Redis: answer the protocol error, then close.
      std::string error;
      RespWriter(&error, protocol_).Error("ERR " + parser_.error());
      QueueBytes(std::move(error));
      close_requested_ = true;
      break;
    }
    Execute(args);
  }
  Drain();
}

void RespSession::Execute(std::vector<std::string>& args) {
  if (args.empty()) return;
  ++commands_run_;
  ++server_->total_commands;
  executing_ = true;
  scratch_.clear();
  writer_ = RespWriter(&scratch_, protocol_);

  const CommandSpec* spec = looked_up_spec_;
  if (spec == nullptr || args[0] != looked_up_name_) {
    std::string name = args[0];
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    spec = FindCommand(name);
    if (spec != nullptr) {
      looked_up_name_ = args[0];
      looked_up_spec_ = spec;
    }
  }
  bool refused = true;  // inside MULTI, a refusal makes EXEC abort
  if (spec == nullptr) {
    writer_.Error("ERR " + UnknownCommandMessage(args));
  } else if ((spec->arity > 0 && static_cast<int>(args.size()) != spec->arity) ||
             (spec->arity < 0 && static_cast<int>(args.size()) < -spec->arity)) {
    writer_.Error(std::string("ERR wrong number of arguments for '") + spec->name + "' command");
  } else if (!authenticated_ && !(spec->flags & kNoAuth)) {
    writer_.Error("NOAUTH Authentication required.");
  } else if (protocol_ == 2 && subscription_count() > 0 && !(spec->flags & kSubscribedOk)) {
    writer_.Error(std::string("ERR Can't execute '") + spec->name +
                  "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
  } else if (transaction_ && !(spec->flags & kNotQueued)) {
    refused = false;
    Queue(*spec, args);
  } else {
    refused = false;
    last_command = spec;
    spec->handler(*this, args);
  }
  if (refused && transaction_) transaction_->refused = true;
  executing_ = false;

  if (submitted_.seq != 0) {
    if (submitted_.acknowledged && submitted_.status.ok() && pending_.empty()) {
      out_.append(scratch_);  // acknowledged already (an in-memory node)
    } else {
      // A copy: "+OK" fits in the string, and scratch_ keeps its buffer.
      pending_.push_back(PendingReply{submitted_.seq, scratch_, submitted_.acknowledged, submitted_.status});
    }
    submitted_ = Submitted{};
  } else if (pending_.empty()) {
    out_.append(scratch_);  // the common case: keep scratch_'s capacity
  } else {
    QueueBytes(std::move(scratch_));
  }
  scratch_.clear();
  writer_ = RespWriter(&scratch_, protocol_);
  if (!running_transaction_) ReleaseHeldMessages();
  if (!to_run_.empty()) RunTransaction();
}

void RespSession::ReleaseHeldMessages() {
  for (std::string& message : held_messages_) QueueBytes(std::move(message));
  held_messages_.clear();
}

// ---- transactions ---------------------------------------------------------------

void RespSession::Queue(const CommandSpec& spec, std::vector<std::string>& args) {
  QueuedTransaction& t = *transaction_;
  if (spec.flags & kNoMulti) {
    t.refused = true;
    writer_.Error("ERR Command not allowed inside a transaction");
    return;
  }
  // What the copy will hold, overheads included (a million queued PINGs
  // are mostly overhead). Each command is within the request limit; together
  // they must be too, or a client could make the node hold any amount.
  size_t bytes = sizeof(args);
  for (const std::string& arg : args) bytes += sizeof(arg) + arg.size();
  if (t.bytes + bytes > server_->limits.max_command_bytes) {
    t.refused = true;
    writer_.Error("ERR transaction larger than " + std::to_string(server_->limits.max_command_bytes) +
                  " bytes; use several");
    return;
  }
  t.bytes += bytes;
  t.commands.push_back(args);  // a copy: the parser reuses `args`
  writer_.Simple("QUEUED");
}

bool RespSession::EndTransaction(bool run) {
  QueuedTransaction t = std::move(*transaction_);
  transaction_.reset();
  if (run && !t.refused) to_run_ = std::move(t.commands);
  return !t.refused;
}

void RespSession::RunTransaction() {
  std::vector<std::vector<std::string>> commands = std::move(to_run_);
  to_run_.clear();
  running_transaction_ = true;
  backend_->BeginWriteGroup();  // other nodes apply the writes in one step
  for (std::vector<std::string>& args : commands) Execute(args);
  backend_->EndWriteGroup();
  running_transaction_ = false;
  ReleaseHeldMessages();
}

Op& RespSession::ScratchOp(size_t i, Op::Kind kind, std::string_view key) {
  Op& op = scratch_ops_[i];
  op.kind = kind;
  op.key.assign(key);
  op.member.clear();
  op.value.clear();
  op.amount = 0;
  return op;
}

bool RespSession::SubmitWrite(std::span<const Op> ops) {
  const uint64_t seq = next_seq_++;
  AckRoute* route = ack_route_.get();
  // Before Write(): the acknowledgement may come at once.
  ++route->outstanding;
  submitted_.seq = seq;
  Status status = backend_->Write(ops, [route, seq](const Status& result) {
    --route->outstanding;
    if (route->session != nullptr) {
      route->session->OnWriteDone(seq, result);
    } else if (route->outstanding == 0) {  // the session is gone: so is the route
      std::erase_if(route->server->orphaned_routes, [route](const auto& r) { return r.get() == route; });
    }
  });
  if (!status.ok()) {
    --route->outstanding;  // refused: the callback will not run
    submitted_ = Submitted{};
    if (status.code() == Status::Code::kWrongType) {
      writer_.Error(kWrongTypeError);
    } else {
      writer_.Error("ERR " + status.message());
    }
    return false;
  }
  return true;
}

void RespSession::OnWriteDone(uint64_t seq, const Status& status) {
  if (seq == submitted_.seq) {  // during its own command
    submitted_.acknowledged = true;
    submitted_.status = status;
    return;
  }
  auto it = std::lower_bound(pending_.begin(), pending_.end(), seq,
                             [](const PendingReply& reply, uint64_t s) { return reply.seq < s; });
  if (it == pending_.end() || it->seq != seq) return;
  it->acknowledged = true;
  it->status = status;
  if (!executing_) OnAcknowledged();
}

void RespSession::OnAcknowledged() {
  if (!io_.defer_drain) {
    Drain();
  } else if (!drain_deferred_) {
    drain_deferred_ = true;
    io_.defer_drain();
  }
}

void RespSession::QueueBytes(std::string bytes) {
  if (bytes.empty()) return;
  if (pending_.empty()) {
    out_.append(bytes);
  } else {
    pending_.push_back(PendingReply{next_seq_++, std::move(bytes), true, Status::Ok()});
  }
}

void RespSession::Drain() {
  while (!pending_.empty() && pending_.front().acknowledged) {
    PendingReply& reply = pending_.front();
    if (!reply.status.ok()) {
      reply.bytes.clear();
      RespWriter(&reply.bytes, protocol_).Error("ERR write not acknowledged: " + reply.status.message());
    }
    out_.append(reply.bytes);
    pending_.pop_front();
  }
  if (closing_) {
    out_.clear();
    return;
  }
  if (!out_.empty() && io_.send) {
    io_.send(out_);
    out_.clear();  // keeps the buffer: the next batch of replies needs no allocation
  }
  if (close_requested_ && pending_.empty()) {
    auto close = io_.close;
    Shutdown();
    if (close) close();
  }
}

// ---- pub/sub -------------------------------------------------------------------

uint64_t RespSession::WatchFor(const std::string& subscription, bool pattern) {
  std::optional<std::string> prefix = pattern ? KeyPrefixForPattern(subscription) : KeyPrefixForChannel(subscription);
  if (!prefix) return 0;
  std::weak_ptr<RespSession> weak = weak_from_this();
  return backend_->Watch(*prefix, [weak, subscription, pattern](const std::string& key) {
    if (auto self = weak.lock()) self->OnKeyChange(key, subscription, pattern);
  });
}

void RespSession::OnKeyChange(const std::string& key, const std::string& subscription, bool pattern) {
  if (closing_) return;
  std::string event = KeyEventName(backend_->map(), key);
  KeyspaceMessage messages[2] = {KeyspaceChannelMessage(key, event), KeyeventChannelMessage(key, event)};
  for (const KeyspaceMessage& m : messages) {
    bool match = pattern ? GlobMatch(subscription, m.channel) : subscription == m.channel;
    if (!match) continue;
    std::string bytes;
    RespWriter w(&bytes, protocol_);
    if (pattern) {
      w.Push(4);
      w.Bulk("pmessage");
      w.Bulk(subscription);
    } else {
      w.Push(3);
      w.Bulk("message");
    }
    w.Bulk(m.channel);
    w.Bulk(m.payload);
    if (executing_) {
      held_messages_.push_back(std::move(bytes));
    } else {
      QueueBytes(std::move(bytes));
      Drain();
    }
  }
}

size_t RespSession::Subscribe(const std::string& channel) {
  if (!channels_.contains(channel)) channels_[channel] = WatchFor(channel, false);
  return subscription_count();
}

size_t RespSession::Unsubscribe(const std::string& channel) {
  auto it = channels_.find(channel);
  if (it != channels_.end()) {
    if (it->second != 0) backend_->Unwatch(it->second);
    channels_.erase(it);
  }
  return subscription_count();
}

size_t RespSession::PSubscribe(const std::string& pattern) {
  if (!patterns_.contains(pattern)) patterns_[pattern] = WatchFor(pattern, true);
  return subscription_count();
}

size_t RespSession::PUnsubscribe(const std::string& pattern) {
  auto it = patterns_.find(pattern);
  if (it != patterns_.end()) {
    if (it->second != 0) backend_->Unwatch(it->second);
    patterns_.erase(it);
  }
  return subscription_count();
}

std::vector<std::string> RespSession::channels() const {
  std::vector<std::string> out;
  for (const auto& [channel, watch] : channels_) out.push_back(channel);
  return out;
}

std::vector<std::string> RespSession::patterns() const {
  std::vector<std::string> out;
  for (const auto& [pattern, watch] : patterns_) out.push_back(pattern);
  return out;
}

}  // namespace parley::resp
