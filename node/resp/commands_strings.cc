// String and counter commands: GET, SET, SETNX, STRLEN, MGET, MSET, INCR,
// INCRBY, DECR, DECRBY.
//
// A Redis string is either a parley register (any bytes) or a parley
// counter (a PN-counter, written by INCR and friends). GET shows a counter
// as its decimal number. INCR on a register that holds a canonical integer
// converts it, as Redis users expect from `SET k 5; INCR k`: one atomic
// batch deletes the register and starts a counter at value+amount. Caveat:
// the conversion reads the value locally, so a concurrent SET or INCR on
// another node races with it like any concurrent write of two types (the
// visible type is decided by the type-conflict rule in crdt_map.h), and two
// nodes converting the same register at once both add their amounts to the
// same starting value. Counters that are only ever INCR'd have no such race.
#include "node/resp/command_handlers.h"
#include "node/resp/integer_text.h"
#include "node/resp/resp_commands.h"

namespace parley::resp {
namespace {

void IncrementBy(RespSession& s, const std::string& key, int64_t amount) {
  const CrdtMap& map = s.backend().map();
  int64_t current = 0;
  size_t count = 0;  // ops: at most a DEL of a numeric register, then the increment
  // A counter, the common case, takes one key lookup.
  std::optional<int64_t> counter = map.GetCounter(key);
  switch (counter ? ValueType::kCounter : map.TypeOf(key)) {
    case ValueType::kNone: break;
    case ValueType::kCounter: current = counter.value_or(0); break;
    case ValueType::kRegister: {
      std::string text = map.GetRegister(key).value_or("");
      if (!ParseInt64(text, &current)) {
        s.reply().Error(kNotIntegerError);
        return;
      }
      s.ScratchOp(count++, Op::Kind::kDel, key);
      break;
    }
    default: s.reply().Error(kWrongTypeError); return;
  }
  int64_t next = 0;
  if (__builtin_add_overflow(current, amount, &next)) {
    s.reply().Error(kOverflowError);
    return;
  }
  // A converted register starts the counter at its whole new value.
  Op& increment = s.ScratchOp(count, Op::Kind::kIncr, key);
  increment.amount = count == 0 ? amount : next;
  if (!s.SubmitWrite(s.ScratchOps(count + 1))) return;
  s.reply().Integer(next);
}

bool ParseAmount(RespSession& s, const std::string& text, int64_t* amount) {
  if (ParseInt64(text, amount)) return true;
  s.reply().Error(kNotIntegerError);
  return false;
}

}  // namespace

void GetCommand(RespSession& s, Args args) {
  // A register, the common case: one key lookup and no copy of the value.
  if (const std::string* value = s.backend().map().FindRegister(args[1])) {
    s.reply().Bulk(*value);
    return;
  }
  std::string value;
  switch (ReadString(s.backend().map(), args[1], &value)) {
    case StringRead::kMissing: s.reply().Null(); break;
    case StringRead::kValue: s.reply().Bulk(value); break;
    case StringRead::kWrongType: s.reply().Error(kWrongTypeError); break;
  }
}

void SetCommand(RespSession& s, Args args) {
  bool nx = false, xx = false, get = false;
  for (size_t i = 3; i < args.size(); ++i) {
    std::string option = Lower(args[i]);
    if (option == "nx" && !xx) {
      nx = true;
    } else if (option == "xx" && !nx) {
      xx = true;
    } else if (option == "get") {
      get = true;
    } else if (option == "keepttl") {
      // Nothing to keep: parley keys never expire.
    } else if (option == "ex" || option == "px" || option == "exat" || option == "pxat") {
      s.reply().Error("ERR parley keys do not expire: SET with EX/PX/EXAT/PXAT is not supported");
      return;
    } else {
      s.reply().Error(kSyntaxError);
      return;
    }
  }
  const std::string& key = args[1];
  std::string old;
  StringRead read = get ? ReadString(s.backend().map(), key, &old) : StringRead::kMissing;
  if (get && read == StringRead::kWrongType) {
    s.reply().Error(kWrongTypeError);
    return;
  }
  bool exists = (nx || xx) && s.backend().map().TypeOf(key) != ValueType::kNone;
  auto reply_skipped = [&] {
    if (get && read == StringRead::kValue) {
      s.reply().Bulk(old);
    } else {
      s.reply().Null();
    }
  };
  // NX/XX look at this node's map: two nodes may both see a key as absent.
  if ((nx && exists) || (xx && !exists)) {
    reply_skipped();
    return;
  }
  s.ScratchOp(0, Op::Kind::kSet, key).value.assign(args[2]);
  if (!s.SubmitWrite(s.ScratchOps(1))) return;
  if (get) {
    reply_skipped();
  } else {
    s.reply().Ok();
  }
}

void SetnxCommand(RespSession& s, Args args) {
  if (s.backend().map().TypeOf(args[1]) != ValueType::kNone) {
    s.reply().Integer(0);
    return;
  }
  if (!s.SubmitWrite(Op::Set(args[1], args[2]))) return;
  s.reply().Integer(1);
}

void StrlenCommand(RespSession& s, Args args) {
  std::string value;
  switch (ReadString(s.backend().map(), args[1], &value)) {
    case StringRead::kMissing: s.reply().Integer(0); break;
    case StringRead::kValue: s.reply().Integer(static_cast<int64_t>(value.size())); break;
    case StringRead::kWrongType: s.reply().Error(kWrongTypeError); break;
  }
}

void MgetCommand(RespSession& s, Args args) {
  const CrdtMap& map = s.backend().map();
  s.reply().Array(args.size() - 1);
  std::string value;
  for (size_t i = 1; i < args.size(); ++i) {
    // Like Redis, keys of other types read as nil rather than an error.
    if (ReadString(map, args[i], &value) == StringRead::kValue) {
      s.reply().Bulk(value);
    } else {
      s.reply().Null();
    }
  }
}

void MsetCommand(RespSession& s, Args args) {
  if (args.size() % 2 == 0) {
    s.reply().Error("ERR wrong number of arguments for 'mset' command");
    return;
  }
  std::vector<Op> ops;
  ops.reserve(args.size() / 2);
  for (size_t i = 1; i + 1 < args.size(); i += 2) ops.push_back(Op::Set(args[i], args[i + 1]));
  if (!s.SubmitWrite(std::move(ops))) return;
  s.reply().Ok();
}

void IncrCommand(RespSession& s, Args args) { IncrementBy(s, args[1], 1); }
void DecrCommand(RespSession& s, Args args) { IncrementBy(s, args[1], -1); }

void IncrbyCommand(RespSession& s, Args args) {
  int64_t amount = 0;
  if (ParseAmount(s, args[2], &amount)) IncrementBy(s, args[1], amount);
}

void DecrbyCommand(RespSession& s, Args args) {
  int64_t amount = 0;
  if (!ParseAmount(s, args[2], &amount)) return;
  if (amount == INT64_MIN) {
    s.reply().Error("ERR decrement would overflow");
    return;
  }
  IncrementBy(s, args[1], -amount);
}

}  // namespace parley::resp
