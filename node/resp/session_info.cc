// CLIENT INFO/LIST lines (see session_info.h).
#include "node/resp/session_info.h"

#include "node/resp/resp_commands.h"

namespace parley::resp {

std::string ClientInfoLine(const RespSession& s) {
  std::string line = "id=" + std::to_string(s.id());
  line += " addr=" + s.peer_address();
  line += " laddr=" + s.local_address();
  line += " fd=-1 name=" + s.name();
  line += " age=0 idle=0 flags=N db=0";
  line += " sub=" + std::to_string(s.channels().size());
  line += " psub=" + std::to_string(s.patterns().size());
  line += " ssub=0 multi=" + (s.in_transaction() ? std::to_string(s.queued_commands()) : std::string("-1"));
  line += " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 obl=0 oll=0 omem=0 tot-mem=0 events=r";
  line += " cmd=";
  line += s.last_command == nullptr ? "NULL" : s.last_command->name;
  line += " user=default redir=-1 resp=" + std::to_string(s.protocol());
  line += " lib-name=" + s.lib_name + " lib-ver=" + s.lib_version;
  return line;
}

}  // namespace parley::resp
