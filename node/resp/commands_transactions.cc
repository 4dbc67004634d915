// MULTI, EXEC and DISCARD (the queueing itself lives in RespSession).
//
// As in Redis, EXEC runs the queued commands one after another with no other
// client's command in between, and a command that fails at run time (say
// WRONGTYPE) does not stop the rest. Its writes are one write group: one
// change for each other node, which that node applies in one step (or holds
// back whole until it has a write the group builds on), as a Redis replica
// applies a transaction, and one group in every logbook, which a crash keeps
// whole or drops whole (NodeCore::BeginWriteGroup).
#include "node/resp/command_handlers.h"

namespace parley::resp {

void MultiCommand(RespSession& s, Args) {
  if (s.in_transaction()) {
    s.reply().Error("ERR MULTI calls can not be nested");
    return;
  }
  s.BeginTransaction();
  s.reply().Ok();
}

void ExecCommand(RespSession& s, Args) {
  if (!s.in_transaction()) {
    s.reply().Error("ERR EXEC without MULTI");
    return;
  }
  const size_t count = s.queued_commands();
  if (!s.EndTransaction(/*run=*/true)) {
    s.reply().Error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  s.reply().Array(count);  // the queued commands' replies follow
}

void DiscardCommand(RespSession& s, Args) {
  if (!s.in_transaction()) {
    s.reply().Error("ERR DISCARD without MULTI");
    return;
  }
  s.EndTransaction(/*run=*/false);
  s.reply().Ok();
}

}  // namespace parley::resp
