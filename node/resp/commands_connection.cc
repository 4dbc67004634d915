// Connection commands: PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET, CLIENT.
#include <sodium.h>

#include "node/resp/command_handlers.h"
#include "node/resp/integer_text.h"
#include "node/resp/resp_commands.h"
#include "node/resp/session_info.h"

namespace parley::resp {
namespace {

constexpr const char* kWrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

// Compares in time independent of where the strings differ, so the reply
// time does not leak how much of a guessed password was right.
bool PasswordMatches(const std::string& expected, const std::string& given) {
  if (expected.size() != given.size()) return false;
  return sodium_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

// Redis accepts only the "default" user when no ACL users are defined.
bool CheckCredentials(RespSession& s, const std::string& user, const std::string& password) {
  return user == "default" && !s.server().password.empty() && PasswordMatches(s.server().password, password);
}

// Client names: printable ASCII without spaces, as Redis requires.
bool ValidClientName(const std::string& name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

}  // namespace

void PingCommand(RespSession& s, Args args) {
  if (args.size() > 2) {
    s.reply().Error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (s.protocol() == 2 && s.subscription_count() > 0) {
    s.reply().Array(2);
    s.reply().Bulk("pong");
    s.reply().Bulk(args.size() == 2 ? args[1] : "");
    return;
  }
  if (args.size() == 2) {
    s.reply().Bulk(args[1]);
  } else {
    s.reply().Simple("PONG");
  }
}

void EchoCommand(RespSession& s, Args args) { s.reply().Bulk(args[1]); }

void HelloCommand(RespSession& s, Args args) {
  int protocol = s.protocol();
  if (args.size() >= 2) {
    int64_t version = 0;
    if (!ParseInt64(args[1], &version)) {
      s.reply().Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (version != 2 && version != 3) {
      s.reply().Error("NOPROTO unsupported protocol version");
      return;
    }
    protocol = static_cast<int>(version);
  }
  const std::string* user = nullptr;
  const std::string* password = nullptr;
  const std::string* name = nullptr;
  for (size_t i = 2; i < args.size(); ++i) {
    size_t more = args.size() - i - 1;
    if (EqualsIgnoreCase(args[i], "auth") && more >= 2) {
      user = &args[i + 1];
      password = &args[i + 2];
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "setname") && more >= 1) {
      name = &args[i + 1];
      i += 1;
    } else {
      s.reply().Error("ERR Syntax error in HELLO option '" + args[i] + "'");
      return;
    }
  }
  if (user != nullptr) {
    if (!CheckCredentials(s, *user, *password)) {
      s.reply().Error(s.server().password.empty()
                          ? "ERR AUTH <password> called without any password configured for the default user. "
                            "Are you sure your configuration is correct?"
                          : kWrongPass);
      return;
    }
    s.set_authenticated(true);
  }
  if (!s.authenticated()) {
    s.reply().Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH "
        "<user> <pass> option can be used to authenticate the client and select the RESP protocol version at "
        "the same time");
    return;
  }
  if (name != nullptr) {
    if (!ValidClientName(*name)) {
      s.reply().Error("ERR Client names cannot contain spaces, newlines or special characters.");
      return;
    }
    s.set_name(*name);
  }
  s.set_protocol(protocol);  // the reply itself uses the new protocol
  RespWriter& w = s.reply();
  w.Map(7);
  w.Bulk("server");
  w.Bulk("redis");
  w.Bulk("version");
  w.Bulk(kRedisCompatibleVersion);
  w.Bulk("proto");
  w.Integer(protocol);
  w.Bulk("id");
  w.Integer(static_cast<int64_t>(s.id()));
  w.Bulk("mode");
  w.Bulk("standalone");
  w.Bulk("role");
  w.Bulk("master");
  w.Bulk("modules");
  w.Array(0);
}

void AuthCommand(RespSession& s, Args args) {
  if (args.size() > 3) {
    s.reply().Error(kSyntaxError);
    return;
  }
  if (s.server().password.empty()) {
    s.reply().Error(
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your "
        "configuration is correct?");
    return;
  }
  const std::string& user = args.size() == 3 ? args[1] : std::string("default");
  if (!CheckCredentials(s, user, args.back())) {
    s.reply().Error(kWrongPass);
    return;
  }
  s.set_authenticated(true);
  s.reply().Ok();
}

void SelectCommand(RespSession& s, Args args) {
  int64_t index = 0;
  if (!ParseInt64(args[1], &index)) {
    s.reply().Error(kNotIntegerError);
  } else if (index != 0) {
    s.reply().Error("ERR DB index is out of range");
  } else {
    s.reply().Ok();
  }
}

void QuitCommand(RespSession& s, Args) {
  s.reply().Ok();
  s.CloseAfterReply();
}

void ResetCommand(RespSession& s, Args) {
  if (s.in_transaction()) s.EndTransaction(/*run=*/false);
  for (const std::string& channel : s.channels()) s.Unsubscribe(channel);
  for (const std::string& pattern : s.patterns()) s.PUnsubscribe(pattern);
  s.set_name("");
  s.set_authenticated(s.server().password.empty());
  s.set_protocol(2);
  s.reply().Simple("RESET");
}

void ClientCommand(RespSession& s, Args args) {
  std::string sub = Lower(args[1]);
  RespWriter& w = s.reply();
  if (sub == "id" && args.size() == 2) {
    w.Integer(static_cast<int64_t>(s.id()));
  } else if (sub == "getname" && args.size() == 2) {
    if (s.name().empty()) {
      w.Null();
    } else {
      w.Bulk(s.name());
    }
  } else if (sub == "setname" && args.size() == 3) {
    if (!ValidClientName(args[2])) {
      w.Error("ERR Client names cannot contain spaces, newlines or special characters.");
      return;
    }
    s.set_name(args[2]);
    w.Ok();
  } else if (sub == "setinfo" && args.size() == 4) {
    std::string attribute = Lower(args[2]);
    if (attribute == "lib-name") {
      s.lib_name = args[3];
    } else if (attribute == "lib-ver") {
      s.lib_version = args[3];
    } else {
      w.Error("ERR Unrecognized option '" + args[2] + "'");
      return;
    }
    w.Ok();
  } else if (sub == "info" && args.size() == 2) {
    w.Verbatim(ClientInfoLine(s) + "\n");
  } else if (sub == "list") {
    std::string text;
    for (RespSession* session : s.server().sessions) text += ClientInfoLine(*session) + "\n";
    w.Verbatim(text);
  } else if ((sub == "no-evict" || sub == "no-touch") && args.size() == 3) {
    w.Ok();  // parley never evicts and keeps no access times
  } else if (sub == "help") {
    const char* lines[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ID", "    Return the ID of the current connection.",
        "GETNAME", "    Return the name of the current connection.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "SETINFO <LIB-NAME|LIB-VER> <value>", "    Record the client library name or version.",
        "INFO", "    Return information about the current client connection.",
        "LIST", "    Return information about client connections.",
    };
    w.Array(std::size(lines));
    for (const char* line : lines) w.Simple(line);
  } else {
    w.Error("ERR unknown subcommand or wrong number of arguments for '" + args[1] + "'. Try CLIENT HELP.");
  }
}

}  // namespace parley::resp
