// RespSession: the state of one RESP client connection, without sockets.
//
// The server feeds it received bytes; it parses commands, runs them against
// the backend and hands reply bytes back through SessionIo. It keeps what a
// Redis connection keeps: the protocol version (2, or 3 after HELLO 3), the
// client name, whether it has authenticated, and its subscriptions.
//
// Replies leave in command order even though writes are acknowledged later:
// a write's reply waits in a queue until the backend acknowledges it, and
// replies of later commands (computed at once, so a pipelined GET after a
// SET sees the new value) queue behind it. Pub/sub messages join the same
// queue so they never overtake an earlier reply.
//
// MULTI queues the commands that follow (each answered +QUEUED) until EXEC
// runs them back to back, nothing of other clients' in between, and answers
// with one array of their replies; DISCARD drops them. A command refused
// while queuing (unknown, wrong arity) makes EXEC answer EXECABORT instead.
// There is no WATCH: with writes accepted on every node, a key cannot be
// promised unchanged until EXEC.
//
// Sessions are owned by shared_ptr: watch events hold only a weak_ptr, and
// write acknowledgements reach the session through an AckRoute (see
// server_state.h), so a connection may close while writes are pending.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/resp/resp_backend.h"
#include "node/resp/resp_parser.h"
#include "node/resp/resp_writer.h"
#include "node/resp/server_state.h"

namespace parley::resp {

struct CommandSpec;

struct SessionIo {
  std::function<void(std::string_view bytes)> send;  // reply bytes, in order; copied
  std::function<void()> close;                       // after everything sent so far
  // Optional. Acknowledgements that arrive between commands (one fsync can
  // acknowledge a whole pipeline) call this once instead of sending at
  // once; the server then calls DrainDeferred() later in the same loop
  // turn, and the pipeline's replies leave in one write, not one each.
  std::function<void()> defer_drain;
};

// MULTI's state: the commands queued so far, their size, and whether one
// was refused (EXEC then aborts). Outside RespSession: clang cannot build a
// nested class with member initializers into an optional member.
struct QueuedTransaction {
  std::vector<std::vector<std::string>> commands;
  size_t bytes = 0;
  bool refused = false;
};

class RespSession : public std::enable_shared_from_this<RespSession> {
 public:
  static std::shared_ptr<RespSession> Create(RespBackend* backend, ServerState* server, SessionIo io,
                                             std::string peer_address = {}, std::string local_address = {});
  ~RespSession();

  RespSession(const RespSession&) = delete;
  RespSession& operator=(const RespSession&) = delete;

  // Parses and runs every complete command in `bytes` (plus what was
  // buffered before), then sends the replies that are ready.
  void Feed(std::string_view bytes);

  // Unsubscribes everything and stops sending; called when the connection
  // goes away. Pending write acknowledgements are then dropped quietly.
  void Shutdown();

  // Replies still waiting for a write acknowledgement (for back-pressure).
  size_t pending_replies() const { return pending_.size(); }
  bool closing() const { return closing_; }

  // ---- state the command handlers read and change --------------------------
  uint64_t id() const { return id_; }
  int protocol() const { return protocol_; }
  void set_protocol(int protocol);  // also re-targets reply()
  bool authenticated() const { return authenticated_; }
  void set_authenticated(bool value) { authenticated_ = value; }
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  std::string lib_name, lib_version;
  const std::string& peer_address() const { return peer_address_; }
  const std::string& local_address() const { return local_address_; }
  uint64_t commands_run() const { return commands_run_; }
  const CommandSpec* last_command = nullptr;  // for CLIENT INFO's cmd=
  // After the current reply, send what is queued and close (QUIT).
  void CloseAfterReply() { close_requested_ = true; }

  // Pub/sub. A keyspace channel or pattern gets a backend watch; others
  // are accepted (like Redis) but never receive anything.
  size_t subscription_count() const { return channels_.size() + patterns_.size(); }
  // Each returns the subscription count after the change.
  size_t Subscribe(const std::string& channel);
  size_t Unsubscribe(const std::string& channel);
  size_t PSubscribe(const std::string& pattern);
  size_t PUnsubscribe(const std::string& pattern);
  std::vector<std::string> channels() const;
  std::vector<std::string> patterns() const;

  // Sends what acknowledgements made ready (see SessionIo::defer_drain).
  void DrainDeferred() {
    drain_deferred_ = false;
    Drain();
  }

  // Runs one parsed command (public for tests and the fuzzer).
  void Execute(std::vector<std::string>& args);

  // ---- transactions (MULTI / EXEC / DISCARD) --------------------------------
  bool in_transaction() const { return transaction_.has_value(); }
  void BeginTransaction() { transaction_.emplace(); }
  // Ends the transaction; false if a command was refused while queuing.
  // Otherwise its commands run right after the running command (EXEC),
  // whose reply must be the array header that their replies complete.
  bool EndTransaction(bool run);
  size_t queued_commands() const { return transaction_ ? transaction_->commands.size() : 0; }

  // ---- for handlers: writes whose reply waits for the acknowledgement ------
  // Submits `ops`. On refusal, writes the error reply and returns false.
  // On success the handler then writes the reply to send once the write is
  // acknowledged (replaced by an error if it fails to become durable).
  bool SubmitWrite(std::span<const Op> ops);
  bool SubmitWrite(const Op& op) { return SubmitWrite(std::span<const Op>(&op, 1)); }
  // Op number `i` (< kScratchOps) of the running command, reset to `kind`
  // on `key`. The session keeps these between commands so that their
  // strings keep their buffers: building a fresh Op copied a key longer
  // than the small-string buffer into a new allocation on every SET or INCR.
  static constexpr size_t kScratchOps = 2;
  Op& ScratchOp(size_t i, Op::Kind kind, std::string_view key);
  // The first `count` scratch ops, for SubmitWrite.
  std::span<const Op> ScratchOps(size_t count) const { return std::span<const Op>(scratch_ops_, count); }

  RespBackend& backend() { return *backend_; }
  ServerState& server() { return *server_; }
  RespWriter& reply() { return writer_; }

 private:
  // A reply that waits for its turn: a write's until it is acknowledged,
  // anything else's until the replies before it have gone.
  struct PendingReply {
    uint64_t seq;  // increasing along the queue
    std::string bytes;
    bool acknowledged;
    Status status;
  };

  RespSession(RespBackend* backend, ServerState* server, SessionIo io, std::string peer, std::string local);
  // Queues the running command, or refuses it; writes the reply either way.
  void Queue(const CommandSpec& spec, std::vector<std::string>& args);
  // Runs what EndTransaction(true) took: each command's reply joins the queue
  // behind EXEC's array header, and pub/sub messages wait for the last.
  void RunTransaction();
  // Queues the pub/sub messages that arrived while a command ran.
  void ReleaseHeldMessages();
  // Moves every leading finished reply to out_, sends it, closes if asked.
  void Drain();
  // The backend acknowledged the write with sequence number `seq`.
  void OnWriteDone(uint64_t seq, const Status& status);
  // A write was acknowledged outside a command: drain now or deferred.
  void OnAcknowledged();
  void QueueBytes(std::string bytes);  // a ready reply or a pub/sub message
  void OnKeyChange(const std::string& key, const std::string& subscription, bool pattern);
  uint64_t WatchFor(const std::string& channel_or_pattern, bool pattern);

  RespBackend* backend_;
  ServerState* server_;
  SessionIo io_;
  RespParser parser_;
  const uint64_t id_;
  int protocol_ = 2;
  bool authenticated_;
  std::string name_;
  std::string peer_address_, local_address_;
  uint64_t commands_run_ = 0;

  std::string out_;                   // ready to send
  std::deque<PendingReply> pending_;  // in order; front blocks the rest
  uint64_t next_seq_ = 1;
  std::string scratch_;  // reply of the running command
  // The last command name as the client spelled it, and its spec: clients
  // repeat commands, and a byte compare is cheaper than lower-casing and
  // hashing the name again.
  std::string looked_up_name_;
  const CommandSpec* looked_up_spec_ = nullptr;
  RespWriter writer_;
  std::unique_ptr<AckRoute> ack_route_;
  // The running command's write (SubmitWrite), before its reply is queued;
  // an in-memory node acknowledges it before the command ends.
  struct Submitted {
    uint64_t seq = 0;  // 0: none
    bool acknowledged = false;
    Status status;
  };
  Submitted submitted_;
  Op scratch_ops_[kScratchOps];
  bool executing_ = false;
  std::optional<QueuedTransaction> transaction_;  // between MULTI and EXEC/DISCARD
  std::vector<std::vector<std::string>> to_run_;  // EXEC's commands, run after EXEC itself
  bool running_transaction_ = false;
  bool drain_deferred_ = false;  // defer_drain called, DrainDeferred() not yet
  std::vector<std::string> held_messages_;  // pub/sub messages raised during a command
  bool close_requested_ = false;
  bool closing_ = false;

  std::map<std::string, uint64_t> channels_;  // channel -> watch id (0: none)
  std::map<std::string, uint64_t> patterns_;
};

}  // namespace parley::resp
