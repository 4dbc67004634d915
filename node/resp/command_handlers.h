// Handlers of the RESP commands, one function per command, and the small
// helpers they share. Private to node/resp: the table in resp_commands.cc
// is the only user.
#pragma once

#include <span>
#include <string>

#include "node/resp/resp_session.h"

namespace parley::resp {

using Args = std::span<const std::string>;

// connection (commands_connection.cc)
void PingCommand(RespSession& s, Args args);
void EchoCommand(RespSession& s, Args args);
void HelloCommand(RespSession& s, Args args);
void AuthCommand(RespSession& s, Args args);
void SelectCommand(RespSession& s, Args args);
void QuitCommand(RespSession& s, Args args);
void ResetCommand(RespSession& s, Args args);
void ClientCommand(RespSession& s, Args args);
// transactions (commands_transactions.cc)
void MultiCommand(RespSession& s, Args args);
void ExecCommand(RespSession& s, Args args);
void DiscardCommand(RespSession& s, Args args);
// introspection (commands_server.cc)
void CommandCommand(RespSession& s, Args args);
void InfoCommand(RespSession& s, Args args);
void ConfigCommand(RespSession& s, Args args);
// keys (commands_keys.cc)
void DbsizeCommand(RespSession& s, Args args);
void ExistsCommand(RespSession& s, Args args);
void DelCommand(RespSession& s, Args args);
void TypeCommand(RespSession& s, Args args);
void KeysCommand(RespSession& s, Args args);
void ScanCommand(RespSession& s, Args args);
// strings and counters (commands_strings.cc)
void GetCommand(RespSession& s, Args args);
void SetCommand(RespSession& s, Args args);
void SetnxCommand(RespSession& s, Args args);
void StrlenCommand(RespSession& s, Args args);
void MgetCommand(RespSession& s, Args args);
void MsetCommand(RespSession& s, Args args);
void IncrCommand(RespSession& s, Args args);
void IncrbyCommand(RespSession& s, Args args);
void DecrCommand(RespSession& s, Args args);
void DecrbyCommand(RespSession& s, Args args);
// sets (commands_sets.cc)
void SaddCommand(RespSession& s, Args args);
void SremCommand(RespSession& s, Args args);
void SmembersCommand(RespSession& s, Args args);
void SismemberCommand(RespSession& s, Args args);
void ScardCommand(RespSession& s, Args args);
// hashes (commands_hashes.cc)
void HsetCommand(RespSession& s, Args args);
void HmsetCommand(RespSession& s, Args args);
void HgetCommand(RespSession& s, Args args);
void HmgetCommand(RespSession& s, Args args);
void HdelCommand(RespSession& s, Args args);
void HgetallCommand(RespSession& s, Args args);
void HkeysCommand(RespSession& s, Args args);
void HvalsCommand(RespSession& s, Args args);
void HlenCommand(RespSession& s, Args args);
void HexistsCommand(RespSession& s, Args args);
// pub/sub (commands_pubsub.cc)
void SubscribeCommand(RespSession& s, Args args);
void UnsubscribeCommand(RespSession& s, Args args);
void PsubscribeCommand(RespSession& s, Args args);
void PunsubscribeCommand(RespSession& s, Args args);

// ---- shared helpers ----------------------------------------------------------

// True if `key` is absent or holds `type`; otherwise replies WRONGTYPE and
// returns false.
bool ExpectType(RespSession& s, const std::string& key, ValueType type);

// A key's value as Redis would show it to GET: a register's bytes or a
// counter's number. kWrongType for sets and hashes.
enum class StringRead { kMissing, kValue, kWrongType };
StringRead ReadString(const CrdtMap& map, const std::string& key, std::string* value);

// ASCII lower case (command and option names).
std::string Lower(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace parley::resp
