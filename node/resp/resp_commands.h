// The RESP command table: names, arities, flags and handlers.
//
// Dispatch follows Redis's order of checks, so clients see the same errors:
// unknown command, then wrong number of arguments, then NOAUTH, then the
// subscribed-mode restriction, then the handler. Handlers live in
// commands_*.cc, grouped like Redis's documentation groups.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::resp {

class RespSession;

// A handler gets the arguments (args[0] is the command name as sent) and
// writes its reply through session.reply() (or SubmitWrite for writes).
using CommandHandler = void (*)(RespSession& session, std::span<const std::string> args);

enum CommandFlags : uint32_t {
  kWrite = 1u << 0,        // changes the map
  kReadOnly = 1u << 1,     // reads the map
  kNoAuth = 1u << 2,       // allowed before AUTH (AUTH, HELLO, QUIT)
  kSubscribedOk = 1u << 3, // allowed in RESP2 subscribed mode
  kFast = 1u << 4,         // O(1) or O(log n), for COMMAND's flag list
  kPubSub = 1u << 5,
  kAdmin = 1u << 6,
  kNotQueued = 1u << 7,    // runs at once inside MULTI (EXEC, DISCARD, MULTI, QUIT, RESET)
  kNoMulti = 1u << 8,      // refused inside MULTI (subscriptions)
};

struct CommandSpec {
  const char* name;  // lower case
  int arity;         // > 0: exactly; < 0: at least -arity (name included)
  uint32_t flags;
  CommandHandler handler;
  int first_key = 0, last_key = 0, key_step = 0;  // for COMMAND
};

// Looks up `name` (already lower-cased). Null if unknown.
const CommandSpec* FindCommand(std::string_view name);
const std::vector<CommandSpec>& AllCommands();

// "unknown command 'X', with args beginning with: 'a' 'b' " exactly as Redis
// words it (without the "ERR " prefix).
std::string UnknownCommandMessage(std::span<const std::string> args);

// Redis's canonical error texts.
inline constexpr const char* kWrongTypeError =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr const char* kNotIntegerError = "ERR value is not an integer or out of range";
inline constexpr const char* kSyntaxError = "ERR syntax error";
inline constexpr const char* kOverflowError = "ERR increment or decrement would overflow";

}  // namespace parley::resp
